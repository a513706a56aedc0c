import Foundation

// The line syntax OBJ and MTL share: one statement per line, `\` at the end of a line continues it,
// `#` starts a comment, tokens are separated by spaces or tabs, LF or CRLF line ends.

struct WavefrontStatement {
    /// 1-based number of the line the statement starts on.
    var line: Int
    var keyword: String
    var arguments: [Substring]

    /// The arguments joined by single spaces: a name or file path that may contain spaces.
    var rest: String { arguments.joined(separator: " ") }
}

enum WavefrontText {
    /// Calls `body` for every statement of `bytes` in order (empty and comment-only lines skipped).
    static func forEachStatement(_ bytes: [UInt8], _ body: (WavefrontStatement) throws -> Void) throws {
        var lineNumber = 0
        var pending: [UInt8] = []
        var pendingStart = 1
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            lineNumber += 1
            var line = bytes[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            if line.last == 0x0D { line = line.dropLast() }
            if pending.isEmpty { pendingStart = lineNumber }
            // A backslash ending the line (before trailing blanks) joins the next line to it.
            let trimmed = line.reversed().drop { $0 == 0x20 || $0 == 0x09 }
            if trimmed.first == UInt8(ascii: "\\") && lineStart <= bytes.count {
                pending += line.prefix(trimmed.count - 1)
                pending.append(0x20)
                continue
            }
            pending += line
            defer { pending.removeAll(keepingCapacity: true) }
            let text = String(decoding: pending, as: UTF8.self)
            var tokens: [Substring] = []
            for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{0B}" || $0 == "\u{0C}" }) {
                if token.hasPrefix("#") { break }
                tokens.append(token)
            }
            guard let keyword = tokens.first else { continue }
            try body(
                WavefrontStatement(line: pendingStart, keyword: String(keyword), arguments: Array(tokens.dropFirst())))
        }
    }

    /// A finite number from `token`, or nil.
    static func number(_ token: Substring) -> Double? {
        guard let d = Double(token), d.isFinite else { return nil }
        return d
    }

    /// A file path as OBJ and MTL write it (Windows separators allowed), refused when absolute.
    static func relativePath(_ path: String) -> String? {
        let p = path.replacingOccurrences(of: "\\", with: "/")
        guard !p.isEmpty, !p.hasPrefix("/"), !p.contains("\0") else { return nil }
        if let colon = p.firstIndex(of: ":"), !p[..<colon].contains("/") { return nil }
        return p
    }
}

// A small strict JSON reader for glTF documents (RFC 8259). Foundation's JSONSerialization would do,
// but its errors do not say where the text went wrong, and glTF files come from users: this one
// reports line and column, bounds nesting depth (no stack overflow on `[[[[...`) and rejects
// duplicate keys and numbers that do not fit a Double.

/// A parsed JSON value. Objects are dictionaries: readers look fields up by name and never
/// iterate them in an order that could reach an output.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The kind of value, for messages ("expected an integer, found a string").
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value itself when it is short (a number, a short string), else its kind.
    var shortDescription: String {
        switch self {
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): return s.count <= 40 ? "\"\(s)\"" : "a string"
        case .bool(let b): return String(b)
        default: return kindName
        }
    }
}

/// Malformed JSON text: where (1-based line and byte column) and what.
struct JSONSyntaxError: Error, Hashable, Sendable {
    var line: Int
    var column: Int
    var message: String
}

struct JSONReader {
    /// Deeper nesting is refused; glTF documents nest about six levels.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON value filling `bytes` (surrounding whitespace allowed, nothing else).
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var reader = JSONReader(bytes)
        // A UTF-8 byte order mark is not JSON, but some writers emit one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.position = 3 }
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let end = min(offset ?? position, bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONSyntaxError(line: line, column: end - lineStart + 1, message: message)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
    }

    private func describe(_ c: UInt8?) -> String {
        guard let c else { return "the end of the text" }
        if c >= 0x21 && c < 0x7F { return "`\(Character(Unicode.Scalar(c)))`" }
        return "byte 0x\(String(c, radix: 16, uppercase: true))"
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws(JSONSyntaxError) {
        guard current == c else { throw error("expected \(what), found \(describe(current))") }
        position += 1
    }

    private mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        switch current {
        case UInt8(ascii: "{"): return try readObject(depth: depth)
        case UInt8(ascii: "["): return try readArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .null)
        case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39): return try readNumber()
        default: throw error("expected a value, found \(describe(current))")
        }
    }

    private mutating func readLiteral(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let start = position
        for b in word.utf8 {
            guard current == b else { throw error("invalid literal (expected `\(word)`)", at: start) }
            position += 1
        }
        return value
    }

    private mutating func readObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            let keyStart = position
            guard current == UInt8(ascii: "\"") else {
                throw error("expected a quoted key, found \(describe(current))")
            }
            let key = try readString()
            guard fields[key] == nil else { throw error("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "`:` after a key")
            skipWhitespace()
            fields[key] = try readValue(depth: depth + 1)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "`,` or `}` in an object")
            return .object(fields)
        }
    }

    private mutating func readArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try readValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "`,` or `]` in an array")
            return .array(items)
        }
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw error("unfinished \\u escape") }
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit \(describe(c)) in a \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    private mutating func readString() throws(JSONSyntaxError) -> String {
        let start = position
        position += 1
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("unterminated string", at: start) }
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw error("string is not valid UTF-8", at: start)
                }
                return s
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("unterminated string", at: start) }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard current == UInt8(ascii: "\\") else { throw error("unpaired UTF-16 surrogate") }
                        position += 1
                        guard current == UInt8(ascii: "u") else { throw error("unpaired UTF-16 surrogate") }
                        position += 1
                        let low = try readHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired UTF-16 surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("unpaired UTF-16 surrogate") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw error("invalid escape \\\(describe(e))", at: position - 2)
                }
            case 0x00..<0x20:
                throw error("control character \(describe(c)) inside a string", at: position - 1)
            default:
                out.append(c)
            }
        }
    }

    private mutating func readNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        func digits(_ r: inout JSONReader) -> Int {
            var n = 0
            while let c = r.current, c >= 0x30 && c <= 0x39 {
                r.position += 1
                n += 1
            }
            return n
        }
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if digits(&self) == 0 {
            throw error("invalid number", at: start)
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw error("invalid number: no digits after `.`", at: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw error("invalid number: no digits in the exponent", at: start) }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("number \(text) is out of range", at: start)
        }
        return .number(value)
    }
}

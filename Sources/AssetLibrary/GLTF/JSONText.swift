import Foundation

/// A JSON value whose text is fixed by construction: object keys keep the order they were given,
/// numbers are written one fixed way. The library's files must be byte-identical on every run,
/// which `JSONSerialization` (key order, number formatting) does not promise.
indirect enum JSONText {
    case object([(String, JSONText)])
    case array([JSONText])
    case string(String)
    case int(Int)
    /// Written as the shortest decimal that reads back as the same `Float`: glTF's min/max must
    /// equal the Float values in the buffer exactly.
    case float(Float)
    /// Written with a fixed number of decimals (sizes in the index).
    case fixed(Double, decimals: Int)

    static func floats(_ values: [Float]) -> JSONText { .array(values.map { .float($0) }) }

    /// Without whitespace (inside a .glb).
    var compact: String {
        var out = ""
        write(into: &out, indent: nil, level: 0)
        return out
    }

    /// Two-space indentation, arrays and objects of scalars on one line (library.json, read by people).
    var pretty: String {
        var out = ""
        write(into: &out, indent: "  ", level: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: String?, level: Int) {
        func newline(_ l: Int) {
            if let indent { out += "\n" + String(repeating: indent, count: l) }
        }
        switch self {
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            // Objects of scalars alone (an index's parts) stay on one line.
            let inline = indent == nil || members.allSatisfy { $0.1.isScalar }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += inline && indent != nil ? ", " : "," }
                if !inline { newline(level + 1) }
                out += Self.quoted(key) + (indent == nil ? ":" : ": ")
                value.write(into: &out, indent: indent, level: level + 1)
            }
            if !inline { newline(level) }
            out += "}"
        case .array(let items):
            let scalars = items.allSatisfy(\.isScalar)
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += scalars && indent != nil ? ", " : "," }
                if !scalars { newline(level + 1) }
                item.write(into: &out, indent: indent, level: level + 1)
            }
            if !scalars && !items.isEmpty { newline(level) }
            out += "]"
        case .string(let s): out += Self.quoted(s)
        case .int(let i): out += String(i)
        case .float(let f):
            precondition(f.isFinite, "JSON has no infinities")
            out += f == 0 ? "0" : f.description
        case .fixed(let d, let decimals):
            let text = String(format: "%.\(decimals)f", d)
            out += Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
        }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: return false
        default: return true
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

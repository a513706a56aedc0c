/// A JSON value serialized byte-for-byte deterministically, independent of Foundation's version
/// and platform: keys sorted by their UTF-8 bytes, two-space indentation, arrays of scalars on one
/// line, integers as integers, and doubles in Swift's shortest round-trip form (`1.0`, `0.1`,
/// `1e-05`). Rendering the same frame twice therefore gives byte-identical label files.
public indirect enum JSONValue: Hashable, Sendable {
    case int(Int)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// The serialized text, ending in a newline. Throws for non-finite doubles, which JSON cannot hold.
    public func serialized() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        try write(to: &out, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func write(to out: inout [UInt8], indent: Int) throws {
        switch self {
        case .int(let v): out += Array(String(v).utf8)
        case .uint(let v): out += Array(String(v).utf8)
        case .double(let v):
            guard v.isFinite else { throw ExportError("cannot write the non-finite number \(v) to JSON") }
            out += Array(v.description.utf8)
        case .bool(let v): out += Array((v ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty {
                out += Array("[]".utf8)
            } else if items.allSatisfy(\.isScalar) {
                out.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { out += [UInt8(ascii: ","), UInt8(ascii: " ")] }
                    try item.write(to: &out, indent: indent)
                }
                out.append(UInt8(ascii: "]"))
            } else {
                out.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    Self.newline(&out, indent: indent + 1)
                    try item.write(to: &out, indent: indent + 1)
                }
                Self.newline(&out, indent: indent)
                out.append(UInt8(ascii: "]"))
            }
        case .object(let members):
            if members.isEmpty {
                out += Array("{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent: indent + 1)
                Self.writeString(key, to: &out)
                out += [UInt8(ascii: ":"), UInt8(ascii: " ")]
                try members[key]!.write(to: &out, indent: indent + 1)
            }
            Self.newline(&out, indent: indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], indent: Int) {
        out.append(UInt8(ascii: "\n"))
        out += [UInt8](repeating: UInt8(ascii: " "), count: 2 * indent)
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                out += Array("\\u00".utf8)
                out += [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

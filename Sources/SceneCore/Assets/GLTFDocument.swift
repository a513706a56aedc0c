// A glTF 2.0 document as read from a .gltf (JSON text) or a .glb (binary container), and typed
// access to its JSON that names the element in every error ("accessors[3].byteOffset").
//
// GLB layout (all integers little-endian uint32):
//
//   +-------+---------+--------+   +-------------+-------------+--------------------+
//   | magic | version | length |   | chunkLength | chunkType   | chunkData ...      |  x N
//   | glTF  |    2    | total  |   |  (mult. 4)  | JSON / BIN\0| (padded to 4)      |
//   +-------+---------+--------+   +-------------+-------------+--------------------+
//
// The first chunk is JSON; a BIN chunk, when present, is the second and backs buffer 0 (the one
// without a uri). Other chunk types are skipped, as the spec asks.

/// The parsed document: its JSON and the GLB's binary chunk, if any.
struct GLTFDocument {
    let file: String
    let root: GLTFObject
    let binaryChunk: [UInt8]?

    static let glbMagic: UInt32 = 0x4654_6C67  // "glTF"
    static let jsonChunk: UInt32 = 0x4E4F_534A  // "JSON"
    static let binChunk: UInt32 = 0x004E_4942  // "BIN\0"

    /// Reads a .gltf file: JSON text.
    init(gltf bytes: [UInt8], file: String) throws {
        self.file = file
        root = try Self.parseJSON(bytes, file: file, where: "")
        binaryChunk = nil
    }

    /// Reads a .glb file: header, JSON chunk, optional BIN chunk, each length checked against the bytes.
    init(glb bytes: [UInt8], file: String) throws {
        self.file = file
        func fail(_ element: String, _ message: String) -> AssetImportError {
            AssetImportError(file: file, element: element, message: message)
        }
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        guard bytes.count >= 12 else {
            throw fail("GLB header", "file is \(bytes.count) bytes, shorter than the 12-byte GLB header")
        }
        guard u32(0) == Self.glbMagic else {
            let isJSON = bytes.first == UInt8(ascii: "{")
            throw fail(
                "GLB header",
                "not a binary glTF file (magic is not `glTF`)" + (isJSON ? "; it looks like JSON: name it .gltf" : ""))
        }
        guard u32(4) == 2 else { throw fail("GLB header", "GLB version \(u32(4)) is not supported (only 2)") }
        let total = Int(u32(8))
        guard total == bytes.count else {
            throw fail(
                "GLB header",
                total > bytes.count
                    ? "header says \(total) bytes but the file has \(bytes.count): it is truncated"
                    : "header says \(total) bytes but the file has \(bytes.count)")
        }
        var offset = 12, index = 0
        var json: [UInt8]?
        var bin: [UInt8]?
        while offset < total {
            let element = "GLB chunk \(index)"
            guard total - offset >= 8 else {
                throw fail(element, "\(total - offset) bytes left at offset \(offset), too few for a chunk header")
            }
            let length = Int(u32(offset)), type = u32(offset + 4)
            let start = offset + 8
            guard length <= total - start else {
                throw fail(
                    element, "chunk length \(length) at offset \(offset) runs past the end of the file (\(total) bytes)"
                )
            }
            guard length % 4 == 0 else {
                throw fail(element, "chunk length \(length) is not a multiple of 4 (chunks are 4-byte aligned)")
            }
            let data = Array(bytes[start..<start + length])
            switch (index, type) {
            case (0, Self.jsonChunk): json = data
            case (0, _): throw fail(element, "the first chunk must be JSON")
            case (1, Self.binChunk): bin = data
            case (_, Self.jsonChunk): throw fail(element, "a second JSON chunk")
            case (_, Self.binChunk): throw fail(element, "a BIN chunk must be the second chunk")
            default: break  // unknown chunk types are skipped, as glTF asks
            }
            offset = start + length
            index += 1
        }
        guard let json else { throw fail("GLB chunk 0", "the file has no JSON chunk") }
        root = try Self.parseJSON(json, file: file, where: "JSON chunk ")
        binaryChunk = bin
    }

    private static func parseJSON(_ bytes: [UInt8], file: String, where context: String) throws -> GLTFObject {
        guard bytes.count <= AssetImportLimits.maxJSONBytes else {
            throw AssetImportError(
                file: file, element: "\(context)JSON",
                message: "the JSON is \(bytes.count) bytes, more than the \(AssetImportLimits.maxJSONBytes) allowed")
        }
        // GLB pads the JSON chunk with spaces; some writers pad with NULs instead.
        var text = bytes
        while text.last == 0 { text.removeLast() }
        let value: JSONValue
        do {
            value = try JSONReader.parse(text)
        } catch {
            throw AssetImportError(
                file: file, element: "\(context)line \(error.line), column \(error.column)",
                message: "invalid JSON: \(error.message)")
        }
        guard case .object(let fields) = value else {
            throw AssetImportError(
                file: file, element: "", message: "the glTF JSON must be an object, found \(value.kindName)")
        }
        return GLTFObject(file: file, path: "", fields: fields)
    }
}

/// A JSON object of the document with its element path, read field by field with checks.
struct GLTFObject {
    let file: String
    /// "" for the root, else e.g. "meshes[0].primitives[1]".
    let path: String
    let fields: [String: JSONValue]

    func element(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func fail(_ name: String?, _ message: String) -> AssetImportError {
        AssetImportError(file: file, element: name.map(element) ?? path, message: message)
    }

    func has(_ name: String) -> Bool { fields[name] != nil }

    /// A non-negative integer field (JSON number with no fraction), or `fallback` when absent.
    func int(_ name: String, default fallback: Int? = nil) throws -> Int? {
        guard let value = fields[name] else { return fallback }
        guard case .number(let d) = value, d == d.rounded(), abs(d) < 9.0e15 else {
            throw fail(name, "expected an integer, found \(value.shortDescription)")
        }
        guard d >= 0 else { throw fail(name, "must not be negative, found \(Int(d))") }
        return Int(d)
    }

    func requiredInt(_ name: String) throws -> Int {
        guard let v = try int(name) else { throw fail(nil, "missing required field `\(name)`") }
        return v
    }

    /// An index into an array of `count` elements named `arrayName` ("accessors").
    func index(_ name: String, into arrayName: String, count: Int) throws -> Int? {
        guard let i = try int(name) else { return nil }
        guard i < count else {
            throw fail(name, "index \(i) is out of range (the file has \(count) \(arrayName))")
        }
        return i
    }

    func requiredIndex(_ name: String, into arrayName: String, count: Int) throws -> Int {
        guard let i = try index(name, into: arrayName, count: count) else {
            throw fail(nil, "missing required field `\(name)`")
        }
        return i
    }

    func number(_ name: String, default fallback: Double) throws -> Double {
        guard let value = fields[name] else { return fallback }
        guard case .number(let d) = value else { throw fail(name, "expected a number, found \(value.kindName)") }
        return d
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let value = fields[name] else { return fallback }
        guard case .bool(let b) = value else { throw fail(name, "expected true or false, found \(value.kindName)") }
        return b
    }

    func string(_ name: String) throws -> String? {
        guard let value = fields[name] else { return nil }
        guard case .string(let s) = value else { throw fail(name, "expected a string, found \(value.kindName)") }
        return s
    }

    /// An array of exactly `count` numbers, or nil when absent.
    func numbers(_ name: String, count: Int) throws -> [Double]? {
        guard let value = fields[name] else { return nil }
        guard case .array(let items) = value, items.count == count else {
            throw fail(name, "expected an array of \(count) numbers")
        }
        return try items.enumerated().map { i, item in
            guard case .number(let d) = item else {
                throw fail("\(name)[\(i)]", "expected a number, found \(item.kindName)")
            }
            return d
        }
    }

    /// An array of indices into `arrayName` (`count` long), or [] when absent.
    func indices(_ name: String, into arrayName: String, count: Int) throws -> [Int] {
        guard let value = fields[name] else { return [] }
        guard case .array(let items) = value else { throw fail(name, "expected an array, found \(value.kindName)") }
        return try items.enumerated().map { i, item in
            guard case .number(let d) = item, d == d.rounded(), d >= 0, d < Double(count) else {
                throw fail(
                    "\(name)[\(i)]",
                    "expected an index below \(count) into \(arrayName), found \(item.shortDescription)")
            }
            return Int(d)
        }
    }

    func object(_ name: String) throws -> GLTFObject? {
        guard let value = fields[name] else { return nil }
        guard case .object(let f) = value else { throw fail(name, "expected an object, found \(value.kindName)") }
        return GLTFObject(file: file, path: element(name), fields: f)
    }

    func requiredObject(_ name: String) throws -> GLTFObject {
        guard let o = try object(name) else { throw fail(nil, "missing required field `\(name)`") }
        return o
    }

    /// An array of objects (a top-level list such as "accessors"), [] when absent.
    func objects(_ name: String) throws -> [GLTFObject] {
        guard let value = fields[name] else { return [] }
        guard case .array(let items) = value else { throw fail(name, "expected an array, found \(value.kindName)") }
        return try items.enumerated().map { i, item in
            guard case .object(let f) = item else {
                throw fail("\(name)[\(i)]", "expected an object, found \(item.kindName)")
            }
            return GLTFObject(file: file, path: "\(element(name))[\(i)]", fields: f)
        }
    }

    /// The strings of an array of strings (e.g. "extensionsRequired"), [] when absent.
    func strings(_ name: String) throws -> [String] {
        guard let value = fields[name] else { return [] }
        guard case .array(let items) = value else { throw fail(name, "expected an array, found \(value.kindName)") }
        return try items.enumerated().map { i, item in
            guard case .string(let s) = item else {
                throw fail("\(name)[\(i)]", "expected a string, found \(item.kindName)")
            }
            return s
        }
    }

    /// `extras.scenefarm_support`: heights (file units, along the file's up axis) of the surfaces
    /// things rest on, such as shelf boards; [] when absent.
    func supportExtra() throws -> [Double] {
        guard let extras = fields["extras"], case .object(let f) = extras, let value = f["scenefarm_support"] else {
            return []
        }
        guard case .array(let items) = value, items.count <= 1000 else {
            throw fail("extras.scenefarm_support", "expected an array of at most 1000 heights, found \(value.kindName)")
        }
        return try items.enumerated().map { i, item in
            guard case .number(let d) = item, d.isFinite else {
                throw fail("extras.scenefarm_support[\(i)]", "expected a number, found \(item.kindName)")
            }
            return d
        }
    }

    /// `extras.scenefarm_class`: the class this node or scene suggests, nil when it has none.
    func classExtra() throws -> String? {
        guard let extras = fields["extras"], case .object(let f) = extras, let value = f["scenefarm_class"] else {
            return nil
        }
        guard case .string(let s) = value, !s.isEmpty else {
            throw fail("extras.scenefarm_class", "expected a class name (a non-empty string), found \(value.kindName)")
        }
        return s
    }
}

// glTF binary data: buffers (GLB chunk, data URI or external file), buffer views and accessors
// (every component type, normalized integers, strides, sparse substitution). Every offset, length,
// stride and count is checked, without overflow, against the bytes actually loaded before a
// single byte is read.

enum GLTFComponentType: Int {
    case byte = 5120, unsignedByte = 5121, short = 5122, unsignedShort = 5123, unsignedInt = 5125, float = 5126

    var size: Int {
        switch self {
        case .byte, .unsignedByte: return 1
        case .short, .unsignedShort: return 2
        case .unsignedInt, .float: return 4
        }
    }

    var name: String {
        switch self {
        case .byte: return "BYTE"
        case .unsignedByte: return "UNSIGNED_BYTE"
        case .short: return "SHORT"
        case .unsignedShort: return "UNSIGNED_SHORT"
        case .unsignedInt: return "UNSIGNED_INT"
        case .float: return "FLOAT"
        }
    }

    /// A component's value from its little-endian bits, as glTF defines it: normalized integers map
    /// to [0, 1] (unsigned) or [-1, 1] (signed, the most negative value clamped to -1).
    func value(_ bits: UInt32, normalized: Bool) -> Float {
        switch self {
        case .float: return Float(bitPattern: bits)
        case .byte:
            let v = Float(Int8(truncatingIfNeeded: bits))
            return normalized ? max(v / 127, -1) : v
        case .unsignedByte:
            let v = Float(UInt8(truncatingIfNeeded: bits))
            return normalized ? v / 255 : v
        case .short:
            let v = Float(Int16(truncatingIfNeeded: bits))
            return normalized ? max(v / 32767, -1) : v
        case .unsignedShort:
            let v = Float(UInt16(truncatingIfNeeded: bits))
            return normalized ? v / 65535 : v
        case .unsignedInt: return Float(bits)
        }
    }
}

/// The buffers, buffer views and accessors of one document; each buffer is loaded once, when first used.
struct GLTFData {
    let file: String
    private let document: GLTFDocument
    private let buffers: [GLTFObject]
    private let bufferViews: [GLTFObject]
    let accessors: [GLTFObject]
    /// Reads a file the document refers to (a .bin, an image) by its relative path.
    let resolveFile: (String) throws -> [UInt8]
    private var loaded: [Int: [UInt8]] = [:]

    init(document: GLTFDocument, resolve: @escaping (String) throws -> [UInt8]) throws {
        file = document.file
        self.document = document
        buffers = try document.root.objects("buffers")
        bufferViews = try document.root.objects("bufferViews")
        accessors = try document.root.objects("accessors")
        resolveFile = resolve
    }

    var bufferViewCount: Int { bufferViews.count }

    // MARK: - buffers and views

    /// The bytes of buffer `i`: at least its `byteLength`.
    mutating func buffer(_ i: Int) throws -> [UInt8] {
        if let b = loaded[i] { return b }
        let buffer = buffers[i]
        let byteLength = try buffer.requiredInt("byteLength")
        let bytes: [UInt8]
        if let uri = try buffer.string("uri") {
            let data: (mediaType: String, bytes: [UInt8])?
            do {
                data = try AssetURI.decodeData(uri)
            } catch {
                throw buffer.fail("uri", error.message)
            }
            if let data {
                guard ["application/octet-stream", "application/gltf-buffer", ""].contains(data.mediaType) else {
                    throw buffer.fail(
                        "uri",
                        "data URI of type `\(data.mediaType)`; buffers are application/octet-stream or application/gltf-buffer"
                    )
                }
                bytes = data.bytes
            } else {
                bytes = try AssetURI.read(uri, file: file, element: buffer.element("uri"), resolve: resolveFile)
            }
        } else if i == 0, let chunk = document.binaryChunk {
            bytes = chunk
        } else {
            throw buffer.fail(
                nil,
                document.binaryChunk == nil && i == 0
                    ? "has no `uri` and the file has no GLB BIN chunk"
                    : "has no `uri` (only buffer 0 of a .glb may omit it)")
        }
        guard bytes.count >= byteLength else {
            throw buffer.fail("byteLength", "is \(byteLength) but the buffer's data has only \(bytes.count) bytes")
        }
        loaded[i] = bytes
        return bytes
    }

    /// A buffer view: the whole buffer's bytes, where the view starts and ends in them, and its stride.
    mutating func view(_ i: Int) throws -> (bytes: [UInt8], start: Int, length: Int, stride: Int?) {
        let view = bufferViews[i]
        let b = try view.requiredIndex("buffer", into: "buffers", count: buffers.count)
        let offset = try view.int("byteOffset", default: 0) ?? 0
        let length = try view.requiredInt("byteLength")
        guard length >= 1 else { throw view.fail("byteLength", "must be at least 1") }
        let stride = try view.int("byteStride")
        if let stride, !(4...252).contains(stride) {
            throw view.fail("byteStride", "is \(stride), outside 4...252")
        }
        let declared = try buffers[b].requiredInt("byteLength")
        guard let end = checkedSum(offset, length), end <= declared else {
            throw view.fail(
                "byteLength",
                "byteOffset \(offset) + byteLength \(length) runs past the end of buffers[\(b)] (\(declared) bytes)")
        }
        return (try buffer(b), offset, length, stride)
    }

    // MARK: - accessors

    /// What an accessor holds, checked but not yet read.
    struct AccessorLayout {
        var object: GLTFObject
        var componentType: GLTFComponentType
        var normalized: Bool
        var count: Int
        /// Components per element (1 for SCALAR ... 16 for MAT4).
        var components: Int
        var typeName: String
    }

    static let componentsByType = ["SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16]

    func layout(_ i: Int) throws -> AccessorLayout {
        let a = accessors[i]
        let code = try a.requiredInt("componentType")
        guard let componentType = GLTFComponentType(rawValue: code) else {
            throw a.fail("componentType", "\(code) is not a glTF component type (5120...5126)")
        }
        guard let typeName = try a.string("type") else { throw a.fail(nil, "missing required field `type`") }
        guard let components = Self.componentsByType[typeName] else {
            throw a.fail("type", "`\(typeName)` is not an accessor type (SCALAR, VEC2...VEC4, MAT2...MAT4)")
        }
        let normalized = try a.bool("normalized", default: false)
        if normalized && (componentType == .float || componentType == .unsignedInt) {
            throw a.fail("normalized", "must not be true for \(componentType.name) components")
        }
        let count = try a.requiredInt("count")
        guard count >= 1 else { throw a.fail("count", "must be at least 1") }
        return AccessorLayout(
            object: a, componentType: componentType, normalized: normalized, count: count, components: components,
            typeName: typeName)
    }

    /// Reads accessor `i` as Floats, `components` per element, after checking its type is one of
    /// `types` and its component type one of `componentTypes`. `usage` names what reads it, for
    /// messages ("meshes[0].primitives[0].attributes.POSITION").
    mutating func floats(
        _ i: Int, types: [String], componentTypes: [GLTFComponentType], usage: String, maxCount: Int
    ) throws -> (values: [Float], layout: AccessorLayout) {
        let l = try layout(i)
        try check(l, types: types, componentTypes: componentTypes, usage: usage, maxCount: maxCount)
        let values = try read(l, zero: Float(0)) { l.componentType.value($0, normalized: l.normalized) }
        return (values, l)
    }

    /// Reads accessor `i` as vertex indices (SCALAR, unsigned integer, not normalized).
    mutating func indices(_ i: Int, usage: String, maxCount: Int) throws -> [UInt32] {
        let l = try layout(i)
        try check(
            l, types: ["SCALAR"], componentTypes: [.unsignedByte, .unsignedShort, .unsignedInt], usage: usage,
            maxCount: maxCount)
        if l.normalized { throw l.object.fail("normalized", "indices must not be normalized") }
        return try read(l, zero: UInt32(0)) { $0 }
    }

    private func check(
        _ l: AccessorLayout, types: [String], componentTypes: [GLTFComponentType], usage: String, maxCount: Int
    ) throws {
        guard types.contains(l.typeName) else {
            throw l.object.fail(
                "type", "is \(l.typeName), but \(usage) needs \(types.joined(separator: " or "))")
        }
        guard componentTypes.contains(l.componentType) else {
            throw l.object.fail(
                "componentType",
                "is \(l.componentType.rawValue) (\(l.componentType.name)), which \(usage) cannot use (allowed: "
                    + componentTypes.map { "\($0.rawValue) \($0.name)" }.joined(separator: ", ") + ")")
        }
        guard l.count <= maxCount else {
            throw l.object.fail("count", "\(l.count) is more than the \(maxCount) allowed")
        }
    }

    /// Decodes every element of `l` (then applies its sparse substitution) with `convert` from a
    /// component's little-endian bits.
    private mutating func read<T>(_ l: AccessorLayout, zero: T, convert: (UInt32) -> T) throws -> [T] {
        let a = l.object
        let size = l.componentType.size
        let elementSize = size * l.components
        guard let total = checkedProduct(l.count, l.components) else { throw a.fail("count", "is too large") }
        var out: [T]
        if let v = try a.index("bufferView", into: "bufferViews", count: bufferViews.count) {
            let view = try self.view(v)
            let offset = try a.int("byteOffset", default: 0) ?? 0
            let stride = view.stride ?? elementSize
            guard stride >= elementSize else {
                throw a.fail(
                    nil,
                    "bufferViews[\(v)].byteStride \(stride) is smaller than one \(l.typeName) of \(l.componentType.name) "
                        + "(\(elementSize) bytes)")
            }
            guard offset < view.length else {
                throw a.fail("byteOffset", "\(offset) is past the end of bufferViews[\(v)] (\(view.length) bytes)")
            }
            guard let span = checkedProduct(stride, l.count - 1).flatMap({ checkedSum($0, elementSize) }),
                let end = checkedSum(offset, span), end <= view.length
            else {
                throw a.fail(
                    "count",
                    "\(l.count) elements of \(elementSize) bytes every \(stride) bytes from byteOffset \(offset) run past "
                        + "the end of bufferViews[\(v)] (\(view.length) bytes)")
            }
            out = []
            out.reserveCapacity(total)
            let bytes = view.bytes
            var base = view.start + offset
            for _ in 0..<l.count {
                var at = base
                for _ in 0..<l.components {
                    out.append(convert(Self.bits(bytes, at, size)))
                    at += size
                }
                base += stride
            }
        } else {
            guard a.has("sparse") else {
                throw a.fail(nil, "has neither a bufferView nor sparse values")
            }
            out = Array(repeating: zero, count: total)
        }
        if let sparse = try a.object("sparse") {
            try applySparse(sparse, to: &out, l, elementSize: elementSize, convert: convert)
        }
        return out
    }

    private mutating func applySparse<T>(
        _ sparse: GLTFObject, to out: inout [T], _ l: AccessorLayout, elementSize: Int, convert: (UInt32) -> T
    ) throws {
        let count = try sparse.requiredInt("count")
        guard count >= 1, count <= l.count else {
            throw sparse.fail("count", "must be within 1...\(l.count) (the accessor's count), found \(count)")
        }
        let indices = try sparse.requiredObject("indices")
        let indexCode = try indices.requiredInt("componentType")
        guard let indexType = GLTFComponentType(rawValue: indexCode),
            [.unsignedByte, .unsignedShort, .unsignedInt].contains(indexType)
        else {
            throw indices.fail("componentType", "must be 5121, 5123 or 5125, found \(indexCode)")
        }
        let values = try sparse.requiredObject("values")
        func region(_ o: GLTFObject, bytes perElement: Int) throws -> (bytes: [UInt8], start: Int) {
            let v = try o.requiredIndex("bufferView", into: "bufferViews", count: bufferViews.count)
            let view = try self.view(v)
            let offset = try o.int("byteOffset", default: 0) ?? 0
            guard let size = checkedProduct(count, perElement), let end = checkedSum(offset, size),
                end <= view.length
            else {
                throw o.fail(
                    "byteOffset",
                    "\(count) elements of \(perElement) bytes from byteOffset \(offset) run past the end of "
                        + "bufferViews[\(v)] (\(view.length) bytes)")
            }
            return (view.bytes, view.start + offset)
        }
        let ind = try region(indices, bytes: indexType.size)
        let val = try region(values, bytes: elementSize)
        var previous = -1
        for k in 0..<count {
            let target = Int(Self.bits(ind.bytes, ind.start + k * indexType.size, indexType.size))
            guard target > previous, target < l.count else {
                throw indices.fail(
                    nil,
                    "sparse index \(k) is \(target); indices must increase strictly and stay below \(l.count)")
            }
            previous = target
            for c in 0..<l.components {
                out[target * l.components + c] = convert(
                    Self.bits(val.bytes, val.start + k * elementSize + c * l.componentType.size, l.componentType.size))
            }
        }
    }

    /// The little-endian value of `size` (1, 2 or 4) bytes at `at`; the caller has checked the range.
    @inline(__always)
    private static func bits(_ bytes: [UInt8], _ at: Int, _ size: Int) -> UInt32 {
        switch size {
        case 1: return UInt32(bytes[at])
        case 2: return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8
        default:
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                | UInt32(bytes[at + 3]) << 24
        }
    }
}

import SceneCore

/// Writes a `LibraryAsset` as a binary glTF 2.0 file (.glb).
///
/// ```
/// +--------------------------------------------+
/// | header  magic "glTF" | version 2 | length   |  3 x uint32, little-endian
/// +--------------------------------------------+
/// | chunk 0 length | "JSON" | JSON, space-padded to 4 bytes
/// +--------------------------------------------+
/// | chunk 1 length | "BIN\0" | buffer 0, zero-padded to 4 bytes
/// +--------------------------------------------+
/// ```
///
/// One node per part (named, translation only), one mesh per distinct (geometry, material) pair —
/// a car's four equal wheels share one — with a single triangle primitive: POSITION (with the
/// min/max the spec requires), NORMAL and TEXCOORD_0 as FLOAT, indices UNSIGNED_SHORT when the
/// vertex count allows, else UNSIGNED_INT. Every buffer view starts on a 4-byte boundary.
///
/// Axes: glTF is Y up, +Z forward, +X left, so a SceneFarm point (x, y, z) is written as
/// (y, z, x) — a cyclic permutation, i.e. a rotation, so triangle winding is unchanged.
///
/// Classes travel in `extras`: the scene's `scenefarm_class` is the asset's default class (and
/// `scenefarm_support` its support heights, in metres above the ground); a node's
/// `scenefarm_class` is that part's own class, written only where it differs from the default, so
/// that a scene overriding the asset's class relabels every part that has none of its own.
public enum GLBWriter {
    public static let generator = "SceneFarm procedural asset library"

    /// SceneFarm (x, y, z) to glTF (x, y, z).
    static func toGLTF(_ x: Float, _ y: Float, _ z: Float) -> [Float] { [y, z, x] }

    public static func encode(_ asset: LibraryAsset) -> [UInt8] {
        var materials: [Material] = []
        var meshes: [(mesh: Mesh, material: Int, name: String)] = []
        var nodeMesh: [Int] = []
        for part in asset.parts {
            let material: Int
            if let found = materials.firstIndex(of: part.material) {
                material = found
            } else {
                materials.append(part.material)
                material = materials.count - 1
            }
            if let found = meshes.firstIndex(where: { $0.material == material && $0.mesh == part.mesh }) {
                nodeMesh.append(found)
            } else {
                meshes.append((part.mesh, material, part.name))
                nodeMesh.append(meshes.count - 1)
            }
        }

        var bin: [UInt8] = []
        var bufferViews: [JSONText] = []
        var accessors: [JSONText] = []
        /// Appends bytes as a new buffer view, returns its index.
        func view(_ bytes: [UInt8], target: Int) -> Int {
            bufferViews.append(
                .object([
                    ("buffer", .int(0)), ("byteOffset", .int(bin.count)), ("byteLength", .int(bytes.count)),
                    ("target", .int(target)),
                ]))
            bin += bytes
            while bin.count % 4 != 0 { bin.append(0) }
            return bufferViews.count - 1
        }
        func floatAccessor(_ values: [Float], type: String, width: Int, bounds: Bool) -> Int {
            var members: [(String, JSONText)] = [
                ("bufferView", .int(view(littleEndian(values), target: 34962))), ("componentType", .int(5126)),
                ("count", .int(values.count / width)), ("type", .string(type)),
            ]
            if bounds {
                var lo = [Float](repeating: .infinity, count: width), hi = [Float](repeating: -.infinity, count: width)
                for (i, v) in values.enumerated() {
                    lo[i % width] = min(lo[i % width], v)
                    hi[i % width] = max(hi[i % width], v)
                }
                members += [("min", .floats(lo)), ("max", .floats(hi))]
            }
            accessors.append(.object(members))
            return accessors.count - 1
        }

        var meshJSON: [JSONText] = []
        for entry in meshes {
            let m = entry.mesh
            var positions: [Float] = [], normals: [Float] = []
            positions.reserveCapacity(m.positions.count)
            normals.reserveCapacity(m.normals.count)
            for v in 0..<m.vertexCount {
                positions += toGLTF(m.positions[3 * v], m.positions[3 * v + 1], m.positions[3 * v + 2])
                normals += toGLTF(m.normals[3 * v], m.normals[3 * v + 1], m.normals[3 * v + 2])
            }
            let position = floatAccessor(positions, type: "VEC3", width: 3, bounds: true)
            let normal = floatAccessor(normals, type: "VEC3", width: 3, bounds: false)
            let uv = floatAccessor(m.uvs, type: "VEC2", width: 2, bounds: false)
            let short = m.vertexCount <= Int(UInt16.max)
            let indexBytes = short ? littleEndian(m.indices.map { UInt16($0) }) : littleEndian(m.indices)
            accessors.append(
                .object([
                    ("bufferView", .int(view(indexBytes, target: 34963))), ("componentType", .int(short ? 5123 : 5125)),
                    ("count", .int(m.indices.count)), ("type", .string("SCALAR")),
                ]))
            let indices = accessors.count - 1
            let attributes: JSONText = .object([
                ("POSITION", .int(position)), ("NORMAL", .int(normal)), ("TEXCOORD_0", .int(uv)),
            ])
            let primitive: JSONText = .object([
                ("attributes", attributes), ("indices", .int(indices)), ("material", .int(entry.material)),
                ("mode", .int(4)),
            ])
            meshJSON.append(.object([("name", .string(entry.name)), ("primitives", .array([primitive]))]))
        }

        let nodes: [JSONText] = asset.parts.enumerated().map { i, part in
            let p = part.position
            var members: [(String, JSONText)] = [("name", .string(part.name)), ("mesh", .int(nodeMesh[i]))]
            if p != .zero { members.append(("translation", .floats(toGLTF(Float(p.x), Float(p.y), Float(p.z))))) }
            if let c = part.semanticClass, c != asset.defaultClass {
                members.append(("extras", .object([("scenefarm_class", .string(c))])))
            }
            return .object(members)
        }
        var sceneExtras: [(String, JSONText)] = [("scenefarm_class", .string(asset.defaultClass))]
        if !asset.supportHeights.isEmpty {
            sceneExtras.append(("scenefarm_support", .array(asset.supportHeights.map { .float(Float($0)) })))
        }
        let materialJSON: [JSONText] = materials.map { m in
            .object([
                ("name", .string(m.name)),
                (
                    "pbrMetallicRoughness",
                    .object([
                        (
                            "baseColorFactor",
                            .floats([m.baseColor.x, m.baseColor.y, m.baseColor.z, 1].map(Self.factor))
                        ),
                        ("metallicFactor", .float(Self.factor(m.metallic))),
                        ("roughnessFactor", .float(Self.factor(m.roughness))),
                    ])
                ),
            ])
        }
        let json: JSONText = .object([
            ("asset", .object([("generator", .string(generator)), ("version", .string("2.0"))])),
            ("scene", .int(0)),
            (
                "scenes",
                .array([
                    .object([
                        ("name", .string(asset.name)), ("nodes", .array(asset.parts.indices.map { .int($0) })),
                        ("extras", .object(sceneExtras)),
                    ])
                ])
            ),
            ("nodes", .array(nodes)),
            ("meshes", .array(meshJSON)),
            ("materials", .array(materialJSON)),
            ("accessors", .array(accessors)),
            ("bufferViews", .array(bufferViews)),
            ("buffers", .array([.object([("byteLength", .int(bin.count))])])),
        ])

        var jsonBytes = Array(json.compact.utf8)
        while jsonBytes.count % 4 != 0 { jsonBytes.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(12 + 8 + jsonBytes.count + 8 + bin.count)
        out += littleEndian([UInt32(0x4654_6C67), 2, UInt32(12 + 8 + jsonBytes.count + 8 + bin.count)])
        out += littleEndian([UInt32(jsonBytes.count), 0x4E4F_534A]) + jsonBytes
        out += littleEndian([UInt32(bin.count), 0x004E_4942]) + bin
        return out
    }

    /// A material factor as written: clamped to 0...1 and snapped to 1/65536, so the file does not
    /// depend on the last bit of `pow` in the sRGB conversion.
    static func factor(_ v: Double) -> Float { Float(MeshBuilder.snapPosition(min(max(v, 0), 1))) }

    static func littleEndian(_ values: [Float]) -> [UInt8] { littleEndian(values.map(\.bitPattern)) }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * MemoryLayout<T>.size)
        for v in values {
            var le = v.littleEndian
            withUnsafeBytes(of: &le) { out += $0 }
        }
        return out
    }
}

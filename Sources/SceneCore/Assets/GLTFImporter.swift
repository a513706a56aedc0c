// glTF 2.0 import: the default scene's node tree becomes one AssetPart per (node, primitive).
//
// Meshes stay in the file's coordinates, so a primitive instanced by several nodes is one MeshRef
// (key "<file>#meshes[i].primitives[j]"); each part's `assetFromPart` carries the node's world
// transform followed by the file-to-SceneFarm axis and unit conversion (`AssetAxes`). Normals are
// kept in mesh space: the renderer transforms them with the inverse transpose of `assetFromPart`,
// which stays right for mirrored (negative-scale) nodes, and flips the front face for those.
//
// Not imported: animations, skins and morph targets (meshes are drawn in their bind pose at the
// node's transform), cameras, lights, vertex colors, and every texture but the base color.

struct GLTFImporter {
    /// Required extensions this importer honours. KHR_mesh_quantization only widens the component
    /// types attributes may use, which the accessor reader handles anyway.
    static let supportedRequiredExtensions = ["KHR_mesh_quantization"]

    private let file: String
    private let root: GLTFObject
    private var data: GLTFData
    private var budget: ImportBudget
    private let nodes: [GLTFObject]
    private let meshes: [GLTFObject]
    private let materials: [GLTFObject]
    private let textures: [GLTFObject]
    private let images: [GLTFObject]
    private var meshCache: [String: MeshRef] = [:]
    private var materialCache: [Int: Material] = [:]
    private var imageCache: [Int: TextureRef] = [:]

    private init(document: GLTFDocument, resolve: @escaping (String) throws -> [UInt8]) throws {
        file = document.file
        root = document.root
        data = try GLTFData(document: document, resolve: resolve)
        budget = ImportBudget(file: document.file)
        nodes = try root.objects("nodes")
        meshes = try root.objects("meshes")
        materials = try root.objects("materials")
        textures = try root.objects("textures")
        images = try root.objects("images")
    }

    /// Imports a .gltf (`binary` false) or .glb file.
    static func load(
        bytes: [UInt8], key: String, name: String, options: AssetImportOptions, binary: Bool,
        resolve: (String) throws -> [UInt8]
    ) throws -> Asset {
        let document = binary ? try GLTFDocument(glb: bytes, file: key) : try GLTFDocument(gltf: bytes, file: key)
        return try withoutActuallyEscaping(resolve) { resolve in
            var importer = try GLTFImporter(document: document, resolve: resolve)
            return try importer.asset(name: name, options: options)
        }
    }

    private mutating func asset(name: String, options: AssetImportOptions) throws -> Asset {
        try checkVersionAndExtensions()
        let scenes = try root.objects("scenes")
        var roots: [Int]
        var defaultClass: String?
        var support: [Double] = []
        if let s = try root.index("scene", into: "scenes", count: scenes.count) ?? (scenes.isEmpty ? nil : 0) {
            roots = try scenes[s].indices("nodes", into: "nodes", count: nodes.count)
            defaultClass = try scenes[s].classExtra()
            support = try scenes[s].supportExtra()
        } else {
            // No scene: every node that is nobody's child is a root.
            var isChild = [Bool](repeating: false, count: nodes.count)
            for node in nodes {
                for c in try node.indices("children", into: "nodes", count: nodes.count) { isChild[c] = true }
            }
            roots = (0..<nodes.count).filter { !isChild[$0] }
        }
        // A lone root node's class speaks for the whole asset when the scene says nothing.
        var classFromRoot: Int?
        if defaultClass == nil, roots.count == 1, let c = try nodes[roots[0]].classExtra() {
            defaultClass = c
            classFromRoot = roots[0]
        }

        let sceneFarmFromFile = AssetAxes.sceneFarmFromFile(options)
        var parts: [AssetPart] = []
        var namer = PartNamer()
        var visited = [Bool](repeating: false, count: nodes.count)
        // Depth-first, parents before children, children in file order; an explicit stack, so a
        // deep hierarchy cannot overflow the call stack.
        var stack: [(node: Int, parent: Mat4, classHint: String?)] = roots.reversed().map { ($0, .identity, nil) }
        while let (n, parentFromFile, inherited) = stack.popLast() {
            let node = nodes[n]
            guard !visited[n] else {
                throw node.fail(nil, "is reached twice from the scene (a cycle, or a node with two parents)")
            }
            visited[n] = true
            let world = parentFromFile * (try localTransform(node))
            let assetFromNode = sceneFarmFromFile * world
            guard assetFromNode.m.allSatisfy(\.isFinite) else {
                throw node.fail(nil, "its transform overflows (a value is too large)")
            }
            let own = try node.classExtra()
            let classHint = n == classFromRoot ? nil : own ?? inherited
            if let m = try node.index("mesh", into: "meshes", count: meshes.count) {
                let base =
                    try node.string("name").flatMap { $0.isEmpty ? nil : $0 }
                    ?? meshes[m].string("name").flatMap { $0.isEmpty ? nil : $0 } ?? "node\(n)"
                let primitives = try meshes[m].objects("primitives")
                guard !primitives.isEmpty else {
                    throw meshes[m].fail("primitives", "a mesh needs at least one primitive")
                }
                guard primitives.count <= AssetImportLimits.maxParts - parts.count else {
                    throw node.fail("mesh", "the asset would have more than \(AssetImportLimits.maxParts) parts")
                }
                for j in primitives.indices {
                    let (material, texCoord) = try self.material(primitives[j])
                    let mesh = try primitive(
                        primitives[j], key: "\(file)#meshes[\(m)].primitives[\(j)]", texCoord: texCoord,
                        textured: material.baseColorTexture != nil)
                    parts.append(
                        AssetPart(
                            name: namer.unique(base), mesh: mesh, assetFromPart: assetFromNode,
                            material: material, classHint: classHint))
                }
            }
            for c in try node.indices("children", into: "nodes", count: nodes.count).reversed() {
                stack.append((c, world, classHint))
            }
        }
        guard !parts.isEmpty else {
            throw AssetImportError(file: file, element: "", message: "the scene has no meshes: nothing to draw")
        }
        // Support heights run along the file's up axis; carried like points, they land on SceneFarm's Z.
        let supportHeights = support.map { h in
            sceneFarmFromFile.transformPoint(options.upAxis == .y ? Vec3(0, h, 0) : Vec3(0, 0, h)).z
        }
        return Asset(
            name: name, source: file, parts: parts, defaultClass: defaultClass, supportHeights: supportHeights)
    }

    private func checkVersionAndExtensions() throws {
        let asset = try root.requiredObject("asset")
        guard let version = try asset.string("version") else {
            throw asset.fail(nil, "missing required field `version`")
        }
        guard version.split(separator: ".").first == "2" else {
            throw asset.fail("version", "glTF \(version) is not supported (only glTF 2.x)")
        }
        if let minVersion = try asset.string("minVersion"), minVersion != "2.0" {
            throw asset.fail("minVersion", "the file needs a glTF \(minVersion) reader; this one reads 2.0")
        }
        for (i, ext) in try root.strings("extensionsRequired").enumerated()
        where !Self.supportedRequiredExtensions.contains(ext) {
            throw root.fail(
                "extensionsRequired[\(i)]",
                "the file requires extension \(ext), which SceneFarm does not support (supported: "
                    + Self.supportedRequiredExtensions.joined(separator: ", ") + ")")
        }
    }

    // MARK: - nodes

    /// Parent frame from node frame: `matrix`, or translation * rotation * scale.
    private func localTransform(_ node: GLTFObject) throws -> Mat4 {
        if let m = try node.numbers("matrix", count: 16) {
            for trs in ["translation", "rotation", "scale"] where node.has(trs) {
                throw node.fail(
                    "matrix",
                    "a node has either `matrix` or translation/rotation/scale, not both (it also has `\(trs)`)")
            }
            guard m[3] == 0, m[7] == 0, m[11] == 0, m[15] == 1 else {
                throw node.fail("matrix", "the last row must be 0, 0, 0, 1 (an affine transform)")
            }
            return Mat4(columnMajor: m)
        }
        var out = Mat4.identity
        if let t = try node.numbers("translation", count: 3) { out = Mat4.translation(Vec3(t[0], t[1], t[2])) }
        if let q = try node.numbers("rotation", count: 4) {
            let l = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).squareRoot()
            guard l > 1e-6 else { throw node.fail("rotation", "a rotation quaternion cannot be zero") }
            let x = q[0] / l, y = q[1] / l, z = q[2] / l, w = q[3] / l
            out =
                out
                * Mat4(rows: [
                    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), 0],
                    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), 0],
                    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y), 0],
                    [0, 0, 0, 1],
                ])
        }
        if let s = try node.numbers("scale", count: 3) { out = out * Mat4.scale(Vec3(s[0], s[1], s[2])) }
        return out
    }

    // MARK: - primitives

    /// The triangle mesh of a primitive, read once per (mesh, primitive) and shared by every node
    /// that instances it. `texCoord` is the TEXCOORD set the material samples; `textured` says the
    /// material has a texture, so that set must be there.
    private mutating func primitive(_ p: GLTFObject, key: String, texCoord: Int, textured: Bool) throws -> MeshRef {
        if let cached = meshCache[key] { return cached }
        let mode = try p.int("mode", default: 4) ?? 4
        let modeNames = [0: "POINTS", 1: "LINES", 2: "LINE_LOOP", 3: "LINE_STRIP"]
        guard (4...6).contains(mode) else {
            throw p.fail(
                "mode",
                "mode \(mode)\(modeNames[mode].map { " (\($0))" } ?? "") is not supported; SceneFarm draws triangles "
                    + "(modes 4 TRIANGLES, 5 TRIANGLE_STRIP, 6 TRIANGLE_FAN)")
        }
        let attributes = try p.requiredObject("attributes")
        let accessorCount = data.accessors.count
        let maxVertices = AssetImportLimits.maxVertices

        let positionAccessor = try attributes.requiredIndex("POSITION", into: "accessors", count: accessorCount)
        let positions = try data.floats(
            positionAccessor, types: ["VEC3"], componentTypes: [.float, .byte, .unsignedByte, .short, .unsignedShort],
            usage: attributes.element("POSITION"), maxCount: maxVertices
        ).values
        try requireFinite(positions, width: 3, attributes, "POSITION")
        let vertexCount = positions.count / 3

        var normals: [Float] = []
        if let a = try attributes.index("NORMAL", into: "accessors", count: accessorCount) {
            normals = try data.floats(
                a, types: ["VEC3"], componentTypes: [.float, .byte, .short], usage: attributes.element("NORMAL"),
                maxCount: maxVertices
            ).values
            try requireSameCount(normals.count / 3, vertexCount, attributes, "NORMAL")
            try requireFinite(normals, width: 3, attributes, "NORMAL")
            MeshNormals.normalize(&normals)
        }

        var uvs: [Float] = []
        let uvName = "TEXCOORD_\(texCoord)"
        if let a = try attributes.index(uvName, into: "accessors", count: accessorCount) {
            uvs = try data.floats(
                a, types: ["VEC2"], componentTypes: [.float, .byte, .unsignedByte, .short, .unsignedShort],
                usage: attributes.element(uvName), maxCount: maxVertices
            ).values
            try requireSameCount(uvs.count / 2, vertexCount, attributes, uvName)
            try requireFinite(uvs, width: 2, attributes, uvName)
        } else if textured {
            throw attributes.fail(nil, "the material's base color texture uses \(uvName), which the primitive lacks")
        }

        let vertexIndices: [UInt32]
        if let a = try p.index("indices", into: "accessors", count: accessorCount) {
            vertexIndices = try data.indices(a, usage: p.element("indices"), maxCount: AssetImportLimits.maxIndices)
            for (k, v) in vertexIndices.enumerated() where Int(v) >= vertexCount {
                throw p.fail("indices", "index \(k) is \(v), not below the vertex count \(vertexCount)")
            }
        } else {
            vertexIndices = (0..<UInt32(vertexCount)).map { $0 }
        }
        let triangles = try Self.triangleList(vertexIndices, mode: mode, primitive: p)

        // Flat shading gives every triangle corner a vertex of its own: count before building.
        try budget.spend(
            vertices: normals.isEmpty ? triangles.count : vertexCount, element: p.element("attributes.POSITION"))
        try budget.spend(indices: triangles.count, element: p.path)
        let mesh =
            normals.isEmpty
            ? MeshNormals.flatShaded(positions: positions, uvs: uvs, indices: triangles)
            : Mesh(positions: positions, normals: normals, indices: triangles, uvs: uvs)
        let ref = MeshRef(key: key, mesh: mesh)
        meshCache[key] = ref
        return ref
    }

    /// Triangle-list indices from a primitive's vertex order, as glTF defines strips and fans:
    /// strip triangle i is (v[i], v[i + 1 + i % 2], v[i + 2 - i % 2]), fan triangle i is
    /// (v[i + 1], v[i + 2], v[0]); both keep the first triangle's winding.
    static func triangleList(_ v: [UInt32], mode: Int, primitive p: GLTFObject) throws -> [UInt32] {
        let field = p.has("indices") ? "indices" : "attributes.POSITION"
        if mode == 4 {
            guard v.count % 3 == 0 else {
                throw p.fail(field, "TRIANGLES needs a multiple of 3 vertices, found \(v.count)")
            }
            return v
        }
        guard v.count >= 3 else {
            throw p.fail(field, "a triangle \(mode == 5 ? "strip" : "fan") needs at least 3 vertices, found \(v.count)")
        }
        guard 3 * (v.count - 2) <= AssetImportLimits.maxIndices else {
            throw p.fail(field, "more than \(AssetImportLimits.maxIndices / 3) triangles")
        }
        var out: [UInt32] = []
        out.reserveCapacity(3 * (v.count - 2))
        for i in 0..<(v.count - 2) {
            if mode == 5 {
                out += [v[i], v[i + 1 + i % 2], v[i + 2 - i % 2]]
            } else {
                out += [v[i + 1], v[i + 2], v[0]]
            }
        }
        return out
    }

    private func requireFinite(_ values: [Float], width: Int, _ attributes: GLTFObject, _ name: String) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw attributes.fail(name, "element \(bad / width) has a non-finite value (\(values[bad]))")
        }
    }

    private func requireSameCount(_ count: Int, _ vertexCount: Int, _ attributes: GLTFObject, _ name: String) throws {
        guard count == vertexCount else {
            throw attributes.fail(name, "has \(count) elements but POSITION has \(vertexCount)")
        }
    }

    // MARK: - materials and images

    /// A primitive's material and the TEXCOORD set its base color texture uses. A primitive without
    /// one gets glTF's default material (white, metallic 1, roughness 1).
    private mutating func material(_ p: GLTFObject) throws -> (Material, texCoord: Int) {
        guard let i = try p.index("material", into: "materials", count: materials.count) else {
            return (Material(baseColor: RGB(1, 1, 1), roughness: 1, metallic: 1), 0)
        }
        let m = materials[i]
        let pbr = try m.object("pbrMetallicRoughness")
        let texCoord = try pbr?.object("baseColorTexture")?.int("texCoord", default: 0) ?? 0
        if let cached = materialCache[i] { return (cached, texCoord) }
        func unit(_ o: GLTFObject?, _ field: String, _ value: Double) throws -> Double {
            guard (0...1).contains(value) else { throw (o ?? m).fail(field, "is \(value), outside 0...1") }
            return value
        }
        var color = RGB(1, 1, 1)
        if let f = try pbr?.numbers("baseColorFactor", count: 4) {
            color = RGB(
                try unit(pbr, "baseColorFactor[0]", f[0]), try unit(pbr, "baseColorFactor[1]", f[1]),
                try unit(pbr, "baseColorFactor[2]", f[2]))
            _ = try unit(pbr, "baseColorFactor[3]", f[3])
        }
        var texture: TextureRef?
        if let t = try pbr?.object("baseColorTexture") {
            let index = try t.requiredIndex("index", into: "textures", count: textures.count)
            texture = try self.texture(index)
        }
        let material = Material(
            baseColor: color,
            roughness: try unit(pbr, "roughnessFactor", pbr?.number("roughnessFactor", default: 1) ?? 1),
            metallic: try unit(pbr, "metallicFactor", pbr?.number("metallicFactor", default: 1) ?? 1),
            baseColorTexture: texture, name: try m.string("name") ?? "")
        materialCache[i] = material
        return (material, texCoord)
    }

    private mutating func texture(_ t: Int) throws -> TextureRef {
        let texture = textures[t]
        guard let image = try texture.index("source", into: "images", count: images.count) else {
            let ext = try texture.object("extensions").map { Array($0.fields.keys).sorted().joined(separator: ", ") }
            throw texture.fail(
                nil,
                "has no `source` image" + (ext.map { " (only \($0), which SceneFarm cannot decode)" } ?? "")
                    + "; SceneFarm reads PNG and JPEG")
        }
        if let cached = imageCache[image] { return cached }
        let object = images[image]
        let bytes: [UInt8]
        if let uri = try object.string("uri") {
            let decoded: (mediaType: String, bytes: [UInt8])?
            do {
                decoded = try AssetURI.decodeData(uri)
            } catch {
                throw object.fail("uri", error.message)
            }
            if let decoded {
                guard ["image/png", "image/jpeg"].contains(decoded.mediaType) else {
                    throw object.fail(
                        "uri", "data URI of type `\(decoded.mediaType)`; SceneFarm reads image/png and image/jpeg")
                }
                bytes = decoded.bytes
            } else {
                bytes = try AssetURI.read(uri, file: file, element: object.element("uri"), resolve: data.resolveFile)
            }
        } else if let v = try object.index("bufferView", into: "bufferViews", count: data.bufferViewCount) {
            let view = try data.view(v)
            bytes = Array(view.bytes[view.start..<view.start + view.length])
        } else {
            throw object.fail(nil, "has neither a `uri` nor a `bufferView`")
        }
        guard let format = TextureRef.sniff(bytes) else {
            let head = bytes.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }
                .joined(separator: " ")
            throw object.fail(
                nil,
                "is not a PNG or JPEG image (it starts with \(head.isEmpty ? "nothing" : head)); SceneFarm reads those two"
            )
        }
        let ref = TextureRef(key: "\(file)#images[\(image)]", format: format, bytes: bytes)
        imageCache[image] = ref
        return ref
    }
}

// Wavefront OBJ import. Each `o`/`g` name is a part; a part using several materials (`usemtl`) is
// split into one part per material, named "<part>_<material>". A name that comes back later in
// the file continues its part. Faces are fan-triangulated (convex polygons), indices may be
// negative (relative to the vertices read so far). Texture coordinates are flipped to glTF's
// top-left origin (v' = 1 - v); in a part whose faces have them, a corner without one gets (0, 0). Vertices without a normal get one from their smoothing group:
// `s off`/`s 0` gives flat faces, `s N` the area-weighted average of the group's faces around the
// vertex. Meshes stay in file coordinates; `assetFromPart` carries the axis and unit conversion.
//
// Ignored statements: lines and points (`l`, `p`), `vp`, and the display/render attributes `mg`,
// `lod`, `usemap`, `maplib`, `shadow_obj`, `trace_obj`, `bevel`, `c_interp`, `d_interp`, `ctech`,
// `stech`. Free-form curves and surfaces are refused, as is any other unknown statement.

struct OBJImporter {
    private static let ignored: Set<String> = [
        "l", "p", "vp", "mg", "lod", "usemap", "maplib", "shadow_obj", "trace_obj", "bevel", "c_interp", "d_interp",
        "ctech", "stech",
    ]
    private static let freeForm: Set<String> = [
        "cstype", "deg", "bmat", "step", "curv", "curv2", "surf", "parm", "trim", "hole", "scrv", "sp", "end", "con",
    ]

    /// One face corner: indices into the file's v, vt and vn lists (-1: none), stored in 32 bits
    /// (they are below `AssetImportLimits.maxVertices`) to halve the memory of a large file.
    private struct Corner {
        private let p: Int32, t: Int32, n: Int32
        init(position: Int, uv: Int, normal: Int) {
            p = Int32(position)
            t = Int32(uv)
            n = Int32(normal)
        }
        var position: Int { Int(p) }
        var uv: Int { Int(t) }
        var normal: Int { Int(n) }
    }

    /// The faces of one (part name, material) pair.
    private struct Group {
        var name: String
        var material: String?
        var corners: [Corner] = []
        /// Per face: where its corners start in `corners`, how many, its smoothing group.
        var faces: [(start: Int, count: Int, smoothing: Int)] = []
        /// The line of the first `usemtl` that selected the material, for messages.
        var materialLine: Int
    }

    private struct VertexKey: Hashable {
        var position: Int
        var uv: Int
        var normal: Int
    }

    private struct SmoothKey: Hashable {
        var position: Int
        var group: Int
    }

    private let file: String
    private var positions: [Float] = []
    private var uvs: [Float] = []
    private var normals: [Float] = []
    private var groups: [Group] = []
    private var groupIndex: [String: Int] = [:]
    private var materials: [String: Material] = [:]
    private var libraries: [String] = []
    private var textures: [String: TextureRef] = [:]
    private var triangles = 0

    private init(file: String) { self.file = file }

    static func load(
        bytes: [UInt8], key: String, name: String, options: AssetImportOptions, resolve: (String) throws -> [UInt8]
    ) throws -> Asset {
        var importer = OBJImporter(file: key)
        try importer.parse(bytes, resolve: resolve)
        let parts = try importer.parts()
        let sceneFarmFromFile = AssetAxes.sceneFarmFromFile(options)
        return Asset(
            name: name, source: key,
            parts: parts.map {
                AssetPart(name: $0.name, mesh: $0.mesh, assetFromPart: sceneFarmFromFile, material: $0.material)
            })
    }

    private func fail(_ line: Int, _ message: String) -> AssetImportError {
        AssetImportError(file: file, element: "line \(line)", message: message)
    }

    // MARK: - parsing

    private mutating func parse(_ bytes: [UInt8], resolve: (String) throws -> [UInt8]) throws {
        var partName = "default"
        var material: String?
        var materialLine = 0
        var smoothing = 0
        try WavefrontText.forEachStatement(bytes) { s in
            switch s.keyword {
            case "v":
                guard s.arguments.count >= 3 else { throw fail(s.line, "v needs x y z") }
                guard positions.count / 3 < AssetImportLimits.maxVertices else {
                    throw fail(s.line, "more than \(AssetImportLimits.maxVertices) vertices")
                }
                positions += try numbers(s, 3)
            case "vn":
                guard s.arguments.count == 3 else { throw fail(s.line, "vn needs x y z") }
                guard normals.count / 3 < AssetImportLimits.maxVertices else {
                    throw fail(s.line, "more than \(AssetImportLimits.maxVertices) normals")
                }
                normals += try numbers(s, 3)
            case "vt":
                guard (1...3).contains(s.arguments.count) else { throw fail(s.line, "vt needs u [v [w]]") }
                guard uvs.count / 2 < AssetImportLimits.maxVertices else {
                    throw fail(s.line, "more than \(AssetImportLimits.maxVertices) texture coordinates")
                }
                let v = try numbers(s, s.arguments.count)
                uvs += [v[0], 1 - (v.count > 1 ? v[1] : 0)]
            case "f":
                try face(s, part: partName, material: material, materialLine: materialLine, smoothing: smoothing)
            case "o", "g":
                partName = s.arguments.isEmpty ? "default" : s.rest
            case "usemtl":
                guard !s.arguments.isEmpty else { throw fail(s.line, "usemtl needs a material name") }
                let name = s.rest
                guard materials[name] != nil else {
                    throw fail(
                        s.line,
                        libraries.isEmpty
                            ? "usemtl `\(name)`: no mtllib was given before it"
                            : "usemtl `\(name)`: no such material in \(libraries.joined(separator: ", "))")
                }
                material = name
                materialLine = s.line
            case "mtllib":
                guard !s.arguments.isEmpty else { throw fail(s.line, "mtllib needs a file name") }
                for argument in s.arguments { try library(String(argument), line: s.line, resolve: resolve) }
            case "s":
                guard s.arguments.count == 1 else { throw fail(s.line, "s needs a group number or `off`") }
                if s.arguments[0] == "off" {
                    smoothing = 0
                } else if let g = Int(s.arguments[0]), g >= 0 {
                    smoothing = g
                } else {
                    throw fail(s.line, "s needs a group number or `off`, found `\(s.arguments[0])`")
                }
            case let k where Self.ignored.contains(k):
                break
            case let k where Self.freeForm.contains(k):
                throw fail(s.line, "free-form curves and surfaces (`\(k)`) are not supported; export polygons")
            case let k:
                throw fail(s.line, "unknown statement `\(k)`")
            }
        }
    }

    /// The first `count` arguments as numbers that stay finite in single precision (the mesh's).
    private func numbers(_ s: WavefrontStatement, _ count: Int) throws -> [Float] {
        try s.arguments.prefix(count).map { token in
            guard let d = WavefrontText.number(token), Float(d).isFinite else {
                throw fail(s.line, "`\(token)` is not a finite number")
            }
            return Float(d)
        }
    }

    private mutating func library(_ name: String, line: Int, resolve: (String) throws -> [UInt8]) throws {
        guard let path = WavefrontText.relativePath(name) else {
            throw fail(line, "mtllib `\(name)` is not a relative path; only files beside the asset can be referenced")
        }
        let bytes: [UInt8]
        do {
            bytes = try resolve(path)
        } catch {
            throw fail(line, "mtllib: cannot read `\(path)`: \(error)")
        }
        let parsed = try MTLParser.parse(bytes, path: path, file: file, textures: &textures, resolve: resolve)
        materials.merge(parsed) { _, new in new }
        libraries.append(path)
    }

    /// Resolves a 1-based or negative OBJ index against `count` elements read so far.
    private func resolveIndex(_ token: Substring, count: Int, kind: String, line: Int) throws -> Int {
        guard let i = Int(token), i != 0 else {
            throw fail(line, "`\(token)` is not a valid \(kind) index (1-based, or negative to count back)")
        }
        let resolved = i > 0 ? i - 1 : count + i
        guard resolved >= 0, resolved < count else {
            throw fail(line, "\(kind) index \(i) refers to a missing \(kind) (\(count) defined so far)")
        }
        return resolved
    }

    private mutating func face(
        _ s: WavefrontStatement, part: String, material: String?, materialLine: Int, smoothing: Int
    ) throws {
        guard s.arguments.count >= 3 else {
            throw fail(s.line, "a face needs at least 3 vertices, found \(s.arguments.count)")
        }
        guard triangles <= AssetImportLimits.maxIndices / 3 - (s.arguments.count - 2) else {
            throw fail(s.line, "more than \(AssetImportLimits.maxIndices / 3) triangles")
        }
        triangles += s.arguments.count - 2
        var corners: [Corner] = []
        for token in s.arguments {
            let fields = token.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...3).contains(fields.count), !fields[0].isEmpty, fields.count < 3 || !fields[2].isEmpty,
                fields.count < 2 || fields.count == 3 || !fields[1].isEmpty
            else {
                throw fail(s.line, "face vertex `\(token)` is not v, v/vt, v//vn or v/vt/vn")
            }
            let p = try resolveIndex(fields[0], count: positions.count / 3, kind: "vertex", line: s.line)
            let t =
                fields.count >= 2 && !fields[1].isEmpty
                ? try resolveIndex(fields[1], count: uvs.count / 2, kind: "texture coordinate", line: s.line) : -1
            let n =
                fields.count == 3
                ? try resolveIndex(fields[2], count: normals.count / 3, kind: "normal", line: s.line) : -1
            corners.append(Corner(position: p, uv: t, normal: n))
        }
        let key = "\(part)\u{0}\(material ?? "")"
        let g: Int
        if let existing = groupIndex[key] {
            g = existing
        } else {
            guard groups.count < AssetImportLimits.maxParts else {
                throw fail(s.line, "more than \(AssetImportLimits.maxParts) parts (groups times materials)")
            }
            g = groups.count
            groups.append(Group(name: part, material: material, materialLine: materialLine))
            groupIndex[key] = g
        }
        groups[g].faces.append((groups[g].corners.count, corners.count, smoothing))
        groups[g].corners += corners
    }

    // MARK: - meshes

    private func point(_ i: Int) -> Vec3 { MeshNormals.point(positions, i) }

    /// A polygon's normal scaled by twice its area (Newell's method: right for non-planar and
    /// concave polygons too), counter-clockwise winding.
    private func areaNormal(_ corners: ArraySlice<Corner>) -> Vec3 {
        var n = Vec3.zero
        for (k, c) in corners.enumerated() {
            let a = point(c.position)
            let b = point(corners[corners.startIndex + (k + 1) % corners.count].position)
            n += Vec3((a.y - b.y) * (a.z + b.z), (a.z - b.z) * (a.x + b.x), (a.x - b.x) * (a.y + b.y))
        }
        return n
    }

    private func parts() throws -> [(name: String, mesh: MeshRef, material: Material)] {
        guard !groups.isEmpty else {
            throw AssetImportError(file: file, element: "", message: "the file has no faces: nothing to draw")
        }
        // Smooth normals: per (vertex, smoothing group), the sum of the area normals of the faces around it.
        var smooth: [SmoothKey: Vec3] = [:]
        for group in groups {
            for f in group.faces where f.smoothing != 0 {
                let corners = group.corners[f.start..<f.start + f.count]
                guard corners.contains(where: { $0.normal < 0 }) else { continue }
                let n = areaNormal(corners)
                for c in corners { smooth[SmoothKey(position: c.position, group: f.smoothing), default: .zero] += n }
            }
        }
        var materialsPerName: [String: Int] = [:]
        for group in groups { materialsPerName[group.name, default: 0] += 1 }

        var namer = PartNamer()
        var budget = ImportBudget(file: file)
        var out: [(name: String, mesh: MeshRef, material: Material)] = []
        for group in groups {
            let material = group.material.flatMap { materials[$0] } ?? Material.plain(RGB(0.8, 0.8, 0.8))
            let hasUVs = group.corners.contains { $0.uv >= 0 }
            if material.baseColorTexture != nil && !hasUVs {
                throw fail(
                    group.materialLine,
                    "material `\(material.name)` has a map_Kd texture but the faces of `\(group.name)` have no texture "
                        + "coordinates (vt)")
            }
            var mesh = Mesh()
            // Corners sharing position, uv and normal share a vertex; flat-shaded corners never do.
            var vertexOf: [VertexKey: UInt32] = [:]
            for f in group.faces {
                let corners = group.corners[f.start..<f.start + f.count]
                let faceNormal = areaNormal(corners).normalized
                var ids: [UInt32] = []
                for c in corners {
                    let normal: Vec3
                    let normalKey: Int
                    if c.normal >= 0 {
                        normal = MeshNormals.point(normals, c.normal)
                        normalKey = c.normal
                    } else if f.smoothing != 0 {
                        normal = smooth[SmoothKey(position: c.position, group: f.smoothing)] ?? faceNormal
                        normalKey = -1 - f.smoothing
                    } else {
                        normal = faceNormal
                        normalKey = Int.min
                    }
                    let key = VertexKey(position: c.position, uv: c.uv, normal: normalKey)
                    if normalKey != Int.min, let v = vertexOf[key] {
                        ids.append(v)
                        continue
                    }
                    let id = UInt32(mesh.vertexCount)
                    let unit = normal.length > 0 ? normal.normalized : .unitZ
                    mesh.positions += positions[3 * c.position..<3 * c.position + 3]
                    mesh.normals += [Float(unit.x), Float(unit.y), Float(unit.z)]
                    if hasUVs {
                        mesh.uvs += c.uv >= 0 ? [uvs[2 * c.uv], uvs[2 * c.uv + 1]] : [0, 0]
                    }
                    if normalKey != Int.min { vertexOf[key] = id }
                    ids.append(id)
                }
                for k in 1..<(ids.count - 1) { mesh.indices += [ids[0], ids[k], ids[k + 1]] }
            }
            let name = namer.unique(
                (materialsPerName[group.name] ?? 0) > 1 ? "\(group.name)_\(group.material ?? "default")" : group.name)
            try budget.spend(vertices: mesh.vertexCount, element: "part \(name)")
            try budget.spend(indices: mesh.indices.count, element: "part \(name)")
            out.append((name, MeshRef(key: "\(file)#\(name)", mesh: mesh), material))
        }
        return out
    }
}

import CGL
import SceneCore

/// The vertex and index buffers the renderer draws from.
///
/// Vertex layout (binding 0, 32 bytes): position vec3 (attribute 0), normal vec3 (attribute 1),
/// texture coordinates vec2 (attribute 12; glTF's convention, see `TextureCache`). The unit meshes
/// share one vertex and one index buffer that live as long as the renderer, with uv 0. Each custom
/// mesh (`ShapeGeometry.custom`) gets one buffer holding its vertices then its indices, uploaded the
/// first time a frame uses its key and kept in a `ResidentSet` (LRU over a byte budget).
///
/// A draw binds the buffers of its mesh into the vertex array's binding 0 and element buffer: one
/// rebind per batch, no merged buffer to grow and compact.
final class MeshCache {
    static let vertexStride = 32

    struct Range {
        var vertexBuffer: GLuint
        var indexBuffer: GLuint
        /// The first index's position in `indexBuffer` (in indices, not bytes), and the count.
        var firstIndex: Int
        var count: Int
        var baseVertex: Int
    }

    private let unitBuffers: (vertices: GLuint, indices: GLuint)
    private var unitRanges: [UnitMesh: Range] = [:]
    var custom: ResidentSet<Range>

    init(budgetBytes: Int, maxIdleFrames: Int) {
        custom = ResidentSet(budgetBytes: budgetBytes, maxIdleFrames: maxIdleFrames)
        var interleaved: [Float] = []
        var indices: [UInt32] = []
        var ranges: [UnitMesh: (first: Int, count: Int, base: Int)] = [:]
        for unit in UnitMesh.allCases {
            let mesh = unit.mesh
            ranges[unit] = (indices.count, mesh.indices.count, interleaved.count / 8)
            Self.interleave(mesh, into: &interleaved)
            indices += mesh.indices
        }
        var names = [GLuint](repeating: 0, count: 2)
        glCreateBuffers(2, &names)
        glNamedBufferStorage(names[0], interleaved.count * 4, interleaved, 0)
        glNamedBufferStorage(names[1], indices.count * 4, indices, 0)
        unitBuffers = (names[0], names[1])
        for (unit, r) in ranges {
            unitRanges[unit] = Range(
                vertexBuffer: names[0], indexBuffer: names[1], firstIndex: r.first, count: r.count, baseVertex: r.base)
        }
    }

    deinit {
        glDeleteBuffers(2, [unitBuffers.vertices, unitBuffers.indices])
        let names = custom.allObjects.map(\.vertexBuffer)
        if !names.isEmpty { glDeleteBuffers(GLsizei(names.count), names) }
    }

    /// Declares the vertex attributes of binding 0 on `vao`.
    static func declareAttributes(_ vao: GLuint) {
        for (location, size, offset) in [(0, 3, 0), (1, 3, 12), (12, 2, 24)] {
            glEnableVertexArrayAttrib(vao, GLuint(location))
            glVertexArrayAttribFormat(
                vao, GLuint(location), GLint(size), GLenum(GL_FLOAT), GLboolean(GL_FALSE), GLuint(offset))
            glVertexArrayAttribBinding(vao, GLuint(location), 0)
        }
    }

    /// Makes `mesh` resident (uploading it if needed) and marks it used in `frame`.
    /// Throws for a mesh whose arrays disagree (the error names the key and the field).
    func prepare(_ mesh: MeshRef, frame: Int) throws {
        if custom.use(mesh.key, frame: frame) != nil { return }
        let m = mesh.mesh
        try Self.validate(m, key: mesh.key)
        var interleaved: [Float] = []
        Self.interleave(m, into: &interleaved)
        let vertexBytes = interleaved.count * 4, indexBytes = m.indices.count * 4
        var name: GLuint = 0
        glCreateBuffers(1, &name)
        glNamedBufferStorage(name, max(vertexBytes + indexBytes, 4), nil, GLbitfield(GL_DYNAMIC_STORAGE_BIT))
        if vertexBytes > 0 { glNamedBufferSubData(name, 0, vertexBytes, interleaved) }
        if indexBytes > 0 { glNamedBufferSubData(name, vertexBytes, indexBytes, m.indices) }
        custom.insert(
            mesh.key,
            Range(
                vertexBuffer: name, indexBuffer: name, firstIndex: vertexBytes / 4,
                count: m.indices.count, baseVertex: 0),
            bytes: vertexBytes + indexBytes, frame: frame)
    }

    /// Deletes what the resident set's policy evicts after `frame`.
    func evict(frame: Int) {
        let names = custom.evict(frame: frame).map(\.vertexBuffer)
        if !names.isEmpty { glDeleteBuffers(GLsizei(names.count), names) }
    }

    /// Binds `geometry`'s buffers to `vao` and returns what to draw; nil for a custom mesh that is
    /// not resident (`prepare` makes every mesh of a frame resident before it is drawn).
    func bind(_ geometry: ShapeGeometry, to vao: GLuint) -> Range? {
        let range: Range?
        switch geometry {
        case .unit(let u): range = unitRanges[u]
        case .custom(let m): range = custom.peek(m.key)
        }
        guard let range else { return nil }
        glVertexArrayVertexBuffer(vao, 0, range.vertexBuffer, 0, GLsizei(Self.vertexStride))
        glVertexArrayElementBuffer(vao, range.indexBuffer)
        return range
    }

    /// Checks what the GPU would otherwise read out of bounds: index range, array lengths.
    static func validate(_ m: Mesh, key: String) throws {
        let n = m.vertexCount
        func fail(_ what: String) -> RenderError { RenderError("mesh '\(key)': \(what)") }
        guard m.positions.count % 3 == 0 else { throw fail("positions hold \(m.positions.count) floats, not x, y, z") }
        guard m.normals.count == m.positions.count else {
            throw fail("normals hold \(m.normals.count) floats for \(n) vertices (expected \(n * 3))")
        }
        guard m.uvs.isEmpty || m.uvs.count == n * 2 else {
            throw fail("uvs hold \(m.uvs.count) floats for \(n) vertices (expected \(n * 2) or none)")
        }
        guard m.indices.count % 3 == 0 else { throw fail("\(m.indices.count) indices are not whole triangles") }
        if let bad = m.indices.firstIndex(where: { Int($0) >= n }) {
            throw fail("index \(bad) is \(m.indices[bad]), past the last of \(n) vertices")
        }
    }

    /// Appends position, normal and uv (0 where the mesh has none) per vertex.
    static func interleave(_ m: Mesh, into out: inout [Float]) {
        let hasUVs = !m.uvs.isEmpty
        out.reserveCapacity(out.count + m.vertexCount * 8)
        for v in 0..<m.vertexCount {
            out += m.positions[(v * 3)..<(v * 3 + 3)]
            out += m.normals[(v * 3)..<(v * 3 + 3)]
            if hasUVs { out += m.uvs[(v * 2)..<(v * 2 + 2)] } else { out += [0, 0] }
        }
    }
}

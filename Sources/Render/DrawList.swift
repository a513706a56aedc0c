import CGL
import SceneCore

/// Per-frame draw records for instanced drawing: one record per surface, grouped into one
/// instanced draw call per (mesh, winding, base color texture). Drawing each surface with its own
/// call and uniforms cost about as much as rasterizing on llvmpipe; a few instanced calls cost next
/// to nothing.
///
/// Record layout (152 bytes, vertex buffer binding 1, divisor 1):
/// ```
///   0  clip_from_unit      mat4   attributes 2-5   (column-major)
///  64  world_normal        mat3   attributes 6-8   (3 columns, each padded to vec4)
/// 112  color               vec3   attribute 9      (+ 4 bytes padding)
/// 128  ids                 uvec3  attribute 10     (surface id, coverage slot, instance id)
/// 140  texture             uint   attribute 13     (1-based index in `textures`; 0: none)
/// 144  finish              vec2   attribute 11     (roughness, metallic)
/// ```
struct DrawList {
    static let floatsPerRecord = 38
    static let stride = floatsPerRecord * 4

    struct Batch {
        var mesh: ShapeGeometry
        var mirrored: Bool
        /// The base color texture every record of the batch samples (bound per batch), nil: none.
        var texture: TextureRef?
        var first: Int
        var count: Int
    }

    var records: [Float] = []
    var batches: [Batch] = []
    /// For each item of `init`: its record index, mesh and winding.
    var recordOfItem: [Int] = []
    var meshOfItem: [ShapeGeometry] = []
    var mirroredItem: [Bool] = []
    /// The frame's base color textures in order of first use; a record's texture index is 1 + the
    /// position in this list.
    var textures: [TextureRef] = []

    /// Builds records for `items` (surface index, coverage slot) in the given order, then groups
    /// them by mesh and winding, keeping the given order inside each group.
    init(spec: FrameSpec, clipFromWorld: Mat4, items: [(surface: Int, slot: Int)]) {
        struct Keyed {
            var mesh: ShapeGeometry
            var mirrored: Bool
            var texture: Int
            var record: [Float]
        }
        var keyed: [Keyed] = []
        keyed.reserveCapacity(items.count)
        textures = Self.textures(of: spec)
        var textureIndex: [TextureRef: Int] = [:]
        for (i, t) in textures.enumerated() { textureIndex[t] = i + 1 }
        for (i, slot) in items {
            let surface = spec.surfaces[i]
            let worldFromUnit = surface.worldFromObject * Mat4.scale(surface.shape.scale)
            let clipFromUnit = clipFromWorld * worldFromUnit
            var r = [Float](repeating: 0, count: Self.floatsPerRecord)
            for j in 0..<16 { r[j] = Float(clipFromUnit.m[j]) }
            let n = worldFromUnit.normalMatrix
            for c in 0..<3 { for row in 0..<3 { r[16 + c * 4 + row] = Float(n[c * 3 + row]) } }
            r[28] = Float(surface.color.x)
            r[29] = Float(surface.color.y)
            r[30] = Float(surface.color.z)
            r[32] = Float(bitPattern: FrameSpec.surfaceID(forIndex: i))
            r[33] = Float(bitPattern: UInt32(slot))
            r[34] = Float(bitPattern: UInt32(max(0, surface.instanceID)))
            let texture = surface.finish.texture.flatMap { textureIndex[$0] } ?? 0
            r[35] = Float(bitPattern: UInt32(texture))
            r[36] = Float(surface.finish.roughness)
            r[37] = Float(surface.finish.metallic)
            keyed.append(
                Keyed(
                    mesh: surface.shape.geometry, mirrored: Self.determinant3(worldFromUnit) < 0, texture: texture,
                    record: r))
        }
        // Stable grouping: groups appear in the order of their first item.
        struct GroupKey: Hashable {
            var mesh: ShapeGeometry
            var mirrored: Bool
            var texture: Int
        }
        var order: [GroupKey] = []
        var members: [GroupKey: [Int]] = [:]
        for (k, item) in keyed.enumerated() {
            let key = GroupKey(mesh: item.mesh, mirrored: item.mirrored, texture: item.texture)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(k)
        }
        records.reserveCapacity(keyed.count * Self.floatsPerRecord)
        recordOfItem = [Int](repeating: 0, count: keyed.count)
        meshOfItem = keyed.map(\.mesh)
        mirroredItem = keyed.map(\.mirrored)
        for key in order {
            let list = members[key] ?? []
            batches.append(
                Batch(
                    mesh: key.mesh, mirrored: key.mirrored, texture: key.texture == 0 ? nil : textures[key.texture - 1],
                    first: records.count / Self.floatsPerRecord, count: list.count))
            for k in list {
                recordOfItem[k] = records.count / Self.floatsPerRecord
                records += keyed[k].record
            }
        }
    }

    /// The distinct base color textures of `spec`'s surfaces, in order of first use.
    static func textures(of spec: FrameSpec) -> [TextureRef] {
        var seen: Set<TextureRef> = []
        var out: [TextureRef] = []
        for s in spec.surfaces {
            if let t = s.finish.texture, seen.insert(t).inserted { out.append(t) }
        }
        return out
    }

    static func determinant3(_ m: Mat4) -> Double {
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
            + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0])
    }

    /// Declares the record attributes on `vao`, reading from binding 1.
    static func declareAttributes(_ vao: GLuint) {
        for c in 0..<4 {
            let loc = GLuint(2 + c)
            glEnableVertexArrayAttrib(vao, loc)
            glVertexArrayAttribFormat(vao, loc, 4, GLenum(GL_FLOAT), GLboolean(GL_FALSE), GLuint(c * 16))
            glVertexArrayAttribBinding(vao, loc, 1)
        }
        for c in 0..<3 {
            let loc = GLuint(6 + c)
            glEnableVertexArrayAttrib(vao, loc)
            glVertexArrayAttribFormat(vao, loc, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), GLuint(64 + c * 16))
            glVertexArrayAttribBinding(vao, loc, 1)
        }
        glEnableVertexArrayAttrib(vao, 9)
        glVertexArrayAttribFormat(vao, 9, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 112)
        glVertexArrayAttribBinding(vao, 9, 1)
        glEnableVertexArrayAttrib(vao, 10)
        glVertexArrayAttribIFormat(vao, 10, 3, GLenum(GL_UNSIGNED_INT), 128)
        glVertexArrayAttribBinding(vao, 10, 1)
        glEnableVertexArrayAttrib(vao, 13)
        glVertexArrayAttribIFormat(vao, 13, 1, GLenum(GL_UNSIGNED_INT), 140)
        glVertexArrayAttribBinding(vao, 13, 1)
        glEnableVertexArrayAttrib(vao, 11)
        glVertexArrayAttribFormat(vao, 11, 2, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 144)
        glVertexArrayAttribBinding(vao, 11, 1)
        glVertexArrayBindingDivisor(vao, 1, 1)
    }
}

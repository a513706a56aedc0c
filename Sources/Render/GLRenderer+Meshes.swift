import CGL
import SceneCore

/// What a frame's surfaces draw from beyond the unit meshes: custom meshes and base color textures,
/// resident across frames, and the uniforms of the material shading.
final class SurfaceResources {
    let meshes: MeshCache
    let textures: TextureCache
    /// Counts prepared frames: the clock of the resident sets' least-recently-used policy.
    var frame = 0
    init() {
        meshes = MeshCache(
            budgetBytes: GLRenderer.defaultMeshBudgetBytes, maxIdleFrames: GLRenderer.defaultResourceIdleFrames)
        textures = TextureCache(
            budgetBytes: GLRenderer.defaultTextureBudgetBytes, maxIdleFrames: GLRenderer.defaultResourceIdleFrames)
    }

    /// Makes every mesh and texture of `spec` resident and evicts what the budgets say. Throws (naming the surface) before anything is drawn.
    func prepare(_ spec: FrameSpec) throws {
        frame += 1
        for s in spec.surfaces {
            do {
                if case .custom(let mesh) = s.shape.geometry { try meshes.prepare(mesh, frame: frame) }
                if let texture = s.finish.texture { try textures.prepare(texture, frame: frame) }
            } catch let error as RenderError {
                throw RenderError("frame \(spec.index), surface '\(s.name)': \(error.description)")
            }
        }
        meshes.evict(frame: frame)
        textures.evict(frame: frame)
    }

    /// Binds the mesh (and, for the color pass, the base color texture) of `batch`.
    func bind(_ batch: DrawList.Batch, to vao: GLuint) -> MeshCache.Range? {
        if let texture = batch.texture, let name = textures.name(of: texture) {
            glBindTextureUnit(2, name)
        }
        return meshes.bind(batch.mesh, to: vao)
    }
}

extension GLRenderer {
    /// Custom mesh bytes kept resident by default: 128 MiB (about 45 meshes of 100 000 triangles).
    public static let defaultMeshBudgetBytes = 128 << 20
    /// Base color texture bytes kept resident by default: 256 MiB (eleven 2048² textures with mips).
    public static let defaultTextureBudgetBytes = 256 << 20
    /// Meshes and textures no frame used for this many frames are released even under budget.
    public static let defaultResourceIdleFrames = 1000

    /// Resident meshes and textures and what it took to keep them: for tests and reports.
    public struct ResourceStats: Equatable, Sendable {
        public var residentMeshes: Int
        public var residentMeshBytes: Int
        public var meshUploads: Int
        public var meshEvictions: Int
        public var residentTextures: Int
        public var residentTextureBytes: Int
        public var textureUploads: Int
        public var textureEvictions: Int
    }

    public var resourceStats: ResourceStats {
        let m = resources.meshes.custom, t = resources.textures.resident
        return ResourceStats(
            residentMeshes: m.count, residentMeshBytes: m.bytes, meshUploads: m.insertions,
            meshEvictions: m.evictions, residentTextures: t.count, residentTextureBytes: t.bytes,
            textureUploads: t.insertions, textureEvictions: t.evictions)
    }

    /// Custom mesh bytes kept resident (least recently used evicted first). A single frame that needs
    /// more still draws; everything it does not use is released then.
    public var meshBudgetBytes: Int {
        get { resources.meshes.custom.budgetBytes }
        set { resources.meshes.custom.budgetBytes = newValue }
    }

    /// Base color texture bytes kept resident (RGBA8 with mips), like `meshBudgetBytes`.
    public var textureBudgetBytes: Int {
        get { resources.textures.resident.budgetBytes }
        set { resources.textures.resident.budgetBytes = newValue }
    }

    /// Meshes and textures unused for more than this many frames are released even under budget.
    public var resourceIdleFrames: Int {
        get { resources.meshes.custom.maxIdleFrames }
        set {
            resources.meshes.custom.maxIdleFrames = newValue
            resources.textures.resident.maxIdleFrames = newValue
        }
    }
}

// Assets: meshes with materials, grouped into parts, as the glTF/OBJ importers and the procedural
// asset library produce them. Pure values; nothing here touches GL or decodes images (a texture is
// kept encoded; the renderer decodes it, since only the color output uses it).
//
// Conventions are those of `Shape`: metres, Z up, X forward, Y left. Importers convert a file's
// units and up axis into these once, when they build an `Asset`.

/// A triangle mesh shared by reference: frames refer to it without copying its arrays, and the
/// renderer uploads it once per `key`.
public final class MeshRef: Hashable, Sendable, CustomStringConvertible {
    /// Unique and stable for the mesh's content source, e.g. "assets/driving/sedan.glb#mesh0/prim1".
    public let key: String
    public let mesh: Mesh
    /// Axis-aligned bounds of the positions (min, max), computed once.
    public let bounds: (min: Vec3, max: Vec3)

    public init(key: String, mesh: Mesh) {
        self.key = key
        self.mesh = mesh
        self.bounds = mesh.bounds
    }

    public static func == (a: MeshRef, b: MeshRef) -> Bool { a === b || a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }
    public var description: String { "MeshRef(\(key), \(mesh.triangleCount) triangles)" }
}

/// An encoded image (PNG or JPEG bytes), decoded by whoever needs the pixels.
public final class TextureRef: Hashable, Sendable, CustomStringConvertible {
    public enum Format: String, Hashable, Sendable { case png, jpeg }
    /// Unique for the image, e.g. "assets/robotics/box.glb#image0".
    public let key: String
    public let format: Format
    public let bytes: [UInt8]

    public init(key: String, format: Format, bytes: [UInt8]) {
        self.key = key
        self.format = format
        self.bytes = bytes
    }

    /// The format told by the first bytes (PNG signature, JPEG SOI marker), nil for anything else.
    public static func sniff(_ bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    public static func == (a: TextureRef, b: TextureRef) -> Bool { a === b || a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }
    public var description: String { "TextureRef(\(key), \(format.rawValue), \(bytes.count) bytes)" }
}

/// glTF's metallic-roughness model, the part of it SceneFarm shades with. Affects color only.
public struct Material: Hashable, Sendable {
    /// Linear RGB in 0...1 (multiplies the texture when there is one).
    public var baseColor: RGB
    /// 0 = mirror-like, 1 = fully diffuse.
    public var roughness: Double
    /// 0 = dielectric, 1 = metal.
    public var metallic: Double
    /// Sampled with the mesh's texture coordinates; nil: none.
    public var baseColorTexture: TextureRef?
    /// A readable name from the file ("paint", "glass"), empty when it has none.
    public var name: String

    public init(
        baseColor: RGB, roughness: Double = 0.6, metallic: Double = 0, baseColorTexture: TextureRef? = nil,
        name: String = ""
    ) {
        self.baseColor = baseColor
        self.roughness = roughness
        self.metallic = metallic
        self.baseColorTexture = baseColorTexture
        self.name = name
    }

    /// What surfaces without a material of their own are shaded with.
    public static func plain(_ color: RGB) -> Material { Material(baseColor: color) }

    /// The surface finish this material gives (its base color goes to `Surface.color`).
    public var finish: SurfaceFinish {
        SurfaceFinish(roughness: roughness, metallic: metallic, texture: baseColorTexture)
    }
}

/// One drawable piece of an asset: a mesh placed in the asset's frame, with its material.
public struct AssetPart: Hashable, Sendable {
    /// From the file's node/mesh names ("body", "wheel_fl", "head"); unique within the asset.
    public var name: String
    public var mesh: MeshRef
    /// Asset frame from mesh frame (already includes the node hierarchy and the unit/up-axis conversion).
    public var assetFromPart: Mat4
    public var material: Material
    /// The semantic class the file suggests for this part (glTF node `extras.scenefarm_class`), nil:
    /// the asset's class. A scene may override it per part name.
    public var classHint: String?

    public init(name: String, mesh: MeshRef, assetFromPart: Mat4, material: Material, classHint: String? = nil) {
        self.name = name
        self.mesh = mesh
        self.assetFromPart = assetFromPart
        self.material = material
        self.classHint = classHint
    }
}

/// A whole imported or generated model, in SceneFarm's frame: metres, Z up, X forward.
public struct Asset: Hashable, Sendable {
    /// The library name ("sedan") or the file's base name.
    public var name: String
    /// The file it came from, as the scene names it; empty for assets built in memory.
    public var source: String
    public var parts: [AssetPart]
    /// The class the file suggests for the whole asset (glTF scene or root node
    /// `extras.scenefarm_class`); the scene's `class` wins.
    public var defaultClass: String?
    /// Heights (asset frame, metres) of the surfaces things rest on — shelf boards, a table top —
    /// from the glTF scene's `extras.scenefarm_support`; empty when the file gives none.
    public var supportHeights: [Double]

    public init(
        name: String, source: String, parts: [AssetPart], defaultClass: String? = nil, supportHeights: [Double] = []
    ) {
        self.name = name
        self.source = source
        self.parts = parts
        self.defaultClass = defaultClass
        self.supportHeights = supportHeights
    }

    /// Axis-aligned bounds of every part in the asset frame.
    public var bounds: (min: Vec3, max: Vec3) {
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        for part in parts {
            let (a, b) = part.mesh.bounds
            for i in 0..<8 {
                let c = Vec3(i & 1 == 0 ? a.x : b.x, i & 2 == 0 ? a.y : b.y, i & 4 == 0 ? a.z : b.z)
                let p = part.assetFromPart.transformPoint(c)
                lo = Vec3(Swift.min(lo.x, p.x), Swift.min(lo.y, p.y), Swift.min(lo.z, p.z))
                hi = Vec3(Swift.max(hi.x, p.x), Swift.max(hi.y, p.y), Swift.max(hi.z, p.z))
            }
        }
        return parts.isEmpty ? (.zero, .zero) : (lo, hi)
    }

    public var triangleCount: Int { parts.reduce(0) { $0 + $1.mesh.mesh.triangleCount } }
}

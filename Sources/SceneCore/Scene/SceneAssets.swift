// Assets as scenes use them (docs/SCENE_FORMAT.md, "assets"): an imported or library `Asset` with
// its parts carried into the object frame SceneFarm places things by (origin at the centre of the
// bottom of the asset's bounding box), each part with its resolved semantic class.
//
// A part whose class differs from its object's becomes an instance of its own (a traffic light's
// pole is a `pole`, its head a `traffic_light`), so that every instance has exactly one class and
// its 3D box covers only its own parts.

/// An asset ready to be placed.
public struct AssetModel: Hashable, Sendable {
    /// The assets entry or library name the scene used.
    public var name: String
    public var parts: [AssetModelPart]
    /// Size of the bounding box at scale 1 (length along X, width along Y, height).
    public var naturalSize: Vec3
    /// Heights of support surfaces (shelf boards) above the bottom at scale 1, from the asset file;
    /// empty when it has none.
    public var supportHeights: [Double]

    /// Builds the model from an imported asset: moves the origin to the bottom centre of its bounds.
    init(name: String, asset: Asset, partClasses: [Int?], recolor: [Bool]) {
        self.name = name
        let (lo, hi) = asset.bounds
        let origin = Vec3((lo.x + hi.x) / 2, (lo.y + hi.y) / 2, lo.z)
        let objectFromAsset = Mat4.translation(-origin)
        parts = asset.parts.enumerated().map { i, p in
            AssetModelPart(
                name: p.name, mesh: p.mesh, objectFromPart: objectFromAsset * p.assetFromPart, material: p.material,
                classID: partClasses[i], recolor: recolor[i])
        }
        naturalSize = hi - lo
        supportHeights = asset.supportHeights.map { $0 - lo.z }
    }

    /// The uniform scale that fits the asset inside `size` (touching it along at least one axis).
    func fitScale(_ size: Vec3) -> Double {
        var s = Double.infinity
        for (want, have) in [(size.x, naturalSize.x), (size.y, naturalSize.y), (size.z, naturalSize.z)] where have > 0 {
            s = Swift.min(s, want / have)
        }
        return s.isFinite ? s : 1
    }

    /// The parts at uniform `scale`, colored: recolored parts take `color`, the others their
    /// material's base color; `finish` (when given) replaces roughness and metallic.
    func sampledParts(scale: Double, color: RGB, roughness: Double?, metallic: Double?) -> [SampledPart] {
        parts.map { p in
            var m = p.objectFromPart
            for r in 0..<3 { m[r, 3] *= scale }
            var finish = p.material.finish
            if let roughness { finish.roughness = roughness }
            if let metallic { finish.metallic = metallic }
            return SampledPart(
                name: p.name, shape: .mesh(p.mesh, scale: Vec3(scale, scale, scale)), objectFromPart: m,
                color: p.recolor ? color : p.material.baseColor, classID: p.classID, finish: finish)
        }
    }

    /// The distinct classes of parts that differ from the object's (each an instance of its own).
    var extraClasses: Set<Int> { Set(parts.compactMap(\.classID)) }
}

/// One part of an `AssetModel`.
public struct AssetModelPart: Hashable, Sendable {
    public var name: String
    public var mesh: MeshRef
    /// Object frame from mesh frame at scale 1.
    public var objectFromPart: Mat4
    public var material: Material
    /// The part's own class, nil: the object's class.
    public var classID: Int?
    /// Whether the object's color (`color`/`colors`) replaces the material's base color.
    public var recolor: Bool
}

/// How a scene load imports the asset files it reads (through its `SceneFiles`).
public struct AssetLoader: Sendable {
    /// The importer: `AssetImporter.load` unless a test swaps in another.
    public var importer:
        @Sendable (
            _ bytes: [UInt8], _ key: String, _ name: String, _ options: AssetImportOptions,
            _ resolve: (String) throws -> [UInt8]
        ) throws -> Asset

    public init(
        importer:
            @escaping @Sendable (
                _ bytes: [UInt8], _ key: String, _ name: String, _ options: AssetImportOptions,
                _ resolve: (String) throws -> [UInt8]
            ) throws -> Asset = { try AssetImporter.load(bytes: $0, key: $1, name: $2, options: $3, resolve: $4) }
    ) {
        self.importer = importer
    }
}

/// The assets of one scene load: entries of the `assets` block and library assets named directly,
/// each imported once.
final class SceneAssetTable {
    let loader: AssetLoader
    /// `assets:` entries by name.
    var entries: [String: AssetEntry] = [:]
    /// Imported assets by file key and import options, so an asset used twice is imported once.
    var imported: [String: Asset] = [:]
    /// Library names that failed, so one mistake is reported once per reference, not re-imported.
    var failed: Set<String> = []

    init(loader: AssetLoader) { self.loader = loader }
}

/// One entry of the `assets` block after loading.
struct AssetEntry {
    var asset: Asset
    /// The entry's `class` (the default class of objects using it), resolved to an id.
    var classID: Int?
    /// Resolved class per part (index-aligned with `asset.parts`): scene `parts:` overrides, then the
    /// file's class hints; nil: the object's class.
    var partClasses: [Int?]
    /// Part names the object's color applies to; nil: every part.
    var recolor: Set<String>?
}

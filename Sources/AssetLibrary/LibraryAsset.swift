// The procedural asset library: vehicles, street furniture, buildings and warehouse objects built
// from the mesh toolkit (Toolkit/), written as glTF 2.0 binaries (GLTF/) by `scenefarm assets build`
// into the repository's assets/ folder, where scenes find them by name.
//
// Non-goals: no textures (materials are factors only), no animation or skinning, no level of detail,
// no reading glTF (that is SceneCore's AssetImporter). The library is deterministic code: the files
// it writes are byte-identical on every run, so they are committed and checked by a test.

import SceneCore

/// The library's top-level folders.
public enum LibraryCategory: String, CaseIterable, Hashable, Sendable {
    case driving
    case robotics
}

/// One node of a library asset: a mesh with one material, placed by a translation.
public struct LibraryPart: Hashable, Sendable {
    /// Unique within the asset: "body", "wheel_fl", "head_light_l", "lamp".
    public var name: String
    /// The part's origin in the asset frame (SceneFarm axes): the glTF node's translation. Lights and
    /// wheels have their origin at their centre, so whoever attaches something to them reads it here.
    public var position: Vec3
    /// The geometry around that origin, SceneFarm axes.
    public var mesh: Mesh
    public var material: Material
    /// The part's own semantic class (glTF node `extras.scenefarm_class`); nil: the asset's class.
    public var semanticClass: String?

    public init(name: String, position: Vec3, mesh: Mesh, material: Material, semanticClass: String? = nil) {
        self.name = name
        self.position = position
        self.mesh = mesh
        self.material = material
        self.semanticClass = semanticClass
    }
}

/// A finished library asset in SceneFarm's frame — metres, Z up, X forward, Y left — standing on
/// z = 0 with its footprint (the bounding box in X and Y) centred on the origin.
public struct LibraryAsset: Hashable, Sendable {
    public var name: String
    public var category: LibraryCategory
    /// The class for every part without one of its own (glTF scene `extras.scenefarm_class`).
    public var defaultClass: String
    public var parts: [LibraryPart]
    /// Heights (z, metres) of the surfaces other objects can stand on: shelf levels, a table top
    /// (glTF scene `extras.scenefarm_support`); empty for most assets.
    public var supportHeights: [Double]

    /// Builds the asset and moves it onto the ground with its footprint centred: part positions
    /// shift by the same offset (and `supportHeights` with them), the geometry does not change.
    public init(
        name: String, category: LibraryCategory, defaultClass: String, parts: [LibraryPart],
        supportHeights: [Double] = []
    ) {
        self.name = name
        self.category = category
        self.defaultClass = defaultClass
        self.parts = parts
        self.supportHeights = supportHeights
        let (lo, hi) = bounds
        let shift = Vec3(-(lo.x + hi.x) / 2, -(lo.y + hi.y) / 2, -lo.z)
        for i in self.parts.indices {
            self.parts[i].position = (self.parts[i].position + shift).map(MeshBuilder.snapPosition)
        }
        self.supportHeights = supportHeights.map { MeshBuilder.snapPosition($0 + shift.z) }
    }

    /// Where the file lives under the library root: "driving/sedan.glb".
    public var file: String { "\(category.rawValue)/\(name).glb" }

    /// The class each part is labelled with when the scene does not override it.
    public func effectiveClass(of part: LibraryPart) -> String { part.semanticClass ?? defaultClass }

    /// Axis-aligned bounds of all parts (SceneFarm axes).
    public var bounds: (min: Vec3, max: Vec3) {
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        for part in parts where part.mesh.vertexCount > 0 {
            let (a, b) = part.mesh.bounds
            let pa = a + part.position, pb = b + part.position
            lo = Vec3(min(lo.x, pa.x), min(lo.y, pa.y), min(lo.z, pa.z))
            hi = Vec3(max(hi.x, pb.x), max(hi.y, pb.y), max(hi.z, pb.z))
        }
        return parts.isEmpty ? (.zero, .zero) : (lo, hi)
    }

    public var size: Vec3 {
        let (lo, hi) = bounds
        return hi - lo
    }

    public var triangleCount: Int { parts.reduce(0) { $0 + $1.mesh.triangleCount } }

    /// The asset as SceneCore models it, as an importer reading this asset's file would build it.
    /// `source` names the file ("assets/driving/sedan.glb"); mesh keys are `source#part`.
    public func asset(source: String) -> Asset {
        Asset(
            name: name, source: source,
            parts: parts.map { p in
                AssetPart(
                    name: p.name, mesh: MeshRef(key: "\(source)#\(p.name)", mesh: p.mesh),
                    assetFromPart: .translation(p.position), material: p.material, classHint: p.semanticClass)
            }, defaultClass: defaultClass)
    }
}

/// Collects an asset's parts while it is designed.
struct AssetDraft {
    var parts: [LibraryPart] = []

    /// Adds a part whose geometry `shape` is given around `position`.
    mutating func add(
        _ name: String, _ shape: MeshBuilder, _ material: Material, at position: Vec3 = .zero,
        class semanticClass: String? = nil
    ) {
        parts.append(
            LibraryPart(
                name: name, position: position, mesh: shape.mesh, material: material, semanticClass: semanticClass))
    }

    /// Adds a part whose geometry is given in the asset frame, with its origin moved to `origin`.
    mutating func addPlaced(
        _ name: String, _ shape: MeshBuilder, _ material: Material, origin: Vec3, class semanticClass: String? = nil
    ) {
        add(name, shape.transformed(.translation(-origin)), material, at: origin, class: semanticClass)
    }
}

/// A semantic class from the scene's class table. Id 0 is reserved for background/unlabelled.
public struct SemanticClass: Hashable, Codable, Sendable {
    public var id: Int
    public var name: String
    /// Display color (sRGB, 0...255) used by previews and visualizations.
    public var color: [Int]

    public init(id: Int, name: String, color: [Int]) {
        self.id = id
        self.name = name
        self.color = color
    }
}

/// The primitive a surface is drawn from. Every shape sits on its own origin: its local frame has
/// Z up and the origin at the centre of the shape's bottom face (as KITTI places object locations),
/// so `worldFromObject` placing an object "on the ground" is just a translation to z = 0.
/// Imported and library meshes (`mesh`) keep their own frame, scaled per axis.
public enum Shape: Hashable, Sendable {
    /// An axis-aligned box of the given size (x length, y width, z height).
    case box(size: Vec3)
    /// A cylinder around the local Z axis.
    case cylinder(radius: Double, height: Double)
    /// A sphere resting on the origin (its centre is at z = radius).
    case sphere(radius: Double)
    /// A rectangle in the local XY plane (z = 0), facing +Z, centred on the origin.
    case plane(sizeX: Double, sizeY: Double)
    /// A triangle mesh (an asset's part), scaled per axis in its own frame.
    case mesh(MeshRef, scale: Vec3)

    /// The geometry the renderer draws for this shape; `scale` sizes it.
    public var geometry: ShapeGeometry {
        switch self {
        case .box: return .unit(.box)
        case .cylinder: return .unit(.cylinder)
        case .sphere: return .unit(.sphere)
        case .plane: return .unit(.plane)
        case .mesh(let m, _): return .custom(m)
        }
    }

    /// Per-axis scale applied to `geometry` (see `UnitMesh` for the unit shapes' extents).
    public var scale: Vec3 {
        switch self {
        case .box(let s): return s
        case .cylinder(let r, let h): return Vec3(r, r, h)
        case .sphere(let r): return Vec3(r, r, r)
        case .plane(let x, let y): return Vec3(x, y, 1)
        case .mesh(_, let s): return s
        }
    }
}

/// A shape's unscaled geometry: one of the resident unit meshes, or a mesh of its own.
public enum ShapeGeometry: Hashable, Sendable {
    case unit(UnitMesh)
    case custom(MeshRef)

    /// The unscaled bounding box.
    public var extent: (min: Vec3, max: Vec3) {
        switch self {
        case .unit(let u): return u.extent
        case .custom(let m): return m.bounds
        }
    }

    /// The unscaled triangles (built on each call for unit meshes; shared for custom ones).
    public var mesh: Mesh {
        switch self {
        case .unit(let u): return u.mesh
        case .custom(let m): return m.mesh
        }
    }
}

// Codable in the form Swift synthesizes for enums with associated values (`{"box": {"size": ...}}`),
// so frames encode as before; a mesh encodes by its key and cannot be decoded (its triangles are
// not in the encoded frame).
extension Shape: Codable {
    private enum CaseKey: String, CodingKey { case box, cylinder, sphere, plane, mesh }
    private enum FieldKey: String, CodingKey { case size, radius, height, sizeX, sizeY, key, scale }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CaseKey.self)
        guard let key = c.allKeys.first, c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath, debugDescription: "expected exactly one shape case"))
        }
        let f = try c.nestedContainer(keyedBy: FieldKey.self, forKey: key)
        switch key {
        case .box: self = .box(size: try f.decode(Vec3.self, forKey: .size))
        case .cylinder:
            self = .cylinder(
                radius: try f.decode(Double.self, forKey: .radius), height: try f.decode(Double.self, forKey: .height))
        case .sphere: self = .sphere(radius: try f.decode(Double.self, forKey: .radius))
        case .plane:
            self = .plane(
                sizeX: try f.decode(Double.self, forKey: .sizeX), sizeY: try f.decode(Double.self, forKey: .sizeY))
        case .mesh:
            throw DecodingError.dataCorruptedError(
                forKey: .key, in: f, debugDescription: "a mesh shape holds no triangles in its encoded form")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CaseKey.self)
        switch self {
        case .box(let s):
            var f = c.nestedContainer(keyedBy: FieldKey.self, forKey: .box)
            try f.encode(s, forKey: .size)
        case .cylinder(let r, let h):
            var f = c.nestedContainer(keyedBy: FieldKey.self, forKey: .cylinder)
            try f.encode(r, forKey: .radius)
            try f.encode(h, forKey: .height)
        case .sphere(let r):
            var f = c.nestedContainer(keyedBy: FieldKey.self, forKey: .sphere)
            try f.encode(r, forKey: .radius)
        case .plane(let x, let y):
            var f = c.nestedContainer(keyedBy: FieldKey.self, forKey: .plane)
            try f.encode(x, forKey: .sizeX)
            try f.encode(y, forKey: .sizeY)
        case .mesh(let m, let s):
            var f = c.nestedContainer(keyedBy: FieldKey.self, forKey: .mesh)
            try f.encode(m.key, forKey: .key)
            try f.encode(s, forKey: .scale)
        }
    }
}

/// One thing drawn in a frame. Every surface gets its own id in the renderer's ID buffer
/// (its index in `FrameSpec.surfaces` plus one), from which labels are derived.
public struct Surface: Hashable, Codable, Sendable {
    /// A readable name ("car_3", "road"), carried into labels for debugging.
    public var name: String
    public var shape: Shape
    public var worldFromObject: Mat4
    /// Base color, linear RGB in 0...1 (multiplies `finish.texture` where there is one).
    public var color: RGB
    /// Semantic class id (0 = unlabelled).
    public var classID: Int
    /// Instance id (1...65535) for countable things; 0 for "stuff" (ground, road) that has a class
    /// but no instance. Several surfaces may share an instance id (the parts of one object).
    public var instanceID: Int
    /// Roughness, metalness and texture: color only, never labels.
    public var finish: SurfaceFinish

    public init(
        name: String, shape: Shape, worldFromObject: Mat4, color: RGB, classID: Int, instanceID: Int,
        finish: SurfaceFinish = .standard
    ) {
        self.name = name
        self.shape = shape
        self.worldFromObject = worldFromObject
        self.color = color
        self.classID = classID
        self.instanceID = instanceID
        self.finish = finish
    }

    enum CodingKeys: String, CodingKey { case name, shape, worldFromObject, color, classID, instanceID, finish }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        shape = try c.decode(Shape.self, forKey: .shape)
        worldFromObject = try c.decode(Mat4.self, forKey: .worldFromObject)
        color = try c.decode(RGB.self, forKey: .color)
        classID = try c.decode(Int.self, forKey: .classID)
        instanceID = try c.decode(Int.self, forKey: .instanceID)
        finish = try c.decodeIfPresent(SurfaceFinish.self, forKey: .finish) ?? .standard
    }

    /// Leaves `finish` out at its default, so frames without materials encode as before.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(shape, forKey: .shape)
        try c.encode(worldFromObject, forKey: .worldFromObject)
        try c.encode(color, forKey: .color)
        try c.encode(classID, forKey: .classID)
        try c.encode(instanceID, forKey: .instanceID)
        if finish != .standard { try c.encode(finish, forKey: .finish) }
    }
}

/// How a surface reflects light, beyond its base color (glTF's metallic-roughness model).
public struct SurfaceFinish: Hashable, Codable, Sendable {
    /// 0 = mirror-like, 1 = fully diffuse.
    public var roughness: Double
    /// 0 = dielectric, 1 = metal.
    public var metallic: Double
    /// Base color texture, sampled with the mesh's texture coordinates (meshes only); nil: none.
    /// Encodes by key; decodes as nil (the image is not part of the encoded frame).
    public var texture: TextureRef?

    public init(roughness: Double = 0.6, metallic: Double = 0, texture: TextureRef? = nil) {
        self.roughness = roughness
        self.metallic = metallic
        self.texture = texture
    }

    /// What every surface without a material of its own gets.
    public static let standard = SurfaceFinish()

    enum CodingKeys: String, CodingKey { case roughness, metallic, texture }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        roughness = try c.decode(Double.self, forKey: .roughness)
        metallic = try c.decode(Double.self, forKey: .metallic)
        texture = nil
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(roughness, forKey: .roughness)
        try c.encode(metallic, forKey: .metallic)
        try c.encodeIfPresent(texture?.key, forKey: .texture)
    }
}

/// One countable object of a frame as a whole: its pose and its 3D bounding box, for 3D box labels.
///
/// The box is axis-aligned in the object's own frame (X forward, Y left, Z up, origin at the centre
/// of the object's footprint) and encloses every part of the object.
public struct InstanceSpec: Hashable, Codable, Sendable {
    public var instanceID: Int
    public var classID: Int
    public var name: String
    public var worldFromObject: Mat4
    /// Box corners in the object frame (metres).
    public var boxMin: Vec3
    public var boxMax: Vec3

    public init(instanceID: Int, classID: Int, name: String, worldFromObject: Mat4, boxMin: Vec3, boxMax: Vec3) {
        self.instanceID = instanceID
        self.classID = classID
        self.name = name
        self.worldFromObject = worldFromObject
        self.boxMin = boxMin
        self.boxMax = boxMax
    }

    /// Box size: length (object X), width (object Y), height (object Z).
    public var size: Vec3 { boxMax - boxMin }

    /// The box's own frame: origin at the box centre, axes those of the object.
    public var worldFromBox: Mat4 { worldFromObject * .translation((boxMin + boxMax) / 2) }

    /// The smallest object-frame box around `parts` (each a shape placed by objectFromPart).
    public static func bounds(of parts: [(shape: Shape, objectFromPart: Mat4)]) -> (min: Vec3, max: Vec3) {
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        for part in parts {
            let (umin, umax) = part.shape.geometry.extent
            let m = part.objectFromPart * Mat4.scale(part.shape.scale)
            for i in 0..<8 {
                let c = Vec3(i & 1 == 0 ? umin.x : umax.x, i & 2 == 0 ? umin.y : umax.y, i & 4 == 0 ? umin.z : umax.z)
                let p = m.transformPoint(c)
                lo = Vec3(Swift.min(lo.x, p.x), Swift.min(lo.y, p.y), Swift.min(lo.z, p.z))
                hi = Vec3(Swift.max(hi.x, p.x), Swift.max(hi.y, p.y), Swift.max(hi.z, p.z))
            }
        }
        return parts.isEmpty ? (.zero, .zero) : (lo, hi)
    }
}

/// Sun, sky and weather. One directional light and a two-color hemisphere ambient, plus (for scenes
/// with a `weather` block or `time_of_day`) the weather drawn into color, an exposure and sun shadows.
///
/// The weather fields default to "none" (no weather, exposure 1, no shadows, no local lights), and
/// are left out of the encoded form at their defaults, so frames of scenes without weather encode
/// as before.
public struct Lighting: Hashable, Codable, Sendable {
    /// Unit vector from the scene towards the sun, in world coordinates.
    public var sunDirection: Vec3
    /// Sun color times intensity (linear RGB).
    public var sunColor: RGB
    /// Ambient light arriving from above (the sky), linear RGB.
    public var skyColor: RGB
    /// Ambient light arriving from below (bounce from the ground), linear RGB.
    public var groundColor: RGB
    /// Background color where nothing is drawn (linear RGB).
    public var backgroundColor: RGB
    /// The frame's weather; nil for scenes without a `weather` block (no fog, clear sky).
    public var weather: WeatherState?
    /// Multiplies the shaded color before it is stored (night and dusk raise it; 1 = none).
    public var exposure: Double
    /// Whether the sun casts shadows (shadow map, color only). Off below the horizon.
    public var shadows: Bool
    /// Street lamps, vehicle lights, indoor lights (color only); empty for most daylight frames.
    public var lights: [LocalLight] = []

    public init(
        sunDirection: Vec3, sunColor: RGB, skyColor: RGB, groundColor: RGB, backgroundColor: RGB,
        weather: WeatherState? = nil, exposure: Double = 1, shadows: Bool = false
    ) {
        self.sunDirection = sunDirection.normalized
        self.sunColor = sunColor
        self.skyColor = skyColor
        self.groundColor = groundColor
        self.backgroundColor = backgroundColor
        self.weather = weather
        self.exposure = exposure
        self.shadows = shadows
    }

    public static let daylight = Lighting(
        sunDirection: Vec3(0.4, 0.3, 0.85), sunColor: Vec3(1.0, 0.96, 0.9),
        skyColor: Vec3(0.35, 0.42, 0.55), groundColor: Vec3(0.18, 0.16, 0.14),
        backgroundColor: Vec3(0.55, 0.7, 0.9))

    /// Whether the renderer draws a sun shadow map: shadows asked for, and a sun above the horizon
    /// that gives light.
    public var castsSunShadows: Bool {
        shadows && sunDirection.z > 0 && (sunColor.x > 0 || sunColor.y > 0 || sunColor.z > 0)
    }

    /// The frame's fog, if its weather has one with a positive density.
    public var fog: FogState? { weather?.fog.flatMap { $0.density > 0 ? $0 : nil } }

    enum CodingKeys: String, CodingKey {
        case sunDirection, sunColor, skyColor, groundColor, backgroundColor, weather, exposure, shadows, lights
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sunDirection = try c.decode(Vec3.self, forKey: .sunDirection)
        sunColor = try c.decode(RGB.self, forKey: .sunColor)
        skyColor = try c.decode(RGB.self, forKey: .skyColor)
        groundColor = try c.decode(RGB.self, forKey: .groundColor)
        backgroundColor = try c.decode(RGB.self, forKey: .backgroundColor)
        weather = try c.decodeIfPresent(WeatherState.self, forKey: .weather)
        exposure = try c.decodeIfPresent(Double.self, forKey: .exposure) ?? 1
        shadows = try c.decodeIfPresent(Bool.self, forKey: .shadows) ?? false
        lights = try c.decodeIfPresent([LocalLight].self, forKey: .lights) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sunDirection, forKey: .sunDirection)
        try c.encode(sunColor, forKey: .sunColor)
        try c.encode(skyColor, forKey: .skyColor)
        try c.encode(groundColor, forKey: .groundColor)
        try c.encode(backgroundColor, forKey: .backgroundColor)
        try c.encodeIfPresent(weather, forKey: .weather)
        if exposure != 1 { try c.encode(exposure, forKey: .exposure) }
        if shadows { try c.encode(shadows, forKey: .shadows) }
        if !lights.isEmpty { try c.encode(lights, forKey: .lights) }
    }
}

/// Everything needed to render and label one frame: a pure function of (scene, seed, frame index).
public struct FrameSpec: Hashable, Codable, Sendable {
    /// Global frame index within the job.
    public var index: Int
    public var camera: Camera
    public var lighting: Lighting
    public var classes: [SemanticClass]
    public var surfaces: [Surface]
    /// Every countable object (instance id > 0) with its pose and 3D box; may be empty for frames
    /// built by hand, which then get no 3D labels.
    public var instances: [InstanceSpec]

    public init(
        index: Int, camera: Camera, lighting: Lighting, classes: [SemanticClass], surfaces: [Surface],
        instances: [InstanceSpec] = []
    ) {
        self.index = index
        self.camera = camera
        self.lighting = lighting
        self.classes = classes
        self.surfaces = surfaces
        self.instances = instances
    }

    /// The id the renderer writes for `surfaces[i]`. 0 in the ID buffer means "nothing drawn".
    @inline(__always) public static func surfaceID(forIndex i: Int) -> UInt32 { UInt32(i + 1) }
}

// Local lights: street lamps, vehicle lights, ceiling panels. Like the sun they change the color
// image only. The renderer sums them per pixel (inverse-square falloff, a smooth window that reaches
// zero at `range`, a smooth spot cone), and up to `maxShadowedPerFrame` of those that cast shadows
// through shadow maps; see docs/SCENE_FORMAT.md, "Local lights".

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One point or spot light of a frame, in world coordinates.
public struct LocalLight: Hashable, Codable, Sendable {
    public enum Kind: String, Hashable, Codable, Sendable, CaseIterable {
        /// Light in every direction.
        case point
        /// Light in a cone around `direction`, full inside `innerConeDeg`, none outside `outerConeDeg`.
        case spot
    }

    public var kind: Kind
    /// Where the light is (metres, world).
    public var position: Vec3
    /// Unit axis of a spot's cone; unused by point lights.
    public var direction: Vec3
    /// Half-angles of a spot's cone in degrees: full light inside the inner one, none outside the outer.
    public var innerConeDeg: Double
    public var outerConeDeg: Double
    /// Linear RGB with Rec. 709 luminance 1: the light's hue (`intensity` carries its strength).
    public var color: RGB
    /// Luminous intensity in candela (towards the cone's axis for spots). See `unitsPerLux`.
    public var intensity: Double
    /// Metres beyond which the light gives nothing; the falloff is windowed smoothly to zero there.
    public var range: Double
    /// Width of the emitting surface in metres (0: a point). Softens the light near it like an
    /// area light: the distance term becomes d² + (size/2)² and light wraps a little round edges.
    public var size: Double
    /// Index in `FrameSpec.surfaces` of the part that is this light (a lamp head): it glows.
    public var emitter: Int?
    /// Whether things between this light and a surface keep its light off it (a shadow map; see
    /// docs/SCENE_FORMAT.md, "Local lights"). The renderer gives maps to at most
    /// `maxShadowedPerFrame` lights per frame; the others light through objects.
    public var castsShadows: Bool

    public init(
        kind: Kind, position: Vec3, direction: Vec3 = Vec3(0, 0, -1), innerConeDeg: Double = 0,
        outerConeDeg: Double = 0, color: RGB, intensity: Double, range: Double, size: Double = 0,
        emitter: Int? = nil, castsShadows: Bool = false
    ) {
        self.kind = kind
        self.position = position
        self.direction = direction.normalized
        self.innerConeDeg = innerConeDeg
        self.outerConeDeg = outerConeDeg
        self.color = color
        self.intensity = intensity
        self.range = range
        self.size = size
        self.emitter = emitter
        self.castsShadows = castsShadows
    }

    /// The renderer's light unit is the sun's: a sunColor of 1 lights a surface facing the sun with
    /// irradiance 1. Local lights convert candela at a distance (lux) at this rate: one unit per
    /// 1000 lux, far brighter than physics says (the sun gives ~100,000 lux), because the renderer's
    /// night exposure is at most 8 where a real camera's would be hundreds of times its daylight
    /// one. At that rate a 8500 cd street lamp at 6.5 m lights the road below it with about 0.2.
    public static let unitsPerLux = 0.001

    /// At most this many lights are drawn per frame: the nearest to the camera (`selected`).
    public static let maxPerFrame = 64

    /// At most this many lights cast shadows in a frame: the nearest to the camera of those drawn
    /// that have `castsShadows` (each costs a depth map and a lookup per pixel it may reach).
    public static let maxShadowedPerFrame = 4

    /// Default range for a light of `intensity` cd: where it would give 0.002 units (about 1/255 of
    /// white on a mid-grey surface at the night exposure), clamped to 1...100 m.
    public static func defaultRange(intensity: Double) -> Double {
        Swift.min(Swift.max((intensity * unitsPerLux / 0.002).squareRoot(), 1), 100)
    }

    /// Irradiance (renderer units, luminance) this light gives at `distance` metres on its axis,
    /// before the range window: `intensity · unitsPerLux / (d² + (size/2)²)`.
    public func irradiance(atDistance d: Double) -> Double {
        intensity * Self.unitsPerLux / (d * d + size * size / 4)
    }

    /// The sphere that holds everything this light reaches: its range sphere, or for a narrow spot
    /// the smaller sphere round its cone.
    public var boundingSphere: (center: Vec3, radius: Double) {
        guard kind == .spot, outerConeDeg < 90 else { return (position, range) }
        let a = outerConeDeg * .pi / 180
        if a > .pi / 4 {
            return (position + direction * (cos(a) * range), sin(a) * range)
        }
        let r = range / (2 * cos(a))
        return (position + direction * r, r)
    }

    /// The lights a frame seen from `camera` draws: those whose reach is not wholly behind the
    /// camera, the nearest `limit` of them (ties broken by index), in their original order.
    public static func selected(_ lights: [LocalLight], camera: Camera, limit: Int = maxPerFrame) -> [LocalLight] {
        let cameraFromWorld = camera.cameraFromWorld
        let eye = camera.worldFromCamera.translation
        var keyed: [(distance: Double, index: Int)] = []
        for (i, l) in lights.enumerated() where l.intensity > 0 && l.range > 0 {
            let sphere = l.boundingSphere
            guard cameraFromWorld.transformPoint(sphere.center).z > -sphere.radius else { continue }
            keyed.append(((l.position - eye).length, i))
        }
        guard keyed.count > limit else { return keyed.map { lights[$0.index] } }
        let nearest = keyed.sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }.prefix(limit)
        return nearest.map(\.index).sorted().map { lights[$0] }
    }

    enum CodingKeys: String, CodingKey {
        case kind, position, direction, innerConeDeg, outerConeDeg, color, intensity, range, size, emitter, castsShadows
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        position = try c.decode(Vec3.self, forKey: .position)
        direction = try c.decodeIfPresent(Vec3.self, forKey: .direction) ?? Vec3(0, 0, -1)
        innerConeDeg = try c.decodeIfPresent(Double.self, forKey: .innerConeDeg) ?? 0
        outerConeDeg = try c.decodeIfPresent(Double.self, forKey: .outerConeDeg) ?? 0
        color = try c.decode(RGB.self, forKey: .color)
        intensity = try c.decode(Double.self, forKey: .intensity)
        range = try c.decode(Double.self, forKey: .range)
        size = try c.decodeIfPresent(Double.self, forKey: .size) ?? 0
        emitter = try c.decodeIfPresent(Int.self, forKey: .emitter)
        castsShadows = try c.decodeIfPresent(Bool.self, forKey: .castsShadows) ?? false
    }

    /// Point lights leave out the cone; a zero size, a missing emitter and `castsShadows: false` are
    /// left out (so the encodings of lights from before shadows did not change).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(position, forKey: .position)
        if kind == .spot {
            try c.encode(direction, forKey: .direction)
            try c.encode(innerConeDeg, forKey: .innerConeDeg)
            try c.encode(outerConeDeg, forKey: .outerConeDeg)
        }
        try c.encode(color, forKey: .color)
        try c.encode(intensity, forKey: .intensity)
        try c.encode(range, forKey: .range)
        if size != 0 { try c.encode(size, forKey: .size) }
        try c.encodeIfPresent(emitter, forKey: .emitter)
        if castsShadows { try c.encode(castsShadows, forKey: .castsShadows) }
    }
}

/// The color of a black body (a lamp's correlated color temperature) as linear sRGB.
public enum ColorTemperature {
    /// Linear Rec. 709 RGB of a Planckian radiator at `kelvin` (clamped to 1667...25000 K), scaled to
    /// luminance 1. Chromaticity from the cubic fit of Kim et al. (2002, US patent 7,024,034, as
    /// quoted on Wikipedia's "Planckian locus"), then CIE XYZ to linear sRGB; negative channels
    /// (outside the sRGB gamut, below ~1900 K) are clipped.
    public static func linearRGB(kelvin: Double) -> RGB {
        let t = Swift.min(Swift.max(kelvin, 1667), 25000)
        let t1 = 1e3 / t, t2 = t1 * t1, t3 = t2 * t1
        let x =
            t <= 4000
            ? -0.2661239 * t3 - 0.2343589 * t2 + 0.8776956 * t1 + 0.179910
            : -3.0258469 * t3 + 2.1070379 * t2 + 0.2226347 * t1 + 0.240390
        let x2 = x * x, x3 = x2 * x
        let y: Double
        if t <= 2222 {
            y = -1.1063814 * x3 - 1.34811020 * x2 + 2.18555832 * x - 0.20219683
        } else if t <= 4000 {
            y = -0.9549476 * x3 - 1.37418593 * x2 + 2.09137015 * x - 0.16748867
        } else {
            y = 3.0817580 * x3 - 5.87338670 * x2 + 3.75112997 * x - 0.37001483
        }
        // XYZ with Y = 1.
        let X = x / y, Z = (1 - x - y) / y
        let r = 3.2404542 * X - 1.5371385 - 0.4985314 * Z
        let g = -0.9692660 * X + 1.8760108 + 0.0415560 * Z
        let b = 0.0556434 * X - 0.2040259 + 1.0572252 * Z
        let c = Vec3(Swift.max(r, 0), Swift.max(g, 0), Swift.max(b, 0))
        return c / luminance(c)
    }
}

// The validated form of the weather block's rain/snow/wet-road fields and of the lighting block's
// local lights (docs/SCENE_FORMAT.md, `weather` and "Local lights").

/// Rain, snow and wet roads of the `weather` block. Every value is drawn once per layout whatever
/// the condition, so the frames of a sweep see the same numbers.
public struct PrecipitationDescription: Hashable, Sendable {
    /// `rain_intensity`, 0...1: streak count, wetness, puddles, the rain's fog.
    public var rainIntensity = RandomValue.uniform(min: 0.4, max: 0.9)
    /// `snow_intensity`, 0...1: flake count and the snow's fog.
    public var snowIntensity = RandomValue.uniform(min: 0.4, max: 0.9)
    /// `snow_cover`, 0...1: snow lying on upward-facing surfaces; nil: `0.4 + 0.6 · snow_intensity`.
    public var snowCover: RandomValue? = nil
    /// `wet_road`: the probability (per layout) that the ground is wet under conditions other than
    /// rain (rain always wets it); nil: never.
    public var wetRoad: Double? = nil
    /// `puddles`: the probability (per layout) that a wet road has puddles.
    public var puddles: Double = 1

    public init() {}
}

/// `lighting.local_lights`: when street lamps and vehicles light up.
public enum LocalLightsMode: String, Hashable, Sendable, CaseIterable {
    /// At night and at dusk (sun below `autoSunElevationDeg`), in scenes with `weather` or
    /// `time_of_day` (older scenes render as before).
    case auto
    /// In every frame.
    case on
    /// Never (the file's own `lights` still shine).
    case off

    /// `auto` lights lamps when the sun is lower than this (degrees).
    public static let autoSunElevationDeg = 6.0
}

/// One entry of `lighting.lights`.
public struct LocalLightDescription: Hashable, Sendable {
    public var kind: LocalLight.Kind
    /// Where the light is, drawn per layout.
    public var position: RandomVec3
    /// Unit axis of a spot (default straight down).
    public var direction: Vec3
    public var innerConeDeg: Double
    public var outerConeDeg: Double
    /// Linear RGB with luminance 1.
    public var color: RGB
    /// Candela, drawn per layout.
    public var intensity: RandomValue
    /// Metres; nil: `LocalLight.defaultRange(intensity:)` of the drawn intensity.
    public var range: Double?
    /// Width of the emitting surface in metres (0: a point).
    public var size: Double
    /// `shadows`: whether the light casts shadows (`LocalLight.castsShadows`).
    public var castsShadows: Bool

    public init(
        kind: LocalLight.Kind, position: RandomVec3, direction: Vec3, innerConeDeg: Double, outerConeDeg: Double,
        color: RGB, intensity: RandomValue, range: Double?, size: Double, castsShadows: Bool = false
    ) {
        self.kind = kind
        self.position = position
        self.direction = direction
        self.innerConeDeg = innerConeDeg
        self.outerConeDeg = outerConeDeg
        self.color = color
        self.intensity = intensity
        self.range = range
        self.size = size
        self.castsShadows = castsShadows
    }
}

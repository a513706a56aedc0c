// Weather and sky for one frame, and the pure functions that derive them: the solar position from
// the time of day, the sun's color from its elevation, and how clouds, fog and night change the
// lights. The renderer only reads the results (FrameSpec.lighting); nothing here touches GL.
//
// Weather is drawn into the color image only: it never changes the surfaces of a frame, so the
// ID and depth targets, and every label derived from them, are identical under every condition.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The weather conditions the renderer draws.
public enum WeatherCondition: String, CaseIterable, Hashable, Codable, Sendable {
    /// Sun and blue sky (cloud cover dims the sun if given).
    case clear
    /// Full cloud cover: diffuse light from a grey sky, sun dimmed, no shadows.
    case overcast
    /// Exponential height fog whose color comes from the sky; far things fade into it.
    case fog
    /// No sun, a dark moonlit sky and a higher exposure so the image stays usable; street lamps and
    /// vehicle lights as local lights (`lighting.local_lights`).
    case night
    /// Falling streaks, wet surfaces (darker, with sharp highlights and sky reflections, puddles on
    /// the road), a grey sky and a little fog.
    case rain
    /// Falling flakes, snow on upward-facing surfaces, a grey sky and a little fog.
    case snow
}

/// Exponential height fog: extinction `density * exp(-heightFalloff * z)` per metre at world height
/// z, integrated along the view ray (see `Shaders.fragment`).
public struct FogState: Hashable, Codable, Sendable {
    /// Extinction per metre at z = 0.
    public var density: Double
    /// Per metre of height: the fog thins by exp(-heightFalloff) for every metre up.
    public var heightFalloff: Double
    /// In-scattered color far things fade into, linear RGB (also the background under fog).
    public var color: RGB

    public init(density: Double, heightFalloff: Double, color: RGB) {
        self.density = density
        self.heightFalloff = heightFalloff
        self.color = color
    }
}

/// Rain or snow falling in one frame: particles drawn into the color image only.
public struct Precipitation: Hashable, Codable, Sendable {
    public enum Kind: String, Hashable, Codable, Sendable {
        case rain, snow
    }
    public var kind: Kind
    /// 0 (none) ... 1 (heavy): how many particles fall, and how much fog comes with them.
    public var intensity: Double
    /// Seeds this frame's particles: a pure function of (seed, layout, frame index), so the same
    /// frame always shows the same streaks or flakes and consecutive frames differ.
    public var particleSeed: UInt32

    public init(kind: Kind, intensity: Double, particleSeed: UInt32) {
        self.kind = kind
        self.intensity = intensity
        self.particleSeed = particleSeed
    }
}

/// The sampled weather of one frame (only for scenes with a `weather` block).
///
/// Every field added after `fog` is nil when it does not apply and is then left out of the encoded
/// form, so frames of conditions that existed before encode as they did.
public struct WeatherState: Hashable, Codable, Sendable {
    public var condition: WeatherCondition
    /// 0 (clear sky) ... 1 (fully overcast).
    public var cloudCover: Double
    /// nil when the condition has no fog.
    public var fog: FogState?
    /// Rain streaks or snow flakes; nil for the other conditions.
    public var precipitation: Precipitation?
    /// 0...1: how wet upward-facing surfaces are (darker, glossier); nil: dry.
    public var wetness: Double?
    /// 0...1: about the share of the road that puddles (mirrors of the sky) cover; nil: none.
    public var puddles: Double?
    /// 0...1: how much snow lies on upward-facing surfaces; nil: none.
    public var snowCover: Double?

    public init(
        condition: WeatherCondition, cloudCover: Double, fog: FogState? = nil, precipitation: Precipitation? = nil,
        wetness: Double? = nil, puddles: Double? = nil, snowCover: Double? = nil
    ) {
        self.condition = condition
        self.cloudCover = cloudCover
        self.fog = fog
        self.precipitation = precipitation
        self.wetness = wetness
        self.puddles = puddles
        self.snowCover = snowCover
    }
}

/// Where the sun is, from the date, the time and the latitude.
///
/// The standard textbook model (Duffie & Beckman, *Solar Engineering of Thermal Processes*, §1.6):
/// declination by Cooper (1969), δ = 23.45° · sin(360° · (284 + n) / 365); hour angle
/// ω = 15° · (t − 12) for local apparent solar time t in hours (so solar noon is 12:00: no
/// equation of time, no longitude); elevation from sin α = sin φ sin δ + cos φ cos δ cos ω.
/// Atmospheric refraction is ignored. Accurate to about a degree, plenty for lighting.
///
/// World axes for the sun: +X east, +Y north, +Z up (ENU).
public enum SolarPosition {
    /// Solar declination in degrees for day of year `n` (1 = 1 January).
    public static func declinationDeg(dayOfYear n: Double) -> Double {
        23.45 * sin(2 * Double.pi * (284 + n) / 365)
    }

    /// Unit vector towards the sun in world coordinates (ENU), below the horizon when z < 0.
    public static func direction(latitudeDeg: Double, dayOfYear: Double, solarHours: Double) -> Vec3 {
        let phi = latitudeDeg * .pi / 180, delta = declinationDeg(dayOfYear: dayOfYear) * .pi / 180
        let omega = 15 * (solarHours - 12) * .pi / 180
        // Components of the sun's direction in the local east-north-up frame.
        let east = -cos(delta) * sin(omega)
        let north = cos(phi) * sin(delta) - sin(phi) * cos(delta) * cos(omega)
        let up = sin(phi) * sin(delta) + cos(phi) * cos(delta) * cos(omega)
        return Vec3(east, north, up).normalized
    }

    /// Elevation above the horizon in degrees.
    public static func elevationDeg(latitudeDeg: Double, dayOfYear: Double, solarHours: Double) -> Double {
        let d = direction(latitudeDeg: latitudeDeg, dayOfYear: dayOfYear, solarHours: solarHours)
        return asin(Swift.max(-1, Swift.min(1, d.z))) * 180 / .pi
    }
}

/// Sunlight and skylight as functions of the sun's elevation (used with `lighting.time_of_day`).
public enum DaylightModel {
    /// Relative optical air mass, Kasten & Young (1989); nil below the horizon.
    public static func airMass(elevationDeg e: Double) -> Double? {
        guard e > 0 else { return nil }
        return 1 / (sin(e * .pi / 180) + 0.50572 * pow(e + 6.07995, -1.6364))
    }

    /// Per-channel optical depth (R, G, B) of a clear atmosphere at air mass 1: Rayleigh scattering
    /// removes blue first, so a low sun turns orange and red.
    static let opticalDepth = Vec3(0.06, 0.11, 0.22)

    /// Transmittance of direct sunlight relative to the sun at the zenith: 1 overhead, warm and
    /// dim towards the horizon, 0 below it.
    public static func sunTransmittance(elevationDeg e: Double) -> RGB {
        guard let m = airMass(elevationDeg: e) else { return .zero }
        let t = opticalDepth * (m - 1)
        return Vec3(exp(-t.x), exp(-t.y), exp(-t.z))
    }

    /// Brightness of the sky relative to daylight: 1 with the sun well up, falling through civil
    /// twilight (sun 6° below the horizon) to a small night floor.
    public static func skyBrightness(elevationDeg e: Double) -> Double {
        0.02 + 0.98 * smoothstep(-6, 20, e)
    }

    /// How much the horizon glows warm: most with the sun just at the horizon.
    public static func horizonWarmth(elevationDeg e: Double) -> Double {
        0.6 * smoothstep(-6, 0, e) * exp(-Swift.max(e, 0) / 8)
    }

    /// The warm color of a sky near sunset (linear RGB).
    public static let sunsetGlow = Vec3(1.0, 0.45, 0.2)
}

/// How weather changes the lights; the renderer draws what results.
public enum WeatherLighting {
    /// Night: a moonlit sky and ground bounce, a dark background (linear RGB).
    public static let nightSky = Vec3(0.012, 0.015, 0.026)
    public static let nightGround = Vec3(0.004, 0.004, 0.005)
    public static let nightBackground = Vec3(0.003, 0.005, 0.012)
    /// Share of direct sunlight that full cloud cover removes, and share of it that comes back as
    /// diffuse skylight.
    public static let cloudBlock = 0.85
    public static let cloudDiffuse = 0.35
    /// Exposure keeps the mean scene light near this key (see `autoExposure`), within 1...maxExposure.
    public static let exposureKey = 0.9
    public static let maxExposure = 8.0
    /// Cloud cover at or above which the sun casts no shadows.
    public static let shadowlessCloudCover = 0.6
    /// Share of the sky's light that snow on the ground bounces back (ground color under full cover).
    public static let snowBounce = 0.8

    /// Applies `weather` to clear-sky `lighting`: clouds dim the sun and turn its light diffuse and
    /// grey, fog takes its color from the sky, night switches the sun off; then picks an exposure.
    public static func apply(_ weather: WeatherState, to lighting: Lighting) -> Lighting {
        var l = lighting
        var w = weather
        if w.condition == .night {
            l.sunColor = .zero
            l.skyColor = nightSky
            l.groundColor = nightGround
            l.backgroundColor = nightBackground
        } else {
            let c = Swift.min(Swift.max(w.cloudCover, 0), 1)
            let sunLight = luminance(l.sunColor) * Swift.max(l.sunDirection.z, 0)
            let diffuse = sunLight * cloudBlock * cloudDiffuse * c
            l.sunColor = l.sunColor * (1 - cloudBlock * c)
            l.skyColor = mix(l.skyColor, grey(luminance(l.skyColor)), c) + grey(diffuse)
            l.groundColor = l.groundColor + grey(diffuse * 0.3)
            l.backgroundColor = mix(l.backgroundColor, grey(luminance(l.backgroundColor) * (1 - 0.3 * c)), c)
        }
        if let cover = w.snowCover, cover > 0 {
            // Snow on the ground sends much of the sky's light back up.
            l.groundColor = mix(l.groundColor, l.skyColor * snowBounce, cover)
        }
        if var fog = w.fog {
            // Fog scatters the sky's light: a desaturated sky color, lit as the sky is.
            let bg = l.backgroundColor
            fog.color = mix(bg, grey(luminance(bg)), 0.6)
            w.fog = fog
            l.backgroundColor = fog.color
        }
        l.weather = w
        l.exposure = autoExposure(l)
        if w.condition == .night || w.condition == .overcast || w.cloudCover >= shadowlessCloudCover {
            l.shadows = false
        }
        return l
    }

    /// Exposure that brings dim lighting (night, dusk) up to a usable image: the ratio of
    /// `exposureKey` to the metered light, clamped to 1...maxExposure, so daylight keeps exposure 1.
    /// The meter takes the brightest of what a horizontal surface gets, the sky behind the scene
    /// (the background), and half the sun on a face turned towards it plus the sky: with only the
    /// first, a low sun (little light on the ground, a bright horizon, lit fronts) raised the
    /// exposure fivefold and burnt the sky and every sunlit face to white.
    public static func autoExposure(_ l: Lighting) -> Double {
        let sky = luminance(l.skyColor), sun = luminance(l.sunColor)
        let elevation = Swift.max(l.sunDirection.z, 0)
        let horizontal = sky + sun * elevation
        let facing = sky + 0.5 * sun * (1 - elevation * elevation).squareRoot()
        let light = Swift.max(horizontal, luminance(l.backgroundColor), facing)
        guard light > 0 else { return maxExposure }
        return Swift.min(Swift.max(exposureKey / light, 1), maxExposure)
    }
}

/// The light fog that comes with rain and snow, and the look of a wet road without rain.
public enum PrecipitationModel {
    /// Extinction per metre at ground level: heavy rain (1) sees about 250 m, heavy snow about 120 m.
    public static func rainDensity(_ intensity: Double) -> Double { 0.002 + 0.01 * intensity }
    public static func snowDensity(_ intensity: Double) -> Double { 0.004 + 0.02 * intensity }
    public static let heightFalloff = 0.05
    /// `wet_road` without rain: how wet, and the share of puddles when there are any.
    public static let wetRoadWetness = 0.8
    public static let wetRoadPuddles = 0.1
}

/// Rec. 709 luminance of linear RGB.
public func luminance(_ c: RGB) -> Double { 0.2126 * c.x + 0.7152 * c.y + 0.0722 * c.z }

func grey(_ v: Double) -> RGB { Vec3(v, v, v) }

func mix(_ a: RGB, _ b: RGB, _ t: Double) -> RGB { a * (1 - t) + b * t }

func smoothstep(_ e0: Double, _ e1: Double, _ x: Double) -> Double {
    let t = Swift.min(Swift.max((x - e0) / (e1 - e0), 0), 1)
    return t * t * (3 - 2 * t)
}

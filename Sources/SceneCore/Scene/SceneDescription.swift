// The validated, in-memory form of a scene file (docs/SCENE_FORMAT.md). Everything here is a plain
// value: loading produces it, `frame(_:seed:)` samples FrameSpecs from it, nothing mutates it.
//
// Units: metres, degrees in the file (kept as degrees here, converted where poses are built),
// colors as linear RGB in 0...1 (the file writes sRGB 0...255 or "#rrggbb").

/// A number that is fixed or drawn from a distribution each time it is sampled
/// (`Xoshiro256StarStar.sample(_:)`). Written in a scene file as a number, `[min, max]`, or one of
/// `{uniform}`, `{normal}`, `{truncated_normal}`, `{choice, weights}`, `{steps}` (docs/SCENE_FORMAT.md,
/// "Distributions").
public enum RandomValue: Hashable, Sendable {
    case fixed(Double)
    /// Uniform in `min...max`.
    case uniform(min: Double, max: Double)
    /// Gaussian; `std > 0`. Its support is unbounded: see `lowerBound`.
    case normal(mean: Double, std: Double)
    /// Gaussian restricted to `min...max` (inverse-CDF sampling: one draw, always in range).
    case truncatedNormal(mean: Double, std: Double, min: Double, max: Double)
    /// One of `values`, with probability proportional to its weight (weights >= 0, one at least > 0).
    case choice(values: [Double], weights: [Double])
    /// One of `min`, `min + step`, ..., `min + (count - 1) * step`, uniformly.
    case steps(min: Double, step: Double, count: Int)

    /// The same distribution moved by `offset`: every draw is the draw of `self` plus `offset`, with
    /// as many numbers taken from the stream.
    public func shifted(by offset: Double) -> RandomValue {
        switch self {
        case .fixed(let v): return .fixed(v + offset)
        case .uniform(let lo, let hi): return .uniform(min: lo + offset, max: hi + offset)
        case .normal(let mean, let std): return .normal(mean: mean + offset, std: std)
        case .truncatedNormal(let mean, let std, let lo, let hi):
            return .truncatedNormal(mean: mean + offset, std: std, min: lo + offset, max: hi + offset)
        case .choice(let values, let weights): return .choice(values: values.map { $0 + offset }, weights: weights)
        case .steps(let lo, let step, let count): return .steps(min: lo + offset, step: step, count: count)
        }
    }

    /// How many standard deviations from the mean `lowerBound`/`upperBound` put a normal's bounds.
    public static let normalBoundInStandardDeviations = 4.0

    /// The least value a draw can take. For `.normal`, whose support is unbounded, the mean minus
    /// `normalBoundInStandardDeviations` standard deviations: good for sizing checks (how many objects
    /// fit), not a guarantee, which is why fields with a bound (sizes > 0, ...) do not accept `.normal`.
    public var lowerBound: Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let lo, _): return lo
        case .normal(let mean, let std): return mean - Self.normalBoundInStandardDeviations * std
        case .truncatedNormal(_, _, let lo, _): return lo
        case .choice(let values, let weights):
            return zip(values, weights).filter { $0.1 > 0 }.map(\.0).min() ?? values.min() ?? 0
        case .steps(let lo, _, _): return lo
        }
    }

    /// The greatest value a draw can take (see `lowerBound` for `.normal`).
    public var upperBound: Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(_, let hi): return hi
        case .normal(let mean, let std): return mean + Self.normalBoundInStandardDeviations * std
        case .truncatedNormal(_, _, _, let hi): return hi
        case .choice(let values, let weights):
            return zip(values, weights).filter { $0.1 > 0 }.map(\.0).max() ?? values.max() ?? 0
        case .steps(let lo, let step, let count): return lo + Double(count - 1) * step
        }
    }
}

/// Three independently randomized components.
public struct RandomVec3: Hashable, Sendable {
    public var x: RandomValue
    public var y: RandomValue
    public var z: RandomValue

    public init(_ x: RandomValue, _ y: RandomValue, _ z: RandomValue) {
        self.x = x
        self.y = y
        self.z = z
    }

    public init(fixed v: Vec3) { self.init(.fixed(v.x), .fixed(v.y), .fixed(v.z)) }
}

/// The scene file after loading and validation.
public struct SceneDescription: Hashable, Sendable {
    /// The file it was loaded from (as given to the loader); used in sampling errors.
    public var file: String
    /// Format version of the file (currently always 1).
    public var formatVersion: Int
    public var name: String
    /// The default job seed; `frame(_:seed:)` overrides it.
    public var seed: UInt64
    /// How many frames a job renders by default.
    public var frameCount: Int
    /// Frames per layout: frame i uses layout `i / resampleEvery` and motion time `(i % resampleEvery) / fps`.
    /// nil: one layout for the whole job, motion time `i / fps`.
    public var resampleEvery: Int?
    public var classes: [SemanticClass]
    public var camera: CameraDescription
    public var lighting: LightingDescription
    public var ground: GroundDescription?
    public var road: RoadDescription?
    public var objects: [ObjectDescription]
    public var groups: [GroupDescription]
    /// The `weather` block; nil: none (clear sky, no fog, exposure 1, as before weather existed).
    public var weather: WeatherDescription? = nil
    /// The cameras: the primary (`camera`) and any mounted beside it (`cameras`); see RigCamera.swift.
    public var rig = CameraRig()
    /// The swept axes (`sweep`, and `weather.sweep`); nil: every frame is its own view.
    public var sweep: SceneSweep? = nil
    /// Every file the scene was loaded from, to send to workers (empty for a description built in code).
    public var bundle = SceneBundle(root: "", files: [:])
    /// The `environment` block (roads other than straight, rooms, shelving, tables, bins, pallets).
    public var environment: EnvironmentDescription? = nil
    /// `camera.mount`: the camera rides along the road or a path; nil: `camera.position`.
    public var cameraMount: CameraMount? = nil
    /// Roughness / metallic a sweep variant gives every object's surfaces (`SceneSweep`); nil: their own.
    public var sweptFinish = SweptFinish()

    /// The class with this name, if the table has one.
    public func classID(named name: String) -> Int? { classes.first { $0.name == name }?.id }

    /// The most instances (things) a frame can hold: environment pieces, explicit things and every
    /// group's maximum count, each times the instances one object makes (one per class of its parts).
    public var maxInstanceCount: Int {
        (environment?.pieces.reduce(0) { $0 + $1.instanceCount } ?? 0)
            + objects.reduce(0) { $0 + $1.template.instancesPerObject }
            + groups.reduce(0) { $0 + $1.template.instancesPerObject * $1.count.max }
    }
}

/// How the image is formed: either a horizontal field of view (square pixels, centred principal point)
/// or explicit intrinsics.
public enum CameraLens: Hashable, Sendable {
    case horizontalFOV(degrees: Double)
    case intrinsics(fx: Double, fy: Double, cx: Double, cy: Double)
}

public struct CameraDescription: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var lens: CameraLens
    public var near: Double
    /// Base position (world, metres) at motion time 0.
    public var position: Vec3
    /// Heading in the XY plane from +X, counter-clockwise (degrees). `look_at` is converted to this.
    public var yawDeg: Double
    /// Above the horizon is positive (degrees).
    public var pitchDeg: Double
    /// About the optical axis; positive turns the camera clockwise seen from behind (degrees).
    public var rollDeg: Double
    /// World metres per second; position at time t is `position + velocity * t`.
    public var velocity: Vec3
    public var fps: Double
    /// Per-frame perturbations, drawn independently for every frame.
    public var jitter: CameraJitter

    public var intrinsics: CameraIntrinsics {
        switch lens {
        case .horizontalFOV(let fov):
            return CameraIntrinsics(width: width, height: height, horizontalFOVDegrees: fov, near: near)
        case .intrinsics(let fx, let fy, let cx, let cy):
            return CameraIntrinsics(width: width, height: height, fx: fx, fy: fy, cx: cx, cy: cy, near: near)
        }
    }
}

public struct CameraJitter: Hashable, Sendable {
    public var yawDeg: RandomValue = .fixed(0)
    public var pitchDeg: RandomValue = .fixed(0)
    public var rollDeg: RandomValue = .fixed(0)
    /// Added to the camera's z (metres).
    public var height: RandomValue = .fixed(0)

    public init() {}
}

public struct LightingDescription: Hashable, Sendable {
    /// Direction towards the sun: azimuth in the XY plane from +X counter-clockwise, elevation above
    /// the horizon, both degrees. Drawn once per layout.
    public var sunAzimuthDeg: RandomValue
    public var sunElevationDeg: RandomValue
    public var sunColor: RGB
    public var sunIntensity: RandomValue
    public var skyColor: RGB
    public var groundColor: RGB
    public var ambientIntensity: RandomValue
    public var backgroundColor: RGB
    /// `time_of_day`: place the sun from the clock instead of `sunAzimuthDeg`/`sunElevationDeg`.
    public var timeOfDay: TimeOfDayDescription? = nil
    /// Sun shadows (color only). The loader defaults it on for scenes with `weather` or
    /// `time_of_day`, off otherwise, so older scenes render as before.
    public var shadows: Bool = false
    /// When street lamps and vehicles get local lights (`local_lights`).
    public var localLights: LocalLightsMode = .auto
    /// The file's own lights (`lights:`), lit in every frame.
    public var lights: [LocalLightDescription] = []
    /// `lamp_shadows`: street lamps cast shadows (off by default: they cost about half again what the
    /// lights cost; see docs/SCENE_FORMAT.md, "Local lights").
    public var lampShadows: Bool = false
}

/// The sun from the clock (see `SolarPosition`); sun color and sky follow its elevation
/// (`DaylightModel`). World axes: +X east, +Y north.
public struct TimeOfDayDescription: Hashable, Sendable {
    /// Local apparent solar time in hours (12 = solar noon), 0...24.
    public var hours: RandomValue
    public var latitudeDeg: RandomValue
    /// 1 = 1 January.
    public var dayOfYear: RandomValue
}

/// One condition with its weight in a weighted choice.
public struct WeightedCondition: Hashable, Sendable {
    public var condition: WeatherCondition
    public var weight: Double

    public init(_ condition: WeatherCondition, weight: Double) {
        self.condition = condition
        self.weight = weight
    }
}

/// How a frame's weather condition is chosen.
public enum WeatherSelection: Hashable, Sendable {
    /// Drawn once per layout with these weights (one entry: always that condition).
    case weighted([WeightedCondition])
    /// Frames come in groups of `count`: frame i shows view i / count (the layout and camera frame
    /// i / count would have without a sweep) under condition `sweep[i % count]`.
    case sweep([WeatherCondition])
}

/// The `weather` block.
public struct WeatherDescription: Hashable, Sendable {
    public var selection: WeatherSelection
    /// 0...1; nil: the condition's default (overcast 1, rain 0.9, snow 0.85, fog 0.3, otherwise 0).
    public var cloudCover: RandomValue?
    /// Fog of the `fog` condition: extinction per metre at z = 0, and falloff per metre of height.
    public var fogDensity: RandomValue
    public var fogHeightFalloff: RandomValue

    public static let defaultFogDensity = RandomValue.uniform(min: 0.01, max: 0.03)
    public static let defaultFogHeightFalloff = RandomValue.fixed(0.08)
    /// Rain, wet roads and snow (`rain_intensity`, `wet_road`, ...).
    public var precipitation = PrecipitationDescription()

    /// Default cloud cover of a condition when the file gives none.
    public static func defaultCloudCover(_ c: WeatherCondition) -> Double {
        switch c {
        case .overcast: return 1
        case .fog: return 0.3
        case .rain: return 0.9
        case .snow: return 0.85
        case .clear, .night: return 0
        }
    }

    /// The sweep's length (1 when conditions are drawn).
    public var framesPerView: Int {
        if case .sweep(let list) = selection { return list.count }
        return 1
    }
}

public struct GroundDescription: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    /// Extent along X and Y (metres).
    public var sizeX: Double
    public var sizeY: Double
    /// Centre of the ground rectangle in the XY plane.
    public var centerX: Double
    public var centerY: Double
}

/// A straight road along +X, centred on y = 0. Lanes are numbered from the right (most negative y);
/// right-hand traffic: lanes right of the centreline head +X, the others -X.
public struct RoadDescription: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    /// Carriageway width, curb to curb.
    public var width: Double
    public var lanes: Int
    /// The road runs from x = startX to x = startX + length.
    public var startX: Double
    public var length: Double
    public var markings: MarkingsDescription?
    public var sidewalk: SidewalkDescription?

    /// The road surface is a plane this far above the ground, to avoid z-fighting.
    public static let surfaceHeight = 0.01
    /// Lane markings sit this far above the road surface.
    public static let markingLift = 0.01

    public var laneWidth: Double { width / Double(lanes) }
    public var endX: Double { startX + length }

    /// Centre y of lane `i` (0 = rightmost).
    public func laneCenterY(_ i: Int) -> Double { -width / 2 + (Double(i) + 0.5) * laneWidth }

    /// Heading of traffic in lane `i`: 0 (towards +X) right of the centreline, pi otherwise.
    public func laneHeading(_ i: Int) -> Double { laneCenterY(i) <= 1e-9 ? 0 : Double.pi }
}

public struct MarkingsDescription: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    public var lineWidth: Double
    public var dashLength: Double
    public var gapLength: Double
    /// Solid lines along both road edges.
    public var edgeLines: Bool
}

public struct SidewalkDescription: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    public var width: Double
    /// Curb height: the sidewalk is a box this tall, and objects on it stand at this height.
    public var height: Double
}

/// The built-in composite models: several primitives that share one instance id.
public enum BuiltInModel: String, CaseIterable, Hashable, Sendable {
    case car
    case tree
    case pedestrian
    case streetLamp = "street_lamp"
    case trafficCone = "traffic_cone"

    /// Overall size (length along local X, width along Y, height) when the file gives none.
    public var defaultSize: Vec3 {
        switch self {
        case .car: return Vec3(4.4, 1.8, 1.5)
        case .tree: return Vec3(3, 3, 6)
        case .pedestrian: return Vec3(0.5, 0.5, 1.75)
        case .streetLamp: return Vec3(0.3, 1.5, 6)
        case .trafficCone: return Vec3(0.4, 0.4, 0.7)
        }
    }
}

/// What an object is made of.
public indirect enum ObjectModel: Hashable, Sendable {
    case box(size: RandomVec3)
    case cylinder(radius: RandomValue, height: RandomValue)
    case sphere(radius: RandomValue)
    case plane(sizeX: RandomValue, sizeY: RandomValue)
    /// A built-in composite scaled to `size` (length, width, height).
    case builtIn(BuiltInModel, size: RandomVec3)
    /// A custom composite of primitives.
    case parts([PartDescription])
    /// An imported or library asset; `size` (when given) fits it uniformly inside that box.
    case asset(AssetModel, size: RandomVec3?)
}

/// One primitive of a custom composite, placed in the object's local frame.
public struct PartDescription: Hashable, Sendable {
    /// A primitive model (never `.builtIn` or `.parts`).
    public var model: ObjectModel
    public var offset: RandomVec3
    public var yawDeg: RandomValue
    public var pitchDeg: RandomValue
    public var rollDeg: RandomValue
    /// nil: the object's color.
    public var colors: [RGB]?
}

/// What is shared between explicit objects and groups: the model, class, colors and heading.
public struct ObjectTemplate: Hashable, Sendable {
    public var model: ObjectModel
    public var classID: Int
    /// One is chosen uniformly per object.
    public var colors: [RGB]
    /// Added to the placement's base heading (degrees).
    public var yawDeg: RandomValue
    /// Stuff (instance id 0) rather than a countable thing.
    public var isStuff: Bool
    /// Tilts (degrees) after the heading: about the object's Y, then X.
    public var pitchDeg: RandomValue = .fixed(0)
    public var rollDeg: RandomValue = .fixed(0)
    /// Uniform scale of the whole object (after an asset's `size` fit).
    public var scale: RandomValue = .fixed(1)
    /// Replace every part's roughness / metallic (`SurfaceFinish`); nil: the part's own.
    public var roughness: RandomValue? = nil
    public var metallic: RandomValue? = nil

    /// Instances one object makes: none for stuff, else one per class among its parts.
    public var instancesPerObject: Int {
        guard !isStuff else { return 0 }
        if case .asset(let a, _) = model {
            let own = a.parts.contains { $0.classID == nil } ? 1 : 0
            return own + a.extraClasses.count
        }
        return 1
    }
}

public struct ObjectDescription: Hashable, Sendable {
    public var name: String
    public var template: ObjectTemplate
    /// Bottom centre of the object in the world.
    public var position: RandomVec3
    public var location: SourceLocation
}

public enum RoadSide: String, Hashable, Sendable, CaseIterable {
    case left, right, both
}

public enum AlongRoadMode: String, Hashable, Sendable, CaseIterable {
    /// At lane centres, heading with the lane's traffic.
    case lane
    /// Parked against the curb, inside the carriageway.
    case curb
    /// On the sidewalk (standing on its top).
    case sidewalk
    /// Beyond the sidewalk (or the road edge when there is none), e.g. buildings.
    case roadside
}

public enum Placement: Hashable, Sendable {
    /// Uniform in a world-aligned rectangle; heading 0 plus `yaw_deg`.
    case region(minX: Double, maxX: Double, minY: Double, maxY: Double, z: RandomValue)
    /// Relative to the road.
    case alongRoad(mode: AlongRoadMode, side: RoadSide, minX: Double, maxX: Double, lanes: [Int], gap: RandomValue)
    /// `region:` placements: on supports of the environment (see Placement.swift).
    case support(SupportPlacement)
}

/// A randomized population of similar objects.
public struct GroupDescription: Hashable, Sendable {
    public var name: String
    public var template: ObjectTemplate
    public var count: CountRange
    public var placement: Placement
    /// Minimum distance between the centres (XY) of two objects of this group; 0 allows overlaps.
    public var minSpacing: Double
    /// Where the group's `count` field is, for placement errors.
    public var location: SourceLocation
}

/// The surface finish a sweep variant writes over every object's surfaces (stuff keeps its own).
public struct SweptFinish: Hashable, Sendable {
    public var roughness: Double? = nil
    public var metallic: Double? = nil

    public init() {}
}

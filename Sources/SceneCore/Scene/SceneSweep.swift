import Yams

// Sweeps: every view of a scene rendered under each combination of listed values, like Virtual
// KITTI's clones (docs/SCENE_FORMAT.md, "Sweeps"):
//
//   sweep:
//     weather: [clear, fog, night]
//     camera_yaw_offset_deg: [-15, 0, 15]
//
// The cartesian product of the axes gives N variants (here 9). Frame i shows view i / N under
// variant i % N, the last axis varying fastest: a view is everything frame i / N would be without a
// sweep (layout, objects, camera jitter, drawn weather values), and only the swept values differ
// between the N frames of a view. `weather: {sweep: [...]}` is the first axis when present.
//
// The swept values reach sampling by substitution: `applyingSweep(_:)` returns the description with
// each swept value written in (the weather's condition, a fixed fog density or time of day, the
// camera's base yaw, pitch and height moved by the offsets), and `frame(_:seed:)` samples the camera
// and the lighting from that description. Nothing in the lighting or weather code knows about sweeps;
// a fixed value draws nothing from its stream, so every variant of a view draws the same numbers.

/// What a sweep can vary.
public enum SweepAxis: String, CaseIterable, Hashable, Sendable {
    case weather
    case timeOfDay = "time_of_day"
    case cameraYawOffsetDeg = "camera_yaw_offset_deg"
    case cameraPitchOffsetDeg = "camera_pitch_offset_deg"
    case cameraHeightOffset = "camera_height_offset"
    case fogDensity = "fog_density"
    case rainIntensity = "rain_intensity"
    case snowIntensity = "snow_intensity"
    case objectYawOffsetDeg = "object_yaw_offset_deg"
    case materialRoughness = "material_roughness"
    case materialMetallic = "material_metallic"
}

/// One value of one axis.
public enum SweepSetting: Hashable, Sendable {
    case weather(WeatherCondition)
    /// Local solar time in hours (replaces `lighting.time_of_day`).
    case timeOfDay(Double)
    /// Added to the camera's base heading, degrees.
    case cameraYawOffsetDeg(Double)
    /// Added to the camera's base pitch, degrees.
    case cameraPitchOffsetDeg(Double)
    /// Added to the camera's base height, metres.
    case cameraHeightOffset(Double)
    /// Replaces `weather.fog_density` (extinction per metre at z = 0).
    case fogDensity(Double)
    /// Replaces `weather.rain_intensity` (0...1; shows under the `rain` condition).
    case rainIntensity(Double)
    /// Replaces `weather.snow_intensity` (0...1; shows under the `snow` condition).
    case snowIntensity(Double)
    /// Added to the heading of every object (explicit objects and groups, not stuff), degrees.
    case objectYawOffsetDeg(Double)
    /// Replaces the roughness / metallic of every object's surfaces (not stuff), 0...1.
    case materialRoughness(Double)
    case materialMetallic(Double)

    public var axis: SweepAxis {
        switch self {
        case .weather: return .weather
        case .timeOfDay: return .timeOfDay
        case .cameraYawOffsetDeg: return .cameraYawOffsetDeg
        case .cameraPitchOffsetDeg: return .cameraPitchOffsetDeg
        case .cameraHeightOffset: return .cameraHeightOffset
        case .fogDensity: return .fogDensity
        case .rainIntensity: return .rainIntensity
        case .snowIntensity: return .snowIntensity
        case .objectYawOffsetDeg: return .objectYawOffsetDeg
        case .materialRoughness: return .materialRoughness
        case .materialMetallic: return .materialMetallic
        }
    }
}

/// One swept axis with its values, in file order.
public struct SweepDimension: Hashable, Sendable {
    public var axis: SweepAxis
    public var settings: [SweepSetting]

    public init(axis: SweepAxis, settings: [SweepSetting]) {
        self.axis = axis
        self.settings = settings
    }
}

/// The swept axes of a scene.
public struct SceneSweep: Hashable, Sendable {
    /// The first varies slowest.
    public var dimensions: [SweepDimension]

    /// The most variants a sweep may make of one view.
    public static let maxVariants = 10_000

    public init(dimensions: [SweepDimension]) { self.dimensions = dimensions }

    /// How many frames show each view: the product of the axes' lengths.
    public var variantCount: Int { dimensions.reduce(1) { $0 * $1.settings.count } }

    /// The settings of variant `k` (0 ..< variantCount), one per axis: mixed-radix digits of `k`,
    /// the last axis the fastest.
    public func settings(ofVariant k: Int) -> [SweepSetting] {
        var rest = k
        var out: [SweepSetting] = []
        for d in dimensions.reversed() {
            out.append(d.settings[rest % d.settings.count])
            rest /= d.settings.count
        }
        return out.reversed()
    }
}

/// Which view a frame shows and under which swept values.
public struct SweepVariant: Hashable, Sendable {
    /// The frame index the frame's layout, camera and drawn values come from.
    public var view: Int
    /// 0 ..< variantCount.
    public var variant: Int
    public var variantCount: Int
    /// One per swept axis, in axis order; empty without a sweep.
    public var settings: [SweepSetting]
}

extension SceneDescription {
    /// The view and swept values of frame `index` (view = index, no settings, without a sweep).
    public func sweepVariant(forFrame index: Int) -> SweepVariant {
        guard let sweep, sweep.variantCount > 0 else {
            return SweepVariant(view: index, variant: 0, variantCount: 1, settings: [])
        }
        let n = sweep.variantCount
        return SweepVariant(
            view: index / n, variant: index % n, variantCount: n, settings: sweep.settings(ofVariant: index % n))
    }

    /// This description with the variant's values written in, for sampling the camera and the
    /// lighting of one frame.
    public func applyingSweep(_ variant: SweepVariant) -> SceneDescription {
        var d = self
        for setting in variant.settings {
            switch setting {
            case .weather(let c): d.weather?.selection = .weighted([WeightedCondition(c, weight: 1)])
            case .timeOfDay(let hours): d.lighting.timeOfDay?.hours = .fixed(hours)
            case .cameraYawOffsetDeg(let v): d.camera.yawDeg += v
            case .cameraPitchOffsetDeg(let v): d.camera.pitchDeg += v
            case .cameraHeightOffset(let v): d.camera.position.z += v
            case .fogDensity(let v): d.weather?.fogDensity = .fixed(v)
            case .rainIntensity(let v): d.weather?.precipitation.rainIntensity = .fixed(v)
            case .snowIntensity(let v): d.weather?.precipitation.snowIntensity = .fixed(v)
            case .objectYawOffsetDeg(let v):
                // Shifted, not fixed: each object draws the same numbers, so only its heading turns
                // (and, where the turned object would meet another, the placement draws again).
                for i in d.objects.indices where !d.objects[i].template.isStuff {
                    d.objects[i].template.yawDeg = d.objects[i].template.yawDeg.shifted(by: v)
                }
                for i in d.groups.indices where !d.groups[i].template.isStuff {
                    d.groups[i].template.yawDeg = d.groups[i].template.yawDeg.shifted(by: v)
                }
            case .materialRoughness(let v): d.sweptFinish.roughness = v
            case .materialMetallic(let v): d.sweptFinish.metallic = v
            }
        }
        return d
    }
}

extension SceneParser {
    /// Whether a `sweep` block sweeps the weather (which, like a `weather` block, turns shadows on).
    static func sweepsWeather(_ node: Node?) -> Bool {
        guard case .mapping(let m)? = node else { return false }
        return m.contains { $0.key.scalarName == SweepAxis.weather.rawValue }
    }

    /// Reads `sweep` (and takes `weather.sweep` as its first axis). A weather axis without a `weather`
    /// block adds a default one; a time-of-day axis without `lighting.time_of_day` places the sun from
    /// the clock at the default latitude and date.
    func parseSweep(
        _ top: Fields, weather: inout WeatherDescription?, lighting: inout LightingDescription?
    ) -> SceneSweep? {
        var dimensions: [SweepDimension] = []
        if let w = weather, case .sweep(let list) = w.selection {
            dimensions.append(SweepDimension(axis: .weather, settings: list.map { .weather($0) }))
        }
        guard let node = top["sweep"] else { return dimensions.isEmpty ? nil : SceneSweep(dimensions: dimensions) }
        let axisNames = SweepAxis.allCases.map(\.rawValue)
        guard case .mapping(let m) = node else {
            read.report(
                node, "sweep",
                "expected a mapping of axes to lists of values (\(axisNames.joined(separator: ", "))), found \(describe(node))"
            )
            return nil
        }
        guard let f = read.fields(node, "sweep", allowed: axisNames) else { return nil }
        var ok = true
        let weatherNode = top["weather"], lightingNode = top["lighting"]
        for (keyNode, value) in m {
            guard let name = keyNode.scalarName, f.has(name) else { continue }
            let path = f.path(name)
            guard let axis = SweepAxis(rawValue: name) else { continue }  // `fields` reported it
            guard let settings = sweepSettings(axis, value, path) else {
                ok = false
                continue
            }
            if !checkSweepContext(axis, keyNode, path, weatherNode: weatherNode, lightingNode: lightingNode, axes: m) {
                ok = false
                continue
            }
            dimensions.append(SweepDimension(axis: axis, settings: settings))
        }
        var count = 1
        for d in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: d.settings.count)
            count = overflow ? Int.max : product
        }
        if count > SceneSweep.maxVariants {
            read.report(
                node, "sweep",
                "the sweep makes \(count == Int.max ? "too many" : String(count)) variants of every view; at most \(SceneSweep.maxVariants)"
            )
            return nil
        }
        guard ok, !dimensions.isEmpty else { return nil }

        if dimensions.contains(where: { $0.axis == .weather }), weatherNode == nil {
            weather = WeatherDescription(
                selection: .weighted([WeightedCondition(.clear, weight: 1)]), cloudCover: nil,
                fogDensity: WeatherDescription.defaultFogDensity,
                fogHeightFalloff: WeatherDescription.defaultFogHeightFalloff)
        }
        if dimensions.contains(where: { $0.axis == .timeOfDay }), lighting != nil, lighting?.timeOfDay == nil {
            // The defaults of `lighting.latitude_deg` and `lighting.day_of_year`.
            lighting?.timeOfDay = TimeOfDayDescription(
                hours: .fixed(12), latitudeDeg: .fixed(48), dayOfYear: .fixed(172))
            if !Self.mappingHas(lightingNode, "shadows") { lighting?.shadows = true }
        }
        return SceneSweep(dimensions: dimensions)
    }

    private static func mappingHas(_ node: Node?, _ key: String) -> Bool {
        guard case .mapping(let m)? = node else { return false }
        return m.contains { $0.key.scalarName == key }
    }

    /// The listed values of one axis, each checked; nil after reporting.
    private func sweepSettings(_ axis: SweepAxis, _ node: Node, _ path: String) -> [SweepSetting]? {
        guard let items = read.list(node, path, of: "values to sweep") else { return nil }
        guard !items.isEmpty else {
            read.report(node, path, "expected at least one value, found an empty list")
            return nil
        }
        var settings: [SweepSetting] = []
        for (i, item) in items.enumerated() {
            let at = "\(path)[\(i)]"
            let setting: SweepSetting?
            switch axis {
            case .weather: setting = condition(item, at).map { .weather($0) }
            case .timeOfDay: setting = read.number(item, at, .closed(0, 24)).map { .timeOfDay($0) }
            case .cameraYawOffsetDeg:
                setting = read.number(item, at, .closed(-180, 180)).map { .cameraYawOffsetDeg($0) }
            case .cameraPitchOffsetDeg:
                setting = read.number(item, at, .closed(-90, 90)).map { .cameraPitchOffsetDeg($0) }
            case .cameraHeightOffset: setting = read.number(item, at).map { .cameraHeightOffset($0) }
            case .fogDensity: setting = read.number(item, at, .nonNegative).map { .fogDensity($0) }
            case .rainIntensity: setting = read.number(item, at, .closed(0, 1)).map { .rainIntensity($0) }
            case .snowIntensity: setting = read.number(item, at, .closed(0, 1)).map { .snowIntensity($0) }
            case .objectYawOffsetDeg:
                setting = read.number(item, at, .closed(-180, 180)).map { .objectYawOffsetDeg($0) }
            case .materialRoughness: setting = read.number(item, at, .closed(0, 1)).map { .materialRoughness($0) }
            case .materialMetallic: setting = read.number(item, at, .closed(0, 1)).map { .materialMetallic($0) }
            }
            guard let setting else { continue }
            if settings.contains(setting) {
                read.report(item, at, "this value is already in `\(path)`; each variant must differ")
                continue
            }
            settings.append(setting)
        }
        return settings.count == items.count ? settings : nil
    }

    /// Whether the rest of the scene lets this axis be swept; reports why not.
    private func checkSweepContext(
        _ axis: SweepAxis, _ keyNode: Node, _ path: String, weatherNode: Node?, lightingNode: Node?,
        axes: Node.Mapping
    ) -> Bool {
        switch axis {
        case .weather:
            if Self.mappingHas(weatherNode, "sweep") {
                collector.report(
                    keyNode.mark, path, "the weather is swept by `weather.sweep` already; sweep it in one place")
                return false
            }
            if Self.mappingHas(weatherNode, "condition") {
                collector.report(keyNode.mark, path, "give either `weather.condition` or `sweep.weather`, not both")
                return false
            }
        case .timeOfDay:
            for key in ["sun_azimuth_deg", "sun_elevation_deg"] where Self.mappingHas(lightingNode, key) {
                collector.report(
                    keyNode.mark, path,
                    "sweeping `time_of_day` places the sun from the clock; remove `lighting.\(key)`")
                return false
            }
        case .fogDensity, .rainIntensity, .snowIntensity:
            let weathered = weatherNode != nil || axes.contains { $0.key.scalarName == SweepAxis.weather.rawValue }
            if !weathered {
                let (what, condition) =
                    axis == .fogDensity
                    ? ("fog density", "fog") : axis == .rainIntensity ? ("rain", "rain") : ("snow", "snow")
                collector.report(
                    keyNode.mark, path,
                    "\(what) shows only under the `\(condition)` condition; add a `weather` block or a `weather` axis")
                return false
            }
        case .cameraYawOffsetDeg, .cameraPitchOffsetDeg, .cameraHeightOffset, .objectYawOffsetDeg, .materialRoughness,
            .materialMetallic:
            break
        }
        return true
    }
}

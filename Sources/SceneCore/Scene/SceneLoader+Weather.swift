import Yams

// The `lighting` and `weather` sections.

extension SceneParser {
    static let lightingDefaults = (
        azimuth: 40.0, elevation: 50.0, sun: [255, 250, 243], sky: [160, 173, 194], ground: [118, 111, 104],
        background: [194, 218, 243]
    )

    static let lightingKeys = [
        "sun_azimuth_deg", "sun_elevation_deg", "sun_color", "sun_intensity", "sky_color", "ground_color",
        "ambient_intensity", "background_color", "time_of_day", "latitude_deg", "day_of_year", "shadows",
        "local_lights", "lights", "lamp_shadows",
    ]

    /// `hasWeather`: the file has a `weather` block, which turns shadows on by default.
    func parseLighting(_ node: Node?, hasWeather: Bool) -> LightingDescription? {
        let d = Self.lightingDefaults
        var l = LightingDescription(
            sunAzimuthDeg: .fixed(d.azimuth), sunElevationDeg: .fixed(d.elevation), sunColor: linearRGB(d.sun),
            sunIntensity: .fixed(1), skyColor: linearRGB(d.sky), groundColor: linearRGB(d.ground),
            ambientIntensity: .fixed(1), backgroundColor: linearRGB(d.background))
        l.shadows = hasWeather
        guard let node else { return l }
        guard let f = read.fields(node, "lighting", allowed: Self.lightingKeys) else { return l }
        if let n = f["sun_azimuth_deg"], let v = read.random(n, f.path("sun_azimuth_deg")) { l.sunAzimuthDeg = v }
        if let n = f["sun_elevation_deg"], let v = read.random(n, f.path("sun_elevation_deg"), .closed(-90, 90)) {
            l.sunElevationDeg = v
        }
        if let n = f["sun_intensity"], let v = read.random(n, f.path("sun_intensity"), .nonNegative) {
            l.sunIntensity = v
        }
        if let n = f["ambient_intensity"], let v = read.random(n, f.path("ambient_intensity"), .nonNegative) {
            l.ambientIntensity = v
        }
        if let n = f["sun_color"], let v = read.color(n, f.path("sun_color")) { l.sunColor = v }
        if let n = f["sky_color"], let v = read.color(n, f.path("sky_color")) { l.skyColor = v }
        if let n = f["ground_color"], let v = read.color(n, f.path("ground_color")) { l.groundColor = v }
        if let n = f["background_color"], let v = read.color(n, f.path("background_color")) { l.backgroundColor = v }

        if let n = f["time_of_day"] {
            for key in ["sun_azimuth_deg", "sun_elevation_deg"] where f.has(key) {
                collector.report(
                    f.keyMark(key), f.path(key),
                    "give either `time_of_day` or `sun_azimuth_deg`/`sun_elevation_deg`, not both")
            }
            let hours = read.random(n, f.path("time_of_day"), .closed(0, 24))
            let latitude = f["latitude_deg"].map { read.random($0, f.path("latitude_deg"), .closed(-90, 90)) }
            let day = f["day_of_year"].map { read.random($0, f.path("day_of_year"), .closed(1, 366)) }
            if let hours, let latitude = latitude ?? .fixed(48), let day = day ?? .fixed(172) {
                l.timeOfDay = TimeOfDayDescription(hours: hours, latitudeDeg: latitude, dayOfYear: day)
                l.shadows = true
            }
        } else {
            for key in ["latitude_deg", "day_of_year"] where f.has(key) {
                collector.report(
                    f.keyMark(key), f.path(key), "`\(key)` places the sun only with `time_of_day`, which is missing")
            }
        }
        if let n = f["shadows"], let v = read.bool(n, f.path("shadows")) { l.shadows = v }
        parseLocalLights(f, into: &l)
        return l
    }

    static let weatherKeys = [
        "condition", "sweep", "cloud_cover", "fog_density", "fog_height_falloff", "rain_intensity", "snow_intensity",
        "snow_cover", "wet_road", "puddles",
    ]

    /// The conditions the renderer draws.
    static let weatherConditions = WeatherCondition.allCases.map(\.rawValue)

    func parseWeather(_ node: Node) -> WeatherDescription? {
        guard let f = read.fields(node, "weather", allowed: Self.weatherKeys) else { return nil }
        var ok = true
        var selection = WeatherSelection.weighted([WeightedCondition(.clear, weight: 1)])
        if let n = f["condition"] {
            if f.has("sweep") {
                collector.report(
                    f.keyMark("sweep"), f.path("sweep"), "give either `condition` or `sweep`, not both")
                ok = false
            }
            if let list = parseWeightedConditions(n, f.path("condition")) {
                selection = .weighted(list)
            } else {
                ok = false
            }
        } else if let n = f["sweep"] {
            let path = f.path("sweep")
            if let items = read.list(n, path, of: "conditions") {
                if items.isEmpty { read.report(n, path, "expected at least one condition, found an empty list") }
                let list = items.enumerated().compactMap { condition($0.element, "\(path)[\($0.offset)]") }
                if list.count == items.count, !list.isEmpty { selection = .sweep(list) } else { ok = false }
            } else {
                ok = false
            }
        }
        var w = WeatherDescription(
            selection: selection, cloudCover: nil, fogDensity: WeatherDescription.defaultFogDensity,
            fogHeightFalloff: WeatherDescription.defaultFogHeightFalloff)
        if let n = f["cloud_cover"] {
            if let v = read.random(n, f.path("cloud_cover"), .closed(0, 1)) { w.cloudCover = v } else { ok = false }
        }
        if let n = f["fog_density"] {
            if let v = read.random(n, f.path("fog_density"), .nonNegative) { w.fogDensity = v } else { ok = false }
        }
        if let n = f["fog_height_falloff"] {
            if let v = read.random(n, f.path("fog_height_falloff"), .nonNegative) {
                w.fogHeightFalloff = v
            } else {
                ok = false
            }
        }
        if !parsePrecipitation(f, into: &w.precipitation) { ok = false }
        return ok ? w : nil
    }

    /// One condition name, with a did-you-mean.
    func condition(_ node: Node, _ path: String) -> WeatherCondition? {
        guard let name = read.string(node, path) else { return nil }
        if let c = WeatherCondition(rawValue: name) { return c }
        let known = Self.weatherConditions.joined(separator: ", ")
        read.report(
            node, path,
            "unknown weather condition `\(name)`\(didYouMean(name, Self.weatherConditions)) (conditions: \(known))")
        return nil
    }

    /// `condition: fog`, or a weighted choice `condition: {clear: 3, fog: 1}`.
    func parseWeightedConditions(_ node: Node, _ path: String) -> [WeightedCondition]? {
        guard case .mapping(let m) = node else {
            if case .scalar = node, node.tagName == .str {
                return condition(node, path).map { [WeightedCondition($0, weight: 1)] }
            }
            read.report(
                node, path,
                "expected a condition name or a mapping of conditions to weights ({clear: 3, fog: 1}), found \(describe(node))"
            )
            return nil
        }
        var out: [WeightedCondition] = []
        var ok = true
        for (key, value) in m {
            guard let c = condition(key, path) else {
                ok = false
                continue
            }
            guard let weight = read.number(value, join(path, c.rawValue), .nonNegative) else {
                ok = false
                continue
            }
            out.append(WeightedCondition(c, weight: weight))
        }
        guard ok else { return nil }
        guard out.contains(where: { $0.weight > 0 }) else {
            read.report(node, path, "expected at least one condition with a weight above 0")
            return nil
        }
        return out
    }

    /// `rain_intensity`, `snow_intensity`, `snow_cover`, `wet_road`, `puddles`; false after a mistake.
    func parsePrecipitation(_ f: Fields, into p: inout PrecipitationDescription) -> Bool {
        var ok = true
        func unitRandom(_ key: String, _ assign: (RandomValue) -> Void) {
            guard let n = f[key] else { return }
            if let v = read.random(n, f.path(key), .closed(0, 1)) { assign(v) } else { ok = false }
        }
        unitRandom("rain_intensity") { p.rainIntensity = $0 }
        unitRandom("snow_intensity") { p.snowIntensity = $0 }
        unitRandom("snow_cover") { p.snowCover = $0 }
        if let n = f["wet_road"] {
            if let v = probability(n, f.path("wet_road")) { p.wetRoad = v } else { ok = false }
        }
        if let n = f["puddles"] {
            if let v = probability(n, f.path("puddles")) { p.puddles = v } else { ok = false }
        }
        return ok
    }

    /// `true` (1), `false` (0) or a probability in [0, 1].
    func probability(_ node: Node, _ path: String) -> Double? {
        if node.tagName == .bool { return read.bool(node, path).map { $0 ? 1 : 0 } }
        guard node.tagName == .int || node.tagName == .float else {
            read.report(node, path, "expected true, false or a probability from 0 to 1, found \(describe(node))")
            return nil
        }
        return read.number(node, path, .closed(0, 1))
    }
}

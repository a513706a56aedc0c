import Yams

// `lighting.local_lights` and `lighting.lights` (docs/SCENE_FORMAT.md, "Local lights").

extension SceneParser {
    static let lightKeys = [
        "type", "position", "direction", "cone_deg", "inner_cone_deg", "temperature_k", "color", "intensity", "range",
        "size", "shadows",
    ]
    /// Spot cone when the file gives none (outer half-angle), and the inner one's share of it.
    static let defaultConeDeg = 45.0
    static let defaultInnerConeShare = 0.7
    /// Color temperature of a light that gives neither `temperature_k` nor `color` (neutral white).
    static let defaultTemperatureK = 4000.0

    func parseLocalLights(_ f: Fields, into l: inout LightingDescription) {
        if let n = f["local_lights"] {
            // YAML 1.1 reads a bare `on` / `off` as a boolean.
            if n.tagName == .bool {
                if let on = read.bool(n, f.path("local_lights")) { l.localLights = on ? .on : .off }
            } else if let v = read.choice(n, f.path("local_lights"), LocalLightsMode.allCases.map(\.rawValue)),
                let mode = LocalLightsMode(rawValue: v)
            {
                l.localLights = mode
            }
        }
        if let n = f["lamp_shadows"], let on = read.bool(n, f.path("lamp_shadows")) { l.lampShadows = on }
        guard let n = f["lights"], let items = read.list(n, f.path("lights"), of: "lights") else { return }
        l.lights = items.enumerated().compactMap { parseLight($0.element, "\(f.path("lights"))[\($0.offset)]") }
    }

    func parseLight(_ node: Node, _ path: String) -> LocalLightDescription? {
        guard let f = read.fields(node, path, allowed: Self.lightKeys) else { return nil }
        var ok = true
        func take<T>(_ v: T?) -> T? {
            if v == nil { ok = false }
            return v
        }
        // nil after a mistake in `type`: then neither kind's fields are checked.
        var kind: LocalLight.Kind? = .point
        if let n = f["type"] {
            kind = take(read.choice(n, f.path("type"), LocalLight.Kind.allCases.map(\.rawValue)))
                .flatMap(LocalLight.Kind.init(rawValue:))
        }
        let position = take(
            f.required("position", "[x, y, z] in metres").flatMap { read.randomVec3($0, f.path("position")) })

        var direction = Vec3(0, 0, -1)
        var outer = Self.defaultConeDeg
        var inner: Double?
        if kind == .point {
            for key in ["direction", "cone_deg", "inner_cone_deg"] where f.has(key) {
                collector.report(f.keyMark(key), f.path(key), "`\(key)` applies to spot lights only (`type: spot`)")
                ok = false
            }
        } else if kind == .spot {
            if let n = f["direction"], let d = take(read.vec3(n, f.path("direction"))) {
                if d.length < 1e-9 {
                    read.report(n, f.path("direction"), "expected a direction, found the zero vector")
                    ok = false
                } else {
                    direction = d.normalized
                }
            }
            if let n = f["cone_deg"] { outer = take(read.number(n, f.path("cone_deg"), .open(0, 90))) ?? outer }
            if let n = f["inner_cone_deg"] {
                inner = take(read.number(n, f.path("inner_cone_deg"), .nonNegative))
                if let i = inner, i > outer {
                    read.report(
                        n, f.path("inner_cone_deg"),
                        "expected an inner cone no wider than `cone_deg` (\(format(outer))°), found \(format(i))°")
                    ok = false
                }
            }
        }

        var color = ColorTemperature.linearRGB(kelvin: Self.defaultTemperatureK)
        if let n = f["temperature_k"] {
            if f.has("color") {
                collector.report(
                    f.keyMark("color"), f.path("color"), "give either `temperature_k` or `color`, not both")
                ok = false
            }
            if let k = take(read.number(n, f.path("temperature_k"), .closed(1000, 40000))) {
                color = ColorTemperature.linearRGB(kelvin: k)
            }
        } else if let n = f["color"], let c = take(read.color(n, f.path("color"))) {
            if luminance(c) > 0 {
                color = c / luminance(c)
            } else {
                read.report(n, f.path("color"), "expected a color with some light in it, found black")
                ok = false
            }
        }
        let intensity = take(
            f.required("intensity", "candela, a number of at least 0 or a range [min, max]").flatMap {
                read.random($0, f.path("intensity"), .nonNegative)
            })
        let range = f["range"].flatMap { take(read.number($0, f.path("range"), .positive)) }
        let size = f["size"].flatMap { take(read.number($0, f.path("size"), .nonNegative)) } ?? 0
        let shadows = f["shadows"].flatMap { take(read.bool($0, f.path("shadows"))) } ?? false
        guard ok, let kind, let position, let intensity else { return nil }
        return LocalLightDescription(
            kind: kind, position: position, direction: direction,
            innerConeDeg: kind == .spot ? inner ?? outer * Self.defaultInnerConeShare : 0,
            outerConeDeg: kind == .spot ? outer : 0, color: color, intensity: intensity, range: range, size: size,
            castsShadows: shadows)
    }
}

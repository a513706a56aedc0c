// The local lights of one frame: the file's own `lighting.lights`, and when `local_lights` says so
// (at night and dusk by default) a light for every lamp and vehicle:
//
//   a part named `lamp` (the street_lamp built-in's head, or a mesh asset's part)  a downward spot
//   a part named `head_light_l` / `head_light_r`                                 a forward white spot
//   a part named `tail_light_l` / `tail_light_r`                                 a backward red spot
//   a `car` built-in (which has no light parts)                                 both pairs, from its box
//
// Cars of groups placed `along_road: curb` are parked and stay dark. The file's lights draw their
// random values from their own stream [seed, lighting, layout, hash("lights")]; the rest is a pure
// function of the frame's surfaces and instances. `LocalLight.selected` keeps the 64 nearest.

extension SceneDescription {
    /// `spec` with its local lights (the hook in `frame(_:seed:)`).
    func withLocalLights(_ spec: FrameSpec, seed: UInt64, layout: Int) -> FrameSpec {
        var lights = sampleFileLights(seed: seed, layout: layout)
        if generatesLights(spec.lighting) { lights += partLights(for: spec) }
        guard !lights.isEmpty else { return spec }
        var out = spec
        out.lighting.lights = LocalLight.selected(lights, camera: spec.camera)
        return out
    }

    func sampleFileLights(seed: UInt64, layout: Int) -> [LocalLight] {
        guard !lighting.lights.isEmpty else { return [] }
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.lighting.rawValue, UInt64(layout), stableHash("lights")])
        return lighting.lights.map { d in
            let position = rng.sample(d.position), intensity = rng.sample(d.intensity)
            return LocalLight(
                kind: d.kind, position: position, direction: d.direction, innerConeDeg: d.innerConeDeg,
                outerConeDeg: d.outerConeDeg, color: d.color, intensity: intensity,
                range: d.range ?? LocalLight.defaultRange(intensity: intensity), size: d.size,
                castsShadows: d.castsShadows)
        }
    }

    /// Whether lamps and vehicles light up in a frame lit by `l`.
    func generatesLights(_ l: Lighting) -> Bool {
        switch lighting.localLights {
        case .off: return false
        case .on: return true
        case .auto:
            guard weather != nil || lighting.timeOfDay != nil else { return false }
            let elevation = asin(Swift.max(-1, Swift.min(1, l.sunDirection.z))) * 180 / .pi
            return l.weather?.condition == .night || elevation < LocalLightsMode.autoSunElevationDeg
        }
    }

    /// The lights of `spec`'s lamp and vehicle parts and `car` built-ins, in surface order, whatever
    /// `local_lights` and the time of day say (`bench --effects` lights daylight frames with them).
    /// Street lamps cast shadows when `lampShadows` says so (nil: the scene's `lamp_shadows`).
    public func partLights(for spec: FrameSpec, lampShadows: Bool? = nil) -> [LocalLight] {
        let lampsCast = lampShadows ?? lighting.lampShadows
        let roles = instanceRoles(spec.instances)
        var instanceByID: [Int: InstanceSpec] = [:]
        for i in spec.instances { instanceByID[i.instanceID] = i }
        var out: [LocalLight] = []
        var builtInDone = Set<Int>()
        for (index, s) in spec.surfaces.enumerated() {
            let role = roles[s.instanceID]
            if role?.parked == true { continue }
            let objectPose = instanceByID[s.instanceID]?.worldFromObject ?? s.worldFromObject
            if let slash = s.name.lastIndex(of: "/") {
                let part = s.name[s.name.index(after: slash)...]
                let (lo, hi) = s.shape.geometry.extent
                let scale = s.shape.scale
                let center = s.worldFromObject.transformPoint(((lo + hi) / 2).scaled(by: scale))
                let area = Self.largestFaceArea((hi - lo).scaled(by: scale))
                switch part {
                case "lamp":
                    let bottom = s.worldFromObject.transformPoint(
                        Vec3((lo.x + hi.x) / 2, (lo.y + hi.y) / 2, lo.z)
                            .scaled(by: scale))
                    out.append(
                        PartLights.streetLamp(
                            at: bottom - Vec3(0, 0, 0.02), emitter: index, area: area, castsShadows: lampsCast))
                case "head_light_l", "head_light_r":
                    out.append(PartLights.headLight(at: center, pose: objectPose, emitter: index))
                case "tail_light_l", "tail_light_r":
                    out.append(PartLights.tailLight(at: center, pose: objectPose, emitter: index))
                default:
                    break
                }
            }
            if role?.builtInCar == true, let instance = instanceByID[s.instanceID],
                builtInDone.insert(s.instanceID).inserted
            {
                out += PartLights.builtInCar(instance)
            }
        }
        return out
    }

    static func largestFaceArea(_ size: Vec3) -> Double {
        Swift.max(size.x * size.y, size.y * size.z, size.x * size.z)
    }

    /// What each instance id came from: a `car` built-in, parked (a group placed at the curb).
    /// Instances count from 1 over the explicit things, then each group's members, named
    /// `group_k` (see `sampleLayout`); the walk stops at the first name that does not fit.
    func instanceRoles(_ instances: [InstanceSpec]) -> [Int: (builtInCar: Bool, parked: Bool)] {
        var out: [Int: (builtInCar: Bool, parked: Bool)] = [:]
        var j = 0
        func isCar(_ t: ObjectTemplate) -> Bool {
            if case .builtIn(.car, _) = t.model { return true }
            return false
        }
        for o in objects where !o.template.isStuff {
            guard j < instances.count, instances[j].name == o.name else { return out }
            out[instances[j].instanceID] = (isCar(o.template), false)
            j += 1
        }
        for g in groups where !g.template.isStuff {
            var parked = false
            if case .alongRoad(mode: .curb, _, _, _, _, _) = g.placement { parked = true }
            var k = 0
            while j < instances.count, instances[j].name == "\(g.name)_\(k)" {
                out[instances[j].instanceID] = (isCar(g.template), parked)
                j += 1
                k += 1
            }
        }
        return out
    }
}

/// The lights of lamps and vehicles: positions, cones, colors and intensities.
public enum PartLights {
    /// A street lamp's head: a wide downward spot, warm white, lighting the road below with about
    /// 0.2 units at 6.5 m (see `LocalLight.unitsPerLux`). Lamps cast shadows (the pools of light
    /// under them are where cars and people stand at night); vehicle lights do not.
    public static let lampIntensity = 8500.0
    public static let lampTemperatureK = 3000.0
    /// Low-beam head lights: a narrow forward spot tilted 3° down.
    public static let headIntensity = 15000.0
    public static let headTemperatureK = 5500.0
    /// Tail lights: a dim red glow behind.
    public static let tailIntensity = 80.0
    public static let tailColor = Vec3(1, 0.04, 0.02) / luminance(Vec3(1, 0.04, 0.02))

    public static func streetLamp(at p: Vec3, emitter: Int?, area: Double, castsShadows: Bool) -> LocalLight {
        LocalLight(
            kind: .spot, position: p, direction: Vec3(0, 0, -1), innerConeDeg: 40, outerConeDeg: 75,
            color: ColorTemperature.linearRGB(kelvin: lampTemperatureK), intensity: lampIntensity, range: 20,
            size: Swift.min(area.squareRoot(), 0.5), emitter: emitter, castsShadows: castsShadows)
    }

    public static func headLight(at p: Vec3, pose: Mat4, emitter: Int?) -> LocalLight {
        let tilt = 3 * Double.pi / 180
        let forward = pose.transformDirection(Vec3(cos(tilt), 0, -sin(tilt))).normalized
        return LocalLight(
            kind: .spot, position: p, direction: forward, innerConeDeg: 12, outerConeDeg: 30,
            color: ColorTemperature.linearRGB(kelvin: headTemperatureK), intensity: headIntensity, range: 40,
            size: 0.15, emitter: emitter)
    }

    public static func tailLight(at p: Vec3, pose: Mat4, emitter: Int?) -> LocalLight {
        let backward = pose.transformDirection(Vec3(-1, 0, 0)).normalized
        return LocalLight(
            kind: .spot, position: p, direction: backward, innerConeDeg: 40, outerConeDeg: 70, color: tailColor,
            intensity: tailIntensity, range: LocalLight.defaultRange(intensity: tailIntensity), size: 0.1,
            emitter: emitter)
    }

    /// Head and tail lights of a `car` built-in, placed on its box (which has no light parts): just
    /// outside the front and rear faces, 0.3 m in from the sides.
    public static func builtInCar(_ car: InstanceSpec) -> [LocalLight] {
        let lo = car.boxMin, hi = car.boxMax
        let midY = (lo.y + hi.y) / 2, halfSpan = Swift.max((hi.y - lo.y) / 2 - 0.3, 0.1), h = hi.z - lo.z
        let pose = car.worldFromObject
        var out: [LocalLight] = []
        for side in [1.0, -1.0] {
            let y = midY + side * halfSpan
            out.append(
                headLight(at: pose.transformPoint(Vec3(hi.x + 0.03, y, lo.z + 0.45 * h)), pose: pose, emitter: nil))
        }
        for side in [1.0, -1.0] {
            let y = midY + side * halfSpan
            out.append(
                tailLight(at: pose.transformPoint(Vec3(lo.x - 0.03, y, lo.z + 0.55 * h)), pose: pose, emitter: nil))
        }
        return out
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

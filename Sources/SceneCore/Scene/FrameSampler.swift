// Sampling one frame from a scene: FrameSpec = sample(description, seed, frame index).
//
// A pure function: no global generator, no clock, no iteration over unordered collections. Each
// piece draws from its own stream (see DeterministicRandom.swift):
//
//   camera jitter    [seed, camera, frame index]              fresh every frame
//   lighting         [seed, lighting, layout]                 once per layout
//   weather          [seed, weather, layout]                  once per layout (own stream: adding a
//                                                             weather block moves nothing else)
//   explicit object  [seed, object, layout, hash(object name)]
//   group            [seed, group, layout, hash(group name)]  so adding a group leaves the others be
//
// `layout` is `frameIndex / resample_every` (0 for every frame when the file sets no resample_every),
// so frames of one layout see the same objects from a moving camera. A sweep of n variants (see
// SceneSweep.swift; a weather `sweep` is one axis) makes frame i show view i / n under variant
// i % n: everything but the swept values is sampled as frame i / n would be without the sweep.
//
// Surfaces come out in a fixed order: ground, road, sidewalks, markings (all stuff, instance 0),
// then explicit objects and then groups in file order, each object's parts together. Instance ids
// count from 1 in that order, skipping stuff.

extension SceneDescription {
    /// Rejection-sampling attempts per object before a group gives up and the frame fails.
    public static let maxPlacementAttempts = 500

    /// Frame `index` sampled with the scene's own seed.
    public func frame(_ index: Int) throws -> FrameSpec { try frame(index, seed: seed) }

    /// Frame `index` sampled with the job's seed. Throws `FrameSamplingError` when a group cannot place
    /// its objects with their `min_spacing` (the loader already checked the first layouts of the
    /// scene's own seed, so this is rare).
    public func frame(_ index: Int, seed: UInt64) throws -> FrameSpec {
        precondition(index >= 0, "frame index must not be negative")
        // A sweep (SceneSweep.swift): the view's draws, with the variant's values written in.
        let variant = sweepVariant(forFrame: index), swept = applyingSweep(variant)
        let view = variant.view
        let layout = resampleEvery.map { view / $0 } ?? 0
        let step = resampleEvery.map { view % $0 } ?? view
        var surfaces = staticSurfaces()
        let objects = try sampleLayout(seed: seed, layout: layout, frameIndex: index)
        surfaces += objects.surfaces
        return FrameSpec(
            index: index, camera: swept.sampleCamera(seed: seed, frameIndex: view, step: step),
            lighting: swept.sampleLighting(seed: seed, layout: layout, frameIndex: index), classes: classes,
            surfaces: surfaces, instances: objects.instances)
    }

    // MARK: camera and lighting

    func sampleCamera(seed: UInt64, frameIndex: Int, step: Int) -> Camera {
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.camera.rawValue, UInt64(frameIndex)])
        let c = camera
        let dYaw = rng.sample(c.jitter.yawDeg), dPitch = rng.sample(c.jitter.pitchDeg)
        let dRoll = rng.sample(c.jitter.rollDeg), dHeight = rng.sample(c.jitter.height)
        let t = Double(step) / c.fps
        let eye = c.position + c.velocity * t + Vec3(0, 0, dHeight)
        let pose = Self.cameraPose(
            eye: eye, yawDeg: c.yawDeg + dYaw, pitchDeg: c.pitchDeg + dPitch, rollDeg: c.rollDeg + dRoll)
        return Camera(intrinsics: c.intrinsics, worldFromCamera: pose)
    }

    /// worldFromCamera (OpenCV axes) for a camera at `eye` heading `yaw` from +X, `pitch` above the
    /// horizon, rolled about its optical axis (positive: clockwise seen from behind the camera).
    public static func cameraPose(eye: Vec3, yawDeg: Double, pitchDeg: Double, rollDeg: Double) -> Mat4 {
        let yaw = radians(yawDeg), pitch = radians(pitchDeg)
        let forward = Vec3(cos(pitch) * cos(yaw), cos(pitch) * sin(yaw), sin(pitch))
        let base = Camera.lookAt(eye: eye, target: eye + forward)
        return rollDeg == 0 ? base : base * Mat4.rotationZ(radians(rollDeg))
    }

    func sampleLighting(seed: UInt64, layout: Int, frameIndex: Int) -> Lighting {
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.lighting.rawValue, UInt64(layout)])
        let l = lighting
        var result: Lighting
        if let clock = l.timeOfDay {
            let hours = rng.sample(clock.hours), latitude = rng.sample(clock.latitudeDeg)
            let day = rng.sample(clock.dayOfYear)
            let sun = rng.sample(l.sunIntensity), ambient = rng.sample(l.ambientIntensity)
            let direction = SolarPosition.direction(latitudeDeg: latitude, dayOfYear: day, solarHours: hours)
            let elevation = asin(Swift.max(-1, Swift.min(1, direction.z))) * 180 / .pi
            let sky = DaylightModel.skyBrightness(elevationDeg: elevation)
            let warmth = DaylightModel.horizonWarmth(elevationDeg: elevation)
            result = Lighting(
                sunDirection: direction,
                sunColor: l.sunColor.scaled(by: DaylightModel.sunTransmittance(elevationDeg: elevation)) * sun,
                skyColor: l.skyColor * (ambient * sky), groundColor: l.groundColor * (ambient * sky),
                backgroundColor: mix(l.backgroundColor, DaylightModel.sunsetGlow, warmth) * sky, shadows: l.shadows)
            result.exposure = WeatherLighting.autoExposure(result)
        } else {
            let azimuth = radians(rng.sample(l.sunAzimuthDeg)), elevation = radians(rng.sample(l.sunElevationDeg))
            let sun = rng.sample(l.sunIntensity), ambient = rng.sample(l.ambientIntensity)
            let direction = Vec3(cos(elevation) * cos(azimuth), cos(elevation) * sin(azimuth), sin(elevation))
            result = Lighting(
                sunDirection: direction, sunColor: l.sunColor * sun, skyColor: l.skyColor * ambient,
                groundColor: l.groundColor * ambient, backgroundColor: l.backgroundColor, shadows: l.shadows)
        }
        guard let w = weather else { return result }
        return WeatherLighting.apply(sampleWeather(w, seed: seed, layout: layout, frameIndex: frameIndex), to: result)
    }

    /// The weather of a frame, from its own stream: the condition (drawn, or the sweep's entry),
    /// then cloud cover and the fog's values, drawn whatever the condition so that every condition
    /// of a sweep sees the same numbers.
    func sampleWeather(_ w: WeatherDescription, seed: UInt64, layout: Int, frameIndex: Int) -> WeatherState {
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.weather.rawValue, UInt64(layout)])
        let u = rng.unit()
        let condition: WeatherCondition
        switch w.selection {
        case .sweep(let list):
            condition = list[frameIndex % list.count]
        case .weighted(let list):
            let total = list.reduce(0) { $0 + $1.weight }
            var remaining = u * total
            var chosen = list.last { $0.weight > 0 }?.condition ?? list[0].condition
            for entry in list where entry.weight > 0 {
                if remaining < entry.weight {
                    chosen = entry.condition
                    break
                }
                remaining -= entry.weight
            }
            condition = chosen
        }
        let cloudCover = rng.sample(w.cloudCover ?? .fixed(WeatherDescription.defaultCloudCover(condition)))
        let density = rng.sample(w.fogDensity), falloff = rng.sample(w.fogHeightFalloff)
        let fog = condition == .fog ? FogState(density: density, heightFalloff: falloff, color: .zero) : nil
        return WeatherState(condition: condition, cloudCover: cloudCover, fog: fog)
    }

    // MARK: static surfaces

    /// Ground, road, sidewalks and markings: stuff, the same in every frame.
    public func staticSurfaces() -> [Surface] {
        var out: [Surface] = []
        if let g = ground {
            out.append(
                Surface(
                    name: "ground", shape: .plane(sizeX: g.sizeX, sizeY: g.sizeY),
                    worldFromObject: .translation(Vec3(g.centerX, g.centerY, 0)), color: g.color, classID: g.classID,
                    instanceID: 0))
        }
        guard let r = road else { return out }
        let midX = r.startX + r.length / 2
        let surfaceZ = RoadDescription.surfaceHeight
        out.append(
            Surface(
                name: "road", shape: .plane(sizeX: r.length, sizeY: r.width),
                worldFromObject: .translation(Vec3(midX, 0, surfaceZ)), color: r.color, classID: r.classID,
                instanceID: 0))
        if let s = r.sidewalk {
            for (label, sign) in [("right", -1.0), ("left", 1.0)] {
                let y = sign * (r.width / 2 + s.width / 2)
                let shape: Shape =
                    s.height > 0
                    ? .box(size: Vec3(r.length, s.width, s.height)) : .plane(sizeX: r.length, sizeY: s.width)
                let z = s.height > 0 ? 0 : surfaceZ
                out.append(
                    Surface(
                        name: "sidewalk_\(label)", shape: shape, worldFromObject: .translation(Vec3(midX, y, z)),
                        color: s.color, classID: s.classID, instanceID: 0))
            }
        }
        if let m = r.markings { out += markingSurfaces(r, m) }
        return out
    }

    private func markingSurfaces(_ r: RoadDescription, _ m: MarkingsDescription) -> [Surface] {
        let z = RoadDescription.surfaceHeight + RoadDescription.markingLift
        var out: [Surface] = []
        func line(_ name: String, y: Double, dashed: Bool) {
            let period = m.dashLength + m.gapLength
            guard dashed, m.gapLength > 0 else {
                out.append(
                    Surface(
                        name: name, shape: .plane(sizeX: r.length, sizeY: m.lineWidth),
                        worldFromObject: .translation(Vec3(r.startX + r.length / 2, y, z)), color: m.color,
                        classID: m.classID, instanceID: 0))
                return
            }
            var k = 0
            var x0 = r.startX + m.gapLength / 2
            while x0 < r.endX {
                let x1 = Swift.min(x0 + m.dashLength, r.endX)
                out.append(
                    Surface(
                        name: "\(name)_\(k)", shape: .plane(sizeX: x1 - x0, sizeY: m.lineWidth),
                        worldFromObject: .translation(Vec3((x0 + x1) / 2, y, z)), color: m.color, classID: m.classID,
                        instanceID: 0))
                k += 1
                x0 += period
            }
        }
        // Between lanes: solid where traffic directions meet, dashed between lanes of one direction.
        for k in 1..<Swift.max(r.lanes, 1) {
            let y = -r.width / 2 + Double(k) * r.laneWidth
            line("marking_lane\(k)", y: y, dashed: r.laneHeading(k - 1) == r.laneHeading(k))
        }
        if m.edgeLines {
            let inset = Swift.min(0.25, r.laneWidth / 4) + m.lineWidth / 2
            line("marking_edge_right", y: -r.width / 2 + inset, dashed: false)
            line("marking_edge_left", y: r.width / 2 - inset, dashed: false)
        }
        return out
    }

    // MARK: objects

    /// The objects of one layout (explicit objects, then groups), with instance ids from 1.
    func sampleLayout(
        seed: UInt64, layout: Int, frameIndex: Int
    ) throws -> (surfaces: [Surface], instances: [InstanceSpec]) {
        var out: [Surface] = []
        var instances: [InstanceSpec] = []
        var nextInstance = 1
        func emit(_ name: String, _ parts: [SampledPart], _ worldFromObject: Mat4, _ t: ObjectTemplate) {
            let instance = t.isStuff ? 0 : nextInstance
            if !t.isStuff {
                nextInstance += 1
                let box = InstanceSpec.bounds(of: parts.map { ($0.shape, $0.objectFromPart) })
                instances.append(
                    InstanceSpec(
                        instanceID: instance, classID: t.classID, name: name, worldFromObject: worldFromObject,
                        boxMin: box.min, boxMax: box.max))
            }
            for p in parts {
                out.append(
                    Surface(
                        name: p.name.isEmpty ? name : "\(name)/\(p.name)", shape: p.shape,
                        worldFromObject: worldFromObject * p.objectFromPart, color: p.color, classID: t.classID,
                        instanceID: instance))
            }
        }

        for o in objects {
            var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.object.rawValue, UInt64(layout), stableHash(o.name)])
            let color = rng.choose(o.template.colors)
            let parts = o.template.model.sampleParts(color: color, rng: &rng)
            let yaw = radians(rng.sample(o.template.yawDeg))
            emit(o.name, parts, Mat4.pose(position: rng.sample(o.position), yaw: yaw), o.template)
        }

        for g in groups {
            var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.group.rawValue, UInt64(layout), stableHash(g.name)])
            let count = rng.sample(g.count)
            var grid = SpacingGrid(spacing: g.minSpacing)
            for k in 0..<count {
                let color = rng.choose(g.template.colors)
                let parts = g.template.model.sampleParts(color: color, rng: &rng)
                let yawOffset = radians(rng.sample(g.template.yawDeg))
                var placed: (Vec3, Double)?
                for _ in 0..<Self.maxPlacementAttempts {
                    let (position, heading) = samplePosition(g.placement, parts: parts, yawOffset: yawOffset, rng: &rng)
                    if grid.accepts(position.x, position.y) {
                        grid.insert(position.x, position.y)
                        placed = (position, heading + yawOffset)
                        break
                    }
                }
                guard let (position, yaw) = placed else {
                    throw FrameSamplingError(
                        frameIndex: frameIndex, seed: seed, location: g.location,
                        message:
                            "group `\(g.name)` could not place object \(k + 1) of \(count) at least \(format(g.minSpacing)) m from the others in \(Self.maxPlacementAttempts) attempts; lower `count` or `min_spacing`, or enlarge the placement region"
                    )
                }
                emit("\(g.name)_\(k)", parts, Mat4.pose(position: position, yaw: yaw), g.template)
            }
        }
        return (out, instances)
    }

    /// A candidate position (bottom centre) and the placement's base heading (radians).
    private func samplePosition(
        _ placement: Placement, parts: [SampledPart], yawOffset: Double, rng: inout Xoshiro256StarStar
    ) -> (Vec3, Double) {
        switch placement {
        case .region(let x0, let x1, let y0, let y1, let z):
            let x = rng.uniform(x0, x1), y = rng.uniform(y0, y1)
            return (Vec3(x, y, rng.sample(z)), 0)
        case .alongRoad(let mode, let side, let x0, let x1, let lanes, let gapRange):
            let r = road!  // the loader guarantees a road for along_road placements
            let x = rng.uniform(x0, x1)
            if mode == .lane {
                let lane = rng.choose(lanes)
                return (Vec3(x, r.laneCenterY(lane), RoadDescription.surfaceHeight), r.laneHeading(lane))
            }
            let onRight: Bool
            switch side {
            case .right: onRight = true
            case .left: onRight = false
            case .both: onRight = rng.index(2) == 0
            }
            let sign = onRight ? -1.0 : 1.0, heading = onRight ? 0.0 : Double.pi
            let gap = rng.sample(gapRange)
            let sidewalkWidth = r.sidewalk?.width ?? 0
            switch mode {
            case .curb:
                let across = r.width / 2 - parts.halfExtentAcross(yaw: yawOffset) - gap
                return (Vec3(x, sign * across, RoadDescription.surfaceHeight), heading)
            case .sidewalk:
                let lo = r.width / 2 + gap, hi = r.width / 2 + sidewalkWidth - gap
                let across = lo <= hi ? rng.uniform(lo, hi) : (lo + hi) / 2
                return (Vec3(x, sign * across, r.sidewalk?.height ?? 0), heading)
            default:  // .roadside
                let across = r.width / 2 + sidewalkWidth + gap + parts.halfExtentAcross(yaw: yawOffset)
                return (Vec3(x, sign * across, 0), heading)
            }
        }
    }
}

/// Points in the plane at least `spacing` apart, bucketed in square cells of that size so a check
/// looks at the 3x3 neighbouring cells only.
struct SpacingGrid {
    let spacing: Double
    private var cells: [Cell: [(Double, Double)]] = [:]

    struct Cell: Hashable {
        var i: Int
        var j: Int
    }

    init(spacing: Double) { self.spacing = spacing }

    private func cell(_ x: Double, _ y: Double) -> Cell {
        Cell(i: Int((x / spacing).rounded(.down)), j: Int((y / spacing).rounded(.down)))
    }

    func accepts(_ x: Double, _ y: Double) -> Bool {
        guard spacing > 0 else { return true }
        let c = cell(x, y)
        for di in -1...1 {
            for dj in -1...1 {
                for (px, py) in cells[Cell(i: c.i + di, j: c.j + dj)] ?? [] {
                    let dx = px - x, dy = py - y
                    if dx * dx + dy * dy < spacing * spacing { return false }
                }
            }
        }
        return true
    }

    mutating func insert(_ x: Double, _ y: Double) {
        guard spacing > 0 else { return }
        cells[cell(x, y), default: []].append((x, y))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

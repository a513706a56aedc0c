// Sampling one frame from a scene: FrameSpec = sample(description, seed, frame index).
//
// A pure function: no global generator, no clock, no iteration over unordered collections. Each
// piece draws from its own stream (see DeterministicRandom.swift):
//
//   camera jitter    [seed, camera, frame index]              fresh every frame
//   lighting         [seed, lighting, layout]                 once per layout
//   weather          [seed, weather, layout]                  once per layout (own stream: adding a
//                                                             weather block moves nothing else)
//   camera mount     [seed, camera, layout, hash("mount")]    where the ego starts, once per layout
//   explicit object  [seed, object, layout, hash(object name)]
//   group            [seed, group, layout, hash(group name)]  so adding a group leaves the others'
//                                                             draws be (see below for collisions)
//   file's lights    [seed, lighting, layout, hash("lights")]  (FrameSampler+LocalLights.swift)
//
// `layout` is `frameIndex / resample_every` (0 for every frame when the file sets no resample_every),
// so frames of one layout see the same objects from a moving camera. A sweep of n variants (see
// SceneSweep.swift; a weather `sweep` is one axis) makes frame i show view i / n under variant
// i % n: everything but the swept values is sampled as frame i / n would be without the sweep.
//
// Surfaces come out in a fixed order: ground, road, sidewalks, markings, the environment's stuff (all
// instance 0), then the environment's pieces, explicit objects and groups in file order, each
// object's parts together. Instance ids count from 1 in that order, skipping stuff.
//
// Placement never interpenetrates: every candidate is tested against the boxes of everything placed
// before it in that order — sidewalks, walls, pieces, explicit objects, earlier groups and the
// group's own earlier objects (Collision.swift) — and drawn again when it overlaps. A group's
// objects can therefore move when a group before it is added, and only where they would have met.

extension SceneDescription {
    /// Rejection-sampling attempts per object before a group gives up and the frame fails.
    public static let maxPlacementAttempts = 500

    /// Frame `index` sampled with the scene's own seed.
    public func frame(_ index: Int) throws -> FrameSpec { try frame(index, seed: seed) }

    /// Frame `index` sampled with the job's seed. Throws `FrameSamplingError` when a group cannot place
    /// its objects (with their `min_spacing`, without interpenetration) in the bounded attempts; the
    /// loader already checked the first layouts of the scene's own seed, so this is rare.
    public func frame(_ index: Int, seed: UInt64) throws -> FrameSpec {
        precondition(index >= 0, "frame index must not be negative")
        // A sweep (SceneSweep.swift): the view's draws, with the variant's values written in.
        let variant = sweepVariant(forFrame: index), swept = applyingSweep(variant)
        let view = variant.view
        let layout = resampleEvery.map { view / $0 } ?? 0
        let step = resampleEvery.map { view % $0 } ?? view
        var surfaces = staticSurfaces() + environmentSurfaces()
        let objects = try swept.sampleLayout(seed: seed, layout: layout, frameIndex: index)
        surfaces += objects.surfaces
        if let r = swept.sweptFinish.roughness {
            for i in surfaces.indices where surfaces[i].instanceID != 0 { surfaces[i].finish.roughness = r }
        }
        if let m = swept.sweptFinish.metallic {
            for i in surfaces.indices where surfaces[i].instanceID != 0 { surfaces[i].finish.metallic = m }
        }
        let spec = FrameSpec(
            index: index, camera: swept.sampleCamera(seed: seed, frameIndex: view, step: step, layout: layout),
            lighting: swept.sampleLighting(seed: seed, layout: layout, frameIndex: view), classes: classes,
            surfaces: surfaces, instances: objects.instances)
        return swept.withLocalLights(spec, seed: seed, layout: layout)
    }

    // MARK: camera

    func sampleCamera(seed: UInt64, frameIndex: Int, step: Int, layout: Int) -> Camera {
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.camera.rawValue, UInt64(frameIndex)])
        let c = camera
        let dYaw = rng.sample(c.jitter.yawDeg), dPitch = rng.sample(c.jitter.pitchDeg)
        let dRoll = rng.sample(c.jitter.rollDeg), dHeight = rng.sample(c.jitter.height)
        let t = Double(step) / c.fps
        var eye = c.position + c.velocity * t
        var yaw = c.yawDeg
        if let mount = cameraMount {
            var start = Xoshiro256StarStar(
                key: [seed, StreamPurpose.camera.rawValue, UInt64(layout), stableHash("mount")])
            let ride = mount.pose(s0: start.sample(mount.s), t: t)
            eye = ride.eye
            yaw += ride.heading * 180 / Double.pi
        }
        let pose = Self.cameraPose(
            eye: eye + Vec3(0, 0, dHeight), yawDeg: yaw + dYaw, pitchDeg: c.pitchDeg + dPitch,
            rollDeg: c.rollDeg + dRoll)
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

    /// The things of one layout (environment pieces, explicit objects, then groups), with instance
    /// ids from 1.
    func sampleLayout(
        seed: UInt64, layout: Int, frameIndex: Int
    ) throws -> (surfaces: [Surface], instances: [InstanceSpec]) {
        var out = LayoutBuilder(classes: classes)
        // What is fixed takes space first: sidewalks and walls (planes take none), then the pieces.
        for surface in staticSurfaces() + environmentSurfaces() {
            if case .plane = surface.shape { continue }
            out.world.insert(
                OrientedBox(
                    worldFromLocal: surface.worldFromObject,
                    min: surface.shape.geometry.extent.min.scaled(by: surface.shape.scale),
                    max: surface.shape.geometry.extent.max.scaled(by: surface.shape.scale)))
        }
        for piece in environment?.pieces ?? [] {
            let pose = piece.worldFromPiece
            out.emit(piece.name, piece.drawnParts, pose, classID: piece.classID, isStuff: false)
            out.world.insert(PlaceableObject(parts: piece.builtParts).worldBoxes(pose))
        }

        for o in objects {
            var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.object.rawValue, UInt64(layout), stableHash(o.name)])
            let parts = o.template.sampleParts(rng: &rng)
            let yaw = radians(rng.sample(o.template.yawDeg))
            let (pitch, roll) = (radians(rng.sample(o.template.pitchDeg)), radians(rng.sample(o.template.rollDeg)))
            let pose = Mat4.pose(position: rng.sample(o.position), yaw: yaw, pitch: pitch, roll: roll)
            out.emit(o.name, parts, pose, classID: o.template.classID, isStuff: o.template.isStuff)
            out.world.insert(PlaceableObject(parts: parts).worldBoxes(pose))
        }

        for g in groups {
            var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.group.rawValue, UInt64(layout), stableHash(g.name)])
            let count = rng.sample(g.count)
            var grid = SpacingGrid(spacing: g.minSpacing)
            for k in 0..<count {
                let object = PlaceableObject(parts: g.template.sampleParts(rng: &rng))
                var rejected = (spacing: 0, collision: 0, fit: 0)
                var placed: (pose: Mat4, boxes: [OrientedBox])?
                if case .support(let support) = g.placement {
                    let tilt = (g.template.pitchDeg, g.template.rollDeg, g.template.yawDeg)
                    for _ in 0..<Self.maxPlacementAttempts {
                        guard let c = support.candidate(object, tilt: tilt, world: out.world, rng: &rng) else {
                            rejected.fit += 1
                            continue
                        }
                        let t = c.worldFromObject.translation
                        guard grid.accepts(t.x, t.y) else {
                            rejected.spacing += 1
                            continue
                        }
                        grid.insert(t.x, t.y)
                        placed = (c.worldFromObject, c.boxes)
                        break
                    }
                } else {
                    // Road and rectangle placements draw as they always have; the collision test is extra.
                    let yawOffset = radians(rng.sample(g.template.yawDeg))
                    let (pitch, roll) = (
                        radians(rng.sample(g.template.pitchDeg)), radians(rng.sample(g.template.rollDeg))
                    )
                    for _ in 0..<Self.maxPlacementAttempts {
                        let (position, heading) = samplePosition(
                            g.placement, parts: object.parts, yawOffset: yawOffset, rng: &rng)
                        guard grid.accepts(position.x, position.y) else {
                            rejected.spacing += 1
                            continue
                        }
                        let pose = Mat4.pose(position: position, yaw: heading + yawOffset, pitch: pitch, roll: roll)
                        let boxes = object.worldBoxes(pose)
                        guard !out.world.collides(boxes) else {
                            rejected.collision += 1
                            continue
                        }
                        grid.insert(position.x, position.y)
                        placed = (pose, boxes)
                        break
                    }
                }
                guard let (pose, boxes) = placed else {
                    throw FrameSamplingError(
                        frameIndex: frameIndex, seed: seed, location: g.location,
                        message: placementFailure(g, k, count, rejected))
                }
                out.world.insert(boxes)
                out.emit("\(g.name)_\(k)", object.parts, pose, classID: g.template.classID, isStuff: g.template.isStuff)
            }
        }
        return (out.surfaces, out.instances)
    }

    /// Why a group gave up, from the count of each kind of rejected candidate.
    private func placementFailure(
        _ g: GroupDescription, _ k: Int, _ count: Int, _ r: (spacing: Int, collision: Int, fit: Int)
    ) -> String {
        var reasons: [String] = []
        if r.spacing > 0 {
            reasons.append("\(r.spacing) closer than `min_spacing` (\(format(g.minSpacing)) m) to another")
        }
        if r.collision > 0 { reasons.append("\(r.collision) interpenetrating something placed before") }
        if r.fit > 0 {
            reasons.append(
                "\(r.fit) not fitting (too large for the area drawn, above a shelf's clearance or a bin's rim, unsupported, or interpenetrating)"
            )
        }
        return
            "group `\(g.name)` could not place object \(k + 1) of \(count) in \(Self.maxPlacementAttempts) attempts (\(reasons.joined(separator: "; "))); lower `count` or `min_spacing`, or enlarge the placement region"
    }

    /// A candidate position (bottom centre) and the placement's base heading (radians).
    private func samplePosition(
        _ placement: Placement, parts: [SampledPart], yawOffset: Double, rng: inout Xoshiro256StarStar
    ) -> (Vec3, Double) {
        switch placement {
        case .region(let x0, let x1, let y0, let y1, let z):
            let x = rng.uniform(x0, x1), y = rng.uniform(y0, y1)
            return (Vec3(x, y, rng.sample(z)), 0)
        case .support:
            preconditionFailure("support placements are sampled by SupportPlacement.candidate")
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

/// The surfaces and instances of a layout as they are emitted, and the boxes placed so far.
struct LayoutBuilder {
    let classes: [SemanticClass]
    var surfaces: [Surface] = []
    var instances: [InstanceSpec] = []
    var world = CollisionWorld()
    private var nextInstance = 1

    init(classes: [SemanticClass]) { self.classes = classes }

    /// Adds an object's parts. Stuff gets instance 0; a thing gets one instance per class among its
    /// parts (its own class first, named `name`; others named `name.class`), each with the box of
    /// its own parts.
    mutating func emit(_ name: String, _ parts: [SampledPart], _ worldFromObject: Mat4, classID: Int, isStuff: Bool) {
        var order: [Int] = []
        for p in parts where !order.contains(p.classID ?? classID) { order.append(p.classID ?? classID) }
        if let own = order.firstIndex(of: classID), own > 0 { order.swapAt(0, own) }
        var ids: [Int: Int] = [:]
        if !isStuff {
            for c in order {
                let members = parts.filter { ($0.classID ?? classID) == c }
                let box = InstanceSpec.bounds(of: members.map { ($0.shape, $0.objectFromPart) })
                let label = c == classID ? name : "\(name).\(classes.first { $0.id == c }?.name ?? String(c))"
                instances.append(
                    InstanceSpec(
                        instanceID: nextInstance, classID: c, name: label, worldFromObject: worldFromObject,
                        boxMin: box.min, boxMax: box.max))
                ids[c] = nextInstance
                nextInstance += 1
            }
        }
        for p in parts {
            let c = p.classID ?? classID
            surfaces.append(
                Surface(
                    name: p.name.isEmpty ? name : "\(name)/\(p.name)", shape: p.shape,
                    worldFromObject: worldFromObject * p.objectFromPart, color: p.color, classID: c,
                    instanceID: ids[c] ?? 0, finish: p.finish))
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

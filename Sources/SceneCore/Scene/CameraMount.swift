import Yams

// `camera.mount`: the camera rides along the road (in a lane) or along a robot's path. Where it starts
// is drawn once per layout from its own stream; it then moves at `speed` with the motion time, and its
// heading follows the path. `camera.yaw_deg`, `pitch_deg` and `roll_deg` are taken relative to the
// direction of travel, and `camera.jitter` applies on top, frame by frame.

/// The camera's mount on a path.
public struct CameraMount: Hashable, Sendable {
    public var path: RoadPath
    /// Left of the path (metres): a lane's centre plus `offset`.
    public var lateral: Double
    /// +1: travelling along the path; -1: against it (a lane whose traffic runs the other way).
    public var direction: Double
    /// Distance along the path at motion time 0, drawn once per layout.
    public var s: RandomValue
    /// Camera height above the ground (metres).
    public var height: Double
    /// Metres per second along the path.
    public var speed: Double

    /// The camera centre and heading (radians) at motion time `t` for a start `s0`.
    func pose(s0: Double, t: Double) -> (eye: Vec3, heading: Double) {
        let p = path.pose(s: s0 + direction * speed * t, lateral: lateral)
        return (p.point + Vec3(0, 0, height), p.heading + (direction < 0 ? Double.pi : 0))
    }
}

extension SceneParser {
    static let mountKeys = ["along", "path", "road", "lane", "offset", "s", "height", "speed"]

    /// Reads `camera.mount` once the road and environment are known; reports camera fields that a
    /// mount replaces (`position`, `look_at`, `motion.velocity`).
    func parseCameraMount(_ camera: Node, road: RoadDescription?, environment: EnvironmentDescription?) -> CameraMount??
    {
        guard case .mapping(let cm) = camera, let node = cm["mount"] else { return .some(nil) }
        let path = "camera.mount"
        guard let f = read.fields(node, path, allowed: Self.mountKeys) else { return .none }
        var ok = true
        for key in ["position", "look_at"] where cm[key] != nil {
            read.report(
                cm[key] ?? camera, "camera.\(key)",
                "`\(key)` does not apply with `mount` (the mount places the camera; `yaw_deg`/`pitch_deg` turn it relative to the path)"
            )
            ok = false
        }
        if case .mapping(let motion)? = cm["motion"], let v = motion["velocity"] {
            read.report(v, "camera.motion.velocity", "`velocity` does not apply with `mount` (use `mount.speed`)")
            ok = false
        }
        guard let alongNode = f.required("along", "road or path"),
            let along = read.choice(alongNode, f.path("along"), ["road", "path"])
        else { return .none }
        let offset = f["offset"].map { read.number($0, f.path("offset")) } ?? 0
        let s = f["s"].map { read.random($0, f.path("s")) } ?? .fixed(0)
        let height = f["height"].map { read.number($0, f.path("height"), .positive) } ?? 1.5
        let speed = f["speed"].map { read.number($0, f.path("speed"), .nonNegative) } ?? 0
        guard ok, let offset, let s, let height, let speed else { return .none }

        if along == "path" {
            for key in ["road", "lane"] where f.has(key) {
                collector.report(f.keyMark(key), f.path(key), "`\(key)` applies only with `along: road`")
                ok = false
            }
            guard ok, let n = f.required("path", "a list of [x, y] points"),
                let items = read.list(n, f.path("path"), of: "[x, y] points")
            else { return .none }
            let points = items.enumerated().compactMap { i, item in
                read.tuple(item, f.path("path") + "[\(i)]", count: 2, what: "[x, y] in metres") { read.number($0, $1) }
                    .map { Vec3($0[0], $0[1], 0) }
            }
            guard points.count == items.count else { return .none }
            guard points.count >= 2 else {
                read.report(n, f.path("path"), "expected at least two points, found \(points.count)")
                return .none
            }
            for (i, (a, b)) in zip(points, points.dropFirst()).enumerated() where (b - a).length < 1e-9 {
                read.report(
                    items[i + 1], f.path("path") + "[\(i + 1)]", "expected a point different from the one before it")
                return .none
            }
            return .some(
                CameraMount(path: .polyline(points), lateral: offset, direction: 1, s: s, height: height, speed: speed))
        }

        if f.has("path") {
            collector.report(f.keyMark("path"), f.path("path"), "`path` applies only with `along: path`")
            return .none
        }
        let cross: RoadCrossSection, roadPath: RoadPath
        if let road {
            (cross, roadPath) = (road.crossSection, road.path)
        } else {
            switch environment?.road {
            case .curved(let c)?: (cross, roadPath) = (c.road, c.path)
            case .parkingLot(let p)?: (cross, roadPath) = (p.aisleRoad, p.aislePath)
            case .intersection(let x)?:
                var main = true
                if let n = f["road"] {
                    guard let v = read.choice(n, f.path("road"), ["main", "cross"]) else { return .none }
                    main = v == "main"
                }
                (cross, roadPath) = main ? (x.main, x.mainPath) : (x.cross, x.crossPath)
            case nil:
                read.report(
                    alongNode, f.path("along"), "`along: road` needs a road (`road` or `environment.road`), found none")
                return .none
            }
        }
        if f.has("road"), case .intersection? = environment?.road {
        } else if f.has("road") {
            collector.report(f.keyMark("road"), f.path("road"), "`road` chooses between an intersection's roads")
            return .none
        }
        let lane = f["lane"].map { read.integer($0, f.path("lane"), min: 0, max: cross.lanes - 1) } ?? 0
        guard let lane else { return .none }
        return .some(
            CameraMount(
                path: roadPath, lateral: cross.laneOffset(lane) + offset,
                direction: cross.laneIsReversed(lane) ? -1 : 1,
                s: s, height: height, speed: speed))
    }
}

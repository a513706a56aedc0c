import Yams

// The camera rig of a scene file: `camera.name` and the top-level `cameras` list
// (docs/SCENE_FORMAT.md, "Several cameras"). The `camera` block itself is read by `parseCamera`;
// this reads what the rig adds to it.
//
//   camera: {name: left, resolution: [1242, 375], ...}     the primary camera, which moves
//   cameras:
//     - {name: right, offset: [0, -0.54, 0]}                mounted on it (see RigCamera.swift)

extension SceneParser {
    static let rigCameraKeys = [
        "name", "offset", "yaw_deg", "pitch_deg", "roll_deg", "resolution", "fov_deg", "intrinsics", "near",
    ]
    /// Camera names become folder names: short, lowercase, no separators.
    static let maxCameraNameLength = 64

    /// The primary camera's name (`camera.name`) and the cameras of the `cameras` list, each
    /// checked; names are unique over the whole rig. `primary` is nil when the `camera` block had
    /// mistakes (already reported): what depends on it is then not checked.
    func parseCameraRig(_ top: Fields, primary: CameraDescription?) -> CameraRig {
        var rig = CameraRig()
        var primaryNamed = false
        if let cameraNode = top["camera"], let nameNode = Self.value(of: "name", in: cameraNode),
            let name = cameraName(nameNode, "camera.name")
        {
            rig.primaryName = name
            primaryNamed = true
        }
        guard let node = top["cameras"], let items = read.list(node, "cameras", of: "cameras {name, offset, ...}")
        else { return rig }
        var seen: [String: String] = [rig.primaryName: "camera.name"]
        for (i, item) in items.enumerated() {
            let path = "cameras[\(i)]"
            guard let camera = parseRigCamera(item, path, primary: primary) else { continue }
            if let first = seen[camera.name] {
                let other =
                    first == "camera.name" && !primaryNamed
                    ? "the primary camera's default name; give `camera` a `name:`" : first
                collector.report(
                    Self.value(of: "name", in: item)?.mark, join(path, "name"),
                    "duplicate camera name `\(camera.name)` (also \(other)); camera names must be unique")
                continue
            }
            seen[camera.name] = join(path, "name")
            rig.cameras.append(camera)
        }
        return rig
    }

    /// One entry of `cameras`.
    func parseRigCamera(_ node: Node, _ path: String, primary: CameraDescription?) -> RigCamera? {
        guard let f = read.fields(node, path, allowed: Self.rigCameraKeys) else { return nil }
        let name = f.required("name", "a camera name such as `right`").flatMap { cameraName($0, f.path("name")) }
        let offset = f["offset"].map { read.vec3($0, f.path("offset")) } ?? .zero
        let yaw = f["yaw_deg"].map { read.number($0, f.path("yaw_deg")) } ?? 0
        let pitch = f["pitch_deg"].map { read.number($0, f.path("pitch_deg"), .closed(-90, 90)) } ?? 0
        let roll = f["roll_deg"].map { read.number($0, f.path("roll_deg")) } ?? 0
        let near = f["near"].map { read.number($0, f.path("near"), .positive) } ?? primary?.near

        var size: (width: Int, height: Int)?
        if let n = f["resolution"] {
            size = read.tuple(n, f.path("resolution"), count: 2, what: "[width, height] in pixels") {
                read.integer($0, $1, min: 1, max: 16384)
            }.map { ($0[0], $0[1]) }
            guard size != nil else { return nil }
        } else if let primary {
            size = (primary.width, primary.height)
        }
        guard let size else { return nil }
        let lens = rigLens(f, width: size.width, height: size.height, primary: primary)

        guard let name, let offset, let yaw, let pitch, let roll, let near, let lens else { return nil }
        return RigCamera(
            name: name, offset: offset, yawDeg: yaw, pitchDeg: pitch, rollDeg: roll, width: size.width,
            height: size.height, lens: lens, near: near)
    }

    /// `fov_deg` or `intrinsics` of a rig camera, or the primary camera's lens. The primary's
    /// explicit intrinsics carry over only to a camera of the same size: pixels of another size
    /// need their own focal lengths and principal point.
    private func rigLens(_ f: Fields, width: Int, height: Int, primary: CameraDescription?) -> CameraLens? {
        if let fovNode = f["fov_deg"] {
            if f.has("intrinsics") {
                collector.report(
                    f.keyMark("intrinsics"), f.path("intrinsics"), "give either `fov_deg` or `intrinsics`, not both")
                return nil
            }
            return read.number(fovNode, f.path("fov_deg"), .open(0, 180)).map { .horizontalFOV(degrees: $0) }
        }
        if let kNode = f["intrinsics"] {
            let path = f.path("intrinsics")
            guard let k = read.fields(kNode, path, allowed: ["fx", "fy", "cx", "cy"]) else { return nil }
            let fx = k.required("fx", "focal length in pixels").flatMap { read.number($0, k.path("fx"), .positive) }
            let fy = k.required("fy", "focal length in pixels").flatMap { read.number($0, k.path("fy"), .positive) }
            let cx = k["cx"].map { read.number($0, k.path("cx")) } ?? Double(width - 1) / 2
            let cy = k["cy"].map { read.number($0, k.path("cy")) } ?? Double(height - 1) / 2
            guard let fx, let fy, let cx, let cy else { return nil }
            return .intrinsics(fx: fx, fy: fy, cx: cx, cy: cy)
        }
        guard let primary else { return nil }
        if case .intrinsics = primary.lens, width != primary.width || height != primary.height,
            let n = f["resolution"]
        {
            read.report(
                n, f.path("resolution"),
                "this camera is \(width)x\(height) and the primary camera (\(primary.width)x\(primary.height)) "
                    + "gives explicit `intrinsics`, which do not carry over to another size; "
                    + "give this camera its own `fov_deg` or `intrinsics`")
            return nil
        }
        return primary.lens
    }

    /// A camera name: it names the camera's folder in a multi-camera dataset.
    func cameraName(_ node: Node, _ path: String) -> String? {
        guard let name = read.string(node, path) else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        guard !name.isEmpty, name.count <= Self.maxCameraNameLength, name.allSatisfy({ allowed.contains($0) }) else {
            read.report(
                node, path,
                "expected a camera name of 1 to \(Self.maxCameraNameLength) lowercase letters, digits, `_` or `-` "
                    + "(it names the camera's folder in the dataset), found \"\(name)\"")
            return nil
        }
        return name
    }

    /// The value of `key` in a mapping node, without reporting anything (the mapping's own
    /// reader reports its mistakes).
    static func value(of key: String, in node: Node) -> Node? {
        guard case .mapping(let m) = node else { return nil }
        for (k, v) in m {
            if case .scalar(let s) = k, s.string == key { return v }
        }
        return nil
    }
}

import Foundation
import Yams

/// Reads a scene file (YAML, or JSON, which is YAML too) into a validated `SceneDescription`.
///
/// Every problem in the file is collected and thrown together as one `SceneLoadError`, each issue
/// with its file, line, column and field path, so one run shows everything to fix.
public enum SceneLoader {
    /// The format version this build reads (`format:` in the file).
    public static let formatVersion = 1
    /// The 16-bit instance map bounds the number of instances per frame.
    public static let maxInstances = 65535

    /// Loads the scene file at `path`, with the files it extends or includes (inside its directory)
    /// and the asset library in `SceneFiles.defaultLibraryRoots()`. `description.bundle` holds every
    /// file read.
    public static func load(path: String) throws -> SceneDescription {
        try load(files: SceneFiles(scenePath: path))
    }

    /// Loads a scene from text; `file` names it in issues. It is a bundle of one file, so it may not
    /// extend or include other files.
    public static func load(yaml: String, file: String) throws -> SceneDescription {
        try load(files: SceneFiles(bundle: SceneBundle(yaml: yaml, file: file), displayName: file))
    }

    /// Loads a scene from its files: on disk, or a bundle received from a coordinator. Every file read
    /// (the scene file, the files it extends or includes, its assets) ends up in `description.bundle`,
    /// which loads to the same scene anywhere.
    /// `assets` imports the asset files the scene names (`AssetImporter.load` unless a test swaps it).
    public static func load(files: SceneFiles, assets: AssetLoader = AssetLoader()) throws -> SceneDescription {
        let sources = SourceMap(rootDisplayName: files.rootDisplayName)
        let collector = IssueCollector(sources: sources)
        var composer = SceneComposer(files: files, sources: sources, collector: collector)
        guard let root = composer.composeScene() else { throw SceneLoadError(issues: collector.sortedIssues) }
        var parser = SceneParser(collector: collector, file: files.rootDisplayName, files: files)
        parser.assetTable = SceneAssetTable(loader: assets)
        let description = parser.parseScene(root)
        if let description, collector.issues.isEmpty {
            SceneParser.checkPlacements(description, collector)
        }
        guard var description, collector.issues.isEmpty else {
            throw SceneLoadError(issues: collector.sortedIssues)
        }
        description.bundle = files.bundle
        return description
    }
}

/// Walks the composed tree section by section. Sections are independent, so a mistake in one does
/// not hide mistakes in the next; class references are resolved against the class table, which is
/// read first whatever its position in the file.
struct SceneParser {
    let collector: IssueCollector
    let file: String
    let read: FieldReader
    /// Where the scene's files come from. A path written in the file is relative to the file its node
    /// was written in: `files.read(path, from: fileKey(of: node))`.
    let files: SceneFiles
    var classes: [SemanticClass] = []
    var assetTable = SceneAssetTable(loader: AssetLoader())

    init(collector: IssueCollector, file: String, files: SceneFiles) {
        self.collector = collector
        self.file = file
        self.files = files
        self.read = FieldReader(collector: collector)
    }

    /// The key in `files` of the file a node was written in (the scene file, or one it extends or
    /// includes).
    func fileKey(of node: Node) -> String { collector.sources.key(of: node.mark) ?? files.rootKey }

    static let topLevelKeys =
        [
            "format", "name", "seed", "frames", "resample_every", "classes", "camera", "lighting", "ground", "road",
            "objects", "groups", "weather", "sweep", "cameras", "assets", "environment",
        ] + SceneComposer.consumedKeys

    mutating func parseScene(_ root: Node) -> SceneDescription? {
        guard let top = read.fields(root, "", allowed: Self.topLevelKeys) else { return nil }

        // The version decides how to read the rest: stop early on one we do not know.
        guard let formatNode = top.required("format", "the format version, `format: \(SceneLoader.formatVersion)`"),
            let version = read.integer(formatNode, "format", min: 1)
        else { return nil }
        guard version == SceneLoader.formatVersion else {
            read.report(
                formatNode, "format",
                "unsupported format version \(version); this build reads format \(SceneLoader.formatVersion)")
            return nil
        }

        let name = top["name"].flatMap { read.string($0, "name") } ?? defaultName()
        let seed = top["seed"].flatMap { read.integer($0, "seed", min: 0) }.map { UInt64($0) } ?? 0
        let frames = top["frames"].flatMap { read.integer($0, "frames", min: 1) } ?? 1
        let resampleEvery = top["resample_every"].flatMap { read.integer($0, "resample_every", min: 1) }

        if let node = top.required("classes", "a list of {id, name, color}") { classes = parseClasses(node) }
        let camera = top.required("camera", "a mapping with at least `resolution`").flatMap { parseCamera($0) }
        let rig = parseCameraRig(top, primary: camera)
        var weather = top["weather"].flatMap { parseWeather($0) }
        var lighting = parseLighting(
            top["lighting"], hasWeather: top.has("weather") || Self.sweepsWeather(top["sweep"]))
        let sweep = parseSweep(top, weather: &weather, lighting: &lighting)
        let ground = top["ground"].flatMap { parseGround($0) }
        var road = top["road"].flatMap { parseRoad($0) }
        if let n = top["assets"] { parseAssets(n) }
        let environment = top["environment"].flatMap { parseEnvironment($0, topRoad: top["road"]) }
        road = road ?? environment?.1

        var objects: [ObjectDescription] = []
        if let node = top["objects"], let items = read.list(node, "objects", of: "objects") {
            for (i, item) in items.enumerated() {
                if let o = parseObject(item, "objects[\(i)]", index: i) { objects.append(o) }
            }
        }
        var groups: [GroupDescription] = []
        if let node = top["groups"], let items = read.list(node, "groups", of: "groups") {
            var seenNames: [String: Int] = [:]
            for (i, item) in items.enumerated() {
                guard let g = parseGroup(item, "groups[\(i)]", index: i, road: road, environment: environment?.0)
                else { continue }
                if let first = seenNames[g.name] {
                    collector.report(
                        item.mark, "groups[\(i)].name",
                        "duplicate group name `\(g.name)` (also groups[\(first)]); group names must be unique")
                }
                seenNames[g.name] = i
                groups.append(g)
            }
            checkInstanceBudget(objects: objects, groups: groups, items: items, environment: environment?.0)
        }

        let mount = top["camera"].flatMap { parseCameraMount($0, road: road, environment: environment?.0) }
        guard let camera, let lighting, let mount else { return nil }
        return SceneDescription(
            file: file, formatVersion: version, name: name, seed: seed, frameCount: frames,
            resampleEvery: resampleEvery, classes: classes, camera: camera, lighting: lighting, ground: ground,
            road: road, objects: objects, groups: groups, weather: weather, rig: rig, sweep: sweep,
            environment: environment?.0, cameraMount: mount)
    }

    private func defaultName() -> String {
        let base = (file as NSString).lastPathComponent
        return (base as NSString).deletingPathExtension.isEmpty ? "scene" : (base as NSString).deletingPathExtension
    }

    // MARK: classes

    mutating func parseClasses(_ node: Node) -> [SemanticClass] {
        guard let items = read.list(node, "classes", of: "classes {id, name, color}") else { return [] }
        if items.isEmpty { read.report(node, "classes", "expected at least one class, found an empty list") }
        var out: [SemanticClass] = []
        var byID: [Int: (String, Int)] = [:], byName: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "classes[\(i)]"
            guard let f = read.fields(item, path, allowed: ["id", "name", "color"]) else { continue }
            var id: Int?
            if let n = f.required("id", "a whole number from 1 to 255") {
                if n.tagName == .int, n.int == 0 {
                    read.report(
                        n, f.path("id"), "class id 0 is reserved for background/unlabelled; expected 1 to 255, found 0")
                } else {
                    id = read.integer(n, f.path("id"), min: 1, max: 255)
                }
            }
            var name: String?
            if let n = f.required("name", "a string") {
                name = read.string(n, f.path("name"))
                if name?.isEmpty == true {
                    read.report(n, f.path("name"), "expected a non-empty class name, found \"\"")
                    name = nil
                }
            }
            let color = f["color"].flatMap { read.srgb($0, f.path("color")) }
            if let id, let first = byID[id] {
                read.report(
                    f["id"]!, f.path("id"),
                    "duplicate class id \(id): already used by `\(first.0)` (classes[\(first.1)])")
                continue
            }
            if let name, let first = byName[name] {
                read.report(f["name"]!, f.path("name"), "duplicate class name `\(name)`: already classes[\(first)]")
                continue
            }
            guard let id, let name else { continue }
            byID[id] = (name, i)
            byName[name] = i
            out.append(SemanticClass(id: id, name: name, color: color ?? Self.defaultClassColor(id)))
        }
        return out
    }

    /// A stable, well-spread display color for classes that give none.
    static func defaultClassColor(_ id: Int) -> [Int] {
        var h = UInt64(id) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return [Int(h & 0xFF) | 0x40, Int((h >> 8) & 0xFF) | 0x40, Int((h >> 16) & 0xFF) | 0x40]
    }

    /// Resolves `class: name`, with a suggestion for a misspelt name.
    func classRef(_ node: Node, _ path: String) -> Int? {
        guard let name = read.string(node, path) else { return nil }
        if let c = classes.first(where: { $0.name == name }) { return c.id }
        let names = classes.map(\.name)
        read.report(
            node, path, "unknown class `\(name)`\(didYouMean(name, names)) (classes: \(names.joined(separator: ", ")))")
        return nil
    }

    func classColor(_ id: Int) -> RGB {
        classes.first { $0.id == id }.map { linearRGB($0.color) } ?? Vec3(0.5, 0.5, 0.5)
    }

    // MARK: camera

    static let cameraKeys = [
        "resolution", "fov_deg", "intrinsics", "near", "position", "look_at", "yaw_deg", "pitch_deg", "roll_deg",
        "motion", "jitter", "name", "mount",
    ]

    func parseCamera(_ node: Node) -> CameraDescription? {
        guard let f = read.fields(node, "camera", allowed: Self.cameraKeys) else { return nil }
        var ok = true
        var width = 0, height = 0
        if let n = f.required("resolution", "[width, height] in pixels"),
            let r = read.tuple(
                n, f.path("resolution"), count: 2, what: "[width, height] in pixels",
                {
                    read.integer($0, $1, min: 1, max: 16384)
                })
        {
            width = r[0]
            height = r[1]
        } else {
            ok = false
        }

        var lens = CameraLens.horizontalFOV(degrees: 70)
        if let fovNode = f["fov_deg"] {
            if let fov = read.number(fovNode, f.path("fov_deg"), .open(0, 180)) {
                lens = .horizontalFOV(degrees: fov)
            } else {
                ok = false
            }
            if f.has("intrinsics") {
                collector.report(
                    f.keyMark("intrinsics"), f.path("intrinsics"), "give either `fov_deg` or `intrinsics`, not both")
                ok = false
            }
        } else if let kNode = f["intrinsics"] {
            let path = f.path("intrinsics")
            if let k = read.fields(kNode, path, allowed: ["fx", "fy", "cx", "cy"]) {
                let fx = k.required("fx", "focal length in pixels").flatMap { read.number($0, k.path("fx"), .positive) }
                let fy = k.required("fy", "focal length in pixels").flatMap { read.number($0, k.path("fy"), .positive) }
                let cx = k["cx"].map { read.number($0, k.path("cx")) } ?? Double(width - 1) / 2
                let cy = k["cy"].map { read.number($0, k.path("cy")) } ?? Double(height - 1) / 2
                if let fx, let fy, let cx, let cy {
                    lens = .intrinsics(fx: fx, fy: fy, cx: cx, cy: cy)
                } else {
                    ok = false
                }
            } else {
                ok = false
            }
        }
        let near = f["near"].map { read.number($0, f.path("near"), .positive) } ?? 0.1
        let position = f["position"].map { read.vec3($0, f.path("position")) } ?? Vec3(0, 0, 1.5)

        var yaw = f["yaw_deg"].map { read.number($0, f.path("yaw_deg")) } ?? 0
        var pitch = f["pitch_deg"].map { read.number($0, f.path("pitch_deg"), .closed(-90, 90)) } ?? 0
        let roll = f["roll_deg"].map { read.number($0, f.path("roll_deg")) } ?? 0
        if let lookNode = f["look_at"] {
            for key in ["yaw_deg", "pitch_deg"] where f.has(key) {
                collector.report(
                    f.keyMark(key), f.path(key), "give either `look_at` or `yaw_deg`/`pitch_deg`, not both")
                ok = false
            }
            if let target = read.vec3(lookNode, f.path("look_at")), let eye = position {
                let d = target - eye
                if d.length < 1e-9 {
                    read.report(
                        lookNode, f.path("look_at"),
                        "expected a point other than the camera position, found the position itself")
                    ok = false
                } else {
                    yaw = atan2(d.y, d.x) * 180 / .pi
                    pitch = atan2(d.z, (d.x * d.x + d.y * d.y).squareRoot()) * 180 / .pi
                }
            } else {
                ok = false
            }
        }

        var velocity = Vec3.zero, fps: Double? = 10
        if let m = f["motion"].flatMap({ read.fields($0, f.path("motion"), allowed: ["velocity", "fps"]) }) {
            velocity = m["velocity"].flatMap { read.vec3($0, m.path("velocity")) } ?? .zero
            fps = m["fps"].map { read.number($0, m.path("fps"), .positive) } ?? 10
        }
        var jitter = CameraJitter()
        if let j = f["jitter"].flatMap({
            read.fields($0, f.path("jitter"), allowed: ["yaw_deg", "pitch_deg", "roll_deg", "height"])
        }) {
            jitter.yawDeg = j["yaw_deg"].flatMap { read.jitter($0, j.path("yaw_deg")) } ?? .fixed(0)
            jitter.pitchDeg = j["pitch_deg"].flatMap { read.jitter($0, j.path("pitch_deg")) } ?? .fixed(0)
            jitter.rollDeg = j["roll_deg"].flatMap { read.jitter($0, j.path("roll_deg")) } ?? .fixed(0)
            jitter.height = j["height"].flatMap { read.jitter($0, j.path("height")) } ?? .fixed(0)
        }
        guard ok, let near, let position, let yaw, let pitch, let roll, let fps else { return nil }
        return CameraDescription(
            width: width, height: height, lens: lens, near: near, position: position, yawDeg: yaw, pitchDeg: pitch,
            rollDeg: roll, velocity: velocity, fps: fps, jitter: jitter)
    }

    // MARK: ground, road

    func parseGround(_ node: Node) -> GroundDescription? {
        guard let f = read.fields(node, "ground", allowed: ["class", "color", "size", "center"]) else { return nil }
        let classID = f.required("class", "a class name").flatMap { classRef($0, f.path("class")) }
        let color = f["color"].map { read.color($0, f.path("color")) } ?? linearRGB([96, 110, 74])
        let size =
            f["size"].map {
                read.tuple($0, f.path("size"), count: 2, what: "[x, y] in metres") { read.number($0, $1, .positive) }
            } ?? [1000, 1000]
        let center =
            f["center"].map {
                read.tuple($0, f.path("center"), count: 2, what: "[x, y] in metres") { read.number($0, $1) }
            } ?? [0, 0]
        guard let classID, let color, let size, let center else { return nil }
        return GroundDescription(
            classID: classID, color: color, sizeX: size[0], sizeY: size[1], centerX: center[0], centerY: center[1])
    }

    func parseRoad(_ node: Node) -> RoadDescription? {
        let keys = ["class", "color", "width", "lanes", "length", "start_x", "markings", "sidewalk"]
        guard let f = read.fields(node, "road", allowed: keys) else { return nil }
        let classID = f.required("class", "a class name").flatMap { classRef($0, f.path("class")) }
        let color = f["color"].map { read.color($0, f.path("color")) } ?? linearRGB([72, 72, 76])
        let width = f["width"].map { read.number($0, f.path("width"), .positive) } ?? 7
        let lanes = f["lanes"].map { read.integer($0, f.path("lanes"), min: 1, max: 16) } ?? 2
        let length = f["length"].map { read.number($0, f.path("length"), .positive) } ?? 300
        let startX = f["start_x"].map { read.number($0, f.path("start_x")) } ?? -50

        var markings: MarkingsDescription?? = .some(nil)
        if let classID {
            markings = parseMarkingsBlock(
                f["markings"], f.path("markings"), roadClass: classID,
                laneWidth: width.flatMap { w in lanes.map { w / Double($0) } })
        }
        var sidewalk: SidewalkDescription?? = .some(nil)
        if let s = f["sidewalk"] { sidewalk = parseSidewalkBlock(s, f.path("sidewalk")).map { .some($0) } ?? .none }

        guard let classID, let color, let width, let lanes, let length, let startX, let markings, let sidewalk else {
            return nil
        }
        return RoadDescription(
            classID: classID, color: color, width: width, lanes: lanes, startX: startX, length: length,
            markings: markings, sidewalk: sidewalk)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

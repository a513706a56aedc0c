import Yams

// Objects, groups, their models and placements.

extension SceneParser {
    static let modelKeys = ["shape", "size", "radius", "height", "parts", "asset"]
    static let templateKeys =
        [
            "name", "class", "color", "colors", "yaw_deg", "pitch_deg", "roll_deg", "scale", "roughness", "metallic",
            "stuff",
        ]
        + modelKeys
    static let objectKeys = templateKeys + ["position"]
    static let groupKeys = templateKeys + ["count", "placement", "min_spacing"]
    static let partKeys = [
        "shape", "size", "radius", "height", "offset", "yaw_deg", "pitch_deg", "roll_deg", "color", "colors",
    ]
    static let primitiveShapes = ["box", "cylinder", "sphere", "plane"]
    static var allShapes: [String] { primitiveShapes + BuiltInModel.allCases.map(\.rawValue) }

    func parseObject(_ node: Node, _ path: String, index: Int) -> ObjectDescription? {
        guard let f = read.fields(node, path, allowed: Self.objectKeys) else { return nil }
        let name = f["name"].map { read.string($0, f.path("name")) } ?? "object_\(index)"
        let template = parseTemplate(f)
        let position = f.required("position", "[x, y, z] in metres").flatMap { read.randomVec3($0, f.path("position")) }
        guard let name, let template, let position else { return nil }
        return ObjectDescription(
            name: name, template: template, position: position, location: collector.location(node.mark, path))
    }

    func parseGroup(
        _ node: Node, _ path: String, index: Int, road: RoadDescription?, environment: EnvironmentDescription? = nil
    ) -> GroupDescription? {
        guard let f = read.fields(node, path, allowed: Self.groupKeys) else { return nil }
        let name = f["name"].map { read.string($0, f.path("name")) } ?? "group_\(index)"
        let template = parseTemplate(f)
        let count = f.required("count", "a whole number, a range [min, max] or a distribution").flatMap {
            read.count($0, f.path("count"))
        }
        let minSpacing = f["min_spacing"].map { read.number($0, f.path("min_spacing"), .nonNegative) } ?? 0
        let placement = f.required("placement", "{region: ...}, a rectangle {x, y} or {along_road: ...}").flatMap {
            parsePlacement($0, f.path("placement"), road: road, environment: environment)
        }
        guard let name, let template, let count, let minSpacing, let placement else { return nil }
        let countNode = f["count"] ?? node
        let group = GroupDescription(
            name: name, template: template, count: count, placement: placement, minSpacing: minSpacing,
            location: collector.location(countNode.mark, f.path("count")))

        if case .support(let support) = placement, !checkCapacity(group, support, f) { return nil }
        let k = (template.scale.lowerBound, template.scale.upperBound)
        if case .region(let x0, let x1, let y0, let y1, _) = placement, template.model.isSinglePrimitive,
            template.pitchDeg == .fixed(0), template.rollDeg == .fixed(0), let box = template.model.minimumBox,
            let most = template.model.maximumBox, k.0.isFinite, k.1.isFinite, k.0 > 0
        {
            // Solid primitives cannot share ground: their footprints must fit where their centres may
            // fall, grown by their largest reach.
            let reach = (most.x * most.x + most.y * most.y).squareRoot() * k.1
            let room = (x1 - x0 + reach) * (y1 - y0 + reach)
            let need = Double(count.max) * box.x * box.y * k.0 * k.0
            if need > room {
                read.report(
                    countNode, f.path("count"),
                    "group `\(name)` asks for up to \(count.max) objects of at least \(format(box.x * box.y * k.0 * k.0)) m² each, but its region holds \(format(room)) m²; lower `count` or enlarge the region"
                )
                return nil
            }
        }
        // The impossible at a glance: more objects than could ever sit `min_spacing` apart in the region.
        if minSpacing > 0 {
            let capacity = Self.placementCapacity(group, road: road)
            if count.max > capacity {
                read.report(
                    countNode, f.path("count"),
                    "group `\(name)` asks for up to \(count.max) objects at least \(format(minSpacing)) m apart, but its placement region holds at most \(capacity); lower `count` or `min_spacing`, or enlarge the region"
                )
                return nil
            }
        }
        return group
    }

    /// Reads class, colors, pose distributions, scale, finish, stuff and the model.
    func parseTemplate(_ f: Fields) -> ObjectTemplate? {
        let entry: AssetEntry?? = f["asset"].map { assetReference($0, f.path("asset")) }
        var classID: Int?
        if let n = f["class"] {
            classID = classRef(n, f.path("class"))
        } else if let entry {
            classID = entry.flatMap { assetClass($0) }
            if let entry, classID == nil {
                collector.report(
                    f.mark, f.path("class"),
                    "missing field `class`: the asset `\(entry.asset.name)` has no class of its own (give `class` here or in its `assets` entry)"
                )
            }
        } else {
            _ = f.required("class", "a class name")
        }
        var colors: [RGB]?? = .none
        if let c = f["color"] {
            colors = read.color(c, f.path("color")).map { [$0] }
            if f.has("colors") {
                collector.report(f.keyMark("colors"), f.path("colors"), "give either `color` or `colors`, not both")
                colors = .some(nil)
            }
        } else if let c = f["colors"] {
            colors = read.palette(c, f.path("colors"))
        }
        let yaw = f["yaw_deg"].map { read.random($0, f.path("yaw_deg")) } ?? .fixed(0)
        let pitch = f["pitch_deg"].map { read.random($0, f.path("pitch_deg")) } ?? .fixed(0)
        let roll = f["roll_deg"].map { read.random($0, f.path("roll_deg")) } ?? .fixed(0)
        let scale = f["scale"].map { read.random($0, f.path("scale"), .positive) } ?? .fixed(1)
        var finishOK = true
        var finish: [RandomValue?] = []
        for key in ["roughness", "metallic"] {
            let v = f[key].flatMap { read.random($0, f.path(key), .closed(0, 1)) }
            if f.has(key) && v == nil { finishOK = false }
            finish.append(v)
        }
        let stuff = f["stuff"].map { read.bool($0, f.path("stuff")) } ?? false
        var model: ObjectModel?
        if let entry {
            model = parseAssetModel(f, entry, classID: classID, colorGiven: colors != nil)
        } else {
            model = parseModel(f, allowComposites: true)
        }
        guard finishOK, let classID, let yaw, let pitch, let roll, let scale, let stuff, let model else { return nil }
        let palette: [RGB]
        switch colors {
        case .none: palette = [classColor(classID)]
        case .some(.none): return nil
        case .some(.some(let p)): palette = p
        }
        var t = ObjectTemplate(model: model, classID: classID, colors: palette, yawDeg: yaw, isStuff: stuff)
        t.pitchDeg = pitch
        t.rollDeg = roll
        t.scale = scale
        t.roughness = finish[0]
        t.metallic = finish[1]
        return t
    }

    /// `asset: NAME` with an optional `size` to fit it in; `shape`, `parts`, `radius`, `height` do not apply.
    private func parseAssetModel(_ f: Fields, _ entry: AssetEntry?, classID: Int?, colorGiven: Bool) -> ObjectModel? {
        var ok = true
        for key in ["shape", "parts", "radius", "height"] where f.has(key) {
            collector.report(
                f.keyMark(key), f.path(key),
                "`\(key)` does not apply with `asset` (the asset is the shape; fit it with `size`)")
            ok = false
        }
        let size = f["size"].flatMap { read.randomVec3($0, f.path("size"), .positive) }
        guard ok, let entry, let classID, size != nil || !f.has("size") else { return nil }
        let name = f["asset"].flatMap { $0.string } ?? entry.asset.name
        return .asset(assetModel(entry, name: name, classID: classID, colorGiven: colorGiven), size: size)
    }

    func parseModel(_ f: Fields, allowComposites: Bool) -> ObjectModel? {
        if allowComposites, let partsNode = f["parts"] {
            if f.has("shape") {
                collector.report(f.keyMark("parts"), f.path("parts"), "give either `shape` or `parts`, not both")
                return nil
            }
            for key in ["size", "radius", "height"] where f.has(key) {
                collector.report(
                    f.keyMark(key), f.path(key), "`\(key)` does not apply with `parts` (each part has its own)")
            }
            guard let items = read.list(partsNode, f.path("parts"), of: "parts") else { return nil }
            guard !items.isEmpty else {
                read.report(partsNode, f.path("parts"), "expected at least one part, found an empty list")
                return nil
            }
            let parts = items.enumerated().compactMap { parsePart($0.element, f.path("parts") + "[\($0.offset)]") }
            return parts.count == items.count ? .parts(parts) : nil
        }
        let shapes = allowComposites ? Self.allShapes : Self.primitiveShapes
        guard
            let shapeNode = f.required(
                "shape", "one of \(shapes.joined(separator: ", "))\(allowComposites ? " (or `parts`)" : "")"),
            let shape = read.choice(shapeNode, f.path("shape"), shapes)
        else { return nil }

        func notApplicable(_ keys: [String], _ takes: String) -> Bool {
            var ok = true
            for key in keys where f.has(key) {
                collector.report(
                    f.keyMark(key), f.path(key), "`\(key)` does not apply to shape \(shape) (it takes \(takes))")
                ok = false
            }
            return ok
        }
        func need(_ key: String, _ expected: String) -> Node? { f.required(key, expected) }

        switch shape {
        case "box":
            let ok = notApplicable(["radius", "height"], "size: [x, y, z]")
            let size = need("size", "[x, y, z] in metres").flatMap { read.randomVec3($0, f.path("size"), .positive) }
            return ok ? size.map { .box(size: $0) } : nil
        case "cylinder":
            let ok = notApplicable(["size"], "radius and height")
            let r = need("radius", "metres").flatMap { read.random($0, f.path("radius"), .positive) }
            let h = need("height", "metres").flatMap { read.random($0, f.path("height"), .positive) }
            guard ok, let r, let h else { return nil }
            return .cylinder(radius: r, height: h)
        case "sphere":
            let ok = notApplicable(["size", "height"], "radius")
            let r = need("radius", "metres").flatMap { read.random($0, f.path("radius"), .positive) }
            return ok ? r.map { .sphere(radius: $0) } : nil
        case "plane":
            let ok = notApplicable(["radius", "height"], "size: [x, y]")
            let s = need("size", "[x, y] in metres").flatMap {
                read.tuple($0, f.path("size"), count: 2, what: "[x, y] (two numbers or [min, max] ranges)") {
                    read.random($0, $1, .positive)
                }
            }
            return ok ? s.map { .plane(sizeX: $0[0], sizeY: $0[1]) } : nil
        default:
            let model = BuiltInModel(rawValue: shape)!
            let ok = notApplicable(["radius", "height"], "size: [length, width, height]")
            let size =
                f["size"].map { read.randomVec3($0, f.path("size"), .positive) } ?? RandomVec3(fixed: model.defaultSize)
            guard ok, let size else { return nil }
            return .builtIn(model, size: size)
        }
    }

    func parsePart(_ node: Node, _ path: String) -> PartDescription? {
        guard let f = read.fields(node, path, allowed: Self.partKeys) else { return nil }
        let model = parseModel(f, allowComposites: false)
        let offset = f["offset"].map { read.randomVec3($0, f.path("offset")) } ?? RandomVec3(fixed: .zero)
        let yaw = f["yaw_deg"].map { read.random($0, f.path("yaw_deg")) } ?? .fixed(0)
        let pitch = f["pitch_deg"].map { read.random($0, f.path("pitch_deg")) } ?? .fixed(0)
        let roll = f["roll_deg"].map { read.random($0, f.path("roll_deg")) } ?? .fixed(0)
        var colors: [RGB]?? = .some(nil)
        if let c = f["color"] {
            colors = read.color(c, f.path("color")).map { [$0] }
            if f.has("colors") {
                collector.report(f.keyMark("colors"), f.path("colors"), "give either `color` or `colors`, not both")
                colors = .none
            }
        } else if let c = f["colors"] {
            colors = read.palette(c, f.path("colors")).map { .some($0) } ?? .none
        }
        guard let model, let offset, let yaw, let pitch, let roll, let colors else { return nil }
        return PartDescription(
            model: model, offset: offset, yawDeg: yaw, pitchDeg: pitch, rollDeg: roll, colors: colors)
    }

    static let legacyPlacementKeys = ["x", "y", "z", "along_road", "side", "lanes", "gap"]

    func parsePlacement(
        _ node: Node, _ path: String, road: RoadDescription?, environment: EnvironmentDescription?
    )
        -> Placement?
    {
        let allowed = Self.legacyPlacementKeys + Self.regionKeys.filter { !Self.legacyPlacementKeys.contains($0) }
        guard let f = read.fields(node, path, allowed: allowed) else { return nil }
        if f.has("region") {
            return parseRegionPlacement(f, road: road, environment: environment).map { .support($0) }
        }
        var regionOnly = false
        for key in Self.regionKeys where !Self.legacyPlacementKeys.contains(key) && f.has(key) {
            collector.report(f.keyMark(key), f.path(key), "`\(key)` applies only with `region`")
            regionOnly = true
        }
        if regionOnly { return nil }
        guard let modeNode = f["along_road"] else {
            for key in ["side", "lanes", "gap"] where f.has(key) {
                collector.report(f.keyMark(key), f.path(key), "`\(key)` applies only with `along_road`")
            }
            let x = f.required("x", "a range [min, max] in metres").flatMap { read.interval($0, f.path("x")) }
            let y = f.required("y", "a range [min, max] in metres").flatMap { read.interval($0, f.path("y")) }
            let z = f["z"].map { read.random($0, f.path("z")) } ?? .fixed(0)
            guard let x, let y, let z, !["side", "lanes", "gap"].contains(where: f.has) else { return nil }
            return .region(minX: x.0, maxX: x.1, minY: y.0, maxY: y.1, z: z)
        }
        guard let modeName = read.choice(modeNode, f.path("along_road"), AlongRoadMode.allCases.map(\.rawValue)) else {
            return nil
        }
        let mode = AlongRoadMode(rawValue: modeName)!
        var ok = true
        for key in ["y", "z"] where f.has(key) {
            collector.report(
                f.keyMark(key), f.path(key), "`\(key)` does not apply with `along_road` (the road decides it)")
            ok = false
        }
        guard let road else {
            let hint =
                environment?.road != nil
                ? " (an `environment.road` other than straight takes `region: lane` or `region: sidewalk`)" : ""
            read.report(modeNode, f.path("along_road"), "`along_road` needs a `road` section, found none\(hint)")
            return nil
        }
        if mode == .sidewalk && road.sidewalk == nil {
            read.report(modeNode, f.path("along_road"), "`along_road: sidewalk` needs `road.sidewalk`, found none")
            ok = false
        }
        let x = f["x"].map { read.interval($0, f.path("x")) } ?? (road.startX, road.endX)
        var side = RoadSide.both
        var lanes = Array(0..<road.lanes)
        var gap: RandomValue? = .fixed(mode == .roadside ? 1 : 0.3)
        if mode == .lane {
            for key in ["side", "gap"] where f.has(key) {
                collector.report(
                    f.keyMark(key), f.path(key), "`\(key)` does not apply to `along_road: lane` (use `lanes`)")
                ok = false
            }
            if let n = f["lanes"] {
                let items = read.list(n, f.path("lanes"), of: "lane numbers") ?? []
                let read = items.enumerated().compactMap {
                    self.read.integer($0.element, f.path("lanes") + "[\($0.offset)]", min: 0, max: road.lanes - 1)
                }
                if read.count != items.count || items.isEmpty {
                    if items.isEmpty {
                        self.read.report(n, f.path("lanes"), "expected at least one lane number, found an empty list")
                    }
                    ok = false
                }
                lanes = read
            }
        } else {
            if f.has("lanes") {
                collector.report(f.keyMark("lanes"), f.path("lanes"), "`lanes` applies only to `along_road: lane`")
                ok = false
            }
            if let n = f["side"] {
                if let s = read.choice(n, f.path("side"), RoadSide.allCases.map(\.rawValue)) {
                    side = RoadSide(rawValue: s)!
                } else {
                    ok = false
                }
            }
            if let n = f["gap"] { gap = read.random(n, f.path("gap"), .nonNegative) }
        }
        guard ok, let x, let gap else { return nil }
        return .alongRoad(mode: mode, side: side, minX: x.0, maxX: x.1, lanes: lanes, gap: gap)
    }

    // MARK: whole-scene checks

    /// Instances (things) must fit the 16-bit instance map: reports the group that crosses the limit.
    func checkInstanceBudget(
        objects: [ObjectDescription], groups: [GroupDescription], items: [Node],
        environment: EnvironmentDescription? = nil
    ) {
        var total =
            (environment?.pieces.reduce(0) { $0 + $1.instanceCount } ?? 0)
            + objects.reduce(0) { $0 + $1.template.instancesPerObject }
        for g in groups where !g.template.isStuff {
            total += g.count.max * g.template.instancesPerObject
            if total > SceneLoader.maxInstances {
                collector.report(
                    Position(line: g.location.line, column: g.location.column), g.location.path,
                    "the scene can hold up to \(total) instances by group `\(g.name)`; the 16-bit instance map allows at most \(SceneLoader.maxInstances)"
                )
                return
            }
        }
    }

    /// The most objects that can sit `minSpacing` apart where the group places them: disks of radius
    /// `minSpacing / 2` around each centre are disjoint and lie in the region grown by that radius
    /// (along a line: one per `minSpacing` plus one). An upper bound, so a count above it is impossible.
    static func placementCapacity(_ g: GroupDescription, road: RoadDescription?) -> Int {
        let d = g.minSpacing
        guard d > 0 else { return Int.max }
        // Rectangles (length along x, extent across) in which centres can fall.
        var rects: [(Double, Double)] = []
        switch g.placement {
        case .region(let x0, let x1, let y0, let y1, _):
            rects = [(x1 - x0, y1 - y0)]
        case .support(let p):
            // Centres fall inside each area (shrunk by the footprint where it must stay inside).
            rects = p.areas.map { $0.size }
        case .alongRoad(let mode, let side, let x0, let x1, let lanes, let gap):
            let sides = side == .both ? 2 : 1
            let length = x1 - x0
            switch mode {
            case .lane:
                rects = Array(repeating: (length, 0), count: Set(lanes).count)
            case .curb, .roadside:
                // The centre's distance from the road moves with the gap and with the object's width.
                let spread = gap.upperBound - gap.lowerBound + g.template.model.maxFootprint
                rects = Array(repeating: (length, spread), count: sides)
            case .sidewalk:
                rects = Array(repeating: (length, road?.sidewalk?.width ?? 0), count: sides)
            }
        }
        var total = 0.0
        for (w, h) in rects {
            if h == 0 {
                total += (w / d).rounded(.down) + 1
            } else {
                total += (w + d) * (h + d) / (Double.pi * d * d / 4)
            }
        }
        return total >= Double(Int.max / 2) ? Int.max : Int(total.rounded(.down))
    }

    /// Samples the first layouts with the scene's own seed, so a group that cannot place its objects
    /// in practice (not just in principle) is reported at load time rather than at frame N.
    static func checkPlacements(_ scene: SceneDescription, _ collector: IssueCollector) {
        let layouts = scene.resampleEvery.map { (scene.frameCount + $0 - 1) / $0 } ?? 1
        guard !scene.groups.isEmpty else { return }
        var reported = Set<String>()
        // A swept object heading turns every object: each heading's layouts must place too.
        let headings = scene.sweep?.dimensions.first { $0.axis == .objectYawOffsetDeg }?.settings ?? []
        let variants =
            headings.isEmpty
            ? [scene]
            : headings.map { scene.applyingSweep(SweepVariant(view: 0, variant: 0, variantCount: 1, settings: [$0])) }
        for variant in variants {
            for layout in 0..<Swift.min(layouts, 4) {
                checkPlacement(variant, layout: layout, collector, &reported)
            }
        }
    }

    private static func checkPlacement(
        _ scene: SceneDescription, layout: Int, _ collector: IssueCollector, _ reported: inout Set<String>
    ) {
        do {
            _ = try scene.sampleLayout(
                seed: scene.seed, layout: layout, frameIndex: layout * (scene.resampleEvery ?? 1))
        } catch let e as FrameSamplingError {
            guard reported.insert(e.location.path).inserted else { return }
            collector.report(
                Position(line: e.location.line, column: e.location.column), e.location.path,
                "\(e.message) (layout \(layout), seed \(scene.seed))")
        } catch {
            collector.report(nil, "", "\(error)")
        }
    }
}

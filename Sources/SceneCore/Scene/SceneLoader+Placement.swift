import Yams

// `placement: {region: ...}`: reading the region's fields, resolving it against the environment into
// support areas, and the load-time checks that catch requests no sampling could satisfy.

extension SceneParser {
    static let regionKeys = [
        "region", "lanes", "road", "s", "side", "crosswalks", "rows", "pieces", "levels", "x", "y", "z", "margin",
        "stack",
        "orientation",
    ]

    /// The fields each region takes besides `region`, `margin` and `orientation`.
    static let regionFields: [RegionKind: [String]] = [
        .lane: ["lanes", "road", "s"], .sidewalk: ["side", "s"], .crosswalk: ["crosswalks"], .parkingBay: ["rows"],
        .shelf: ["pieces", "levels", "stack"], .tableTop: ["pieces", "stack"], .bin: ["pieces", "stack"],
        .pallet: ["pieces", "stack"],
        .floor: ["x", "y", "stack"], .area: ["x", "y", "z", "stack"],
    ]

    static let legacyOnlyKeys = ["along_road", "gap"]

    func parseRegionPlacement(
        _ f: Fields, road: RoadDescription?, environment: EnvironmentDescription?
    )
        -> SupportPlacement?
    {
        guard let regionNode = f["region"],
            let name = read.choice(regionNode, f.path("region"), RegionKind.allCases.map(\.rawValue)),
            let kind = RegionKind(rawValue: name)
        else { return nil }
        var ok = true
        let takes = (Self.regionFields[kind] ?? []) + ["region", "margin", "orientation"]
        for key in Self.regionKeys + Self.legacyOnlyKeys where f.has(key) && !takes.contains(key) {
            let also = (Self.regionFields[kind] ?? []) + ["margin", "orientation"]
            collector.report(
                f.keyMark(key), f.path(key),
                "`\(key)` does not apply to region \(name) (it takes \(also.joined(separator: ", ")))")
            ok = false
        }
        let defaultMargin = kind == .sidewalk ? 0.3 : 0
        let margin = f["margin"].map { read.number($0, f.path("margin"), .nonNegative) } ?? defaultMargin
        let stack = f["stack"].map { read.bool($0, f.path("stack")) } ?? (kind == .bin)
        var orientation: RestingOrientation? = kind == .bin ? .faces(BoxFace.allCases) : .upright
        if let n = f["orientation"] { orientation = parseOrientation(n, f.path("orientation")) }
        guard ok, let margin, let stack, let orientation else { return nil }
        let context = RegionContext(parser: self, fields: f, kind: kind, margin: margin)
        guard var areas = context.areas(road: road, environment: environment) else { return nil }
        if let room = environment?.room { areas = areas.map { $0.underCeiling(of: room) } }
        guard !areas.isEmpty else {
            read.report(regionNode, f.path("region"), "region \(name) leaves no place to stand here")
            return nil
        }
        return SupportPlacement(region: kind, areas: areas, margin: margin, stack: stack, orientation: orientation)
    }

    /// `upright`, `any_face`, or a list of faces (`-z` is the modelled bottom, `+x` the front, ...).
    func parseOrientation(_ node: Node, _ path: String) -> RestingOrientation? {
        let faces = BoxFace.allCases.map(\.rawValue)
        if case .sequence(let items) = node {
            guard !items.isEmpty else {
                read.report(node, path, "expected at least one face, found an empty list")
                return nil
            }
            let list = items.enumerated().compactMap { i, n in
                read.choice(n, "\(path)[\(i)]", faces).flatMap(BoxFace.init(rawValue:))
            }
            return list.count == items.count ? .faces(list) : nil
        }
        let words = ["upright", "any_face"]
        guard case .scalar = node, node.tagName == .str, let s = node.string, words.contains(s) else {
            read.report(
                node, path,
                "expected upright, any_face or a list of faces (\(faces.joined(separator: ", "))), found \(describe(node))"
            )
            return nil
        }
        return s == "upright" ? .upright : .faces(BoxFace.allCases)
    }

    /// Requests no layout can satisfy: objects larger than every area, taller than every shelf
    /// level, more than the bays, or more footprint than the areas hold.
    func checkCapacity(_ g: GroupDescription, _ p: SupportPlacement, _ f: Fields) -> Bool {
        let countNode = f["count"] ?? f.node
        let name = g.name
        if p.region == .parkingBay, g.count.max > p.areas.count {
            read.report(
                countNode, f.path("count"),
                "group `\(name)` asks for up to \(g.count.max) objects but its parking bays hold \(p.areas.count); lower `count` or add bays"
            )
            return false
        }
        let k = g.template.scale.lowerBound
        guard let box = g.template.model.minimumBox, k.isFinite, k > 0 else { return true }
        let size = box * k
        // The footprint and height of the smallest object, resting the way the placement allows.
        let dims = [size.x, size.y, size.z].sorted()
        let footprint: (Double, Double), height: Double
        switch p.orientation {
        case .upright:
            footprint = (Swift.min(size.x, size.y), Swift.max(size.x, size.y))
            height = size.z
        case .faces(let faces):
            height =
                faces.map { f -> Double in
                    switch f {
                    case .bottom, .top: return size.z
                    case .front, .back: return size.x
                    case .left, .right: return size.y
                    }
                }.min() ?? size.z
            footprint = (dims[0], dims[1])
        }
        let contained = p.areas.filter { $0.containX && $0.containY }
        if !contained.isEmpty {
            let fits = contained.contains { a in
                let s = a.size
                let (lo, hi) = (
                    Swift.min(s.length, s.width) - 2 * p.margin, Swift.max(s.length, s.width) - 2 * p.margin
                )
                return footprint.0 <= lo + 1e-9 && footprint.1 <= hi + 1e-9
            }
            if !fits {
                read.report(
                    countNode, f.path("count"),
                    "the smallest object of group `\(name)` (\(format(footprint.0)) × \(format(footprint.1)) m) does not fit in any of its placement areas; make the objects smaller or the areas larger"
                )
                return false
            }
        }
        let clearances = p.areas.compactMap { a in a.ceiling.map { $0 - a.height } }
        if clearances.count == p.areas.count, let best = clearances.max(), height > best + 1e-9 {
            read.report(
                countNode, f.path("count"),
                "the smallest object of group `\(name)` is \(format(height)) m tall, but its placement areas leave at most \(format(best)) m under the board above or the ceiling"
            )
            return false
        }
        if !p.stack, !contained.isEmpty, contained.count == p.areas.count, g.template.model.isSinglePrimitive {
            let total = contained.reduce(0.0) { $0 + ($1.size.length - 2 * p.margin) * ($1.size.width - 2 * p.margin) }
            let need = Double(g.count.max) * footprint.0 * footprint.1
            if need > total + 1e-9 {
                read.report(
                    countNode, f.path("count"),
                    "group `\(name)` asks for up to \(g.count.max) objects of at least \(format(footprint.0 * footprint.1)) m² each, but its placement areas hold \(format(total)) m²; lower `count`, allow `stack`, or enlarge the areas"
                )
                return false
            }
        }
        return true
    }
}

extension ObjectModel {
    /// The smallest the object's bounding box can be (lower bounds of its sizes); nil when that is
    /// not known in advance (custom composites, unbounded distributions) or it takes no space (planes).
    var minimumBox: Vec3? { Self.usable(boxBound(lower: true)) }

    /// The largest the object's bounding box can be (upper bounds of its sizes); nil as `minimumBox`.
    var maximumBox: Vec3? { Self.usable(boxBound(lower: false)) }

    /// A bound the capacity checks can use: finite and positive.
    private static func usable(_ v: Vec3?) -> Vec3? {
        guard let v, [v.x, v.y, v.z].allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
        return v
    }

    private func boxBound(lower: Bool) -> Vec3? {
        func b(_ r: RandomValue) -> Double { lower ? r.lowerBound : r.upperBound }
        switch self {
        case .box(let s): return Vec3(b(s.x), b(s.y), b(s.z))
        case .cylinder(let r, let h): return Vec3(2 * b(r), 2 * b(r), b(h))
        case .sphere(let r): return Vec3(2 * b(r), 2 * b(r), 2 * b(r))
        case .builtIn(_, let s): return Vec3(b(s.x), b(s.y), b(s.z))
        case .asset(let a, let size):
            guard let size else { return a.naturalSize }
            return a.naturalSize * a.fitScale(Vec3(b(size.x), b(size.y), b(size.z)))
        case .plane, .parts: return nil
        }
    }

    /// One primitive: the object's footprint is its box's, so areas can be summed.
    var isSinglePrimitive: Bool {
        switch self {
        case .box, .cylinder, .sphere: return true
        default: return false
        }
    }
}

/// Resolves one region against the scene's road and environment, reporting what is missing.
struct RegionContext {
    let parser: SceneParser
    let fields: Fields
    let kind: RegionKind
    let margin: Double

    private var read: FieldReader { parser.read }
    private func path(_ key: String) -> String { fields.path(key) }

    private func fail(_ key: String, _ message: String) -> [SupportArea]? {
        if let n = fields[key] {
            read.report(n, path(key), message)
        } else {
            read.report(fields.node, path(key), message)
        }
        return nil
    }

    func areas(road: RoadDescription?, environment: EnvironmentDescription?) -> [SupportArea]? {
        switch kind {
        case .lane, .sidewalk:
            if let road { return straightRoadAreas(road.crossSection, road.path) }
            switch environment?.road {
            case .curved(let c)?: return straightRoadAreas(c.road, c.path)
            case .intersection(let x)?: return intersectionAreas(x)
            case .parkingLot(let p)?:
                guard kind == .lane else { return fail("region", "a parking lot has no sidewalks") }
                return straightRoadAreas(p.aisleRoad, p.aislePath)
            case nil:
                return fail("region", "region \(kind.rawValue) needs a road (`road` or `environment.road`), found none")
            }
        case .crosswalk:
            guard case .intersection(let x)? = environment?.road, x.crosswalk != nil else {
                return fail(
                    "region", "region crosswalk needs `environment.road` with layout intersection and crosswalks")
            }
            return crosswalkAreas(x)
        case .parkingBay:
            guard case .parkingLot(let p)? = environment?.road else {
                return fail("region", "region parking_bay needs `environment.road` with layout parking_lot")
            }
            return bayAreas(p)
        case .shelf, .tableTop, .bin, .pallet:
            return pieceAreas(environment?.pieces ?? [])
        case .floor:
            guard let room = environment?.room else {
                return fail("region", "region floor needs `environment.room`, found none")
            }
            // The floor, or the part of it inside `x` and `y`.
            var x = (room.centerX - room.sizeX / 2, room.centerX + room.sizeX / 2)
            var y = (room.centerY - room.sizeY / 2, room.centerY + room.sizeY / 2)
            for (key, isX) in [("x", true), ("y", false)] {
                guard let n = fields[key] else { continue }
                guard let (a, b) = read.interval(n, path(key)) else { return nil }
                let (lo, hi) = isX ? x : y
                let clipped = (Swift.max(a, lo), Swift.min(b, hi))
                guard clipped.0 < clipped.1 else {
                    read.report(
                        n, path(key),
                        "the range [\(format(a)), \(format(b))] lies outside the room's floor [\(format(lo)), \(format(hi))]"
                    )
                    return nil
                }
                if isX { x = clipped } else { y = clipped }
            }
            return [
                SupportArea(
                    name: "floor",
                    worldFromArea: .translation(Vec3((x.0 + x.1) / 2, (y.0 + y.1) / 2, RoomDescription.floorHeight)),
                    extent: .rect(halfX: (x.1 - x.0) / 2, halfY: (y.1 - y.0) / 2), heading: 0, containX: true,
                    containY: true)
            ]
        case .area:
            guard
                let x = fields.required("x", "a range [min, max] in metres").flatMap({ read.interval($0, path("x")) }),
                let y = fields.required("y", "a range [min, max] in metres").flatMap({ read.interval($0, path("y")) }),
                let z = fields["z"].map({ read.number($0, path("z")) }) ?? 0
            else { return nil }
            return [
                SupportArea(
                    name: "area", worldFromArea: .translation(Vec3((x.0 + x.1) / 2, (y.0 + y.1) / 2, z)),
                    extent: .rect(halfX: (x.1 - x.0) / 2, halfY: (y.1 - y.0) / 2), heading: 0, containX: true,
                    containY: true)
            ]
        }
    }

    /// `s: [min, max]` along the road, clipped to `0...length`; the whole road without it.
    private func alongRange(_ length: Double) -> ClosedRange<Double>?? {
        guard let n = fields["s"] else { return .some(0...length) }
        guard let (a, b) = read.interval(n, path("s")) else { return .none }
        guard a < length, b > 0 else {
            read.report(
                n, path("s"),
                "expected a range within the road's 0 to \(format(length)) m, found [\(format(a)), \(format(b))]")
            return .none
        }
        return .some(Swift.max(0, a)...Swift.min(length, b))
    }

    private func laneList(_ road: RoadCrossSection) -> [Int]? {
        guard let n = fields["lanes"] else { return Array(0..<road.lanes) }
        let items = read.list(n, path("lanes"), of: "lane numbers") ?? []
        let lanes = items.enumerated().compactMap {
            read.integer($0.element, path("lanes") + "[\($0.offset)]", min: 0, max: road.lanes - 1)
        }
        if items.isEmpty { read.report(n, path("lanes"), "expected at least one lane number, found an empty list") }
        return lanes.count == items.count && !items.isEmpty ? lanes : nil
    }

    private func laneAreas(
        _ road: RoadCrossSection, _ path: RoadPath, spans: [ClosedRange<Double>], label: String
    )
        -> [SupportArea]?
    {
        guard let lanes = laneList(road) else { return nil }
        var out: [SupportArea] = []
        for lane in lanes {
            for span in spans where span.upperBound > span.lowerBound {
                let offset = road.laneOffset(lane)
                out.append(
                    SupportArea(
                        name: "\(label)lane \(lane)",
                        worldFromArea: .translation(Vec3(0, 0, RoadDescription.surfaceHeight)),
                        extent: .strip(path: path, s: span, lateral: offset...offset),
                        heading: road.laneIsReversed(lane) ? Double.pi : 0, containX: true, containY: false))
            }
        }
        return out
    }

    private func straightRoadAreas(_ road: RoadCrossSection, _ path: RoadPath) -> [SupportArea]? {
        if fields.has("road") {
            return fail("road", "`road` chooses between an intersection's roads; this road is the only one")
        }
        guard case .some(let span?) = alongRange(path.length) else { return nil }
        if kind == .lane { return laneAreas(road, path, spans: [span], label: "") }
        guard let sw = road.sidewalk else {
            return fail("region", "region sidewalk needs a road with a `sidewalk`, found none")
        }
        var side = RoadSide.both
        if let n = fields["side"] {
            guard let s = read.choice(n, self.path("side"), RoadSide.allCases.map(\.rawValue)),
                let v = RoadSide(rawValue: s)
            else { return nil }
            side = v
        }
        guard sw.width > 2 * margin else {
            return fail(
                "margin",
                "expected a margin under half the sidewalk's width (\(format(sw.width / 2)) m), found \(format(margin))"
            )
        }
        let z = sw.height > 0 ? sw.height : RoadDescription.surfaceHeight
        var out: [SupportArea] = []
        for (label, sign) in [("right", -1.0), ("left", 1.0)] where side == .both || side.rawValue == label {
            let a = sign * (road.width / 2 + margin), b = sign * (road.width / 2 + sw.width - margin)
            out.append(
                SupportArea(
                    name: "sidewalk \(label)", worldFromArea: .translation(Vec3(0, 0, z)),
                    extent: .strip(path: path, s: span, lateral: Swift.min(a, b)...Swift.max(a, b)),
                    heading: sign < 0 ? 0 : Double.pi, containX: true, containY: false))
        }
        return out
    }

    private func intersectionAreas(_ x: IntersectionDescription) -> [SupportArea]? {
        let L = x.armLength
        if kind == .lane {
            var which = ["main", "cross"]
            if let n = fields["road"] {
                guard let s = read.choice(n, path("road"), ["main", "cross", "both"]) else { return nil }
                if s != "both" { which = [s] }
            }
            var out: [SupportArea] = []
            for name in which {
                let alongMain = name == "main"
                let start = x.armStart(alongMain: alongMain)
                guard case .some(let span?) = alongRange(2 * L) else { return nil }
                let spans = [0...(L - start), (L + start)...(2 * L)].compactMap { arm -> ClosedRange<Double>? in
                    let a = Swift.max(arm.lowerBound, span.lowerBound), b = Swift.min(arm.upperBound, span.upperBound)
                    return a < b ? a...b : nil
                }
                guard
                    let areas = laneAreas(
                        alongMain ? x.main : x.cross, alongMain ? x.mainPath : x.crossPath, spans: spans,
                        label: "\(name) road ")
                else { return nil }
                out += areas
            }
            if out.isEmpty { return fail("s", "the range `s` lies inside the junction, where no lane is") }
            return out
        }
        if fields.has("side") {
            return fail("side", "`side` applies to straight and curved roads; an intersection's sidewalks are all used")
        }
        if fields.has("s") { return fail("s", "`s` applies to straight and curved roads") }
        guard let sw = x.main.sidewalk else {
            return fail("region", "region sidewalk needs a road with a `sidewalk`, found none")
        }
        guard sw.width > 2 * margin else {
            return fail(
                "margin",
                "expected a margin under half the sidewalk's width (\(format(sw.width / 2)) m), found \(format(margin))"
            )
        }
        let w1 = x.main.width / 2, w2 = x.cross.width / 2, w = sw.width
        let z = sw.height > 0 ? sw.height : RoadDescription.surfaceHeight
        var out: [SupportArea] = []
        func rect(_ name: String, _ x0: Double, _ x1: Double, _ y0: Double, _ y1: Double, heading: Double, alongX: Bool)
        {
            let hx = (x1 - x0) / 2 - (alongX ? 0 : margin), hy = (y1 - y0) / 2 - (alongX ? margin : 0)
            guard hx > 0, hy > 0 else { return }
            out.append(
                SupportArea(
                    name: name, worldFromArea: .translation(Vec3((x0 + x1) / 2, (y0 + y1) / 2, z)),
                    extent: .rect(halfX: hx, halfY: hy), heading: heading, containX: alongX, containY: !alongX))
        }
        for (label, sx, sy) in [("ne", 1.0, 1.0), ("nw", -1.0, 1.0), ("sw", -1.0, -1.0), ("se", 1.0, -1.0)] {
            func span(_ sign: Double, _ a: Double, _ b: Double) -> (Double, Double) { sign > 0 ? (a, b) : (-b, -a) }
            let cx = span(sx, w2, w2 + w), cy = span(sy, w1, w1 + w)
            let ax = span(sx, w2 + w, L), ay = span(sy, w1 + w, L)
            // Along the main road heading with its near lanes' traffic, along the cross road likewise.
            rect("sidewalk \(label) along x", ax.0, ax.1, cy.0, cy.1, heading: sy < 0 ? 0 : Double.pi, alongX: true)
            rect(
                "sidewalk \(label) along y", cx.0, cx.1, ay.0, ay.1, heading: sx > 0 ? Double.pi / 2 : -Double.pi / 2,
                alongX: false)
            let c = (cx.0 + margin, cx.1 - margin, cy.0 + margin, cy.1 - margin)
            if c.0 < c.1, c.2 < c.3 {
                out.append(
                    SupportArea(
                        name: "sidewalk corner \(label)",
                        worldFromArea: .translation(Vec3((c.0 + c.1) / 2, (c.2 + c.3) / 2, z)),
                        extent: .rect(halfX: (c.1 - c.0) / 2, halfY: (c.3 - c.2) / 2), heading: 0, containX: false,
                        containY: false))
            }
        }
        return out
    }

    private func crosswalkAreas(_ x: IntersectionDescription) -> [SupportArea]? {
        guard let c = x.crosswalk else { return nil }
        let arms = ["east", "west", "north", "south"]
        var chosen = arms
        if let n = fields["crosswalks"] {
            let items = read.list(n, path("crosswalks"), of: "arms (east, west, north, south)") ?? []
            let names = items.enumerated().compactMap {
                read.choice($0.element, path("crosswalks") + "[\($0.offset)]", arms)
            }
            if items.isEmpty { read.report(n, path("crosswalks"), "expected at least one arm, found an empty list") }
            guard names.count == items.count, !items.isEmpty else { return nil }
            chosen = names
        }
        let w1 = x.main.width / 2, w2 = x.cross.width / 2, z = RoadDescription.surfaceHeight
        return chosen.map { arm in
            let alongMain = arm == "east" || arm == "west"
            let sign = arm == "east" || arm == "north" ? 1.0 : -1.0
            let inner = (alongMain ? w2 : w1) + IntersectionDescription.crosswalkSetback
            let mid = sign * (inner + c.width / 2)
            return SupportArea(
                name: "crosswalk \(arm)",
                worldFromArea: .translation(alongMain ? Vec3(mid, 0, z) : Vec3(0, mid, z)),
                extent: alongMain ? .rect(halfX: c.width / 2, halfY: w1) : .rect(halfX: w2, halfY: c.width / 2),
                heading: alongMain ? Double.pi / 2 : 0, bothWays: true, containX: true, containY: true)
        }
    }

    private func bayAreas(_ p: ParkingLotDescription) -> [SupportArea]? {
        var rows = Array(0..<p.rows)
        if let n = fields["rows"] {
            let items = read.list(n, path("rows"), of: "row numbers") ?? []
            let list = items.enumerated().compactMap {
                read.integer($0.element, path("rows") + "[\($0.offset)]", min: 0, max: p.rows - 1)
            }
            if items.isEmpty { read.report(n, path("rows"), "expected at least one row number, found an empty list") }
            guard list.count == items.count, !items.isEmpty else { return nil }
            rows = list
        }
        var out: [SupportArea] = []
        for row in rows {
            for k in 0..<p.bays {
                let bay = p.bay(row: row, k)
                out.append(
                    SupportArea(
                        name: "bay \(k) of row \(row)",
                        worldFromArea: p.worldFromLot * .translation(Vec3(bay.x, bay.y, RoadDescription.surfaceHeight)),
                        extent: .rect(halfX: p.bayWidth / 2, halfY: p.bayDepth / 2), heading: bay.heading,
                        containX: true,
                        containY: true))
            }
        }
        return out
    }

    private func pieceAreas(_ pieces: [EnvironmentPiece]) -> [SupportArea]? {
        let wanted: EnvironmentPiece.Kind
        switch kind {
        case .shelf: wanted = .shelving
        case .tableTop: wanted = .table
        case .bin: wanted = .bin
        default: wanted = .pallet
        }
        let section =
            ["shelving": "shelving", "table": "tables", "bin": "bins", "pallet": "pallets"][wanted.rawValue] ?? ""
        var candidates = pieces.filter { $0.kind == wanted }
        guard !candidates.isEmpty else {
            return fail("region", "region \(kind.rawValue) needs `environment.\(section)`, found none")
        }
        if let n = fields["pieces"] {
            var names: [String] = []
            if case .sequence(let items) = n {
                names = items.enumerated().compactMap { read.string($0.element, path("pieces") + "[\($0.offset)]") }
                guard names.count == items.count, !items.isEmpty else {
                    if items.isEmpty {
                        read.report(n, path("pieces"), "expected at least one name, found an empty list")
                    }
                    return nil
                }
            } else if let s = read.string(n, path("pieces")) {
                names = [s]
            } else {
                return nil
            }
            let known = Array(Set(candidates.flatMap { [$0.name, $0.group] })).sorted()
            for name in names where !known.contains(name) {
                read.report(
                    n, path("pieces"),
                    "no \(section) entry is called `\(name)`\(didYouMean(name, known)) (\(section): \(known.joined(separator: ", ")))"
                )
                return nil
            }
            candidates = candidates.filter { names.contains($0.name) || names.contains($0.group) }
        }
        var levels: [Int]?
        if let n = fields["levels"] {
            let items = read.list(n, path("levels"), of: "level numbers (0 = the lowest board)") ?? []
            let list = items.enumerated().compactMap {
                read.integer($0.element, path("levels") + "[\($0.offset)]", min: 0)
            }
            if items.isEmpty { read.report(n, path("levels"), "expected at least one level, found an empty list") }
            guard list.count == items.count, !items.isEmpty else { return nil }
            for piece in candidates {
                if let bad = list.first(where: { $0 >= piece.supportHeights.count }) {
                    read.report(
                        n, path("levels"),
                        "shelving `\(piece.name)` has levels 0 to \(piece.supportHeights.count - 1), found level \(bad)"
                    )
                    return nil
                }
            }
            levels = list
        }
        var out: [SupportArea] = []
        for piece in candidates {
            let frame = piece.worldFromPiece
            let L = piece.size.x, W = piece.size.y
            switch piece.kind {
            case .shelving:
                let heights = piece.supportHeights
                for level in levels ?? Array(heights.indices) {
                    let ceiling = level + 1 < heights.count ? heights[level + 1] - piece.thickness : nil
                    out.append(
                        SupportArea(
                            name: "shelving `\(piece.name)` level \(level)",
                            worldFromArea: frame * .translation(Vec3(0, 0, heights[level])),
                            extent: .rect(halfX: L / 2, halfY: W / 2), heading: 0, containX: true, containY: true,
                            ceiling: ceiling.map { $0 + piece.position.z }))
                }
            case .bin:
                let floor = piece.supportHeights.first ?? piece.thickness
                out.append(
                    SupportArea(
                        name: "bin `\(piece.name)`", worldFromArea: frame * .translation(Vec3(0, 0, floor)),
                        extent: .rect(halfX: L / 2 - piece.thickness, halfY: W / 2 - piece.thickness), heading: 0,
                        containX: true, containY: true, rim: piece.position.z + piece.size.z))
            case .table, .pallet:
                let top = piece.supportHeights.last ?? piece.size.z
                out.append(
                    SupportArea(
                        name: "\(piece.kind.rawValue) `\(piece.name)`",
                        worldFromArea: frame * .translation(Vec3(0, 0, top)),
                        extent: .rect(halfX: L / 2, halfY: W / 2), heading: 0, containX: true, containY: true))
            }
        }
        return out
    }
}

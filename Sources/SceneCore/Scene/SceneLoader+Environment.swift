import Yams

// The `environment` block: `road` (straight, curved, intersection, parking_lot), `room` (room,
// warehouse), and the robotics pieces `shelving`, `tables`, `bins`, `pallets`.

extension SceneParser {
    static let environmentKeys = ["road", "room", "shelving", "tables", "bins", "pallets"]
    static let roadLayouts = ["straight", "curved", "intersection", "parking_lot"]
    static let roadKeys: [String: [String]] = [
        "straight": ["length", "start_x", "width", "lanes", "sidewalk"],
        "curved": ["start", "heading_deg", "radius", "angle_deg", "width", "lanes", "sidewalk"],
        "intersection": ["arm_length", "cross", "crosswalks", "stop_lines", "width", "lanes", "sidewalk"],
        "parking_lot": ["center", "yaw_deg", "bays", "rows", "bay_size", "aisle", "margin"],
    ]

    /// Reads `environment`. A straight road is returned as `road` (it is the top-level `road` block
    /// under another name); `topRoad` is that block when the file has one, which rules out
    /// `environment.road`.
    func parseEnvironment(_ node: Node, topRoad: Node?) -> (EnvironmentDescription, RoadDescription?)? {
        guard let f = read.fields(node, "environment", allowed: Self.environmentKeys) else { return nil }
        var ok = true
        var env = EnvironmentDescription()
        var straight: RoadDescription?
        if let n = f["road"] {
            if topRoad != nil {
                collector.report(
                    f.keyMark("road"), f.path("road"),
                    "give either the top-level `road` or `environment.road`, not both (a top-level road is `layout: straight`)"
                )
                ok = false
            } else if let parsed = parseRoadLayout(n, f.path("road")) {
                switch parsed {
                case .left(let road): straight = road
                case .right(let layout): env.road = layout
                }
            } else {
                ok = false
            }
        }
        if let n = f["room"] {
            if let room = parseRoom(n, f.path("room")) { env.room = room } else { ok = false }
        }
        var names: [String: String] = [:]
        for (key, kind) in [
            ("shelving", EnvironmentPiece.Kind.shelving), ("tables", .table), ("bins", .bin), ("pallets", .pallet),
        ] {
            guard let n = f[key], let items = read.list(n, f.path(key), of: key) else {
                if f.has(key) { ok = false }
                continue
            }
            for (i, item) in items.enumerated() {
                let path = f.path(key) + "[\(i)]"
                guard let pieces = parsePiece(item, path, kind: kind, placed: env.pieces) else {
                    ok = false
                    continue
                }
                if let first = pieces.first, let other = names[first.group] {
                    read.report(
                        item, path + ".name",
                        "duplicate name `\(first.group)` (also \(other)); environment names must be unique")
                    ok = false
                    continue
                }
                if let first = pieces.first { names[first.group] = path }
                env.pieces += pieces
            }
        }
        return ok ? (env, straight) : nil
    }

    enum Either<A, B> {
        case left(A)
        case right(B)
    }

    // MARK: roads

    func parseRoadLayout(_ node: Node, _ path: String) -> Either<RoadDescription, RoadLayout>? {
        let common = ["layout", "class", "color", "markings"]
        let all = common + Array(Set(Self.roadKeys.values.flatMap { $0 })).sorted()
        guard let f = read.fields(node, path, allowed: all) else { return nil }
        guard let layoutNode = f.required("layout", Self.roadLayouts.joined(separator: ", ")),
            let layout = read.choice(layoutNode, f.path("layout"), Self.roadLayouts)
        else { return nil }
        var ok = true
        let takes = common + (Self.roadKeys[layout] ?? [])
        for key in all where f.has(key) && !takes.contains(key) {
            collector.report(
                f.keyMark(key), f.path(key),
                "`\(key)` does not apply to layout \(layout) (it takes \((Self.roadKeys[layout] ?? []).joined(separator: ", ")))"
            )
            ok = false
        }
        guard ok else { return nil }
        let classID = f.required("class", "a class name").flatMap { classRef($0, f.path("class")) }
        let color = f["color"].map { read.color($0, f.path("color")) } ?? linearRGB([72, 72, 76])
        guard let classID, let color else { return nil }

        if layout == "parking_lot" {
            return parseParkingLot(f, classID: classID, color: color).map { .right(.parkingLot($0)) }
        }
        guard let road = parseCrossSection(f, classID: classID, color: color) else { return nil }
        switch layout {
        case "straight":
            let length = f["length"].map { read.number($0, f.path("length"), .positive) } ?? 300
            let startX = f["start_x"].map { read.number($0, f.path("start_x")) } ?? -50
            guard let length, let startX else { return nil }
            return .left(road.straight(startX: startX, length: length))
        case "curved":
            let start =
                f["start"].map {
                    read.tuple($0, f.path("start"), count: 2, what: "[x, y] in metres") { read.number($0, $1) }
                } ?? [0, 0]
            let heading = f["heading_deg"].map { read.number($0, f.path("heading_deg")) } ?? 0
            let radius = f.required("radius", "the centreline's radius in metres").flatMap {
                read.number($0, f.path("radius"), .positive)
            }
            let angle = f.required("angle_deg", "degrees of turn, positive to the left").flatMap {
                read.number($0, f.path("angle_deg"), .closed(-360, 360))
            }
            guard let start, let heading, let radius, let angle else { return nil }
            if angle == 0, let n = f["angle_deg"] {
                read.report(n, f.path("angle_deg"), "expected a turn other than 0 (use layout straight), found 0")
                return nil
            }
            let halfWidth = road.width / 2 + (road.sidewalk?.width ?? 0)
            if radius <= halfWidth, let n = f["radius"] {
                read.report(
                    n, f.path("radius"),
                    "expected a radius larger than half the road and its sidewalk (\(format(halfWidth)) m), found \(format(radius))"
                )
                return nil
            }
            return .right(
                .curved(
                    CurvedRoadDescription(
                        road: road, startX: start[0], startY: start[1], headingDeg: heading, radius: radius,
                        angleDeg: angle)))
        default:
            return parseIntersection(f, main: road).map { .right(.intersection($0)) }
        }
    }

    /// width, lanes, markings, sidewalk: read as the top-level `road` reads them.
    private func parseCrossSection(_ f: Fields, classID: Int, color: RGB) -> RoadCrossSection? {
        let width = f["width"].map { read.number($0, f.path("width"), .positive) } ?? 7
        let lanes = f["lanes"].map { read.integer($0, f.path("lanes"), min: 1, max: 16) } ?? 2
        guard let width, let lanes else { return nil }
        guard
            let markings = parseMarkingsBlock(
                f["markings"], f.path("markings"), roadClass: classID, laneWidth: width / Double(lanes))
        else { return nil }
        var sidewalk: SidewalkDescription?
        if let n = f["sidewalk"] {
            guard let s = parseSidewalkBlock(n, f.path("sidewalk")) else { return nil }
            sidewalk = s
        }
        return RoadCrossSection(
            classID: classID, color: color, width: width, lanes: lanes, markings: markings, sidewalk: sidewalk)
    }

    /// `markings`: absent or `true` for the defaults, `false` for none, or a mapping. The outer nil
    /// means a mistake was reported.
    func parseMarkingsBlock(_ node: Node?, _ path: String, roadClass: Int, laneWidth: Double?) -> MarkingsDescription??
    {
        var m = MarkingsDescription(
            classID: roadClass, color: linearRGB([235, 235, 235]), lineWidth: 0.15, dashLength: 3, gapLength: 6,
            edgeLines: true)
        guard let node else { return .some(m) }
        if node.tagName == .bool {
            guard let on = read.bool(node, path) else { return .none }
            return .some(on ? m : nil)
        }
        let keys = ["class", "color", "width", "dash_length", "gap_length", "edge_lines"]
        guard let f = read.fields(node, path, allowed: keys) else { return .none }
        var ok = true
        func take<T>(_ v: T??, _ assign: (T) -> Void) {
            switch v {
            case .some(.some(let x)): assign(x)
            case .some(.none): ok = false
            case .none: break
            }
        }
        take(f["class"].map { classRef($0, f.path("class")) }) { m.classID = $0 }
        take(f["color"].map { read.color($0, f.path("color")) }) { m.color = $0 }
        take(f["width"].map { read.number($0, f.path("width"), .positive) }) { m.lineWidth = $0 }
        take(f["dash_length"].map { read.number($0, f.path("dash_length"), .positive) }) { m.dashLength = $0 }
        take(f["gap_length"].map { read.number($0, f.path("gap_length"), .nonNegative) }) { m.gapLength = $0 }
        take(f["edge_lines"].map { read.bool($0, f.path("edge_lines")) }) { m.edgeLines = $0 }
        if let laneWidth, m.lineWidth >= laneWidth, let n = f["width"] {
            read.report(
                n, f.path("width"),
                "expected a line width narrower than a lane (\(format(laneWidth)) m), found \(format(m.lineWidth))")
            ok = false
        }
        return ok ? .some(m) : .none
    }

    func parseSidewalkBlock(_ node: Node, _ path: String) -> SidewalkDescription? {
        guard let f = read.fields(node, path, allowed: ["class", "color", "width", "height"]) else { return nil }
        let classID = f.required("class", "a class name").flatMap { classRef($0, f.path("class")) }
        let color = f["color"].map { read.color($0, f.path("color")) } ?? linearRGB([160, 160, 155])
        let width = f["width"].map { read.number($0, f.path("width"), .positive) } ?? 2.5
        let height = f["height"].map { read.number($0, f.path("height"), .nonNegative) } ?? 0.15
        guard let classID, let color, let width, let height else { return nil }
        return SidewalkDescription(classID: classID, color: color, width: width, height: height)
    }

    private func parseIntersection(_ f: Fields, main: RoadCrossSection) -> IntersectionDescription? {
        var cross = main
        if let n = f["cross"] {
            guard let c = read.fields(n, f.path("cross"), allowed: ["class", "color", "width", "lanes"]) else {
                return nil
            }
            let classID = c["class"].map { classRef($0, c.path("class")) } ?? main.classID
            let color = c["color"].map { read.color($0, c.path("color")) } ?? main.color
            let width = c["width"].map { read.number($0, c.path("width"), .positive) } ?? main.width
            let lanes = c["lanes"].map { read.integer($0, c.path("lanes"), min: 1, max: 16) } ?? main.lanes
            guard let classID, let color, let width, let lanes else { return nil }
            cross = RoadCrossSection(
                classID: classID, color: color, width: width, lanes: lanes, markings: main.markings,
                sidewalk: main.sidewalk)
            if let m = main.markings, m.lineWidth >= cross.laneWidth, let wn = c["width"] ?? c["lanes"] {
                read.report(
                    wn, c.path("width"),
                    "the cross road's lanes (\(format(cross.laneWidth)) m) are narrower than a marking line")
                return nil
            }
        }
        let armLength = f["arm_length"].map { read.number($0, f.path("arm_length"), .positive) } ?? 50
        guard let armLength else { return nil }

        var crosswalk: CrosswalkDescription?
        let markingClass = main.markings?.classID ?? main.classID
        let defaults = CrosswalkDescription(
            classID: markingClass, color: main.markings?.color ?? linearRGB([235, 235, 235]), width: 3,
            stripeWidth: 0.5, gap: 0.5)
        if let n = f["crosswalks"] {
            if n.tagName == .bool {
                guard let on = read.bool(n, f.path("crosswalks")) else { return nil }
                crosswalk = on ? defaults : nil
            } else {
                let path = f.path("crosswalks")
                guard let c = read.fields(n, path, allowed: ["class", "color", "width", "stripe_width", "gap"]) else {
                    return nil
                }
                let classID = c["class"].map { classRef($0, c.path("class")) } ?? defaults.classID
                let color = c["color"].map { read.color($0, c.path("color")) } ?? defaults.color
                let width = c["width"].map { read.number($0, c.path("width"), .positive) } ?? defaults.width
                let stripe =
                    c["stripe_width"].map { read.number($0, c.path("stripe_width"), .positive) } ?? defaults.stripeWidth
                let gap = c["gap"].map { read.number($0, c.path("gap"), .positive) } ?? defaults.gap
                guard let classID, let color, let width, let stripe, let gap else { return nil }
                crosswalk = CrosswalkDescription(
                    classID: classID, color: color, width: width, stripeWidth: stripe, gap: gap)
            }
        } else {
            crosswalk = defaults
        }
        var stopLine: Double? = main.markings == nil ? nil : 0.4
        if let n = f["stop_lines"] {
            if n.tagName == .bool {
                guard let on = read.bool(n, f.path("stop_lines")) else { return nil }
                stopLine = on ? 0.4 : nil
            } else {
                guard let s = read.fields(n, f.path("stop_lines"), allowed: ["width"]),
                    let w = s.required("width", "metres").flatMap({ read.number($0, s.path("width"), .positive) })
                else { return nil }
                stopLine = w
            }
            if stopLine != nil, main.markings == nil {
                collector.report(
                    f.keyMark("stop_lines"), f.path("stop_lines"), "stop lines need `markings`, which are off")
                return nil
            }
        }
        let x = IntersectionDescription(
            main: main, cross: cross, armLength: armLength, crosswalk: crosswalk, stopLineWidth: stopLine)
        let needed =
            Swift.max(x.armStart(alongMain: true), x.armStart(alongMain: false))
            + (main.sidewalk?.width ?? 0)
        if armLength <= needed {
            let node = f["arm_length"] ?? f.node
            read.report(
                node, f.path("arm_length"),
                "expected arms longer than the junction, its crosswalks and stop lines (\(format(needed)) m), found \(format(armLength))"
            )
            return nil
        }
        return x
    }

    private func parseParkingLot(_ f: Fields, classID: Int, color: RGB) -> ParkingLotDescription? {
        let center =
            f["center"].map {
                read.tuple($0, f.path("center"), count: 2, what: "[x, y] in metres") { read.number($0, $1) }
            } ?? [0, 0]
        let yaw = f["yaw_deg"].map { read.number($0, f.path("yaw_deg")) } ?? 0
        let bays = f["bays"].map { read.integer($0, f.path("bays"), min: 1, max: 1000) } ?? 10
        let rows = f["rows"].map { read.integer($0, f.path("rows"), min: 1, max: 2) } ?? 2
        let bay =
            f["bay_size"].map {
                read.tuple($0, f.path("bay_size"), count: 2, what: "[width, depth] in metres") {
                    read.number($0, $1, .positive)
                }
            } ?? [2.5, 5]
        let aisle = f["aisle"].map { read.number($0, f.path("aisle"), .positive) } ?? 6
        let margin = f["margin"].map { read.number($0, f.path("margin"), .nonNegative) } ?? 1
        guard let center, let yaw, let bays, let rows, let bay, let aisle, let margin else { return nil }
        guard
            let markings = parseMarkingsBlock(f["markings"], f.path("markings"), roadClass: classID, laneWidth: bay[0])
        else { return nil }
        return ParkingLotDescription(
            classID: classID, color: color, centerX: center[0], centerY: center[1], yawDeg: yaw, bays: bays, rows: rows,
            bayWidth: bay[0], bayDepth: bay[1], aisle: aisle, margin: margin, markings: markings)
    }

    // MARK: rooms

    static let roomKeys = [
        "layout", "center", "size", "wall_height", "wall_thickness", "floor", "walls", "door", "ceiling",
    ]

    func parseRoom(_ node: Node, _ path: String) -> RoomDescription? {
        guard let f = read.fields(node, path, allowed: Self.roomKeys) else { return nil }
        var warehouse = false
        if let n = f["layout"] {
            guard let s = read.choice(n, f.path("layout"), ["room", "warehouse"]) else { return nil }
            warehouse = s == "warehouse"
        }
        let defaultSize: [Double] = warehouse ? [30, 20] : [8, 6]
        let defaultHeight: Double = warehouse ? 8 : 2.8, defaultThickness: Double = warehouse ? 0.3 : 0.15
        let center: [Double]? =
            f["center"].map {
                read.tuple($0, f.path("center"), count: 2, what: "[x, y] in metres") { read.number($0, $1) }
            } ?? [0, 0]
        let size: [Double]? =
            f["size"].map {
                read.tuple($0, f.path("size"), count: 2, what: "[x, y] in metres") { read.number($0, $1, .positive) }
            } ?? defaultSize
        let height: Double? =
            f["wall_height"].map { read.number($0, f.path("wall_height"), .positive) } ?? defaultHeight
        let thickness: Double? =
            f["wall_thickness"].map { read.number($0, f.path("wall_thickness"), .positive) } ?? defaultThickness
        let floor = f.required("floor", "{class, color}").flatMap {
            parseLook($0, f.path("floor"), color: warehouse ? [150, 150, 145] : [170, 160, 140])
        }
        let walls = f.required("walls", "{class, color}").flatMap {
            parseLook($0, f.path("walls"), color: [205, 205, 200])
        }
        var ceiling: SurfaceLook?? = .some(nil)
        if let n = f["ceiling"] {
            if n.tagName == .bool {
                if read.bool(n, f.path("ceiling")) == true {
                    collector.report(
                        f.keyMark("ceiling"), f.path("ceiling"),
                        "a ceiling needs a class: give `ceiling: {class, color}`")
                    ceiling = .none
                }
            } else {
                ceiling = parseLook(n, f.path("ceiling"), color: [225, 225, 220]).map { .some($0) } ?? .none
            }
        }
        guard let center, let size, let height, let thickness, let floor, let walls,
            case .some(let ceilingLook) = ceiling
        else { return nil }

        var door: DoorDescription? = DoorDescription(
            wall: .south, width: warehouse ? 4 : 0.9, height: Swift.min(height, warehouse ? 4.5 : 2.1), offset: 0)
        if let n = f["door"] {
            if n.tagName == .bool {
                guard let on = read.bool(n, f.path("door")) else { return nil }
                if !on { door = nil }
            } else {
                guard let d = read.fields(n, f.path("door"), allowed: ["wall", "width", "height", "offset"]) else {
                    return nil
                }
                let wall: String? =
                    d["wall"].map { read.choice($0, d.path("wall"), RoomDescription.Wall.allCases.map(\.rawValue)) }
                    ?? "south"
                let width: Double? = d["width"].map { read.number($0, d.path("width"), .positive) } ?? door?.width
                let dh: Double? = d["height"].map { read.number($0, d.path("height"), .positive) } ?? door?.height
                let offset: Double? = d["offset"].map { read.number($0, d.path("offset")) } ?? 0
                guard let wall, let side = RoomDescription.Wall(rawValue: wall), let width, let dh, let offset else {
                    return nil
                }
                let run = side == .south || side == .north ? size[0] : size[1]
                if abs(offset) + width / 2 > run / 2 {
                    read.report(
                        d["width"] ?? d["offset"] ?? n, d.path(d.has("offset") ? "offset" : "width"),
                        "the door (\(format(width)) m wide, \(format(offset)) m off centre) does not fit in the \(wall) wall (\(format(run)) m)"
                    )
                    return nil
                }
                if dh > height {
                    read.report(
                        d["height"] ?? n, d.path("height"),
                        "expected a door no taller than the walls (\(format(height)) m), found \(format(dh))")
                    return nil
                }
                door = DoorDescription(wall: side, width: width, height: dh, offset: offset)
            }
        }
        var room = RoomDescription(
            isWarehouse: warehouse, centerX: center[0], centerY: center[1], sizeX: size[0], sizeY: size[1],
            wallHeight: height, wallThickness: thickness, floorClass: floor.classID, floorColor: floor.color,
            wallClass: walls.classID, wallColor: walls.color, door: door)
        room.ceiling = ceilingLook
        return room
    }

    /// `{class, color}`.
    func parseLook(_ node: Node, _ path: String, color: [Int]) -> SurfaceLook? {
        guard let f = read.fields(node, path, allowed: ["class", "color"]) else { return nil }
        let classID = f.required("class", "a class name").flatMap { classRef($0, f.path("class")) }
        let c = f["color"].map { read.color($0, f.path("color")) } ?? linearRGB(color)
        guard let classID, let c else { return nil }
        return SurfaceLook(classID: classID, color: c)
    }

    // MARK: shelving, tables, bins, pallets

    static let pieceCommonKeys = ["name", "class", "color", "position", "yaw_deg", "size", "asset"]
    static let pieceKeys: [EnvironmentPiece.Kind: [String]] = [
        .shelving: ["levels", "board", "post", "rows", "units", "aisle"], .table: ["top", "leg"],
        .bin: ["wall", "stands_on"], .pallet: ["deck", "block"],
    ]
    /// Size, color, thickness and post size when the file gives none.
    static let pieceDefaults: [EnvironmentPiece.Kind: (size: Vec3, color: [Int], thickness: Double, post: Double)] = [
        .shelving: (Vec3(2, 0.6, 2), [70, 90, 120], 0.03, 0.05),
        .table: (Vec3(1.2, 0.8, 0.75), [150, 110, 70], 0.04, 0.06),
        .bin: (Vec3(0.6, 0.4, 0.3), [40, 90, 170], 0.012, 0),
        .pallet: (Vec3(1.2, 0.8, 0.144), [170, 135, 90], 0.022, 0.1),
    ]

    /// One entry of `shelving`, `tables`, `bins` or `pallets`: one piece, or a block of shelving units.
    /// `placed` are the pieces read before it (a bin `stands_on` one).
    func parsePiece(
        _ node: Node, _ path: String, kind: EnvironmentPiece.Kind, placed: [EnvironmentPiece]
    )
        -> [EnvironmentPiece]?
    {
        let own = Self.pieceKeys[kind] ?? []
        guard let f = read.fields(node, path, allowed: Self.pieceCommonKeys + own),
            let defaults = Self.pieceDefaults[kind]
        else { return nil }
        let name = f.required("name", "a name placements can refer to").flatMap { read.string($0, f.path("name")) }
        let classID = f.required("class", "a class name").flatMap { classRef($0, f.path("class")) }
        let color = f["color"].map { read.color($0, f.path("color")) } ?? linearRGB(defaults.color)
        let position = f.required("position", "[x, y] or [x, y, z] in metres").flatMap { n -> Vec3? in
            if case .sequence(let s) = n, s.count == 2 {
                return read.tuple(n, f.path("position"), count: 2, what: "[x, y]") { read.number($0, $1) }.map {
                    Vec3($0[0], $0[1], 0)
                }
            }
            return read.vec3(n, f.path("position"))
        }
        let yaw = f["yaw_deg"].map { read.number($0, f.path("yaw_deg")) } ?? 0
        var size = f["size"].map { read.vec3Positive($0, f.path("size")) } ?? defaults.size
        let thicknessKey = ["shelving": "board", "table": "top", "bin": "wall", "pallet": "deck"][kind.rawValue] ?? ""
        let postKey = ["shelving": "post", "table": "leg", "pallet": "block"][kind.rawValue]
        let thickness = f[thicknessKey].map { read.number($0, f.path(thicknessKey), .positive) } ?? defaults.thickness
        let post = postKey.flatMap { k in f[k].map { read.number($0, f.path(k), .positive) } } ?? defaults.post
        guard let name, let classID, let color, var position, let yaw, let sizeValue = size, let thickness, let post
        else {
            return nil
        }
        size = sizeValue
        let location = collector.location(node.mark, path)

        // An asset instead of the built model: fitted into `size` (its own size without one).
        var model = PieceModel.built
        var assetHeights: [Double] = []
        if let n = f["asset"] {
            guard let entry = assetReference(n, f.path("asset")) else { return nil }
            let am = assetModel(entry, name: entry.asset.name, classID: classID, colorGiven: false)
            let scale = f.has("size") ? am.fitScale(sizeValue) : 1
            size = am.naturalSize * scale
            assetHeights = am.supportHeights.map { $0 * scale }
            model = .asset(am)
        }
        guard let size else { return nil }
        if thickness >= size.z || 2 * post >= Swift.min(size.x, size.y)
            || (kind == .bin && 2 * thickness >= Swift.min(size.x, size.y))
        {
            read.report(
                f[thicknessKey] ?? f[postKey ?? ""] ?? f["size"] ?? node, path,
                "the \(kind.rawValue)'s \(thicknessKey) (\(format(thickness)) m)\(postKey.map { " and \($0) (\(format(post)) m)" } ?? "") do not fit its size \(format(size.x)) × \(format(size.y)) × \(format(size.z)) m"
            )
            return nil
        }

        // Support heights: the asset's when it has them, else the file's.
        var heights: [Double]
        switch kind {
        case .shelving:
            if !assetHeights.isEmpty {
                heights = assetHeights
            } else {
                guard let h = parseLevels(f, height: size.z, board: thickness) else { return nil }
                heights = h
            }
        case .table, .pallet: heights = [assetHeights.max() ?? size.z]
        case .bin: heights = [assetHeights.min() ?? thickness]
        }

        if kind == .bin, let n = f["stands_on"] {
            guard let on = read.string(n, f.path("stands_on")) else { return nil }
            guard let base = placed.first(where: { $0.name == on && ($0.kind == .table || $0.kind == .pallet) }) else {
                let known = placed.filter { $0.kind == .table || $0.kind == .pallet }.map(\.name)
                read.report(
                    n, f.path("stands_on"),
                    "no table or pallet is called `\(on)`\(didYouMean(on, known)) (tables and pallets: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
                )
                return nil
            }
            // Stand on its top; the position's x, y stay world coordinates and must be over it.
            position.z = base.position.z + (base.supportHeights.last ?? base.size.z)
            let local = base.worldFromPiece.rigidInverse
            let turn = Mat4.rotationZ(radians(yaw))
            for sx in [-0.5, 0.5] {
                for sy in [-0.5, 0.5] {
                    let corner = local.transformPoint(
                        position + turn.transformDirection(Vec3(sx * size.x, sy * size.y, 0)))
                    if abs(corner.x) > base.size.x / 2 + 1e-9 || abs(corner.y) > base.size.y / 2 + 1e-9 {
                        read.report(
                            n, f.path("stands_on"), "the bin `\(name)` at its `position` does not fit on `\(on)`")
                        return nil
                    }
                }
            }
        }

        var rows = 1, units = 1, aisle = 2.5
        if kind == .shelving {
            var ok = true
            if let n = f["rows"] {
                if let v = read.integer(n, f.path("rows"), min: 1, max: 100) { rows = v } else { ok = false }
            }
            if let n = f["units"] {
                if let v = read.integer(n, f.path("units"), min: 1, max: 100) { units = v } else { ok = false }
            }
            if let n = f["aisle"] {
                if let v = read.number(n, f.path("aisle"), .nonNegative) { aisle = v } else { ok = false }
            }
            guard ok else { return nil }
        }
        let block = Mat4.pose(position: position, yaw: radians(yaw))
        var out: [EnvironmentPiece] = []
        for r in 0..<rows {
            for u in 0..<units {
                let offset = Vec3(
                    (Double(u) - Double(units - 1) / 2) * size.x, (Double(r) - Double(rows - 1) / 2) * (size.y + aisle),
                    0)
                out.append(
                    EnvironmentPiece(
                        kind: kind, name: rows * units == 1 ? name : "\(name)_\(r)_\(u)", group: name, classID: classID,
                        color: color, position: block.transformPoint(offset), yawDeg: yaw, size: size,
                        supportHeights: heights, thickness: thickness, postSize: post, model: model, location: location)
                )
            }
        }
        return out
    }

    /// `levels`: board-top heights (ascending, above the board thickness, at most the unit's height),
    /// or a count of evenly spaced boards from 0.1 m up to the top. Default: 4.
    private func parseLevels(_ f: Fields, height: Double, board: Double) -> [Double]? {
        func even(_ n: Int) -> [Double] {
            let low = Swift.max(0.1, board)
            return n == 1 ? [low] : (0..<n).map { low + Double($0) * (height - low) / Double(n - 1) }
        }
        guard let n = f["levels"] else { return even(4) }
        if case .sequence(let items) = n {
            let list = items.enumerated().compactMap {
                read.number($0.element, f.path("levels") + "[\($0.offset)]", .closed(board, height))
            }
            guard list.count == items.count else { return nil }
            guard !list.isEmpty, zip(list, list.dropFirst()).allSatisfy({ $1 - $0 > board }) else {
                read.report(
                    n, f.path("levels"),
                    "expected board heights in increasing order, each more than a board (\(format(board)) m) above the last, found \(list.map(format))"
                )
                return nil
            }
            return list
        }
        return read.integer(n, f.path("levels"), min: 1, max: 50).map(even)
    }
}

extension FieldReader {
    /// `[x, y, z]`, each a number greater than 0.
    func vec3Positive(_ node: Node, _ path: String) -> Vec3? {
        tuple(node, path, count: 3, what: "[x, y, z] (three numbers greater than 0)") { number($0, $1, .positive) }.map
        {
            Vec3($0[0], $0[1], $0[2])
        }
    }
}

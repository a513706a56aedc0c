// Drawing the environment: the stuff of curved roads, intersections, parking lots and rooms, and the
// parts of shelving units, tables, bins and pallets. All of it is fixed, so every frame draws the
// same surfaces; placement tests objects against the same parts (Collision.swift).
//
// Roads are drawn as flat rectangles along their centreline (an arc as pieces of at most 3 degrees,
// each widened on the inside of the turn so that no gap shows), sidewalks as boxes as tall as the
// curb, markings as rectangles 1 cm above the road, like the straight road's (FrameSampler.swift).

/// Surfaces being collected for one environment, all stuff.
struct StuffBuilder {
    var surfaces: [Surface] = []

    /// A band of the road `path`: `s` along it, `lateral` across, a plane at `z` or a box `height` tall.
    mutating func band(
        _ name: String, _ path: RoadPath, s: ClosedRange<Double>, lateral: ClosedRange<Double>, z: Double,
        height: Double = 0, _ look: SurfaceLook
    ) {
        guard s.upperBound > s.lowerBound, lateral.upperBound > lateral.lowerBound else { return }
        let pieces = path.pieces(s)
        for (k, piece) in pieces.enumerated() {
            let r = path.rectangle(s: piece, lateral: lateral)
            let shape: Shape =
                height > 0
                ? .box(size: Vec3(r.length, r.width, height)) : .plane(sizeX: r.length, sizeY: r.width)
            surfaces.append(
                Surface(
                    name: pieces.count == 1 ? name : "\(name)_\(k)", shape: shape,
                    worldFromObject: .translation(Vec3(0, 0, height > 0 ? 0 : z)) * r.pose, color: look.color,
                    classID: look.classID, instanceID: 0))
        }
    }

    /// A line `width` wide centred `lateral` from the centreline, solid or dashed.
    mutating func line(
        _ name: String, _ path: RoadPath, s: ClosedRange<Double>, lateral: Double, _ m: MarkingsDescription,
        dashed: Bool
    ) {
        let z = RoadDescription.surfaceHeight + RoadDescription.markingLift
        let look = SurfaceLook(classID: m.classID, color: m.color)
        let across = (lateral - m.lineWidth / 2)...(lateral + m.lineWidth / 2)
        guard dashed, m.gapLength > 0 else {
            band(name, path, s: s, lateral: across, z: z, look)
            return
        }
        var k = 0
        var s0 = s.lowerBound + m.gapLength / 2
        while s0 < s.upperBound {
            let s1 = Swift.min(s0 + m.dashLength, s.upperBound)
            band("\(name)_\(k)", path, s: s0...s1, lateral: across, z: z, look)
            k += 1
            s0 += m.dashLength + m.gapLength
        }
    }

    /// Lane lines of a road between `s`: solid where directions meet, dashed between lanes of one
    /// direction, and edge lines near both curbs (as on the straight road).
    mutating func laneMarkings(_ name: String, _ road: RoadCrossSection, _ path: RoadPath, s: ClosedRange<Double>) {
        guard let m = road.markings else { return }
        for k in 1..<Swift.max(road.lanes, 1) {
            line(
                "\(name)_lane\(k)", path, s: s, lateral: -road.width / 2 + Double(k) * road.laneWidth, m,
                dashed: road.laneIsReversed(k - 1) == road.laneIsReversed(k))
        }
        if m.edgeLines {
            let inset = Swift.min(0.25, road.laneWidth / 4) + m.lineWidth / 2
            line("\(name)_edge_right", path, s: s, lateral: -road.width / 2 + inset, m, dashed: false)
            line("\(name)_edge_left", path, s: s, lateral: road.width / 2 - inset, m, dashed: false)
        }
    }

    /// The road surface and its sidewalks (both sides) between `s`.
    mutating func road(_ name: String, _ road: RoadCrossSection, _ path: RoadPath, s: ClosedRange<Double>) {
        band(
            name, path, s: s, lateral: (-road.width / 2)...(road.width / 2), z: RoadDescription.surfaceHeight,
            SurfaceLook(classID: road.classID, color: road.color))
        guard let sw = road.sidewalk else { return }
        let look = SurfaceLook(classID: sw.classID, color: sw.color)
        band(
            "sidewalk_\(name)_right", path, s: s, lateral: (-road.width / 2 - sw.width)...(-road.width / 2),
            z: RoadDescription.surfaceHeight, height: sw.height, look)
        band(
            "sidewalk_\(name)_left", path, s: s, lateral: (road.width / 2)...(road.width / 2 + sw.width),
            z: RoadDescription.surfaceHeight, height: sw.height, look)
    }

    /// A world rectangle `[x0, x1] x [y0, y1]` in the frame `worldFrom`: a plane at `z` or a box.
    mutating func rect(
        _ name: String, _ worldFrom: Mat4 = .identity, x: ClosedRange<Double>, y: ClosedRange<Double>, z: Double,
        height: Double = 0, _ look: SurfaceLook
    ) {
        let lx = x.upperBound - x.lowerBound, ly = y.upperBound - y.lowerBound
        guard lx > 0, ly > 0 else { return }
        let centre = Vec3((x.lowerBound + x.upperBound) / 2, (y.lowerBound + y.upperBound) / 2, height > 0 ? z : z)
        surfaces.append(
            Surface(
                name: name, shape: height > 0 ? .box(size: Vec3(lx, ly, height)) : .plane(sizeX: lx, sizeY: ly),
                worldFromObject: worldFrom * .translation(centre), color: look.color, classID: look.classID,
                instanceID: 0))
    }
}

extension SceneDescription {
    /// The environment's stuff: a curved road, an intersection or a parking lot, and a room.
    func environmentSurfaces() -> [Surface] {
        guard let env = environment else { return [] }
        var b = StuffBuilder()
        switch env.road {
        case .curved(let c)?:
            let path = c.path
            b.road("road", c.road, path, s: 0...path.length)
            b.laneMarkings("marking", c.road, path, s: 0...path.length)
        case .intersection(let x)?:
            b.intersection(x)
        case .parkingLot(let p)?:
            b.parkingLot(p)
        case nil:
            break
        }
        if let room = env.room { b.room(room) }
        return b.surfaces
    }
}

extension StuffBuilder {
    mutating func intersection(_ x: IntersectionDescription) {
        let L = x.armLength, main = x.main, cross = x.cross
        let w1 = main.width / 2, w2 = cross.width / 2
        let mainLook = SurfaceLook(classID: main.classID, color: main.color)
        let crossLook = SurfaceLook(classID: cross.classID, color: cross.color)
        let z = RoadDescription.surfaceHeight
        // Road surfaces: the main road whole, the cross road's arms up to it.
        band("road_main", x.mainPath, s: 0...(2 * L), lateral: -w1...w1, z: z, mainLook)
        band("road_cross_south", x.crossPath, s: 0...(L - w1), lateral: -w2...w2, z: z, crossLook)
        band("road_cross_north", x.crossPath, s: (L + w1)...(2 * L), lateral: -w2...w2, z: z, crossLook)
        // Sidewalks: a square at each corner and a strip along each arm.
        if let sw = main.sidewalk ?? cross.sidewalk {
            let look = SurfaceLook(classID: sw.classID, color: sw.color)
            let h = sw.height, sz = h > 0 ? 0 : z, w = sw.width
            for (label, sx, sy) in [("ne", 1.0, 1.0), ("nw", -1.0, 1.0), ("sw", -1.0, -1.0), ("se", 1.0, -1.0)] {
                func span(_ sign: Double, _ a: Double, _ b: Double) -> ClosedRange<Double> {
                    sign > 0 ? a...b : (-b)...(-a)
                }
                rect(
                    "sidewalk_corner_\(label)", x: span(sx, w2, w2 + w), y: span(sy, w1, w1 + w), z: sz, height: h, look
                )
                rect("sidewalk_\(label)_x", x: span(sx, w2 + w, L), y: span(sy, w1, w1 + w), z: sz, height: h, look)
                rect("sidewalk_\(label)_y", x: span(sx, w2, w2 + w), y: span(sy, w1 + w, L), z: sz, height: h, look)
            }
        }
        let mz = RoadDescription.surfaceHeight + RoadDescription.markingLift
        // Crosswalks: stripes parallel to the traffic, across each arm just outside the junction.
        if let c = x.crosswalk {
            let look = SurfaceLook(classID: c.classID, color: c.color)
            for (arm, alongMain, sign) in [
                ("east", true, 1.0), ("west", true, -1.0), ("north", false, 1.0), ("south", false, -1.0),
            ] {
                let road = alongMain ? main : cross, path = alongMain ? x.mainPath : x.crossPath
                let inner = (alongMain ? w2 : w1) + IntersectionDescription.crosswalkSetback
                let s = sign > 0 ? (L + inner)...(L + inner + c.width) : (L - inner - c.width)...(L - inner)
                var lateral = -road.width / 2 + c.gap / 2, k = 0
                while lateral + c.stripeWidth <= road.width / 2 - c.gap / 2 + 1e-9 {
                    band(
                        "crosswalk_\(arm)_\(k)", path, s: s, lateral: lateral...(lateral + c.stripeWidth), z: mz, look)
                    lateral += c.stripeWidth + c.gap
                    k += 1
                }
            }
        }
        // Stop lines across the lanes coming in, and lane lines along the arms beyond them.
        for (name, road, path, alongMain) in [
            ("main", main, x.mainPath, true), ("cross", cross, x.crossPath, false),
        ] {
            let start = x.armStart(alongMain: alongMain)
            laneMarkings("marking_\(name)_lo", road, path, s: 0...(L - start))
            laneMarkings("marking_\(name)_hi", road, path, s: (L + start)...(2 * L))
            guard let width = x.stopLineWidth, let m = road.markings else { continue }
            let look = SurfaceLook(classID: m.classID, color: m.color)
            let outer = x.crosswalkOuter(alongMain: alongMain) + IntersectionDescription.stopLineGap
            let reversed = (0..<road.lanes).filter { road.laneIsReversed($0) }
            let forward = (0..<road.lanes).filter { !road.laneIsReversed($0) }
            let boundary = -road.width / 2 + Double(forward.count) * road.laneWidth
            // Traffic heading along the path comes in on the low arm, the reversed lanes on the high arm.
            if !forward.isEmpty {
                band(
                    "stop_line_\(name)_lo", path, s: (L - outer - width)...(L - outer),
                    lateral: (-road.width / 2)...boundary, z: mz, look)
            }
            if !reversed.isEmpty {
                band(
                    "stop_line_\(name)_hi", path, s: (L + outer)...(L + outer + width),
                    lateral: boundary...(road.width / 2), z: mz, look)
            }
        }
    }

    mutating func parkingLot(_ p: ParkingLotDescription) {
        let frame = p.worldFromLot
        rect(
            "parking_lot", frame, x: (-p.halfLength)...p.halfLength, y: p.minY...p.maxY,
            z: RoadDescription.surfaceHeight, SurfaceLook(classID: p.classID, color: p.color))
        guard let m = p.markings else { return }
        let look = SurfaceLook(classID: m.classID, color: m.color)
        let z = RoadDescription.surfaceHeight + RoadDescription.markingLift, w = m.lineWidth / 2
        for row in 0..<p.rows {
            // Bays run from the aisle's edge to the row's back line.
            let y0 = row == 0 ? -p.aisle / 2 - p.bayDepth : p.aisle / 2
            let y1 = y0 + p.bayDepth
            let back = row == 0 ? y0 : y1
            for k in 0...p.bays {
                let x = -p.rowLength / 2 + Double(k) * p.bayWidth
                rect("bay_line_\(row)_\(k)", frame, x: (x - w)...(x + w), y: y0...y1, z: z, look)
            }
            rect(
                "bay_back_\(row)", frame, x: (-p.rowLength / 2 - w)...(p.rowLength / 2 + w), y: (back - w)...(back + w),
                z: z, look)
        }
    }

    mutating func room(_ r: RoomDescription) {
        let frame = Mat4.translation(Vec3(r.centerX, r.centerY, 0))
        let hx = r.sizeX / 2, hy = r.sizeY / 2, t = r.wallThickness, h = r.wallHeight
        rect(
            "floor", frame, x: (-hx)...hx, y: (-hy)...hy, z: RoomDescription.floorHeight,
            SurfaceLook(classID: r.floorClass, color: r.floorColor))
        let look = SurfaceLook(classID: r.wallClass, color: r.wallColor)
        // South and north walls cover the corners; west and east walls fit between them.
        let walls: [(RoomDescription.Wall, ClosedRange<Double>, ClosedRange<Double>)] = [
            (.south, (-hx - t)...(hx + t), (-hy - t)...(-hy)), (.north, (-hx - t)...(hx + t), hy...(hy + t)),
            (.west, (-hx - t)...(-hx), (-hy)...hy), (.east, hx...(hx + t), (-hy)...hy),
        ]
        for (wall, x, y) in walls {
            let name = "wall_\(wall.rawValue)"
            guard let door = r.door, door.wall == wall else {
                rect(name, frame, x: x, y: y, z: 0, height: h, look)
                continue
            }
            // The door: the wall in two pieces either side of the gap and a lintel above it.
            let alongX = wall == .south || wall == .north
            let run = alongX ? x : y
            let gap = (door.offset - door.width / 2)...(door.offset + door.width / 2)
            let pieces = [
                ("\(name)_a", run.lowerBound...gap.lowerBound, 0.0, h),
                ("\(name)_b", gap.upperBound...run.upperBound, 0.0, h),
                ("\(name)_lintel", gap, door.height, h - door.height),
            ]
            for (pieceName, span, z0, height) in pieces where height > 0 {
                rect(pieceName, frame, x: alongX ? span : x, y: alongX ? y : span, z: z0, height: height, look)
            }
        }
        if let c = r.ceiling {
            rect(
                "ceiling", frame, x: (-hx - t)...(hx + t), y: (-hy - t)...(hy + t), z: h,
                height: RoomDescription.ceilingThickness, SurfaceLook(classID: c.classID, color: c.color))
        }
    }
}

extension RoomDescription {
    /// The floor is a plane this high (above a `ground` at 0); things on it stand at this height.
    public static let floorHeight = RoadDescription.surfaceHeight
    public static let ceilingThickness = 0.1
}

extension EnvironmentPiece {
    /// The primitives of the piece as generated from its dimensions, in its frame: what is drawn for
    /// a built piece, and what placement tests against for every piece (an asset-based piece too).
    var builtParts: [SampledPart] {
        let L = size.x, W = size.y, H = size.z, t = thickness, p = postSize
        func part(_ name: String, _ s: Vec3, _ at: Vec3) -> SampledPart {
            SampledPart(name: name, shape: .box(size: s), objectFromPart: .translation(at), color: color)
        }
        var out: [SampledPart] = []
        switch kind {
        case .shelving:
            var k = 0
            for sx in [-1.0, 1.0] {
                for sy in [-1.0, 1.0] {
                    out.append(part("post_\(k)", Vec3(p, p, H), Vec3(sx * (L - p) / 2, sy * (W - p) / 2, 0)))
                    k += 1
                }
            }
            for (i, h) in supportHeights.enumerated() {
                out.append(part("board_\(i)", Vec3(L, W, t), Vec3(0, 0, h - t)))
            }
        case .table:
            let top = supportHeights.last ?? H
            out.append(part("top", Vec3(L, W, t), Vec3(0, 0, top - t)))
            var k = 0
            for sx in [-1.0, 1.0] {
                for sy in [-1.0, 1.0] {
                    out.append(part("leg_\(k)", Vec3(p, p, top - t), Vec3(sx * (L - p) / 2, sy * (W - p) / 2, 0)))
                    k += 1
                }
            }
        case .bin:
            let floor = supportHeights.first ?? t
            out.append(part("floor", Vec3(L, W, floor), .zero))
            out.append(part("wall_front", Vec3(t, W, H), Vec3((L - t) / 2, 0, 0)))
            out.append(part("wall_back", Vec3(t, W, H), Vec3(-(L - t) / 2, 0, 0)))
            out.append(part("wall_left", Vec3(L - 2 * t, t, H), Vec3(0, (W - t) / 2, 0)))
            out.append(part("wall_right", Vec3(L - 2 * t, t, H), Vec3(0, -(W - t) / 2, 0)))
        case .pallet:
            let top = supportHeights.last ?? H
            out.append(part("deck", Vec3(L, W, t), Vec3(0, 0, top - t)))
            for (i, y) in [-(W - p) / 2, 0, (W - p) / 2].enumerated() {
                out.append(part("stringer_\(i)", Vec3(L, p, top - t), Vec3(0, y, 0)))
            }
        }
        return out
    }

    /// What is drawn: the built primitives, or the asset's parts fitted to the piece's size.
    var drawnParts: [SampledPart] {
        switch model {
        case .built: return builtParts
        case .asset(let a):
            return a.sampledParts(scale: a.fitScale(size), color: color, roughness: nil, metallic: nil)
        }
    }

    /// Instances the piece makes: one per class among its drawn parts.
    var instanceCount: Int {
        switch model {
        case .built: return 1
        case .asset(let a): return (a.parts.contains { $0.classID == nil } ? 1 : 0) + a.extraClasses.count
        }
    }
}

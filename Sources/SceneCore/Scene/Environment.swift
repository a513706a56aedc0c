// The `environment` block (docs/SCENE_FORMAT.md, "environment"): a generated driving or robotics
// setting. Roads, sidewalks, markings, floors and walls are stuff (instance id 0); shelving units,
// tables, bins and pallets are things, each one instance. The environment is fixed: the same in every
// frame and every layout, so the objects placed on it are what varies.

/// A road's cross-section: what straight, curved and crossing roads share.
public struct RoadCrossSection: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    /// Curb to curb (metres).
    public var width: Double
    public var lanes: Int
    public var markings: MarkingsDescription?
    public var sidewalk: SidewalkDescription?

    public var laneWidth: Double { width / Double(lanes) }

    /// Lateral offset of lane `i`'s centre from the centreline (left of the direction of travel is
    /// positive; lane 0 is the rightmost).
    public func laneOffset(_ i: Int) -> Double { -width / 2 + (Double(i) + 0.5) * laneWidth }

    /// Whether lane `i`'s traffic runs against the road's direction (lanes left of the centreline).
    public func laneIsReversed(_ i: Int) -> Bool { laneOffset(i) > 1e-9 }

    /// The same cross-section as a straight `RoadDescription` (the legacy `road` block's form).
    func straight(startX: Double, length: Double) -> RoadDescription {
        RoadDescription(
            classID: classID, color: color, width: width, lanes: lanes, startX: startX, length: length,
            markings: markings, sidewalk: sidewalk)
    }
}

extension RoadDescription {
    var crossSection: RoadCrossSection {
        RoadCrossSection(
            classID: classID, color: color, width: width, lanes: lanes, markings: markings, sidewalk: sidewalk)
    }

    /// The road's centreline: from (startX, 0) along +X.
    var path: RoadPath { .line(x: startX, y: 0, heading: 0, length: length) }
}

/// A road's centreline, parametrized by the distance `s` from its start. Lateral offsets are measured
/// to the left of the direction of travel.
public enum RoadPath: Hashable, Sendable {
    /// From (x, y), heading (radians from +X) for `length` metres.
    case line(x: Double, y: Double, heading: Double, length: Double)
    /// A circular arc starting at (x, y) with the given heading; `sweep` radians, positive turning
    /// left (counter-clockwise seen from above), negative turning right.
    case arc(x: Double, y: Double, heading: Double, radius: Double, sweep: Double)
    /// A polyline through the points (a robot path); each segment straight.
    case polyline([Vec3])

    public var length: Double {
        switch self {
        case .line(_, _, _, let l): return l
        case .arc(_, _, _, let r, let sweep): return r * abs(sweep)
        case .polyline(let p):
            return zip(p, p.dropFirst()).reduce(0) { $0 + ($1.1 - $1.0).length }
        }
    }

    /// The point `lateral` metres left of the centreline at distance `s`, and the heading there.
    /// Beyond the ends the path continues straight along its end headings.
    public func pose(s: Double, lateral: Double = 0) -> (point: Vec3, heading: Double) {
        switch self {
        case .line(let x, let y, let h, _):
            return (Vec3(x + s * cos(h) - lateral * sin(h), y + s * sin(h) + lateral * cos(h), 0), h)
        case .arc(let x, let y, let h, let r, let sweep):
            let total = r * abs(sweep)
            if s < 0 || s > total {
                let end = s < 0 ? 0 : total
                let base = pose(s: end, lateral: lateral)
                let d = s - end
                return (base.point + Vec3(cos(base.heading), sin(base.heading), 0) * d, base.heading)
            }
            let turn = sweep >= 0 ? 1.0 : -1.0
            // Centre of the circle: `r` to the left (left turn) or right of the start.
            let cx = x - turn * r * sin(h), cy = y + turn * r * cos(h)
            let heading = h + turn * s / r
            // Left of travel points to the centre on a left turn, away from it on a right turn.
            let radial = r - turn * lateral
            let phi = heading - turn * Double.pi / 2
            return (Vec3(cx + radial * cos(phi), cy + radial * sin(phi), 0), heading)
        case .polyline(let points):
            var remaining = s
            for (k, (a, b)) in zip(points, points.dropFirst()).enumerated() {
                let seg = b - a, l = seg.length
                let isLast = k == points.count - 2
                if remaining <= l || isLast {
                    let h = atan2(seg.y, seg.x)
                    let p = a + seg * (remaining / l)
                    return (p + Vec3(-sin(h), cos(h), 0) * lateral, h)
                }
                remaining -= l
            }
            return (points.first ?? .zero, 0)
        }
    }

    /// Pieces `[s0, s1]` short enough that each is drawn as one straight rectangle (at most 3 degrees
    /// of turn on an arc), covering `range`.
    func pieces(_ range: ClosedRange<Double>) -> [ClosedRange<Double>] {
        guard case .arc(_, _, _, let r, _) = self else { return [range] }
        let step = r * 3 * Double.pi / 180
        let n = Swift.max(1, Int(((range.upperBound - range.lowerBound) / step).rounded(.up)))
        let d = (range.upperBound - range.lowerBound) / Double(n)
        return (0..<n).map { k in
            (range.lowerBound + Double(k) * d)...(k == n - 1 ? range.upperBound : range.lowerBound + Double(k + 1) * d)
        }
    }

    /// A rectangle covering the band `lateral` of the piece `s` of the path: its pose (centre at
    /// height 0, X along the path) and its size. On an arc the rectangle is widened just enough that
    /// neighbouring pieces leave no gap on the inside of the turn.
    func rectangle(s: ClosedRange<Double>, lateral: ClosedRange<Double>) -> (pose: Mat4, length: Double, width: Double)
    {
        let mid = (s.lowerBound + s.upperBound) / 2
        let ds = s.upperBound - s.lowerBound
        guard case .arc(_, _, _, let r, let sweep) = self else {
            let p = pose(s: mid, lateral: (lateral.lowerBound + lateral.upperBound) / 2)
            return (
                Mat4.pose(position: p.point, yaw: p.heading), ds, lateral.upperBound - lateral.lowerBound
            )
        }
        let turn = sweep >= 0 ? 1.0 : -1.0
        // Radii of the band's two edges (a lateral offset moves towards the centre on a left turn).
        let ra = r - turn * lateral.lowerBound, rb = r - turn * lateral.upperBound
        let inner = Swift.min(ra, rb), outer = Swift.max(ra, rb)
        let half = ds / r / 2
        let length = 2 * outer * tan(half)
        let innerReach = inner * cos(half)
        let midRadius = (innerReach + outer) / 2
        let lateralMid = (r - midRadius) * turn
        let p = pose(s: mid, lateral: lateralMid)
        return (Mat4.pose(position: p.point, yaw: p.heading), length, outer - innerReach)
    }
}

/// `environment.road` with a layout other than `straight` (a straight road is the top-level `road`).
public enum RoadLayout: Hashable, Sendable {
    case curved(CurvedRoadDescription)
    case intersection(IntersectionDescription)
    case parkingLot(ParkingLotDescription)
}

/// One arc of road: starts at `start` heading `headingDeg` and turns through `angleDeg` on a
/// centreline of `radius` (positive angles turn left).
public struct CurvedRoadDescription: Hashable, Sendable {
    public var road: RoadCrossSection
    public var startX: Double
    public var startY: Double
    public var headingDeg: Double
    public var radius: Double
    public var angleDeg: Double

    public var path: RoadPath {
        .arc(
            x: startX, y: startY, heading: radians(headingDeg), radius: radius, sweep: radians(angleDeg))
    }
}

/// Two straight roads crossing at the origin: the main road along X, the cross road along Y, each
/// `armLength` metres from the centre on every side.
public struct IntersectionDescription: Hashable, Sendable {
    public var main: RoadCrossSection
    public var cross: RoadCrossSection
    public var armLength: Double
    public var crosswalk: CrosswalkDescription?
    /// Stop lines across the incoming lanes before each crosswalk; nil: none.
    public var stopLineWidth: Double?

    /// Crosswalks start this far from the junction box.
    public static let crosswalkSetback = 0.5
    /// Stop lines sit this far before the crosswalk.
    public static let stopLineGap = 0.5

    /// Distance from the centre to the outer edge of the crosswalk across the main road's arms
    /// (`alongMain`) or the cross road's arms.
    func crosswalkOuter(alongMain: Bool) -> Double {
        let junction = alongMain ? cross.width / 2 : main.width / 2
        return junction + Self.crosswalkSetback + (crosswalk?.width ?? 0)
    }

    /// Where the arms' lanes, lines and lane placements begin, from the centre: past the crosswalk and
    /// the stop line.
    func armStart(alongMain: Bool) -> Double {
        crosswalkOuter(alongMain: alongMain) + (stopLineWidth.map { Self.stopLineGap + $0 } ?? 0)
    }

    /// The main road runs from x = -armLength to +armLength, the cross road likewise along Y.
    var mainPath: RoadPath { .line(x: -armLength, y: 0, heading: 0, length: 2 * armLength) }
    var crossPath: RoadPath { .line(x: 0, y: -armLength, heading: Double.pi / 2, length: 2 * armLength) }
}

public struct CrosswalkDescription: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    /// Across the stripes: the distance a pedestrian walks along the road.
    public var width: Double
    public var stripeWidth: Double
    public var gap: Double
}

/// An asphalt lot with rows of bays either side of a driving aisle along local X.
public struct ParkingLotDescription: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
    public var centerX: Double
    public var centerY: Double
    public var yawDeg: Double
    /// Bays per row.
    public var bays: Int
    /// 1: one row (below the aisle); 2: a row on each side.
    public var rows: Int
    /// Bay width (along the row) and depth.
    public var bayWidth: Double
    public var bayDepth: Double
    public var aisle: Double
    public var margin: Double
    public var markings: MarkingsDescription?

    var worldFromLot: Mat4 { Mat4.pose(position: Vec3(centerX, centerY, 0), yaw: radians(yawDeg)) }
    var rowLength: Double { Double(bays) * bayWidth }
    /// Asphalt extent in the lot frame.
    var halfLength: Double { rowLength / 2 + margin }
    var minY: Double { -aisle / 2 - bayDepth - margin }
    var maxY: Double { aisle / 2 + (rows == 2 ? bayDepth : 0) + margin }

    /// The aisle as a two-lane road along local X (for lanes and the camera mount).
    var aisleRoad: RoadCrossSection {
        RoadCrossSection(classID: classID, color: color, width: aisle, lanes: 2, markings: nil, sidewalk: nil)
    }

    var aislePath: RoadPath {
        let start = worldFromLot.transformPoint(Vec3(-halfLength, 0, 0))
        return .line(x: start.x, y: start.y, heading: radians(yawDeg), length: 2 * halfLength)
    }

    /// Centre (lot frame) of bay `k` of row `row`, and the heading of a car parked nose-in.
    func bay(row: Int, _ k: Int) -> (x: Double, y: Double, heading: Double) {
        let x = -rowLength / 2 + (Double(k) + 0.5) * bayWidth
        return row == 0 ? (x, -aisle / 2 - bayDepth / 2, -Double.pi / 2) : (x, aisle / 2 + bayDepth / 2, Double.pi / 2)
    }
}

/// A room or warehouse: a floor, four walls (one with a door gap), optionally a ceiling.
public struct RoomDescription: Hashable, Sendable {
    public enum Wall: String, Hashable, Sendable, CaseIterable { case south, north, west, east }

    public var isWarehouse: Bool
    public var centerX: Double
    public var centerY: Double
    /// Inner floor size along X and Y.
    public var sizeX: Double
    public var sizeY: Double
    public var wallHeight: Double
    public var wallThickness: Double
    public var floorClass: Int
    public var floorColor: RGB
    public var wallClass: Int
    public var wallColor: RGB
    public var door: DoorDescription?
    /// A thin slab on top of the walls; nil: open to the sky.
    public var ceiling: SurfaceLook?
}

/// A class and a color: how a generated surface looks and is labelled.
public struct SurfaceLook: Hashable, Sendable {
    public var classID: Int
    public var color: RGB
}

public struct DoorDescription: Hashable, Sendable {
    public var wall: RoomDescription.Wall
    public var width: Double
    public var height: Double
    /// Along the wall from its middle (metres; towards +X or +Y).
    public var offset: Double
}

/// What an environment piece (shelving unit, table, bin, pallet) is built from.
public enum PieceModel: Hashable, Sendable {
    /// Primitives generated from the piece's dimensions.
    case built
    /// An asset fitted to the piece's size; its parts are drawn and its support heights used.
    case asset(AssetModel)
}

/// A piece of robotics furniture: shelving unit, table, bin or pallet. Its frame has the origin at
/// the centre of its footprint on the floor (or on what it stands on), X along its length.
public struct EnvironmentPiece: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case shelving, table, bin, pallet
    }

    public var kind: Kind
    /// Unique among the pieces: the entry's name, or `<entry>_<row>_<unit>` for repeated shelving.
    public var name: String
    /// The entry's name (what `placement.pieces` may name to mean all of its units).
    public var group: String
    public var classID: Int
    public var color: RGB
    /// Bottom centre of the piece in the world.
    public var position: Vec3
    public var yawDeg: Double
    /// Length (X), depth (Y), height (Z).
    public var size: Vec3
    /// Shelving: heights of the boards' tops above the piece's bottom, lowest first. Table, pallet:
    /// the top. Bin: the inner floor.
    public var supportHeights: [Double]
    /// Board / table-top / bin-wall / deck thickness.
    public var thickness: Double
    /// Posts / legs / pallet blocks: their side.
    public var postSize: Double
    public var model: PieceModel
    /// Where the entry is in the file, for placement messages.
    public var location: SourceLocation

    public var worldFromPiece: Mat4 { Mat4.pose(position: position, yaw: radians(yawDeg)) }
}

/// The environment block after loading.
public struct EnvironmentDescription: Hashable, Sendable {
    /// A curved road, an intersection or a parking lot (a straight road is `SceneDescription.road`).
    public var road: RoadLayout?
    public var room: RoomDescription?
    /// Shelving units, tables, bins and pallets, in file order (shelving, tables, bins, pallets).
    public var pieces: [EnvironmentPiece]

    public init(road: RoadLayout? = nil, room: RoomDescription? = nil, pieces: [EnvironmentPiece] = []) {
        self.road = road
        self.room = room
        self.pieces = pieces
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

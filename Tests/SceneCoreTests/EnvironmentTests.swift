import XCTest

@testable import SceneCore

/// The environment's generated surfaces: roads follow their arcs, markings and crosswalks lie where
/// they should, rooms have walls with a door gap, shelving is built with its levels.
final class EnvironmentTests: XCTestCase {
    static let header = """
        format: 1
        classes:
          - {id: 1, name: road}
          - {id: 2, name: sidewalk}
          - {id: 3, name: marking}
          - {id: 4, name: car}
          - {id: 5, name: person}
          - {id: 6, name: floor}
          - {id: 7, name: wall}
          - {id: 8, name: shelf}
          - {id: 9, name: box}
        camera: {resolution: [64, 48]}

        """

    /// The XY centre of a surface (its origin is the centre of its bottom).
    func centre(_ s: Surface) -> Vec3 { s.worldFromObject.translation }

    func testCurvedRoadFollowsTheArc() throws {
        // Starts at the origin heading +X and turns 90 degrees left on a 40 m radius: the centre of the
        // circle is (0, 40).
        let scene = try loadScene(
            Self.header + """
                environment:
                  road:
                    layout: curved
                    class: road
                    width: 7
                    lanes: 2
                    radius: 40
                    angle_deg: 90
                    markings: {class: marking}
                    sidewalk: {class: sidewalk, width: 2, height: 0.15}
                groups:
                  - {name: cars, shape: car, class: car, count: 6, placement: {region: lane}}
                """)
        let frame = try scene.frame(0)
        let c = Vec3(0, 40, 0)
        func radius(_ p: Vec3) -> Double { ((p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y)).squareRoot() }
        let road = frame.surfaces.filter { $0.name.hasPrefix("road_") }
        XCTAssertGreaterThanOrEqual(road.count, 30, "90 degrees in pieces of at most 3")
        for s in road {
            // Every corner of every piece lies in the band of the road: the pieces are tangent to the outer
            // edge, so their outer corners reach out by 1/cos(1.5 degrees), and reach in as far.
            let reach = 1 / cos(1.5 * Double.pi / 180)
            for corner in worldCorners(s) ?? planeCorners(s) {
                XCTAssertGreaterThan(radius(corner), (40 - 3.5) / reach - 1e-6, s.name)
                XCTAssertLessThan(radius(corner), (40 + 3.5) * reach + 1e-6, s.name)
            }
            // Each piece is turned to the tangent: its X axis is perpendicular to the radius.
            let x = s.worldFromObject.transformDirection(.unitX), r = centre(s) - c
            XCTAssertEqual(x.dot(r) / r.length, 0, accuracy: 1e-9)
            XCTAssertEqual(s.worldFromObject.translation.z, RoadDescription.surfaceHeight, accuracy: 1e-12)
        }
        // The arc ends heading +Y at (40, 40).
        XCTAssertEqual(road.map { centre($0).x }.max() ?? 0, 40, accuracy: 0.5)
        // The outer sidewalk (right of a left turn) lies beyond the road, the inner one inside it.
        for s in frame.surfaces where s.name.hasPrefix("sidewalk_road_right") {
            XCTAssertEqual(radius(centre(s)), 43.5 + 1, accuracy: 0.05, s.name)
            guard case .box = s.shape else { return XCTFail("a curb-high box") }
        }
        for s in frame.surfaces where s.name.hasPrefix("sidewalk_road_left") {
            XCTAssertEqual(radius(centre(s)), 36.5 - 1, accuracy: 0.05, s.name)
        }
        // Two lanes of opposite directions: a solid centre line on the arc's centreline.
        let centreLine = frame.surfaces.filter { $0.name.hasPrefix("marking_lane1") }
        XCTAssertFalse(centreLine.isEmpty)
        for s in centreLine { XCTAssertEqual(radius(centre(s)), 40, accuracy: 0.01, s.name) }
        // Cars sit on lane centres (1.75 m either side of the centreline), heading along the tangent.
        for car in frame.instances {
            let p = car.worldFromObject.translation
            XCTAssertEqual(abs(radius(p) - 40), 1.75, accuracy: 1e-6, car.name)
            let heading = car.worldFromObject.transformDirection(.unitX), r = p - c
            XCTAssertEqual(heading.dot(r) / r.length, 0, accuracy: 1e-9, car.name)
        }
    }

    /// A plane's four corners (planes have no box, so `worldCorners` leaves them out).
    func planeCorners(_ s: Surface) -> [Vec3] {
        guard case .plane(let x, let y) = s.shape else { return [] }
        return [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)].map {
            s.worldFromObject.transformPoint(Vec3($0.0 * x, $0.1 * y, 0))
        }
    }

    static let intersection =
        header + """
            environment:
              road:
                layout: intersection
                class: road
                width: 14
                lanes: 4
                cross: {width: 7, lanes: 2}
                arm_length: 40
                markings: {class: marking, width: 0.15}
                sidewalk: {class: sidewalk, width: 3, height: 0.15}
                crosswalks: {width: 4, stripe_width: 0.5, gap: 0.5}
            groups:
              - {name: walkers, shape: pedestrian, class: person, count: 8, placement: {region: crosswalk}}
              - {name: cars, shape: car, class: car, count: 8, placement: {region: lane}}
            """

    func testIntersectionMarkingsCrosswalksAndStopLines() throws {
        let frame = try loadScene(Self.intersection).frame(0)
        let markings = frame.surfaces.filter { $0.classID == 3 }
        // Nothing is painted inside the junction box itself.
        for s in markings {
            for p in planeCorners(s) {
                XCTAssertFalse(abs(p.x) < 3.5 - 1e-6 && abs(p.y) < 7 - 1e-6, "\(s.name) at \(p)")
            }
        }
        // Crosswalks on the east arm: stripes from x = 3.5 + 0.5 to 3.5 + 0.5 + 4, across the whole road.
        let east = markings.filter { $0.name.hasPrefix("crosswalk_east") }
        XCTAssertEqual(east.count, 14, "0.5 m stripes with 0.5 m gaps across 14 m")
        for s in east {
            let xs = planeCorners(s).map(\.x), ys = planeCorners(s).map(\.y)
            XCTAssertEqual(xs.min()!, 4, accuracy: 1e-9)
            XCTAssertEqual(xs.max()!, 8, accuracy: 1e-9)
            XCTAssertTrue(ys.allSatisfy { abs($0) <= 7 + 1e-9 })
        }
        XCTAssertEqual(markings.filter { $0.name.hasPrefix("crosswalk_north") }.count, 7)
        // Stop lines cover the incoming half of each arm: on the east arm traffic heading -X (y > 0).
        let stopEast = try XCTUnwrap(markings.first { $0.name == "stop_line_main_hi" })
        let c = planeCorners(stopEast)
        XCTAssertEqual(c.map(\.y).min()!, 0, accuracy: 1e-9)
        XCTAssertEqual(c.map(\.y).max()!, 7, accuracy: 1e-9)
        XCTAssertEqual(c.map(\.x).min()!, 8.5, accuracy: 1e-9, "half a metre beyond the crosswalk")
        let stopWest = try XCTUnwrap(markings.first { $0.name == "stop_line_main_lo" })
        XCTAssertEqual(planeCorners(stopWest).map(\.y).max()!, 0, accuracy: 1e-9)
        // Lane lines start beyond the stop line.
        for s in markings where s.name.hasPrefix("marking_main_hi") {
            XCTAssertGreaterThanOrEqual(planeCorners(s).map(\.x).min()!, 8.9 - 1e-9, s.name)
        }
        // Four corner sidewalks, none over a road.
        let corners = frame.surfaces.filter { $0.name.hasPrefix("sidewalk_corner") }
        XCTAssertEqual(corners.count, 4)
        for s in frame.surfaces where s.classID == 2 {
            let box = try XCTUnwrap(worldCorners(s))
            let xs = box.map(\.x), ys = box.map(\.y)
            let overMain = ys.min()! < 7 - 1e-6 && ys.max()! > -7 + 1e-6
            let overCross = xs.min()! < 3.5 - 1e-6 && xs.max()! > -3.5 + 1e-6
            XCTAssertFalse(overMain || overCross, "\(s.name) covers a road")
        }
        // People on the crosswalks, crossing: heading along the crosswalk's long side.
        for p in groupInstances(frame, "walkers") {
            let at = p.worldFromObject.translation
            let onEastWest = abs(at.x) >= 4 - 1e-9 && abs(at.x) <= 8 + 1e-9 && abs(at.y) <= 7
            let onNorthSouth = abs(at.y) >= 7.5 - 1e-9 && abs(at.y) <= 11.5 + 1e-9 && abs(at.x) <= 3.5
            XCTAssertTrue(onEastWest || onNorthSouth, "\(p.name) at \(at)")
            let heading = p.worldFromObject.transformDirection(.unitX)
            XCTAssertEqual(abs(onEastWest ? heading.y : heading.x), 1, accuracy: 1e-9, "crossing the road")
        }
        // Cars stay out of the junction and its crosswalks and head with their lane.
        for car in groupInstances(frame, "cars") {
            let at = car.worldFromObject.translation
            let heading = car.worldFromObject.transformDirection(.unitX)
            if abs(at.y) < 7 {
                XCTAssertGreaterThanOrEqual(abs(at.x) - car.size.x / 2, 8.9 - 1e-6, car.name)
                XCTAssertEqual(heading.x, at.y < 0 ? 1 : -1, accuracy: 1e-9, "right-hand traffic: \(car.name)")
            } else {
                XCTAssertGreaterThanOrEqual(abs(at.y) - car.size.x / 2, 12.4 - 1e-6, car.name)
                XCTAssertEqual(heading.y, at.x > 0 ? 1 : -1, accuracy: 1e-9, "right-hand traffic: \(car.name)")
            }
        }
    }

    func testParkingLotBaysAndParkedCars() throws {
        let scene = try loadScene(
            Self.header + """
                environment:
                  road:
                    layout: parking_lot
                    class: road
                    bays: 8
                    rows: 2
                    bay_size: [2.5, 5]
                    aisle: 6
                    markings: {class: marking, width: 0.1}
                groups:
                  - {name: parked, shape: car, class: car, size: [4.4, 1.8, 1.5], count: 12, placement: {region: parking_bay}}
                """)
        let frame = try scene.frame(0)
        let lines = frame.surfaces.filter { $0.name.hasPrefix("bay_line_") }
        XCTAssertEqual(lines.count, 2 * 9, "n + 1 separators per row")
        let xs = Set(lines.map { (centre($0).x * 1000).rounded() / 1000 })
        XCTAssertEqual(xs.sorted(), (0...8).map { -10 + 2.5 * Double($0) })
        for s in lines {
            let y = centre(s).y
            XCTAssertEqual(abs(y), 3 + 2.5, accuracy: 1e-9, "a separator spans its row's depth")
        }
        // Every car is in a bay of its own, nose in, fully inside the bay's lines.
        var bays = Set<Int>()
        for car in groupInstances(frame, "parked") {
            let at = car.worldFromObject.translation
            let k = Int(((at.x + 10) / 2.5).rounded(.down)), row = at.y < 0 ? 0 : 1
            XCTAssertTrue(bays.insert(row * 100 + k).inserted, "two cars in bay \(k) of row \(row)")
            XCTAssertEqual(abs(at.y), 5.5, accuracy: 0.3 + 1e-9, "within the bay's depth: \(car.name)")
            let heading = car.worldFromObject.transformDirection(.unitX)
            XCTAssertEqual(heading.y, row == 0 ? -1 : 1, accuracy: 1e-9, "nose in: \(car.name)")
            for s in frame.surfaces where s.instanceID == car.instanceID {
                for p in worldCorners(s) ?? [] {
                    XCTAssertGreaterThanOrEqual(p.x, -10 + 2.5 * Double(k) - 1e-6)
                    XCTAssertLessThanOrEqual(p.x, -10 + 2.5 * Double(k + 1) + 1e-6)
                }
            }
        }
        XCTAssertEqual(bays.count, 12)
    }

    func testMoreCarsThanBaysIsALoadError() {
        assertSingleIssue(
            Self.header + """
                environment:
                  road: {layout: parking_lot, class: road, bays: 3, rows: 1}
                groups:
                  - {name: parked, shape: car, class: car, count: [2, 4], placement: {region: parking_bay}}
                """, path: "groups[0].count", line: 16, column: 51, "parking bays hold 3")
    }

    func testRoomWallsLeaveTheDoorOpen() throws {
        let frame = try loadScene(
            Self.header + """
                environment:
                  room:
                    size: [6, 4]
                    wall_height: 2.5
                    floor: {class: floor}
                    walls: {class: wall}
                    door: {wall: east, width: 1, height: 2, offset: 0.5}
                    ceiling: {class: wall}
                """
        ).frame(0)
        let walls = frame.surfaces.filter { $0.classID == 7 && $0.name.hasPrefix("wall") }
        XCTAssertEqual(walls.count, 3 + 3, "south, north, west whole; east in two pieces and a lintel")
        // A point in the doorway (x = 3.05, y = 0.5, z = 1) is inside no wall; one beside it is.
        func inside(_ p: Vec3) -> Bool {
            walls.contains { s in
                let l = s.worldFromObject.rigidInverse.transformPoint(p), k = s.shape.scale
                return abs(l.x) <= k.x / 2 && abs(l.y) <= k.y / 2 && l.z >= 0 && l.z <= k.z
            }
        }
        XCTAssertFalse(inside(Vec3(3.05, 0.5, 1)))
        XCTAssertTrue(inside(Vec3(3.05, 0.5, 2.2)), "the lintel")
        XCTAssertTrue(inside(Vec3(3.05, -1.5, 1)))
        XCTAssertTrue(inside(Vec3(0, -2.05, 1)) && inside(Vec3(0, 2.05, 1)) && inside(Vec3(-3.05, 0, 1)))
        let floor = try XCTUnwrap(frame.surfaces.first { $0.name == "floor" })
        XCTAssertEqual(floor.shape, .plane(sizeX: 6, sizeY: 4))
        XCTAssertTrue(frame.surfaces.contains { $0.name == "ceiling" && centre($0).z == 2.5 })
        XCTAssertTrue(frame.instances.isEmpty, "rooms are stuff")
    }

    func testShelvingRowsAreBuiltWithTheirLevels() throws {
        let frame = try loadScene(
            Self.header + """
                environment:
                  shelving:
                    - {name: rack, class: shelf, position: [0, 0], size: [2, 0.5, 2], levels: [0.1, 1.0, 1.9], rows: 2, units: 3, aisle: 2}
                groups:
                  - {name: boxes, shape: box, class: box, size: [0.3, 0.3, 0.3], count: 20, placement: {region: shelf, pieces: rack, levels: [1]}}
                """
        ).frame(0)
        let units = frame.instances.filter { $0.name.hasPrefix("rack_") }
        XCTAssertEqual(
            units.map(\.name).sorted(), ["rack_0_0", "rack_0_1", "rack_0_2", "rack_1_0", "rack_1_1", "rack_1_2"])
        for u in units {
            XCTAssertEqual(u.classID, 8)
            XCTAssertEqual(u.size.z, 2, accuracy: 1e-12)
            let boards = frame.surfaces.filter { $0.instanceID == u.instanceID && $0.name.contains("/board_") }
            let tops = boards.map { $0.worldFromObject.translation.z + $0.shape.scale.z }.sorted()
            XCTAssertEqual(tops.count, 3)
            for (top, level) in zip(tops, [0.1, 1.0, 1.9]) { XCTAssertEqual(top, level, accuracy: 1e-12) }
        }
        let rowYs = Set(units.map { ($0.worldFromObject.translation.y * 10).rounded() })
        XCTAssertEqual(rowYs.count, 2, "two rows")
        for b in groupInstances(frame, "boxes") {
            XCTAssertEqual(verticalExtent(frame, instance: b.instanceID).bottom, 1.0, accuracy: 1e-9, "level 1 only")
        }
    }
}

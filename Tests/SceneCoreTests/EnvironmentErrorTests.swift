import XCTest

@testable import SceneCore

/// Every new field's mistakes are reported at their file:line:column with the field path.
final class EnvironmentErrorTests: XCTestCase {
    static let header = """
        format: 1
        classes:
          - {id: 1, name: road}
          - {id: 2, name: sidewalk}
          - {id: 3, name: floor}
          - {id: 4, name: wall}
          - {id: 5, name: table}
          - {id: 6, name: box}
          - {id: 7, name: car}
        camera: {resolution: [64, 48]}

        """

    static let room = "environment:\n  room: {floor: {class: floor}, walls: {class: wall}}\n"
    static let table =
        "environment:\n  tables: [{name: bench, class: table, position: [0, 0]}]\n"

    /// Asserts exactly one issue, at `path`, where the first occurrence of `marker` (searched after
    /// `after`, when given) starts, with every fragment in its message.
    func assertIssue(
        _ body: String, at marker: String, skip: Int = 0, path: String, _ fragments: String...,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let text = Self.header + body
        let issues = loadIssues(text, file: file, line: line)
        XCTAssertEqual(issues.count, 1, "\(issues.map(\.description))", file: file, line: line)
        guard let issue = issues.first else { return }
        let (l, c) = position(of: marker, in: text)
        XCTAssertEqual(issue.file, "test.yaml", file: file, line: line)
        XCTAssertEqual(issue.path, path, "\(issue)", file: file, line: line)
        XCTAssertEqual([issue.line, issue.column], [l, c + skip], "\(issue)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(issue.message.contains(f), "`\(issue.message)` lacks `\(f)`", file: file, line: line)
        }
    }

    func testEnvironmentBlock() {
        assertIssue("environment: {rooom: {}}\n", at: "rooom", path: "environment.rooom", "did you mean `room`?")
        assertIssue(
            "road: {class: road}\nenvironment:\n  road: {layout: curved, class: road, radius: 30, angle_deg: 45}\n",
            at: "road: {layout", path: "environment.road", "not both")
    }

    func testRoadLayouts() {
        assertIssue(
            "environment:\n  road: {layout: curvy, class: road}\n", at: "curvy", path: "environment.road.layout",
            "did you mean `curved`?")
        assertIssue(
            "environment:\n  road: {layout: curved, class: road, angle_deg: 45}\n", at: "{layout",
            path: "environment.road.radius",
            "missing required field `radius`")
        assertIssue(
            "environment:\n  road: {layout: curved, class: road, radius: 3.25, angle_deg: 45}\n", at: "3.25",
            path: "environment.road.radius", "larger than half the road")
        assertIssue(
            "environment:\n  road: {layout: straight, class: road, radius: 30}\n", at: "radius",
            path: "environment.road.radius",
            "does not apply to layout straight")
        assertIssue(
            "environment:\n  road: {layout: intersection, class: road, arm_length: 6}\n", at: "6}",
            path: "environment.road.arm_length", "longer than the junction")
        assertIssue(
            "environment:\n  road: {layout: intersection, class: road, crosswalks: {width: -1}}\n", at: "-1",
            path: "environment.road.crosswalks.width", "greater than 0")
        assertIssue(
            "environment:\n  road: {layout: parking_lot, class: road, rows: 3}\n", at: "3}",
            path: "environment.road.rows",
            "from 1 to 2")
        assertIssue(
            "environment:\n  road: {layout: parking_lot, class: road, lanes: 2}\n", at: "lanes",
            path: "environment.road.lanes",
            "does not apply to layout parking_lot")
        assertIssue(
            "environment:\n  road: {layout: curved, class: road, radius: 30, angle_deg: 45, markings: {width: 9}}\n",
            at: "9}", path: "environment.road.markings.width", "narrower than a lane")
    }

    func testRooms() {
        assertIssue(
            "environment:\n  room: {walls: {class: wall}}\n", at: "{walls", path: "environment.room.floor",
            "missing required field `floor`")
        assertIssue(
            "environment:\n  room: {floor: {class: floor}, walls: {class: wal}}\n", at: "wal}",
            path: "environment.room.walls.class",
            "unknown class `wal`")
        assertIssue(
            "environment:\n  room: {floor: {class: floor}, walls: {class: wall}, door: {wall: up}}\n", at: "up}",
            path: "environment.room.door.wall", "south, north, west, east")
        assertIssue(
            "environment:\n  room: {size: [4, 3], floor: {class: floor}, walls: {class: wall}, door: {width: 5}}\n",
            at: "5}", path: "environment.room.door.width", "does not fit in the south wall")
        assertIssue(
            "environment:\n  room: {floor: {class: floor}, walls: {class: wall}, ceiling: true}\n", at: "ceiling",
            path: "environment.room.ceiling", "needs a class")
    }

    func testPieces() {
        assertIssue(
            "environment:\n  tables: [{class: table, position: [0, 0]}]\n", at: "{class",
            path: "environment.tables[0].name",
            "missing required field `name`")
        assertIssue(
            "environment:\n  tables: [{name: a, class: table, position: [0, 0]}, {name: a, class: table, position: [3, 0]}]\n",
            at: "{name: a, class: table, position: [3", path: "environment.tables[1].name", "duplicate name `a`")
        assertIssue(
            "environment:\n  shelving: [{name: s, class: table, position: [0, 0], levels: [0.5, 0.2]}]\n", at: "[0.5",
            path: "environment.shelving[0].levels", "increasing order")
        assertIssue(
            "environment:\n  shelving: [{name: s, class: table, position: [0, 0], size: [1, 0.5, 1], levels: [0.5, 3]}]\n",
            at: "3]", path: "environment.shelving[0].levels[1]", "from 0.03 to 1")
        assertIssue(
            Self.table.replacingOccurrences(
                of: "]\n", with: "]\n  bins: [{name: b, class: box, stands_on: bnch, position: [0, 0]}]\n"),
            at: "bnch", path: "environment.bins[0].stands_on", "did you mean `bench`?")
        assertIssue(
            Self.table.replacingOccurrences(
                of: "]\n", with: "]\n  bins: [{name: b, class: box, stands_on: bench, position: [3, 0]}]\n"),
            at: "bench, position: [3", path: "environment.bins[0].stands_on", "does not fit on `bench`")
        assertIssue(
            "environment:\n  tables: [{name: t, class: table, position: [0, 0], leg: 0.7}]\n", at: "0.7",
            path: "environment.tables[0]", "do not fit its size")
        assertIssue(
            "environment:\n  pallets: [{name: p, class: table, position: [0, 0], levels: 3}]\n", at: "levels",
            path: "environment.pallets[0].levels", "unknown field `levels`")
    }

    func testRegions() {
        let group = "groups:\n  - {name: g, shape: box, size: [0.2, 0.2, 0.2], class: box, count: 2, placement: "
        assertIssue(
            Self.room + group + "{region: flor}}\n", at: "flor", path: "groups[0].placement.region",
            "did you mean `floor`?")
        assertIssue(
            group + "{region: floor}}\n", at: "region: floor", skip: 8, path: "groups[0].placement.region",
            "needs `environment.room`")
        assertIssue(group + "{region: lane}}\n", at: "lane}", path: "groups[0].placement.region", "needs a road")
        assertIssue(
            Self.room + group + "{region: floor, levels: [1]}}\n", at: "levels", path: "groups[0].placement.levels",
            "does not apply to region floor")
        assertIssue(
            Self.room + group + "{region: floor, gap: 1}}\n", at: "gap", path: "groups[0].placement.gap",
            "does not apply to region floor")
        assertIssue(
            Self.room + group + "{x: [0, 1], y: [0, 1], stack: true}}\n", at: "stack",
            path: "groups[0].placement.stack",
            "applies only with `region`")
        assertIssue(
            Self.table + group + "{region: table_top, pieces: bnch}}\n", at: "bnch", path: "groups[0].placement.pieces",
            "did you mean `bench`?")
        assertIssue(
            Self.table + group + "{region: shelf}}\n", at: "shelf}", path: "groups[0].placement.region",
            "needs `environment.shelving`")
        assertIssue(
            Self.table + group + "{region: table_top, orientation: sideways}}\n", at: "sideways",
            path: "groups[0].placement.orientation", "upright, any_face or a list of faces")
        assertIssue(
            Self.table + group + "{region: table_top, orientation: [+q]}}\n", at: "+q",
            path: "groups[0].placement.orientation[0]", "-z, +z, +x, -x, +y, -y")
        assertIssue(
            "road: {class: road, sidewalk: {class: sidewalk, width: 2}}\n" + group
                + "{region: sidewalk, margin: 1.5}}\n",
            at: "1.5", path: "groups[0].placement.margin", "under half the sidewalk's width")
        assertIssue(
            "road: {class: road, lanes: 2}\n" + group + "{region: lane, lanes: [2]}}\n", at: "lanes: [2", skip: 8,
            path: "groups[0].placement.lanes[0]", "from 0 to 1")
        assertIssue(
            "road: {class: road, length: 100}\n" + group + "{region: lane, s: [200, 300]}}\n", at: "[200",
            path: "groups[0].placement.s", "within the road's 0 to 100 m")
        // Objects larger than the table top, and taller than a shelf's clearance.
        assertIssue(
            Self.table
                + "groups:\n  - {name: g, shape: box, size: [2, 2, 0.2], class: box, count: 1, placement: {region: table_top}}\n",
            at: "1, placement", path: "groups[0].count", "does not fit in any of its placement areas")
        assertIssue(
            "environment:\n  shelving: [{name: s, class: table, position: [0, 0], levels: [0.1, 0.5]}]\n"
                + "groups:\n  - {name: g, shape: box, size: [0.2, 0.2, 0.6], class: box, count: 1, placement: {region: shelf, levels: [0]}}\n",
            at: "1, placement", path: "groups[0].count", "0.6 m tall", "at most 0.37 m")
    }

    func testObjectFields() {
        let object = "objects:\n  - {shape: box, size: [1, 1, 1], class: box, position: [0, 0, 0], "
        assertIssue(object + "scale: 0}\n", at: "0}", path: "objects[0].scale", "greater than 0")
        assertIssue(object + "roughness: 2}\n", at: "2}", path: "objects[0].roughness", "from 0 to 1")
        assertIssue(object + "metallic: [0, 1.5]}\n", at: "1.5", path: "objects[0].metallic[1]", "from 0 to 1")
        assertIssue(object + "pitch_deg: up}\n", at: "up}", path: "objects[0].pitch_deg", "a number")
    }

    func testCameraMount() {
        let road = "road: {class: road, lanes: 2}\n"
        func camera(_ mount: String, extra: String = "") -> String {
            Self.header.replacingOccurrences(
                of: "camera: {resolution: [64, 48]}", with: "camera: {resolution: [64, 48]\(extra), mount: \(mount)}")
        }
        func check(
            _ text: String, at marker: String, skip: Int = 0, path: String, _ fragment: String, line: UInt = #line
        ) {
            let issues = loadIssues(text, line: line)
            XCTAssertEqual(issues.count, 1, "\(issues)", line: line)
            let (l, c) = position(of: marker, in: text)
            XCTAssertEqual(issues.first?.path, path, line: line)
            XCTAssertEqual(
                [issues.first?.line ?? 0, issues.first?.column ?? 0], [l, c + skip], "\(issues)", line: line)
            XCTAssertTrue(issues.first?.message.contains(fragment) == true, "\(issues)", line: line)
        }
        check(camera("{along: road}") + "\n", at: "along: road", skip: 7, path: "camera.mount.along", "needs a road")
        check(camera("{along: road, lane: 5}") + road, at: "5}", path: "camera.mount.lane", "from 0 to 1")
        check(camera("{along: raod}") + road, at: "raod", path: "camera.mount.along", "did you mean `road`?")
        check(
            camera("{along: path}") + road, at: "{along: path", path: "camera.mount.path",
            "missing required field `path`")
        check(
            camera("{along: path, path: [[0, 0]]}") + road, at: "[[0", path: "camera.mount.path", "at least two points")
        check(
            camera("{along: path, path: [[0, 0], [0, 0]]}") + road, at: "[0, 0]]", path: "camera.mount.path[1]",
            "different from the one before")
        check(
            camera("{along: road}", extra: ", position: [0, 0, 2]") + road, at: "[0, 0, 2]", path: "camera.position",
            "does not apply with `mount`")
        check(
            camera("{along: road}", extra: ", motion: {velocity: [1, 0, 0]}") + road, at: "[1, 0, 0]",
            path: "camera.motion.velocity", "use `mount.speed`")
        check(
            camera("{along: path, lane: 1, path: [[0, 0], [1, 0]]}") + road, at: "lane", path: "camera.mount.lane",
            "only with `along: road`")
    }
}

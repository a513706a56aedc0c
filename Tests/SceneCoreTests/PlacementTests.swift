import XCTest

@testable import SceneCore

/// Placement regions: nothing interpenetrates, everything rests on its support, bin picks stay
/// inside the bin, stacks stand on tops — checked from the frames' surfaces with the test-side
/// geometry of PlacementTestSupport.swift.
final class PlacementTests: XCTestCase {
    /// A dense robotics cell: a room, a bench with a tote on it, a shelving unit and a pallet, with
    /// objects in the tote, clutter on the bench, cartons stacked on shelves and the pallet, and
    /// boxes on the floor. A fresh layout every frame.
    static let denseRobotics = """
        format: 1
        seed: 3
        frames: 200
        resample_every: 1
        classes:
          - {id: 1, name: floor}
          - {id: 2, name: wall}
          - {id: 3, name: table}
          - {id: 4, name: bin}
          - {id: 5, name: shelf}
          - {id: 6, name: pallet}
          - {id: 7, name: box}
          - {id: 8, name: can}
        camera: {resolution: [64, 48], position: [0, -3, 2], look_at: [0, 0, 0.8]}
        environment:
          room: {size: [6, 5], floor: {class: floor}, walls: {class: wall}}
          tables: [{name: bench, class: table, position: [-1.2, 0], size: [1.2, 0.8, 0.75]}]
          bins: [{name: tote, class: bin, stands_on: bench, position: [-1.0, 0.05], size: [0.5, 0.36, 0.2]}]
          shelving: [{name: rack, class: shelf, position: [1.2, 1.5], size: [2, 0.5, 1.8], levels: [0.1, 0.6, 1.1, 1.6]}]
          pallets: [{name: pal, class: pallet, position: [1.2, -1.2]}]
        groups:
          - {name: binned, shape: box, class: box, size: [[0.05, 0.12], [0.04, 0.1], [0.02, 0.07]], count: [8, 14], placement: {region: bin, pieces: tote}}
          - {name: cans, shape: cylinder, radius: [0.025, 0.035], height: [0.08, 0.12], class: can, count: [3, 6], placement: {region: bin, orientation: [-z, +x]}}
          - {name: clutter, shape: box, class: box, size: [[0.03, 0.08], [0.03, 0.08], [0.02, 0.06]], yaw_deg: [-180, 180], count: [15, 25], placement: {region: table_top, pieces: bench, stack: true}}
          - {name: shelved, shape: box, class: box, size: [[0.2, 0.4], [0.15, 0.3], [0.15, 0.35]], yaw_deg: [-10, 10], count: [10, 20], placement: {region: shelf, stack: true}}
          - {name: palletized, shape: box, class: box, size: [[0.3, 0.4], [0.25, 0.3], [0.2, 0.3]], count: [8, 14], placement: {region: pallet, stack: true}}
          - {name: floor_boxes, shape: box, class: box, size: [[0.3, 0.6], [0.3, 0.5], [0.2, 0.5]], yaw_deg: [-180, 180], count: [5, 10], placement: {region: floor}}
        """

    func testDenseRoboticsPlacementsNeverInterpenetrate() throws {
        let scene = try loadScene(Self.denseRobotics)
        var placed = 0
        for i in 0..<200 {
            let frame = try scene.frame(i)
            let hits = interpenetrations(frame)
            XCTAssertTrue(hits.isEmpty, "frame \(i): \(hits.prefix(3).map(\.2))")
            placed += frame.instances.count
            if !hits.isEmpty { break }
        }
        XCTAssertGreaterThan(placed, 200 * 50, "dense: every frame holds dozens of objects")
    }

    func testObjectsRestOnTheirSupports() throws {
        let scene = try loadScene(Self.denseRobotics)
        let tableTop = 0.75, binFloor = 0.75 + 0.012, palletTop = 0.144
        let levels = [0.1, 0.6, 1.1, 1.6]
        var stacked = 0, onSupport = 0
        for i in 0..<60 {
            let frame = try scene.frame(i)
            // Tops of every part (an object may come to rest on a part of another: a bin's floor).
            let tops = frame.surfaces.compactMap { s in worldCorners(s).map { (s.instanceID, $0.map(\.z).max()!) } }
            func check(_ group: String, _ supports: [Double], stacking: Bool) {
                for inst in groupInstances(frame, group) {
                    let bottom = verticalExtent(frame, instance: inst.instanceID).bottom
                    if supports.contains(where: { abs($0 - bottom) < 1e-3 }) {
                        onSupport += 1
                    } else if stacking, tops.contains(where: { $0.0 != inst.instanceID && abs($0.1 - bottom) < 1e-3 }) {
                        stacked += 1
                    } else {
                        XCTFail("frame \(i): \(inst.name) floats or sinks: bottom at \(bottom)")
                    }
                }
            }
            check("floor_boxes", [RoomDescription.floorHeight], stacking: false)
            check("clutter", [tableTop], stacking: true)
            check("palletized", [palletTop], stacking: true)
            check("shelved", levels, stacking: true)
            check("binned", [binFloor], stacking: true)
            check("cans", [binFloor], stacking: true)
        }
        XCTAssertGreaterThan(onSupport, 0)
        XCTAssertGreaterThan(stacked, 0, "dense groups with `stack` pile up")
    }

    func testStacksStandOnTheTopsOfWhatIsBelowThem() throws {
        let scene = try loadScene(Self.denseRobotics)
        var checked = 0
        for i in 0..<40 {
            let frame = try scene.frame(i)
            for inst in groupInstances(frame, "palletized") {
                let (bottom, _) = verticalExtent(frame, instance: inst.instanceID)
                guard bottom > 0.144 + 1e-3 else { continue }
                // Something directly below: an instance whose top is this bottom and whose footprint holds
                // this box's centre.
                let centre = inst.worldFromBox.translation
                let below = frame.instances.filter { other in
                    guard other.instanceID != inst.instanceID else { return false }
                    let (_, top) = verticalExtent(frame, instance: other.instanceID)
                    guard abs(top - bottom) < 1e-3 else { return false }
                    let local = other.worldFromBox.rigidInverse.transformPoint(centre)
                    let half = other.size / 2
                    return abs(local.x) <= half.x + 1e-6 && abs(local.y) <= half.y + 1e-6
                }
                XCTAssertFalse(below.isEmpty, "frame \(i): \(inst.name) at \(bottom) has nothing under its centre")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 10, "cartons are stacked on the pallet")
    }

    func testBinPicksStayInsideTheWallsInRandomRestingPoses() throws {
        let scene = try loadScene(Self.denseRobotics)
        let interior = (x: 0.25 - 0.012, y: 0.18 - 0.012), centre = (x: -1.0, y: 0.05)
        let rim = 0.75 + 0.2
        var faces = Set<String>()
        for i in 0..<100 {
            let frame = try scene.frame(i)
            for inst in groupInstances(frame, "binned") + groupInstances(frame, "cans") {
                for s in frame.surfaces where s.instanceID == inst.instanceID {
                    for c in worldCorners(s) ?? [] {
                        XCTAssertLessThanOrEqual(abs(c.x - centre.x), interior.x + 1e-6, "frame \(i): \(s.name)")
                        XCTAssertLessThanOrEqual(abs(c.y - centre.y), interior.y + 1e-6, "frame \(i): \(s.name)")
                    }
                }
                XCTAssertLessThan(verticalExtent(frame, instance: inst.instanceID).bottom, rim)
                // Which local axis points up: the resting face.
                let up = inst.worldFromObject.rigidInverse.transformDirection(.unitZ)
                let axis = [("x", up.x), ("y", up.y), ("z", up.z)].max { abs($0.1) < abs($1.1) }!
                XCTAssertEqual(abs(axis.1), 1, accuracy: 1e-9, "a face down: one local axis is vertical")
                faces.insert("\(axis.1 > 0 ? "+" : "-")\(axis.0)")
            }
        }
        XCTAssertEqual(faces.count, 6, "every face of the boxes comes to lie down: \(faces.sorted())")
    }

    func testSamePlacementTwiceAndFromAnotherLoad() throws {
        let a = try loadScene(Self.denseRobotics), b = try loadScene(Self.denseRobotics)
        for i in [0, 1, 57, 199] {
            XCTAssertEqual(try a.frame(i), try a.frame(i))
            XCTAssertEqual(try a.frame(i), try b.frame(i))
        }
        XCTAssertNotEqual(try a.frame(0).surfaces, try a.frame(1).surfaces, "a fresh layout every frame")
    }

    /// A busy intersection: cars in every lane of both roads, people on crosswalks and sidewalks,
    /// trees and lamps, building blocks on the corners.
    func testDenseIntersectionNeverInterpenetrates() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_intersection.yaml"))
        for i in stride(from: 0, to: 200, by: 8) {
            let frame = try scene.frame(i, seed: UInt64(i))
            let hits = interpenetrations(frame)
            XCTAssertTrue(hits.isEmpty, "frame \(i): \(hits.prefix(3).map(\.2))")
        }
    }

    /// The environment scenes in scenes/ place every group without interpenetration at other seeds too.
    func testEnvironmentScenesPlaceEverythingAtManySeeds() throws {
        let names = [
            "robotics_bin_picking", "robotics_warehouse", "driving_intersection", "driving_parking_lot",
            "driving_curve",
        ]
        for name in names {
            let scene = try SceneLoader.load(path: scenePath("\(name).yaml"))
            for seed in UInt64(100)..<120 {
                let frame = try scene.frame(scene.frameCount - 1, seed: seed)
                let hits = interpenetrations(frame, scene: scene)
                XCTAssertTrue(hits.isEmpty, "\(name), seed \(seed): \(hits.prefix(3).map(\.2))")
                XCTAssertFalse(frame.instances.isEmpty, name)
            }
        }
    }

    /// The street scene's road placements (lanes, curbs, sidewalks, roadside) with the collision test:
    /// parked cars, lamps, trees, poles and people never meet, whatever the seed.
    func testStreetPlacementsNeverInterpenetrate() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        for seed in UInt64(0)..<30 {
            let frame = try scene.frame(0, seed: seed)
            let hits = interpenetrations(frame)
            XCTAssertTrue(hits.isEmpty, "seed \(seed): \(hits.prefix(3).map(\.2))")
        }
    }

    func testShelvesKeepObjectsUnderTheBoardAbove() throws {
        let scene = try loadScene(Self.denseRobotics)
        let boards = [0.1, 0.6, 1.1, 1.6], board = 0.03
        for i in 0..<50 {
            let frame = try scene.frame(i)
            for inst in groupInstances(frame, "shelved") {
                let (bottom, top) = verticalExtent(frame, instance: inst.instanceID)
                guard let level = boards.lastIndex(where: { $0 <= bottom + 1e-3 }) else {
                    XCTFail("frame \(i): \(inst.name) below the lowest board")
                    continue
                }
                if level + 1 < boards.count {
                    XCTAssertLessThanOrEqual(top, boards[level + 1] - board + 1e-6, "frame \(i): \(inst.name)")
                }
            }
        }
    }

    func testAGroupThatCannotFitFailsWithItsNameNotALoop() throws {
        // Boxes that fit the bench one at a time but not twelve at once, without stacking.
        let yaml = """
            format: 1
            classes: [{id: 1, name: table}, {id: 2, name: box}]
            camera: {resolution: [64, 48]}
            environment:
              tables: [{name: bench, class: table, position: [0, 0], size: [1, 1, 0.7]}]
            groups:
              - {name: crowd, shape: box, class: box, size: [0.3, 0.3, 0.3], count: 12, placement: {region: table_top}}
            """
        let issues = loadIssues(yaml)
        XCTAssertEqual(issues.count, 1, "\(issues)")
        XCTAssertEqual(issues.first?.path, "groups[0].count")
        XCTAssertTrue(issues.first?.message.contains("placement areas hold 1 m²") == true, "\(issues)")

        var scene = try loadScene(yaml.replacingOccurrences(of: "count: 12", with: "count: 4"))
        scene.groups[0].count = CountRange(min: 11, max: 11)
        XCTAssertThrowsError(try scene.frame(0)) { error in
            guard let e = error as? FrameSamplingError else { return XCTFail("\(error)") }
            XCTAssertTrue(e.message.contains("`crowd`"), e.message)
            XCTAssertTrue(e.message.contains("could not place object"), e.message)
            XCTAssertEqual(e.location.path, "groups[0].count")
        }
    }

    func testMaterialVariationAndScale() throws {
        let yaml = """
            format: 1
            classes: [{id: 1, name: box}]
            camera: {resolution: [64, 48]}
            groups:
              - {name: b, shape: box, class: box, size: [1, 1, 1], scale: [0.5, 2], roughness: [0.1, 0.3], metallic: 1, count: 20, placement: {region: area, x: [0, 100], y: [0, 100]}}
            """
        let frame = try loadScene(yaml).frame(0)
        let sizes = frame.surfaces.map { $0.shape.scale.x }
        XCTAssertTrue(sizes.allSatisfy { $0 >= 0.5 && $0 <= 2 }, "\(sizes)")
        XCTAssertGreaterThan(Set(sizes).count, 10, "each object draws its scale")
        for s in frame.surfaces {
            XCTAssertEqual(s.finish.metallic, 1)
            XCTAssertTrue((0.1...0.3).contains(s.finish.roughness), "\(s.finish)")
            XCTAssertEqual(s.shape.scale.x, s.shape.scale.z, "uniform")
            XCTAssertEqual(verticalExtent(frame, instance: s.instanceID).bottom, 0, accuracy: 1e-9)
        }
    }
}

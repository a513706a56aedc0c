import XCTest

@testable import SceneCore

/// The scene library's newer scenes as a user samples them: everything placed without interpenetration
/// at many seeds, highway traffic in its lanes and heading with them, and stacks in a room with a
/// ceiling resting on the floor.
final class SceneLibraryTests: XCTestCase {
    func testLibraryScenesPlaceEverythingAtManySeeds() throws {
        for name in ["driving_highway", "robotics_corridor"] {
            let scene = try SceneLoader.load(path: scenePath("\(name).yaml"))
            for seed in UInt64(100)..<110 {
                let frame = try scene.frame(scene.frameCount - 1, seed: seed)
                let hits = interpenetrations(frame, scene: scene)
                XCTAssertTrue(hits.isEmpty, "\(name), seed \(seed): \(hits.prefix(3).map(\.2))")
                XCTAssertGreaterThan(frame.instances.count, 20, "\(name), seed \(seed)")
            }
        }
    }

    /// Six lanes of 3.6 m: lanes 0-2 (y < 0) head +X, lanes 3-5 head -X; the ego rides lane 1 and no
    /// vehicle stands in its lane within 100 m of the road's start (where its clips run).
    func testHighwayTrafficKeepsToItsLanesAndLeavesTheEgoLaneClear() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_highway.yaml"))
        let vehicleClasses = Set(scene.classes.filter { ["car", "truck", "bus"].contains($0.name) }.map(\.id))
        XCTAssertEqual(vehicleClasses.count, 3)
        for i in stride(from: 0, to: scene.frameCount, by: scene.resampleEvery ?? 1) {
            let frame = try scene.frame(i)
            let vehicles = frame.instances.filter { vehicleClasses.contains($0.classID) }
            XCTAssertGreaterThan(vehicles.count, 10, "frame \(i)")
            for v in vehicles {
                let p = v.worldFromObject.translation
                let forward = v.worldFromObject.transformDirection(Vec3(1, 0, 0))
                let lane = Int(((p.y + 10.8) / 3.6).rounded(.down))
                XCTAssertTrue((0..<6).contains(lane), "\(v.name) at y \(p.y)")
                XCTAssertEqual(abs(p.y - (-10.8 + (Double(lane) + 0.5) * 3.6)), 0, accuracy: 1e-6, v.name)
                XCTAssertGreaterThan(forward.x * (lane < 3 ? 1 : -1), 0.99, "\(v.name) heads against lane \(lane)")
                if lane == 1 { XCTAssertGreaterThanOrEqual(p.x, -50 + 100 - 1e-6, v.name) }
            }
            // The ego camera rides lane 1, looking down the road.
            let cameraCentre = frame.camera.worldFromCamera.translation
            XCTAssertEqual(cameraCentre.y, -5.4, accuracy: 0.2, "frame \(i)")
            XCTAssertLessThan(cameraCentre.x, 50, "frame \(i)")
        }
    }

    /// Boxes stacked on the floor of a room with a ceiling rest on the floor or on each other, below
    /// the ceiling - not on top of the ceiling's slab, which lies above every footprint.
    func testStacksUnderACeilingRestOnTheFloor() throws {
        let yaml = """
            format: 1
            classes: [{id: 1, name: floor}, {id: 2, name: wall}, {id: 3, name: box}]
            camera: {resolution: [64, 48]}
            environment:
              room:
                size: [4, 3]
                wall_height: 2.5
                floor: {class: floor}
                walls: {class: wall}
                ceiling: {class: wall}
                door: false
              pallets: [{name: p, class: box, position: [1, 0]}]
            groups:
              - {name: loose, shape: box, class: box, size: [0.4, 0.4, 0.3], count: 12, placement: {region: floor, stack: true}}
              - {name: loads, shape: box, class: box, size: [0.3, 0.3, 0.3], count: 4, placement: {region: pallet, stack: true}}
            """
        let scene = try loadScene(yaml)
        for i in 0..<20 {
            let frame = try scene.frame(i, seed: UInt64(i))
            let placed = groupInstances(frame, "loose") + groupInstances(frame, "loads")
            XCTAssertEqual(placed.count, 16, "frame \(i)")
            for inst in placed {
                let (bottom, top) = verticalExtent(frame, instance: inst.instanceID)
                XCTAssertGreaterThanOrEqual(bottom, RoomDescription.floorHeight - 1e-9, "frame \(i): \(inst.name)")
                XCTAssertLessThanOrEqual(top, 2.5 + 1e-6, "frame \(i): \(inst.name)")
            }
            XCTAssertTrue(interpenetrations(frame).isEmpty, "frame \(i)")
        }

        // Taller than the room: rejected when the scene loads, naming the group.
        let issues = loadIssues(yaml.replacingOccurrences(of: "size: [0.4, 0.4, 0.3]", with: "size: [0.4, 0.4, 2.6]"))
        XCTAssertEqual(issues.first?.path, "groups[0].count", "\(issues)")
        XCTAssertTrue(issues.first?.message.contains("under the board above or the ceiling") == true, "\(issues)")
    }
}

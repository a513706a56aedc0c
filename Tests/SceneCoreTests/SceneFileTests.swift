import XCTest

@testable import SceneCore

final class SceneFileTests: XCTestCase {
    func testDrivingStreetLoads() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        XCTAssertEqual(scene.name, "driving_street")
        XCTAssertEqual(scene.seed, 42)
        XCTAssertEqual(scene.frameCount, 16)
        XCTAssertEqual(scene.camera.width, 1280)
        XCTAssertEqual(scene.camera.height, 720)
        XCTAssertEqual(scene.classes.map(\.id), Array(1...11))
        XCTAssertEqual(scene.classID(named: "car"), 9)
        XCTAssertEqual(
            scene.groups.map(\.name),
            [
                "cars_ahead", "cars_oncoming", "parked_cars", "buildings", "trees", "street_lamps", "poles",
                "pedestrians", "cones",
            ])
        XCTAssertEqual(scene.objects.map(\.name), ["bus_shelter"])
        XCTAssertEqual(scene.road?.lanes, 4)
        XCTAssertEqual(scene.road?.sidewalk?.width, 3)
        // The alias *car_paint resolves to the same palette.
        XCTAssertEqual(scene.groups[0].template.colors, scene.groups[2].template.colors)
        XCTAssertEqual(scene.groups[0].template.colors.count, 6)

        let frame = try scene.frame(0)
        let things = frame.surfaces.filter { $0.instanceID != 0 }
        let instances = Set(things.map(\.instanceID))
        // 1 shelter + 3...5 + 4...6 + 10...14 + 8...12 + 8...12 + 6...8 + 6...10 + 8...14 + 4...6
        XCTAssertGreaterThanOrEqual(instances.count, 58)
        XCTAssertLessThanOrEqual(instances.count, 88)
        XCTAssertEqual(instances, Set(1...instances.count), "instance ids are 1...n without gaps")
        XCTAssertLessThanOrEqual(instances.count, SceneLoader.maxInstances)

        // Every surface's class is in the table; stuff first, things after.
        let classIDs = Set(scene.classes.map(\.id))
        XCTAssertTrue(frame.surfaces.allSatisfy { classIDs.contains($0.classID) })
        XCTAssertEqual(frame.surfaces.first?.name, "ground")
        XCTAssertEqual(frame.surfaces.first?.instanceID, 0)
        let firstThing = frame.surfaces.firstIndex { $0.instanceID != 0 }!
        XCTAssertTrue(frame.surfaces[firstThing...].allSatisfy { $0.instanceID != 0 })
        XCTAssertTrue(frame.surfaces.contains { $0.classID == 3 }, "lane markings")
        XCTAssertEqual(frame.surfaces.filter { $0.name.hasPrefix("sidewalk_") }.count, 2)

        // A car is body + cabin + 4 wheels sharing one instance; wheels turned to the Y axis.
        let car = frame.surfaces.filter { $0.name.hasPrefix("cars_ahead_0/") }
        XCTAssertEqual(car.count, 6)
        XCTAssertEqual(Set(car.map(\.instanceID)).count, 1)
        XCTAssertEqual(car.filter { $0.name.contains("wheel") }.count, 4)
        for wheel in car where wheel.name.contains("wheel") {
            let axis = wheel.worldFromObject.transformDirection(.unitZ)
            XCTAssertEqual(abs(axis.z), 0, accuracy: 1e-9, "wheel axles are horizontal")
        }

        // Cars ahead drive +X in lane 1, oncoming cars -X in lane 2; parked cars sit inside the curb.
        let lane1 = scene.road!.laneCenterY(1), lane2 = scene.road!.laneCenterY(2)
        for s in frame.surfaces where s.name.hasSuffix("/body") {
            let p = s.worldFromObject.translation, heading = s.worldFromObject.transformDirection(.unitX)
            if s.name.hasPrefix("cars_ahead") {
                XCTAssertEqual(p.y, lane1, accuracy: 1e-9)
                XCTAssertGreaterThan(heading.x, 0.99)
            } else if s.name.hasPrefix("cars_oncoming") {
                XCTAssertEqual(p.y, lane2, accuracy: 1e-9)
                XCTAssertLessThan(heading.x, -0.99)
            } else if s.name.hasPrefix("parked_cars") {
                XCTAssertLessThan(abs(p.y), 6.5 - 0.8)
                XCTAssertGreaterThan(abs(p.y), 4)
            }
        }
        // Pedestrians stand on the sidewalk (its top is at the curb height).
        let feet = frame.surfaces.filter { $0.name.hasPrefix("pedestrians_") && $0.name.hasSuffix("/leg_l") }
        XCTAssertFalse(feet.isEmpty)
        for f in feet {
            XCTAssertEqual(f.worldFromObject.translation.z, 0.15, accuracy: 1e-9)
            XCTAssertTrue((6.5...9.5).contains(abs(f.worldFromObject.translation.y)))
        }
    }

    func testDrivingStreetObjectsAreInView() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        for i in [0, 15] {
            let frame = try scene.frame(i)
            let k = frame.camera.intrinsics
            var visible = Set<Int>()
            for s in frame.surfaces where s.instanceID != 0 {
                // The top centre of each part: visible-ish when it projects into the image in front.
                let top = s.worldFromObject.transformPoint(Vec3(0, 0, s.shape.scale.z))
                if let p = frame.camera.project(top), p.z > k.near,
                    (0..<Double(k.width)).contains(p.u), (0..<Double(k.height)).contains(p.v)
                {
                    visible.insert(s.instanceID)
                }
            }
            XCTAssertGreaterThanOrEqual(visible.count, 40, "frame \(i): \(visible.count) instances in view")
        }
    }

    func testMinimalLoadsAndIsSmall() throws {
        let scene = try SceneLoader.load(path: scenePath("minimal.yaml"))
        XCTAssertEqual(scene.camera.width, 320)
        XCTAssertEqual(scene.camera.height, 240)
        XCTAssertEqual(scene.resampleEvery, 2)
        let frame = try scene.frame(1)
        XCTAssertEqual(frame.camera.intrinsics.width, 320)
        let instances = Set(frame.surfaces.map(\.instanceID).filter { $0 != 0 })
        // 1 parked car + 2...3 crates + 2 cars in traffic
        XCTAssertTrue((5...6).contains(instances.count), "\(instances.count) instances")
    }

    func testTheDocumentedExampleLoads() throws {
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/SCENE_FORMAT.md"), encoding: .utf8)
        let start = try XCTUnwrap(doc.range(of: "## Complete example\n\n```yaml\n"))
        let end = try XCTUnwrap(doc.range(of: "\n```", range: start.upperBound..<doc.endIndex))
        let scene = try SceneLoader.load(yaml: String(doc[start.upperBound..<end.lowerBound]), file: "SCENE_FORMAT.md")
        XCTAssertEqual(scene.name, "example_street")
        for i in 0..<scene.frameCount { _ = try scene.frame(i) }
        let frame = try scene.frame(0)
        XCTAssertEqual(frame.surfaces.filter { $0.name.hasPrefix("stop_sign/") }.map(\.instanceID), [1, 1])
        XCTAssertTrue(frame.surfaces.filter { $0.name.hasPrefix("flowerbeds_") }.allSatisfy { $0.instanceID == 0 })
    }

    func testJSONIsAcceptedToo() throws {
        let json = """
            {"format": 1, "classes": [{"id": 1, "name": "car"}], "camera": {"resolution": [32, 24]},
             "objects": [{"shape": "box", "size": [1, 1, 1], "class": "car", "position": [5, 0, 0]}]}
            """
        let scene = try SceneLoader.load(yaml: json, file: "inline.json")
        XCTAssertEqual(try scene.frame(0).surfaces.count, 1)
    }
}

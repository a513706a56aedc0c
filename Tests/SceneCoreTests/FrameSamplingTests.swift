import XCTest

@testable import SceneCore

final class FrameSamplingTests: XCTestCase {
    func testFramesArePureFunctionsOfSceneSeedAndIndex() throws {
        let a = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        let b = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        XCTAssertEqual(a, b)
        for i in [0, 1, 7, 15] {
            XCTAssertEqual(try a.frame(i), try a.frame(i), "two calls, frame \(i)")
            XCTAssertEqual(try a.frame(i), try b.frame(i), "two loads, frame \(i)")
        }
        XCTAssertEqual(try a.frame(3), try a.frame(3, seed: 42), "frame(_:) uses the scene's seed")
    }

    func testDifferentFramesDiffer() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        let f0 = try scene.frame(0), f1 = try scene.frame(1)
        XCTAssertNotEqual(f0, f1)
        // One layout for the whole job (no resample_every): the camera moves 8 m/s * 0.1 s per frame.
        XCTAssertEqual(f0.surfaces, f1.surfaces)
        let moved = f1.camera.worldFromCamera.translation - f0.camera.worldFromCamera.translation
        XCTAssertEqual(moved.x, 0.8, accuracy: 1e-9)
        XCTAssertEqual(moved.y, 0, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(abs(moved.z), 0.06 + 1e-9, "height jitter is at most 3 cm either way")
        XCTAssertEqual(f0.index, 0)
        XCTAssertEqual(f1.index, 1)
    }

    func testResampleEveryStartsANewLayout() throws {
        let scene = try SceneLoader.load(path: scenePath("minimal.yaml"))  // resample_every: 2
        let f0 = try scene.frame(0), f1 = try scene.frame(1), f2 = try scene.frame(2)
        XCTAssertEqual(f0.surfaces, f1.surfaces)
        XCTAssertNotEqual(f1.surfaces, f2.surfaces)
        // Motion restarts with each layout.
        XCTAssertEqual(f0.camera.worldFromCamera, f2.camera.worldFromCamera)
        XCTAssertNotEqual(f0.camera.worldFromCamera, f1.camera.worldFromCamera)
    }

    func testChangingTheSeedChangesTheLayout() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        let a = try scene.frame(0, seed: 1), b = try scene.frame(0, seed: 2)
        let thingsA = a.surfaces.filter { $0.instanceID != 0 }, thingsB = b.surfaces.filter { $0.instanceID != 0 }
        XCTAssertNotEqual(thingsA.map(\.worldFromObject), thingsB.map(\.worldFromObject))
        XCTAssertEqual(
            a.surfaces.filter { $0.instanceID == 0 }, b.surfaces.filter { $0.instanceID == 0 }, "stuff stays")
        XCTAssertNotEqual(a.lighting, b.lighting)
    }

    func testAddingAGroupLeavesTheOthersUnchanged() throws {
        let base =
            minimalValidYAML + """

                road: {class: road}
                groups:
                  - {name: a, shape: box, size: [1, 1, 1], class: car, count: 5, placement: {x: [0, 50], y: [5, 9]}}
                """
        let extended =
            base + """

                  - {name: b, shape: sphere, radius: 1, class: car, count: 3, placement: {x: [0, 50], y: [-9, -5]}}
                """
        let f1 = try SceneLoader.load(yaml: base, file: "a.yaml").frame(0)
        let f2 = try SceneLoader.load(yaml: extended, file: "b.yaml").frame(0)
        let a1 = f1.surfaces.filter { $0.name.hasPrefix("a_") }, a2 = f2.surfaces.filter { $0.name.hasPrefix("a_") }
        XCTAssertEqual(a1.count, 5)
        XCTAssertEqual(a1, a2)
        XCTAssertEqual(f2.surfaces.filter { $0.name.hasPrefix("b_") }.count, 3)
    }

    func testManySeedsPlaceEveryGroupAndRespectSpacing() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        for seed in UInt64(0)..<40 {
            let frame = try scene.frame(0, seed: seed)
            for group in scene.groups where group.minSpacing > 0 {
                var centres: [Int: Vec3] = [:]
                // Parts that sit on the object's origin in XY give its centre.
                let centred = ["/body", "/trunk", "/torso", "/pole", "/base"]
                for s in frame.surfaces
                where s.name.hasPrefix(group.name + "_")
                    && (!s.name.contains("/") || centred.contains(where: s.name.hasSuffix))
                {
                    centres[s.instanceID] = centres[s.instanceID] ?? s.worldFromObject.translation
                }
                let count = centres.count
                XCTAssertTrue((group.count.min...group.count.max).contains(count), "\(group.name): \(count)")
                let points = Array(centres.values)
                for i in 0..<points.count {
                    for j in (i + 1)..<points.count {
                        let d =
                            ((points[i].x - points[j].x) * (points[i].x - points[j].x)
                            + (points[i].y - points[j].y) * (points[i].y - points[j].y)).squareRoot()
                        XCTAssertGreaterThanOrEqual(d, group.minSpacing - 1e-9, "\(group.name) seed \(seed)")
                    }
                }
            }
        }
    }

    func testSunDirectionFromAzimuthAndElevation() throws {
        let yaml = minimalValidYAML + "\nlighting: {sun_azimuth_deg: 90, sun_elevation_deg: 30}\n"
        let l = try SceneLoader.load(yaml: yaml, file: "t.yaml").frame(0).lighting
        XCTAssertEqual(l.sunDirection.x, 0, accuracy: 1e-12)
        XCTAssertEqual(l.sunDirection.y, 3.0.squareRoot() / 2, accuracy: 1e-12)
        XCTAssertEqual(l.sunDirection.z, 0.5, accuracy: 1e-12)
    }

    func testRandomStreamsAreStable() {
        // Pinned outputs: a change here changes every dataset ever made with this build's format.
        var sm = SplitMix64(seed: 0)
        XCTAssertEqual(sm.next(), 0xE220_A839_7B1D_CDAF)
        var x = Xoshiro256StarStar(key: [1, 2, 3])
        let first = (0..<3).map { _ in x.next() }
        var y = Xoshiro256StarStar(key: [1, 2, 3])
        XCTAssertEqual(first, (0..<3).map { _ in y.next() })
        var z = Xoshiro256StarStar(key: [1, 2, 4])
        XCTAssertNotEqual(first[0], z.next())
        XCTAssertEqual(stableHash("cars"), stableHash("cars"))
        XCTAssertNotEqual(stableHash("cars"), stableHash("cats"))
        var u = Xoshiro256StarStar(seed: 9)
        for _ in 0..<1000 {
            let v = u.unit()
            XCTAssertTrue(v >= 0 && v < 1)
            let k = u.integer(3, 5)
            XCTAssertTrue((3...5).contains(k))
        }
    }
}

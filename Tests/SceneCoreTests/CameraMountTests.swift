import XCTest

@testable import SceneCore

/// `camera.mount`: the ego rides a lane or a robot's path; its start is drawn per layout, it moves at
/// its speed, and jitter (roll included) applies on top.
final class CameraMountTests: XCTestCase {
    static let header = """
        format: 1
        frames: 40
        resample_every: 10
        classes: [{id: 1, name: road}]

        """

    func camera(_ f: FrameSpec) -> (eye: Vec3, forward: Vec3, right: Vec3) {
        let m = f.camera.worldFromCamera
        // OpenCV axes: +Z forward, +X right.
        return (m.translation, m.transformDirection(.unitZ), m.transformDirection(.unitX))
    }

    func testRidesItsLaneOnAStraightRoadAndMovesWithTime() throws {
        let scene = try loadScene(
            Self.header + """
                camera:
                  resolution: [64, 48]
                  mount: {along: road, lane: 1, s: [10, 60], height: 1.6, speed: 8}
                  motion: {fps: 10}
                road: {class: road, width: 7, lanes: 2, start_x: -50, length: 300}
                """)
        var starts = Set<Double>()
        for layout in 0..<4 {
            let first = camera(try scene.frame(layout * 10)), next = camera(try scene.frame(layout * 10 + 1))
            // Lane 1 is left of the centreline: its traffic heads -X, 1.75 m left of the road's direction.
            XCTAssertEqual(first.eye.y, 1.75, accuracy: 1e-9)
            XCTAssertEqual(first.eye.z, 1.6, accuracy: 1e-9)
            XCTAssertEqual(first.forward.x, -1, accuracy: 1e-9, "heading with the lane's traffic")
            let s = first.eye.x + 50
            XCTAssertTrue((10...60).contains(s), "start \(s)")
            XCTAssertEqual(next.eye.x - first.eye.x, -0.8, accuracy: 1e-9, "8 m/s at 10 fps, against +X")
            starts.insert(s)
            XCTAssertEqual(camera(try scene.frame(layout * 10 + 5)).eye.x, first.eye.x - 4, accuracy: 1e-9)
        }
        XCTAssertEqual(starts.count, 4, "a start per layout")
    }

    func testFollowsACurveAndAPath() throws {
        let curved = try loadScene(
            Self.header + """
                camera:
                  resolution: [64, 48]
                  mount: {along: road, s: [0, 40], speed: 5}
                environment:
                  road: {layout: curved, class: road, radius: 50, angle_deg: -60}
                """)
        // A right turn from the origin heading +X: the centre is at (0, -50); lane 0 is 1.75 m to the
        // right of the centreline, on radius 48.25.
        for i in [0, 3, 7, 12] {
            let (eye, forward, _) = camera(try curved.frame(i))
            let r = Vec3(eye.x, eye.y + 50, 0)
            XCTAssertEqual(r.length, 48.25, accuracy: 1e-9)
            XCTAssertEqual(Vec3(forward.x, forward.y, 0).dot(r), 0, accuracy: 1e-9, "along the tangent")
        }
        let path = try loadScene(
            Self.header + """
                camera:
                  resolution: [64, 48]
                  mount: {along: path, path: [[0, 0], [10, 0], [10, 10]], s: 8, speed: 5, height: 1.2}
                """)
        let before = camera(try path.frame(0)), after = camera(try path.frame(5))
        XCTAssertEqual(before.eye.x, 8, accuracy: 1e-9)
        XCTAssertEqual(before.forward.x, 1, accuracy: 1e-9)
        XCTAssertEqual(after.eye.x, 10, accuracy: 1e-9, "past the corner: 0.5 s at 5 m/s")
        XCTAssertEqual(after.eye.y, 0.5, accuracy: 1e-9)
        XCTAssertEqual(after.forward.y, 1, accuracy: 1e-9)
        XCTAssertEqual(after.eye.z, 1.2, accuracy: 1e-12)
    }

    func testJitterRollsPitchesYawsAndLifts() throws {
        let scene = try loadScene(
            Self.header + """
                camera:
                  resolution: [64, 48]
                  mount: {along: road, s: 20, height: 1.5}
                  jitter: {roll_deg: 3, pitch_deg: 2, yaw_deg: 4, height: 0.05}
                road: {class: road}
                """)
        var rolls: [Double] = [], pitches: [Double] = [], yaws: [Double] = [], heights: [Double] = []
        for i in 0..<40 {
            let (eye, forward, right) = camera(try scene.frame(i))
            rolls.append(asin(right.z) * 180 / Double.pi)
            pitches.append(asin(forward.z) * 180 / Double.pi)
            yaws.append(atan2(forward.y, forward.x) * 180 / Double.pi)
            heights.append(eye.z)
        }
        for (values, amplitude, centre) in [(rolls, 3.0, 0.0), (pitches, 2, 0), (yaws, 4, 0), (heights, 0.05, 1.5)] {
            XCTAssertTrue(values.allSatisfy { abs($0 - centre) <= amplitude + 1e-9 }, "\(values)")
            XCTAssertGreaterThan(values.max()! - values.min()!, amplitude, "varies across frames: \(values)")
        }
    }
}

import Foundation
import Preview
import SceneCore
import XCTest

/// The window's logic that needs no window: cameras and the file watcher.
final class PreviewLogicTests: XCTestCase {
    func assertPose(_ a: Mat4?, _ b: Mat4, file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("no pose", file: file, line: line) }
        for (x, y) in zip(a.m, b.m) { XCTAssertEqual(x, y, accuracy: 1e-9, file: file, line: line) }
    }

    func testFreeCamerasStartFromTheCurrentViewWithoutAJump() {
        let pose = Camera.lookAt(eye: Vec3(1, -2, 1.5), target: Vec3(20, 3, 0.5))
        assertPose(PreviewCamera.orbit(from: pose, distance: 7).worldFromCamera, pose)
        assertPose(PreviewCamera.fly(from: pose).worldFromCamera, pose)
        XCTAssertNil(PreviewCamera.scene.worldFromCamera)
    }

    func testOrbitKeepsItsTargetAndDistance() {
        let pose = Camera.lookAt(eye: Vec3(0, 0, 2), target: Vec3(10, 0, 2))
        var camera = PreviewCamera.orbit(from: pose, distance: 10)
        camera.rotate(dx: 120, dy: -40)
        camera.zoom(steps: 2)
        guard let moved = camera.worldFromCamera else { return XCTFail("no pose") }
        // Still looking at (10, 0, 2), now from 10 * 0.9² metres away.
        let eye = moved.translation, ahead = moved.transformDirection(Vec3(0, 0, 1))
        let target = Vec3(10, 0, 2)
        XCTAssertEqual((target - eye).length, 8.1, accuracy: 1e-9)
        XCTAssertEqual(((target - eye).normalized - ahead).length, 0, accuracy: 1e-9)
        XCTAssertNotEqual(eye.y, 0, accuracy: 1e-3, "a horizontal drag turns about the target")
    }

    func testFlyMovesAlongTheViewAndWorldUp() {
        var camera = PreviewCamera.fly(from: Camera.lookAt(eye: .zero, target: Vec3(0, 5, 0)))
        camera.move(forward: 2, right: 1, up: 0.5)
        guard let pose = camera.worldFromCamera else { return XCTFail("no pose") }
        // Looking along +Y: forward is +Y, right is +X, up is +Z.
        XCTAssertEqual(pose.translation.x, 1, accuracy: 1e-9)
        XCTAssertEqual(pose.translation.y, 2, accuracy: 1e-9)
        XCTAssertEqual(pose.translation.z, 0.5, accuracy: 1e-9)
    }

    func testWatcherSeesWritesRenamesAndDeletions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-watch-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.yaml").path, b = dir.appendingPathComponent("b.yaml").path
        try "one".write(toFile: a, atomically: false, encoding: .utf8)
        try "two".write(toFile: b, atomically: false, encoding: .utf8)

        var watcher = SceneWatcher(paths: [a, b])
        XCTAssertEqual(watcher.changedPaths(), [])
        try "three".write(toFile: a, atomically: false, encoding: .utf8)  // in place, new size
        XCTAssertEqual(watcher.changedPaths(), [a])

        watcher = SceneWatcher(paths: [a, b])
        try "owt".write(toFile: b, atomically: true, encoding: .utf8)  // an editor's save: new file renamed over
        XCTAssertEqual(watcher.changedPaths(), [b])

        watcher = SceneWatcher(paths: [a, b])
        try FileManager.default.removeItem(atPath: a)
        XCTAssertEqual(watcher.changedPaths(), [a])
        watcher = SceneWatcher(paths: [a, b])
        XCTAssertEqual(watcher.changedPaths(), [], "a missing file is watched for its return")
        try "back".write(toFile: a, atomically: false, encoding: .utf8)
        XCTAssertEqual(watcher.changedPaths(), [a])
    }

    func testSizeParsing() {
        XCTAssertEqual(PreviewSize(parsing: "640x360"), PreviewSize(width: 640, height: 360))
        XCTAssertEqual(PreviewSize(parsing: "64X36"), PreviewSize(width: 64, height: 36))
        for bad in ["640", "x360", "640x", "0x10", "10x-1", "99999x10", "axb", "1x2x3"] {
            XCTAssertNil(PreviewSize(parsing: bad), bad)
        }
    }
}

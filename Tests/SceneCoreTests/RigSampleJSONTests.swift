import Foundation
import XCTest

@testable import SceneCore

/// The sample JSON of a multi-camera scene lists every camera's resolved view (docs/SCENE_FORMAT.md,
/// "The sample JSON"): named, the primary first, each the pose and lens that camera's dataset uses.
final class RigSampleJSONTests: XCTestCase {
    func testEveryCameraOfARigIsPrintedWithItsOwnPoseAndLens() throws {
        let yaml = """
            format: 1
            classes: [{id: 1, name: box}]
            camera:
              name: left
              resolution: [320, 240]
              fov_deg: 80
              position: [0, 0, 1.5]
              yaw_deg: 30
              jitter: {yaw_deg: 2}
            cameras:
              - {name: right, offset: [0, -0.5, 0]}
              - {name: rear, offset: [-1, 0, 0.2], yaw_deg: 180, resolution: [160, 120], fov_deg: 100}
            objects: [{name: b, shape: box, size: [1, 1, 1], class: box, position: [5, 0, 0]}]
            """
        let scene = try loadScene(yaml)
        let frame = try scene.frame(2)
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(frame.sampleJSON(scene: scene, seed: scene.seed).utf8))
                as? [String: Any])
        let cameras = try XCTUnwrap(json["cameras"] as? [[String: Any]])
        XCTAssertEqual(cameras.map { $0["name"] as? String }, ["left", "right", "rear"])
        XCTAssertEqual(cameras.map { $0["width"] as? Int }, [320, 320, 160])
        XCTAssertEqual(cameras.map { $0["height"] as? Int }, [240, 240, 120])

        let views = try scene.frameViews(2, seed: scene.seed)
        for (printed, view) in zip(cameras, views) {
            let pose = try XCTUnwrap(printed["world_from_camera"] as? [[Double]])
            for (a, b) in zip(pose.flatMap { $0 }, view.camera.worldFromCamera.rows.flatMap { $0 }) {
                XCTAssertEqual(a, b, accuracy: 1e-12)
            }
            XCTAssertEqual(printed["fx"] as? Double ?? .nan, view.camera.intrinsics.fx, accuracy: 1e-9)
        }
        // The primary's entry is the `camera` block's view; the right camera sits 0.5 m to its right
        // (OpenCV x is right) and the rear one looks the other way.
        let primary = try XCTUnwrap(json["camera"] as? [String: Any])
        XCTAssertEqual(primary["world_from_camera"] as? [[Double]], cameras[0]["world_from_camera"] as? [[Double]])
        let left = views[0].camera.worldFromCamera, right = views[1].camera.worldFromCamera
        let step = left.rigidInverse.transformPoint(right.translation)
        XCTAssertEqual(step.x, 0.5, accuracy: 1e-9)
        XCTAssertEqual(step.y, 0, accuracy: 1e-9)
        XCTAssertEqual(step.z, 0, accuracy: 1e-9)
        let forward = Vec3(0, 0, 1)
        XCTAssertEqual(
            left.transformDirection(forward).dot(views[2].camera.worldFromCamera.transformDirection(forward)), -1,
            accuracy: 1e-9)
    }

    func testASingleCameraSceneListsItsOneCamera() throws {
        let scene = try SceneLoader.load(path: scenePath("minimal.yaml"))
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(try scene.frame(0).sampleJSON(scene: scene, seed: 1).utf8))
                as? [String: Any])
        let cameras = try XCTUnwrap(json["cameras"] as? [[String: Any]])
        XCTAssertEqual(cameras.map { $0["name"] as? String }, [scene.cameraNames[0]])
        XCTAssertEqual(
            cameras[0]["world_from_camera"] as? [[Double]],
            (json["camera"] as? [String: Any])?["world_from_camera"] as? [[Double]])
    }
}

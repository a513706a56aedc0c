import XCTest

@testable import SceneCore

/// Several cameras on one rig: loading `camera.name` and `cameras`, their mistakes, and the views
/// a frame is sampled into.
final class CameraRigTests: XCTestCase {
    /// `minimalValidYAML` (six lines) with a moving, jittered primary camera named `left` and a
    /// `cameras` list from line 13 on.
    static let rigPrefix =
        minimalValidYAML + """

              name: left
              position: [2, 3, 1.5]
              yaw_deg: 20
              pitch_deg: -5
              motion: {velocity: [4, 1, 0]}
              jitter: {yaw_deg: 2, pitch_deg: 1, roll_deg: 1, height: 0.05}
            cameras:
            """

    static func rig(_ cameras: String) throws -> SceneDescription {
        try SceneLoader.load(yaml: rigPrefix + "\n" + cameras, file: "test.yaml")
    }

    // MARK: loading

    func testASceneWithoutCamerasIsASingleCameraScene() throws {
        let scene = try SceneLoader.load(yaml: minimalValidYAML, file: "test.yaml")
        XCTAssertFalse(scene.isMultiCamera)
        XCTAssertEqual(scene.cameraNames, ["camera"])
        XCTAssertEqual(scene.cameras, [])
        let named = try SceneLoader.load(yaml: minimalValidYAML + "\n  name: front\ncameras: []\n", file: "test.yaml")
        XCTAssertFalse(named.isMultiCamera)
        XCTAssertEqual(named.cameraNames, ["front"])
    }

    func testRigCamerasTakeThePrimarysSizeLensAndNearUnlessTheyGiveTheirOwn() throws {
        let scene = try Self.rig(
            """
              - {name: right, offset: [0, -0.5, 0]}
              - name: wrist-cam_2
                offset: [0.1, 0.2, -0.3]
                yaw_deg: 90
                resolution: [32, 24]
                fov_deg: 100
                near: 0.02
              - {name: k, intrinsics: {fx: 50, fy: 40}, resolution: [20, 10]}
            """)
        XCTAssertEqual(scene.cameraNames, ["left", "right", "wrist-cam_2", "k"])
        let right = scene.cameras[0]
        XCTAssertEqual(right.intrinsics, scene.camera.intrinsics)
        XCTAssertEqual(right.offset, Vec3(0, -0.5, 0))
        let wrist = scene.intrinsics(view: 2)
        XCTAssertEqual(wrist, CameraIntrinsics(width: 32, height: 24, horizontalFOVDegrees: 100, near: 0.02))
        XCTAssertEqual(scene.cameras[1].yawDeg, 90)
        XCTAssertEqual(
            scene.intrinsics(view: 3), CameraIntrinsics(width: 20, height: 10, fx: 50, fy: 40, cx: 9.5, cy: 4.5))
    }

    func testAMountWithoutRotationOnAnUnrotatedPrimaryIsTheCameraBlocksOwnPose() throws {
        // On a primary with yaw, pitch and roll 0, a rig camera's pose is exactly the pose the
        // `camera` block gives for the same angles at the mounted position.
        let yaml = """
            format: 1
            classes: [{id: 1, name: road}]
            camera: {resolution: [64, 48], position: [1, 2, 3]}
            cameras:
              - {name: turned, offset: [0.5, -0.25, 0.75], yaw_deg: 30, pitch_deg: 10, roll_deg: 5}
            """
        let scene = try SceneLoader.load(yaml: yaml, file: "test.yaml")
        let turned = try scene.frame(0, seed: 1, view: 1).camera.worldFromCamera
        let expected = SceneDescription.cameraPose(
            eye: Vec3(1.5, 1.75, 3.75), yawDeg: 30, pitchDeg: 10, rollDeg: 5)
        assertClose(turned, expected, 1e-12)
        // The mount in OpenCV axes: 0.25 m to the right is +x, 0.75 m up is -y, 0.5 m forward is +z.
        XCTAssertEqual(scene.cameras[0].primaryFromCamera.translation, Vec3(0.25, -0.75, 0.5))
    }

    func testMistakesInCamerasAreReportedWithTheirPlace() {
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: right, ofset: [0, 1, 0]}\n", path: "cameras[0].ofset", line: 14,
            column: 19, "unknown field `ofset`", "did you mean `offset`?")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {offset: [0, 1, 0]}\n", path: "cameras[0].name", line: 14, column: 5,
            "missing required field `name`")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: Right Cam}\n", path: "cameras[0].name", line: 14, column: 12,
            "lowercase letters, digits, `_` or `-`", "found \"Right Cam\"")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: left}\n", path: "cameras[0].name", line: 14, column: 12,
            "duplicate camera name `left` (also camera.name)")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: a}\n  - {name: a}\n", path: "cameras[1].name", line: 15, column: 12,
            "duplicate camera name `a` (also cameras[0].name)")
        assertSingleIssue(
            minimalValidYAML + "\ncameras:\n  - {name: camera}\n", path: "cameras[0].name", line: 8, column: 12,
            "the primary camera's default name; give `camera` a `name:`")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: r, pitch_deg: 95}\n", path: "cameras[0].pitch_deg", line: 14,
            column: 26, "from -90 to 90", "found 95")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: r, fov_deg: 60, intrinsics: {fx: 1, fy: 1}}\n",
            path: "cameras[0].intrinsics", line: 14, column: 28, "either `fov_deg` or `intrinsics`")
        assertSingleIssue(
            Self.rigPrefix + "\n  - {name: r, offset: [1, 2]}\n", path: "cameras[0].offset", line: 14, column: 23,
            "[x, y, z]")
        assertSingleIssue(
            Self.rigPrefix + " {name: r}\n", path: "cameras", line: 13, column: 10, "expected a list of cameras")
        assertSingleIssue(
            minimalValidYAML + "\n  name: Front\n", path: "camera.name", line: 7, column: 9,
            "expected a camera name", "found \"Front\"")
    }

    func testExplicitIntrinsicsDoNotCarryOverToAnotherSize() {
        let yaml = """
            format: 1
            classes: [{id: 1, name: road}]
            camera: {resolution: [64, 48], intrinsics: {fx: 60, fy: 60}}
            cameras:
              - {name: same, offset: [0, -1, 0]}
              - {name: small, resolution: [32, 24]}
            """
        assertSingleIssue(
            yaml, path: "cameras[1].resolution", line: 6, column: 31, "explicit `intrinsics`",
            "give this camera its own `fov_deg` or `intrinsics`")
    }

    func testEveryMistakeOfTheRigIsReportedInOneRun() {
        let issues = loadIssues(
            Self.rigPrefix + "\n  - {name: r, ofset: [0, 1, 0]}\n  - {name: R}\n  - {name: x, near: -1}\n")
        XCTAssertEqual(issues.map(\.path), ["cameras[0].ofset", "cameras[1].name", "cameras[2].near"])
    }

    // MARK: sampling

    func testViewZeroIsTheFrameAndAddingCamerasChangesNothingElse() throws {
        let single = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        let stereoText = try String(contentsOfFile: scenePath("driving_stereo.yaml"), encoding: .utf8)
        let stereo = try SceneLoader.load(yaml: stereoText, file: "driving_stereo.yaml")
        // Without its `cameras` list the stereo scene samples exactly the frames the rig's view 0 has.
        let start = try XCTUnwrap(stereoText.range(of: "\ncameras:")).lowerBound
        let end = try XCTUnwrap(stereoText.range(of: "\nlighting:")).lowerBound
        let withoutRig = try SceneLoader.load(
            yaml: String(stereoText[..<start]) + "\n" + String(stereoText[end...]), file: "driving_stereo.yaml")
        XCTAssertFalse(withoutRig.isMultiCamera)
        for i in [0, 5, 15] {
            XCTAssertEqual(try stereo.frame(i, seed: 42, view: 0), try stereo.frame(i, seed: 42))
            XCTAssertEqual(try stereo.frame(i, seed: 42, view: 0), try withoutRig.frame(i, seed: 42))
            XCTAssertEqual(try single.frame(i, seed: 42, view: 0), try single.frame(i, seed: 42))
            XCTAssertEqual(try single.frameViews(i, seed: 42), [try single.frame(i, seed: 42)])
        }
    }

    func testViewsShareTheLayoutLightingAndInstant() throws {
        let scene = try Self.rig(
            """
              - {name: right, offset: [0, -0.5, 0]}
              - {name: back, offset: [-1, 0, 0.4], yaw_deg: 180, resolution: [32, 16], fov_deg: 90}
            """)
        for i in [0, 3, 7] {
            let views = try scene.frameViews(i, seed: 9)
            XCTAssertEqual(views.count, 3)
            for (k, view) in views.enumerated() {
                XCTAssertEqual(view, try scene.frame(i, seed: 9, view: k))
                XCTAssertEqual(view.index, i)
                XCTAssertEqual(view.surfaces, views[0].surfaces)
                XCTAssertEqual(view.instances, views[0].instances)
                XCTAssertEqual(view.lighting, views[0].lighting)
                XCTAssertEqual(view.classes, views[0].classes)
                XCTAssertEqual(view.camera.intrinsics, scene.intrinsics(view: k))
            }
            XCTAssertNotEqual(views[1].camera.worldFromCamera, views[0].camera.worldFromCamera)
            // The rig is rigid: every camera's pose relative to the primary is its mount, whatever
            // the motion and jitter of the frame.
            let primaryFromCamera = views[0].camera.cameraFromWorld * views[2].camera.worldFromCamera
            assertClose(primaryFromCamera, scene.cameras[1].primaryFromCamera, 1e-9)
        }
    }

    func testTheStereoPairsRightCameraIsTheBaselineAlongThePrimarysMinusY() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_stereo.yaml"))
        XCTAssertEqual(scene.cameraNames, ["left", "right"])
        for i in 0..<scene.frameCount {
            let views = try scene.frameViews(i, seed: scene.seed)
            let left = views[0].camera.worldFromCamera, right = views[1].camera.worldFromCamera
            // The primary's body y (left) in the world is minus its OpenCV x (right).
            let bodyY = -left.transformDirection(.unitX)
            let shift = right.translation - left.translation
            XCTAssertEqual((shift - bodyY * -0.54).length, 0, accuracy: 1e-12, "frame \(i)")
            // Parallel: the same orientation.
            for r in 0..<3 {
                for c in 0..<3 { XCTAssertEqual(right[r, c], left[r, c], accuracy: 1e-12) }
            }
        }
        // The jitter moves the rig, so the pose differs from frame to frame but the baseline does not.
        let a = try scene.frame(0, seed: 42, view: 1).camera.worldFromCamera
        let b = try scene.frame(1, seed: 42, view: 1).camera.worldFromCamera
        XCTAssertNotEqual(a, b)
    }

    private func assertClose(
        _ a: Mat4, _ b: Mat4, _ tolerance: Double, file: StaticString = #filePath, line: UInt = #line
    ) {
        for r in 0..<4 {
            for c in 0..<4 {
                XCTAssertEqual(a[r, c], b[r, c], accuracy: tolerance, "[\(r), \(c)]", file: file, line: line)
            }
        }
    }
}

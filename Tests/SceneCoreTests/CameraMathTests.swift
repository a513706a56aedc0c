import XCTest

@testable import SceneCore

final class CameraMathTests: XCTestCase {
    let intrinsics = CameraIntrinsics(width: 640, height: 480, fx: 500, fy: 510, cx: 319.5, cy: 239.5)

    func testProjectsAKnownPoint() {
        // Camera at the origin looking along +X: camera x = -world y, camera y = -world z, camera z = world x.
        let camera = Camera(intrinsics: intrinsics, worldFromCamera: Camera.lookAt(eye: .zero, target: Vec3(1, 0, 0)))
        let p = camera.project(Vec3(10, -1, 0.5))!
        XCTAssertEqual(p.z, 10, accuracy: 1e-12)
        XCTAssertEqual(p.u, 500 * 1 / 10 + 319.5, accuracy: 1e-9)
        XCTAssertEqual(p.v, 510 * -0.5 / 10 + 239.5, accuracy: 1e-9)
        XCTAssertNil(camera.project(Vec3(-1, 0, 0)), "behind the camera")
        // A point on the optical axis lands on the principal point.
        let c = camera.project(Vec3(3, 0, 0))!
        XCTAssertEqual(c.u, 319.5, accuracy: 1e-12)
        XCTAssertEqual(c.v, 239.5, accuracy: 1e-12)
    }

    func testLookAtIsOrthonormalAndRightHanded() {
        let m = Camera.lookAt(eye: Vec3(1, 2, 3), target: Vec3(-4, 7, 1))
        let r = m.transformDirection(.unitX), d = m.transformDirection(.unitY), f = m.transformDirection(.unitZ)
        for v in [r, d, f] { XCTAssertEqual(v.length, 1, accuracy: 1e-12) }
        XCTAssertEqual(r.dot(d), 0, accuracy: 1e-12)
        XCTAssertEqual(r.dot(f), 0, accuracy: 1e-12)
        XCTAssertEqual(d.dot(f), 0, accuracy: 1e-12)
        XCTAssertEqual((r.cross(d) - f).length, 0, accuracy: 1e-12, "x cross y = z")
        XCTAssertEqual((f - (Vec3(-4, 7, 1) - Vec3(1, 2, 3)).normalized).length, 0, accuracy: 1e-12)
        XCTAssertEqual(r.z, 0, accuracy: 1e-12, "no roll: the image x axis stays horizontal")
        XCTAssertLessThan(d.z, 0, "image down points down in the world")
        XCTAssertEqual((m.translation - Vec3(1, 2, 3)).length, 0, accuracy: 1e-12)
    }

    func testClipFromCameraMapsPixelCentres() {
        let k = intrinsics
        let W = Double(k.width), H = Double(k.height)
        for (i, j) in [(0, 0), (639, 479), (320, 17), (5, 400)] {
            for z in [0.5, 7.0, 120.0] {
                // The camera-frame point that projects to (u, v) = (i, j) at depth z.
                let p = Vec3((Double(i) - k.cx) * z / k.fx, (Double(j) - k.cy) * z / k.fy, z)
                let clip = k.clipFromCamera
                let x = clip[0, 0] * p.x + clip[0, 1] * p.y + clip[0, 2] * p.z + clip[0, 3]
                let y = clip[1, 0] * p.x + clip[1, 1] * p.y + clip[1, 2] * p.z + clip[1, 3]
                let zc = clip[2, 0] * p.x + clip[2, 1] * p.y + clip[2, 2] * p.z + clip[2, 3]
                let w = clip[3, 0] * p.x + clip[3, 1] * p.y + clip[3, 2] * p.z + clip[3, 3]
                XCTAssertEqual(w, z, accuracy: 1e-12)
                XCTAssertEqual(x / w, 2 * (Double(i) + 0.5) / W - 1, accuracy: 1e-12)
                XCTAssertEqual(y / w, 2 * (Double(j) + 0.5) / H - 1, accuracy: 1e-12)
                XCTAssertEqual(zc / w, k.near / z, accuracy: 1e-12, "reversed infinite depth")
            }
        }
    }

    func testHorizontalFOVIntrinsics() {
        let k = CameraIntrinsics(width: 1280, height: 720, horizontalFOVDegrees: 90)
        XCTAssertEqual(k.fx, 640, accuracy: 1e-9)
        XCTAssertEqual(k.fy, k.fx)
        XCTAssertEqual(k.cx, 639.5)
        XCTAssertEqual(k.cy, 359.5)
    }

    func testRigidInverse() {
        let m = Mat4.pose(position: Vec3(3, -2, 5), yaw: 0.7, pitch: -0.3, roll: 1.1)
        let product = m * m.rigidInverse, other = m.rigidInverse * m
        for r in 0..<4 {
            for c in 0..<4 {
                XCTAssertEqual(product[r, c], r == c ? 1 : 0, accuracy: 1e-12)
                XCTAssertEqual(other[r, c], r == c ? 1 : 0, accuracy: 1e-12)
            }
        }
        let p = Vec3(0.3, 8, -2)
        XCTAssertEqual((m.rigidInverse.transformPoint(m.transformPoint(p)) - p).length, 0, accuracy: 1e-12)
    }

    func testCameraPoseFromYawPitchRoll() {
        // yaw 90°: looking along +Y; pitch 10° up.
        let m = SceneDescription.cameraPose(eye: Vec3(1, 1, 1), yawDeg: 90, pitchDeg: 10, rollDeg: 0)
        let f = m.transformDirection(.unitZ)
        XCTAssertEqual(f.x, 0, accuracy: 1e-12)
        XCTAssertEqual(f.y, cos(10 * Double.pi / 180), accuracy: 1e-12)
        XCTAssertEqual(f.z, sin(10 * Double.pi / 180), accuracy: 1e-12)
        // Positive roll turns the camera clockwise seen from behind: its right axis dips.
        let rolled = SceneDescription.cameraPose(eye: .zero, yawDeg: 0, pitchDeg: 0, rollDeg: 10)
        XCTAssertLessThan(rolled.transformDirection(.unitX).z, 0)
        XCTAssertEqual((rolled.transformDirection(.unitZ) - .unitX).length, 0, accuracy: 1e-12)
    }

    func testLookAtInTheFileMatchesCameraLookAt() throws {
        let yaml = minimalValidYAML + "\n  position: [1, 2, 3]\n  look_at: [20, -4, 1]\n"
        let frame = try SceneLoader.load(yaml: yaml, file: "t.yaml").frame(0)
        let expected = Camera.lookAt(eye: Vec3(1, 2, 3), target: Vec3(20, -4, 1))
        for (a, b) in zip(frame.camera.worldFromCamera.m, expected.m) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }
}

#if canImport(Glibc)
    import Glibc
#endif

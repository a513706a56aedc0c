import Foundation
import XCTest

/// `validate` summarizes every camera of a rig; `sample` prints every camera's view.
final class ValidateCamerasCLITests: XCTestCase {
    func testValidateNamesEveryCameraOfARig() throws {
        let stereo = try CLI.run(["validate", CLI.scene("driving_stereo.yaml")])
        XCTAssertEqual(stereo.status, 0, stereo.stderr)
        XCTAssertTrue(stereo.stdout.contains(", 2 cameras (left 1242x375, right 1242x375), "), stereo.stdout)

        let single = try CLI.run(["validate", CLI.scene("minimal.yaml")])
        XCTAssertEqual(single.status, 0, single.stderr)
        XCTAssertFalse(single.stdout.contains("cameras"), single.stdout)
    }

    func testSamplePrintsEveryCamerasView() throws {
        let r = try CLI.run(["sample", CLI.scene("driving_stereo.yaml"), "--frame", "4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let cameras = try XCTUnwrap(json["cameras"] as? [[String: Any]])
        XCTAssertEqual(cameras.map { $0["name"] as? String }, ["left", "right"])
        let left = try XCTUnwrap(cameras[0]["world_from_camera"] as? [[Double]])
        let right = try XCTUnwrap(cameras[1]["world_from_camera"] as? [[Double]])
        // The right camera is 0.54 m along the left camera's x axis (OpenCV: right), same orientation.
        for r in 0..<3 {
            XCTAssertEqual(right[r][3] - left[r][3], 0.54 * left[r][0], accuracy: 1e-9)
            for c in 0..<3 { XCTAssertEqual(right[r][c], left[r][c], accuracy: 1e-12) }
        }
    }
}

import FarmProtocol
import FramePipeline
import SceneCore
import XCTest

@testable import Worker

/// A leased frame of a multi-camera job is one work item that carries every camera of the rig.
final class LeaseWorkQueueRigTests: XCTestCase {
    private func order(_ leaseID: UInt64, _ frames: [Int], yaml: String) -> LeaseOrder {
        let bundle = SceneBundle(yaml: yaml, file: "scene.yaml")
        return LeaseOrder(
            leaseID: leaseID,
            job: JobTicket(
                jobID: "j\(leaseID)", scene: bundle, sceneDigest: FarmAuthentication.sceneDigest(bundle), seed: 11,
                frameCount: 16, options: JobOptions()),
            frames: frames)
    }

    func testARigJobsFramesCarryEveryCameraAndASingleCameraJobsNone() throws {
        let rigYAML =
            testSceneYAML + "\ncameras:\n  - {name: right, offset: [0, -0.4, 0]}\n"
            + "  - {name: up, pitch_deg: 30, resolution: [24, 16]}\n"
        let rig = try SceneLoader.load(yaml: rigYAML, file: "t")
        let queue = LeaseWorkQueue(scenes: SceneCache())
        queue.add(LeaseTag(session: 1, leaseID: 1), order(1, [5], yaml: rigYAML))
        queue.add(LeaseTag(session: 1, leaseID: 2), order(2, [6], yaml: testSceneYAML))
        let failed: (LeaseTag, String) -> Void = { XCTFail("\($0): \($1)") }

        let work = try XCTUnwrap(queue.next(wait: false, sceneFailed: failed))
        let cameras = try XCTUnwrap(work.cameras)
        XCTAssertEqual(cameras.folders, ["camera", "right", "up"])
        let primary = try work.spec()
        XCTAssertEqual(primary, try rig.frame(5, seed: 11))
        for view in 1...2 { XCTAssertEqual(cameras.view(view, primary), try rig.frame(5, seed: 11, view: view)) }

        let single = try XCTUnwrap(queue.next(wait: false, sceneFailed: failed))
        XCTAssertNil(single.cameras)
        XCTAssertEqual(single.index, 6)
    }
}

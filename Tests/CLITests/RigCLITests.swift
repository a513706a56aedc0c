import Export
import Foundation
import ImageCodec
import SceneCore
import XCTest

/// A scene with several cameras end to end through the built binary: `render` with one and two
/// workers, `verify`, rig.json, `sheet`/`export`/`report` with `--camera`, `bench`, and a resumed
/// render of the stereo scene.
final class RigCLITests: XCTestCase {
    /// scenes/minimal.yaml (320x240) with its camera named `front`, a `right` camera 0.3 m to its
    /// right and a small `rear` one looking back.
    static let sceneText: Result<String, Error> = Result {
        let minimal = try String(contentsOfFile: CLI.scene("minimal.yaml"), encoding: .utf8)
        guard minimal.contains("camera:\n  resolution: [320, 240]\n") else {
            throw FarmTestError("scenes/minimal.yaml's camera block moved; update the fixture")
        }
        return minimal.replacingOccurrences(
            of: "camera:\n  resolution: [320, 240]\n", with: "camera:\n  name: front\n  resolution: [160, 120]\n")
                + """

                cameras:
                  - {name: right, offset: [0, -0.3, 0]}
                  - {name: rear, offset: [-1, 0, 0.2], yaw_deg: 180, resolution: [64, 48], fov_deg: 90}

                """
    }

    /// The scene file, written once into a temporary folder.
    static let sceneFile: Result<String, Error> = Result {
        let dir = try CLI.temporaryDirectory("rig-scene")
        let path = dir.appendingPathComponent("rig.yaml").path
        try sceneText.get().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `render` of the rig scene with one worker, shared by the tests.
    static let reference: Result<(URL, [String: Data]), Error> = Result {
        let out = try CLI.temporaryDirectory("rig-reference")
        let r = try CLI.run(["render", try sceneFile.get(), "--out", out.path, "--workers", "1", "--format", "coco"])
        guard r.status == 0 else { throw FarmTestError("reference render failed: \(r.stderr)") }
        guard r.stderr.contains("4 frames from 3 cameras (front 160x120, right 160x120, rear 64x48)") else {
            throw FarmTestError("render did not name the cameras: \(r.stderr)")
        }
        return (out, try CLI.files(under: out))
    }

    func testRenderWritesOneDatasetPerCameraTheSameWithOneOrTwoWorkers() throws {
        let (out, reference) = try Self.reference.get()
        let two = try CLI.temporaryDirectory("rig-two")
        defer { try? FileManager.default.removeItem(at: two) }
        let r = try CLI.run([
            "render", try Self.sceneFile.get(), "--out", two.path, "--workers", "2", "--shard-size", "1", "--format",
            "coco",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.files(under: two), reference, "two workers make the same bytes as one")

        XCTAssertEqual(Set(reference.keys.filter { !$0.contains("/") }), ["rig.json"])
        for camera in ["front", "right", "rear"] {
            XCTAssertNotNil(reference["\(camera)/dataset.json"])
            XCTAssertEqual(reference.keys.filter { $0.hasPrefix("\(camera)/labels/") }.count, 4, camera)
            XCTAssertNotNil(reference["\(camera)/exports/coco/annotations/instances_train.json"], camera)
            XCTAssertEqual(try CLI.run(["verify", out.appendingPathComponent(camera).path]).status, 0, camera)
        }
        let rear = try PNGDecoder.decode(contentsOf: out.appendingPathComponent("rear/rgb/000003.png").path)
        XCTAssertEqual([rear.width, rear.height], [64, 48])

        let rig = try JSONSerialization.jsonObject(with: try XCTUnwrap(reference["rig.json"])) as? [String: Any]
        XCTAssertEqual(rig?["format"] as? String, "scenefarm-rig")
        XCTAssertEqual(rig?["primary"] as? String, "front")
        XCTAssertEqual(rig?["frame_count"] as? Int, 4)
        let cameras = try XCTUnwrap(rig?["cameras"] as? [[String: Any]])
        XCTAssertEqual(cameras.compactMap { $0["name"] as? String }, ["front", "right", "rear"])
        let right = try XCTUnwrap(cameras[1]["primary_from_camera"] as? [[Double]])
        XCTAssertEqual(right.map { $0[3] }, [0.3, 0, 0, 1], "0.3 m to the right is +x in OpenCV axes")
        // Frame 2 of the right camera: the primary's pose carried by the mount, in its labels.
        let frontLabels = try reader(out, "front").labels(frame: 2)
        let rightLabels = try reader(out, "right").labels(frame: 2)
        let expected = Mat4(rows: frontLabels.camera.worldFromCamera) * Mat4(rows: right)
        for (a, b) in zip(rightLabels.camera.worldFromCamera.joined(), expected.rows.joined()) {
            XCTAssertEqual(a, b, accuracy: 1e-9)
        }

        let verify = try CLI.run(["verify", out.path])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(
            verify.stdout.contains("multi-camera dataset (rig.json), cameras front, right, rear"), verify.stdout)
        XCTAssertTrue(verify.stdout.contains("cameras agree with rig.json"), verify.stdout)
    }

    private func reader(_ out: URL, _ camera: String) throws -> NativeDatasetReader {
        try NativeDatasetReader(directory: out.appendingPathComponent(camera).path)
    }

    func testVerifyOfARigFolderFindsACameraThatDisagrees() throws {
        let (out, _) = try Self.reference.get()
        let copy = try CLI.temporaryDirectory("rig-broken")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: out, to: copy)
        // The rear camera's frame 1 given the front camera's pose: it no longer fits the mount.
        let rearLabels = copy.appendingPathComponent("rear/labels/000001.json")
        let frontPose = try reader(copy, "front").labels(frame: 1).camera.worldFromCamera
        var object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: rearLabels)) as? [String: Any])
        var camera = try XCTUnwrap(object["camera"] as? [String: Any])
        XCTAssertNotEqual(camera["world_from_camera"] as? [[Double]], frontPose)
        camera["world_from_camera"] = frontPose
        object["camera"] = camera
        try JSONSerialization.data(withJSONObject: object).write(to: rearLabels)

        let r = try CLI.run(["verify", copy.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stdout.contains("frame 1: rear/labels/000001.json: world_from_camera is not the primary camera's pose"),
            r.stdout)
    }

    func testSheetExportAndReportReadTheChosenCamera() throws {
        let (out, reference) = try Self.reference.get()
        let work = try CLI.temporaryDirectory("rig-tools")
        defer { try? FileManager.default.removeItem(at: work) }

        // Without --camera: the primary, said so.
        let sheet = work.appendingPathComponent("front.png").path
        let s = try CLI.run(["sheet", out.path, "--frame", "1", "--out", sheet, "--scale", "1"])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertTrue(
            s.stderr.contains(
                "is a multi-camera dataset (cameras: front, right, rear); reading the primary camera front"),
            s.stderr)
        let rearSheet = work.appendingPathComponent("rear.png").path
        XCTAssertEqual(
            try CLI.run(["sheet", out.path, "--frame", "1", "--out", rearSheet, "--scale", "1", "--camera", "rear"])
                .status, 0)
        // Each sheet shows its camera's frame at scale 1: two panels per row, 160 and 64 pixels wide.
        let widths = [
            try PNGDecoder.decode(contentsOf: sheet).width, try PNGDecoder.decode(contentsOf: rearSheet).width,
        ]
        XCTAssertEqual(widths[0] - widths[1], 2 * (160 - 64), "\(widths)")

        // Export of one camera equals the camera's export made while rendering.
        let coco = work.appendingPathComponent("coco-right")
        let e = try CLI.run(["export", out.path, "--camera", "right", "--format", "coco", "--out", coco.path])
        XCTAssertEqual(e.status, 0, e.stderr)
        let during = reference.filter { $0.key.hasPrefix("right/exports/coco/") }
        XCTAssertFalse(during.isEmpty)
        XCTAssertEqual(
            try CLI.files(under: coco),
            Dictionary(
                uniqueKeysWithValues: during.map { (String($0.key.dropFirst("right/exports/coco/".count)), $0.value) }))

        let html = work.appendingPathComponent("rear.html").path
        let report = try CLI.run(["report", out.path, "--camera", "rear", "--out", html, "--samples", "2"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(
            try String(contentsOfFile: html, encoding: .utf8).contains("<td>64 × 48</td>"), "the rear camera's size")

        // An unknown camera, and --camera on a single-camera dataset: clear errors, nothing written.
        let bad = try CLI.run([
            "sheet", out.path, "--out", work.appendingPathComponent("x.png").path, "--camera", "left",
        ])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(
            bad.stderr.contains("--camera left: \(out.path) has no such camera (cameras: front, right, rear)"),
            bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x.png").path))
        let single = try CLI.run([
            "export", out.appendingPathComponent("front").path, "--camera", "front", "--format", "coco", "--out",
            work.appendingPathComponent("y").path,
        ])
        XCTAssertNotEqual(single.status, 0)
        XCTAssertTrue(single.stderr.contains("is a single-camera dataset"), single.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("y").path))
    }

    func testBenchGivesFiguresPerFrameAndPerView() throws {
        let r = try CLI.run(["bench", try Self.sceneFile.get(), "--frames", "2", "--warmup", "0", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains(", 3 cameras (front 160x120, right 160x120, rear 64x48), "), r.stdout)
        XCTAssertTrue(r.stdout.contains("2 frames in"), r.stdout)
        XCTAssertTrue(r.stdout.contains("ms/view (3 views per frame)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("ms/frame") && r.stdout.contains(" ms/view"), r.stdout)
    }

    /// The stereo scene rendered by the embedded farm, killed with SIGKILL mid-job and run again:
    /// the same bytes as one uninterrupted run.
    func testAStereoRenderResumesAfterAKill() throws {
        let frames = "8"
        let scene = CLI.scene("driving_stereo.yaml")
        let reference = try CLI.temporaryDirectory("stereo-reference")
        let out = try CLI.temporaryDirectory("stereo-resume")
        defer {
            try? FileManager.default.removeItem(at: reference)
            try? FileManager.default.removeItem(at: out)
        }
        let once = try CLI.run(["render", scene, "--out", reference.path, "--frames", frames, "--workers", "1"])
        XCTAssertEqual(once.status, 0, once.stderr)

        let arguments = ["render", scene, "--out", out.path, "--frames", frames, "--workers", "2", "--shard-size", "1"]
        let first = try SpawnedProcess(arguments: arguments, name: "stereo")
        let journal = out.appendingPathComponent(".scenefarm/journal.sqlite").path
        try FarmProcesses.waitUntil("the embedded farm commits a frame") {
            (try? FarmProcesses.commits(journal: journal, job: "render")) ?? 0 >= 2
        }
        first.kill9()
        _ = first.wait(timeout: 30)
        let rerun = try CLI.run(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("resuming"), rerun.stderr)
        let files = try CLI.files(under: out)
        XCTAssertEqual(files, try CLI.files(under: reference))
        XCTAssertEqual(files.keys.filter { $0.hasPrefix("right/labels/") }.count, 8)
        let verify = try CLI.run(["verify", out.path])
        XCTAssertEqual(verify.status, 0, verify.stdout)
    }
}

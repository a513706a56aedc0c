import Export
import Foundation
import Labels
import SceneCore
import XCTest

/// A two-camera scene (a 48x32 primary `left`, a `right` camera 0.5 m to its right and a 24x16
/// `wide` one) and its frames encoded without GL: every view's image holds one rectangle of the
/// scene's box, shifted by the view, labelled and encoded as a worker does.
struct RigFrames {
    static let yaml = """
        format: 1
        name: rig-test
        classes: [{id: 1, name: box}]
        camera:
          name: left
          resolution: [48, 32]
          fov_deg: 60
          position: [0, 0, 1]
          motion: {velocity: [1, 0, 0]}
          jitter: {yaw_deg: 2, height: 0.1}
        cameras:
          - {name: right, offset: [0, -0.5, 0]}
          - {name: wide, offset: [0.2, 0, 0.3], yaw_deg: 10, resolution: [24, 16], fov_deg: 100}
        objects:
          - {name: crate, shape: box, class: box, size: [1, 1, 1], position: [6, 0, 0]}
        """

    let scene: SceneDescription
    let seed: UInt64 = 5

    init() throws { scene = try SceneLoader.load(yaml: Self.yaml, file: "rig.yaml") }

    var layout: DatasetLayout { DatasetLayout(scene: scene, seed: seed, frameCount: 3) }

    /// One view's files: the box's surface over a rectangle that moves with the frame and view.
    func encodedView(_ spec: FrameSpec, view: Int) throws -> EncodedFrame {
        let k = spec.camera.intrinsics
        var ids = [UInt32](repeating: 0, count: k.width * k.height)
        var depth = [Float](repeating: 0, count: k.width * k.height)
        for y in 2..<(k.height / 2) {
            for x in (3 + spec.index + view)..<(k.width / 2) {
                ids[y * k.width + x] = FrameSpec.surfaceID(forIndex: 0)
                depth[y * k.width + x] = 5.5
            }
        }
        let color = [UInt8](repeating: UInt8(40 * view + spec.index), count: k.width * k.height * 4)
        let frame = RenderedFrame(
            index: spec.index, width: k.width, height: k.height, color: color, surfaceIDs: ids, depth: depth)
        return try FrameEncoder.encode(frame, labels: try LabelDeriver.derive(frame, spec: spec), spec: spec)
    }

    /// Frame `index` with every camera's files under its folder.
    func encoded(_ index: Int) throws -> EncodedFrame {
        let views = try scene.frameViews(index, seed: seed)
        return DatasetLayout.combine(
            index: index,
            views: try views.enumerated().map {
                (scene.cameraNames[$0.offset], try encodedView($0.element, view: $0.offset))
            })
    }

    /// Writes frames 0..<3 and finishes.
    func write(to directory: String) throws {
        let writer = try RigDatasetWriter(directory: directory, layout: layout)
        for i in 0..<3 { try writer.write(try encoded(i)) }
        XCTAssertEqual(try writer.finish(), 3)
    }
}

final class RigDatasetTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: temporaryBase)
        super.tearDown()
    }

    func testARigWritesOneNativeDatasetPerCameraAndRigJSON() throws {
        let rig = try RigFrames()
        let dir = try makeTemporaryDirectory()
        try rig.write(to: dir)

        let files = try allFiles(dir)
        XCTAssertEqual(
            Set(files.keys.filter { !$0.contains("/") }), ["rig.json"], "only rig.json at the top: \(files.keys)")
        for (view, name) in ["left", "right", "wide"].enumerated() {
            let reader = try NativeDatasetReader(directory: dir + "/" + name)
            let k = rig.scene.intrinsics(view: view)
            XCTAssertEqual([reader.info.width, reader.info.height, reader.info.frameCount], [k.width, k.height, 3])
            for i in 0..<3 {
                XCTAssertEqual(try reader.rgb(frame: i).width, k.width)
                let labels = try reader.labels(frame: i)
                let spec = try rig.scene.frame(i, seed: rig.seed, view: view)
                XCTAssertEqual(labels.camera.worldFromCamera, spec.camera.worldFromCamera.rows)
            }
        }

        let info = try CameraRigInfo.read(directory: dir)
        XCTAssertEqual(info.cameraNames, ["left", "right", "wide"])
        XCTAssertEqual(info.primary, "left")
        XCTAssertEqual([info.sceneName, "\(info.seed)", "\(info.frameCount)"], ["rig-test", "5", "3"])
        XCTAssertEqual(info.cameras[0].primaryFromCamera, Mat4.identity.rows)
        // 0.5 m to the right of the primary: +x in OpenCV axes; the inverse moves points back.
        XCTAssertEqual(info.cameras[1].primaryFromCamera[0][3], 0.5)
        XCTAssertEqual(info.cameras[1].cameraFromPrimary[0][3], -0.5)
        XCTAssertEqual(info.cameras[2].K, rig.scene.intrinsics(view: 2).K)
        let text = try XCTUnwrap(String(bytes: try XCTUnwrap(files["rig.json"]), encoding: .utf8))
        XCTAssertTrue(text.contains("\"format\": \"scenefarm-rig\""), text)
        XCTAssertFalse(text.contains("-0.0,") || text.contains("-0.0]"), "no negative zeros: \(text)")

        let report = try DatasetVerifier.verifyRig(directory: dir)
        XCTAssertTrue(report.isClean, "\(report)")
        XCTAssertEqual(report.cameras.map(\.report.framesChecked), [3, 3, 3])

        // Deterministic: the same frames written again are the same bytes.
        let again = try makeTemporaryDirectory()
        try rig.write(to: again)
        XCTAssertEqual(try allFiles(again), files)
    }

    func testASingleCameraLayoutIsExactlyTheNativeDataset() throws {
        let dir = try makeTemporaryDirectory(), plain = try makeTemporaryDirectory()
        let scene = try SceneLoader.load(
            yaml: "format: 1\nname: unit-test\nclasses: [{id: 1, name: road}]\ncamera: {resolution: [64, 48]}\n",
            file: "one.yaml")
        var layout = DatasetLayout(scene: scene, seed: 42, frameCount: 2)
        XCTAssertNil(layout.rig)
        XCTAssertEqual(layout.cameraFolders, [])
        layout.infos = [TestFrame.info(frames: 2)]
        let writer = try RigDatasetWriter(directory: dir, layout: layout)
        for i in 0..<2 { try writer.write(try TestFrame(index: i).encoded) }
        XCTAssertEqual(try writer.finish(), 2)
        try writeDataset(to: plain, frames: 2)
        XCTAssertEqual(try allFiles(dir), try allFiles(plain))
        XCTAssertEqual(
            DatasetLayout.framePaths(frame: 42, cameraFolders: []),
            ["rgb/000042.png", "instance/000042.png", "semantic/000042.png", "depth/000042.png", "labels/000042.json"])
    }

    func testSplitUndoesCombineAndRejectsFilesOutsideTheCameras() throws {
        let rig = try RigFrames()
        let frame = try rig.encoded(1)
        XCTAssertEqual(
            frame.files.map(\.relativePath),
            DatasetLayout.framePaths(frame: 1, cameraFolders: ["left", "right", "wide"]))
        let views = try DatasetLayout.split(frame, cameraFolders: ["left", "right", "wide"])
        let spec = try rig.scene.frame(1, seed: rig.seed, view: 2)
        XCTAssertEqual(views[2].files, try rig.encodedView(spec, view: 2).files)
        XCTAssertThrowsError(try DatasetLayout.split(frame, cameraFolders: ["left", "right"])) { error in
            XCTAssertTrue("\(error)".contains("wide/rgb/000001.png"), "\(error)")
            XCTAssertTrue("\(error)".contains("not under a camera's folder (cameras: left, right)"), "\(error)")
        }
    }

    func testVerifyRigFindsCamerasThatDisagreeWithTheRig() throws {
        let rig = try RigFrames()

        // A mount in rig.json that is not where the camera was: every frame of that camera.
        let moved = try makeTemporaryDirectory()
        try rig.write(to: moved)
        var info = try CameraRigInfo.read(directory: moved)
        info.cameras[1].primaryFromCamera[0][3] = 0.6
        info.cameras[2].width = 30
        try info.write(to: moved)
        let report = try DatasetVerifier.verifyRig(directory: moved)
        XCTAssertFalse(report.isClean)
        let poses = report.problems.filter { $0.detail.contains("primary_from_camera") }
        XCTAssertEqual(poses.map(\.frame), [0, 1, 2])
        XCTAssertEqual(poses.first?.file, "right/labels/000000.json")
        XCTAssertTrue(
            report.problems.contains { $0.file == "wide/dataset.json" && $0.detail.contains("rig.json says 30x16") },
            "\(report)")
        XCTAssertTrue("\(report)".contains("problem(s) in all"), "\(report)")

        // A camera's dataset missing, a leftover temporary file, a frame count that disagrees.
        let broken = try makeTemporaryDirectory()
        try rig.write(to: broken)
        try FileManager.default.removeItem(atPath: broken + "/wide/dataset.json")
        XCTAssertTrue(FileManager.default.createFile(atPath: broken + "/.rig.json.tmp-1-2", contents: Data()))
        var counted = try CameraRigInfo.read(directory: broken)
        counted.frameCount = 4
        try counted.write(to: broken)
        let second = try DatasetVerifier.verifyRig(directory: broken)
        XCTAssertEqual(second.cameras.map(\.name), ["left", "right"])
        XCTAssertTrue(
            second.problems.contains { $0.file == "wide/dataset.json" && $0.detail == "missing" }, "\(second)")
        XCTAssertTrue(second.problems.contains { $0.file == ".rig.json.tmp-1-2" }, "\(second)")
        XCTAssertEqual(
            second.problems.filter { $0.detail.contains("frame_count is 3, rig.json says 4") }.map(\.file),
            ["left/dataset.json", "right/dataset.json"])
    }

    func testUnusableRigJSONIsAnErrorNamingTheFile() throws {
        let rig = try RigFrames()
        let dir = try makeTemporaryDirectory()
        try rig.write(to: dir)
        let good = try CameraRigInfo.read(directory: dir)
        func expectError(_ change: (inout CameraRigInfo) -> Void, _ text: String, line: UInt = #line) throws {
            var info = good
            change(&info)
            try info.write(to: dir)
            XCTAssertThrowsError(try DatasetVerifier.verifyRig(directory: dir), line: line) { error in
                XCTAssertTrue("\(error)".contains(dir + "/rig.json"), "\(error)", line: line)
                XCTAssertTrue("\(error)".contains(text), "\(error)", line: line)
            }
        }
        try expectError({ $0.cameras[2].name = "right" }, "camera \"right\" is listed twice")
        try expectError({ $0.cameras[1].name = "../up" }, "is not a folder name")
        try expectError({ $0.primary = "right" }, "the primary camera \"right\" is not the first camera")
        try expectError({ $0.formatVersion = 2 }, "format version 2")
        try expectError({ $0.cameras = [] }, "lists no camera")
        try "{\"cameras\": 3}".write(toFile: dir + "/rig.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CameraRigInfo.read(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("not a valid rig.json"), "\(error)")
        }
    }
}

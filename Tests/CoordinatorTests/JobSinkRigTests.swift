import Export
import FarmProtocol
import Foundation
import ImageCodec
import Labels
import SceneCore
import XCTest

@testable import Coordinator

/// scenes/minimal.yaml at 64x48 with its camera named `front` and two more cameras (`right` of
/// the same size, `small` at 32x24), its frames encoded without GL as a worker sends them: every
/// camera's five files under its folder.
struct RigSceneFrames {
    let yaml: String
    let scene: SceneDescription
    let seed: UInt64 = 7

    init() throws {
        let minimal = try MinimalSceneFrames()
        let camera = "camera:\n  resolution: [64, 48]\n"
        XCTAssertTrue(minimal.yaml.contains(camera), "the scene's camera block moved; update the fixture")
        yaml =
            minimal.yaml.replacingOccurrences(of: camera, with: "camera:\n  name: front\n  resolution: [64, 48]\n")
            + "\ncameras:\n  - {name: right, offset: [0, -0.6, 0]}\n"
            + "  - {name: small, offset: [0.5, 0, 0.2], yaw_deg: 15, resolution: [32, 24], fov_deg: 80}\n"
        scene = try SceneLoader.load(yaml: yaml, file: MinimalSceneFrames.sceneFile)
    }

    func job(id: String, frames: Int, formats: [String] = []) -> JobRecord {
        let bundle = SceneBundle(yaml: yaml, file: "scene.yaml")
        return JobRecord(
            id: id, datasetPath: id, sceneFile: MinimalSceneFrames.sceneFile, scene: bundle,
            sceneDigest: FarmAuthentication.sceneDigest(bundle), seed: seed, frameCount: frames, formats: formats)
    }

    /// Frame `index`'s files from every camera: bands of surfaces, as `MinimalSceneFrames` draws them.
    func files(_ index: Int) throws -> [FileBlob] {
        var views: [(camera: String, frame: EncodedFrame)] = []
        for (view, spec) in try scene.frameViews(index, seed: seed).enumerated() {
            let k = spec.camera.intrinsics
            var ids = [UInt32](repeating: 0, count: k.width * k.height)
            var depth = [Float](repeating: 0, count: k.width * k.height)
            for y in 0..<k.height {
                for x in 0..<k.width {
                    let band = (x / 3 + index + view) % (spec.surfaces.count + 1)
                    if band > 0 {
                        ids[y * k.width + x] = FrameSpec.surfaceID(forIndex: band - 1)
                        depth[y * k.width + x] = 2 + Float(band) * 1.5
                    }
                }
            }
            let color = [UInt8](repeating: UInt8(50 * view + index), count: k.width * k.height * 4)
            let rendered = RenderedFrame(
                index: index, width: k.width, height: k.height, color: color, surfaceIDs: ids, depth: depth)
            let labels = try LabelDeriver.derive(rendered, spec: spec)
            views.append((scene.cameraNames[view], try FrameEncoder.encode(rendered, labels: labels, spec: spec)))
        }
        return DatasetLayout.combine(index: index, views: views).files.map {
            FileBlob(path: $0.relativePath, bytes: $0.bytes)
        }
    }
}

final class JobSinkRigTests: XCTestCase {
    func testAMultiCameraJobWritesEachCamerasDatasetAndExportsAndCommitsFramesOnce() throws {
        let frames = try RigSceneFrames()
        let root = try makeTemporaryDirectory(self, "rig-sink")
        let journal = try FarmJournal(root: root)
        let job = try journal.insertJob(frames.job(id: "rig", frames: 4, formats: ["coco"]))
        let sink = try JobSink(journal: journal, job: job)
        XCTAssertEqual(sink.cameraFolders, ["front", "right", "small"])
        let good = try frames.files(2)
        XCTAssertEqual(good.map(\.path), JobSink.expectedPaths(frame: 2, cameraFolders: sink.cameraFolders))
        XCTAssertEqual(
            good.map(\.path).filter { $0.hasSuffix(".json") },
            [
                "front/labels/000002.json", "right/labels/000002.json", "small/labels/000002.json",
            ])
        XCTAssertTrue(FarmCoordinator.hasExpectedFiles(good, frame: 2, cameraFolders: sink.cameraFolders))
        XCTAssertFalse(FarmCoordinator.hasExpectedFiles(good, frame: 2))
        XCTAssertFalse(
            FarmCoordinator.hasExpectedFiles(
                good.filter { !$0.path.hasPrefix("small/") }, frame: 2, cameraFolders: sink.cameraFolders))

        for i in [2, 0, 3, 1] { XCTAssertGreaterThan(try sink.commit(frame: i, files: try frames.files(i)), 0) }
        XCTAssertEqual(try sink.commit(frame: 2, files: good), 0, "a duplicate is a no-op")
        try sink.finish()
        XCTAssertEqual(try journal.committedFrames(jobID: "rig"), [0, 1, 2, 3])
        XCTAssertEqual(try journal.job(id: "rig")?.state, .complete)
        // The journal row names every camera's labels, in rig order.
        XCTAssertEqual(
            try journal.commitDigest(jobID: "rig", frame: 2),
            good.filter { $0.path.hasSuffix(".json") }.map { FarmAuthentication.sha256Hex($0.bytes) }
                .joined(separator: ","))

        let dataset = sink.datasetDirectory
        let report = try DatasetVerifier.verifyRig(directory: dataset)
        XCTAssertTrue(report.isClean, "\(report)")
        XCTAssertEqual(try CameraRigInfo.read(directory: dataset).frameCount, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataset + "/dataset.json"))
        for (view, camera) in sink.cameraFolders.enumerated() {
            let reader = try NativeDatasetReader(directory: dataset + "/" + camera)
            XCTAssertEqual(reader.info.width, frames.scene.intrinsics(view: view).width)
            XCTAssertEqual(reader.info.frameCount, 4)
            // Each camera exports its own dataset: the COCO images have that camera's size, and
            // the export equals what `scenefarm export` makes of that camera's folder.
            let coco = try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(
                        fileURLWithPath: dataset + "/\(camera)/exports/coco/annotations/instances_train.json")))
            let images = try XCTUnwrap((coco as? [String: Any])?["images"] as? [[String: Any]])
            XCTAssertFalse(images.isEmpty)
            XCTAssertEqual(Set(images.compactMap { $0["width"] as? Int }), [reader.info.width])
            let again = try makeTemporaryDirectory(self, "rig-export")
            try ExportRunner.run(
                reader: reader,
                exporter: try ExportFormat.coco.makeExporter(
                    directory: again, info: reader.info, filter: ExportFilter(), split: DatasetSplit()), workers: 2)
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: again + "/annotations/instances_train.json")),
                try Data(
                    contentsOf: URL(
                        fileURLWithPath: dataset + "/\(camera)/exports/coco/annotations/instances_train.json")))
        }
    }

    func testARigResultMissingACameraOrOfTheWrongSizeWritesNothing() throws {
        let frames = try RigSceneFrames()
        let root = try makeTemporaryDirectory(self, "rig-sink")
        let journal = try FarmJournal(root: root)
        let sink = try JobSink(journal: journal, job: try journal.insertJob(frames.job(id: "rig", frames: 2)))
        let good = try frames.files(1)
        func expectRejection(_ files: [FileBlob], _ texts: [String], line: UInt = #line) {
            XCTAssertThrowsError(try sink.commit(frame: 1, files: files), line: line) { error in
                for text in texts { XCTAssertTrue("\(error)".contains(text), "\(error)", line: line) }
            }
        }
        expectRejection(good.filter { $0.path != "small/depth/000001.png" }, ["small/depth/000001.png", "missing"])
        expectRejection(
            good + [FileBlob(path: "rear/rgb/000001.png", bytes: good[0].bytes)], ["rear/rgb/000001.png", "unexpected"])
        // The small camera's image where the right camera's belongs: right checksum, wrong size.
        var swapped = good
        swapped[5] = FileBlob(path: good[5].path, bytes: good[10].bytes)
        expectRejection(swapped, ["right/rgb/000001.png", "32x24", "expected 64x48"])
        // Single-camera paths are not a rig's.
        expectRejection(
            good.prefix(5).map { FileBlob(path: String($0.path.dropFirst("front/".count)), bytes: $0.bytes) },
            ["rgb/000001.png", "unexpected"])
        for camera in sink.cameraFolders {
            let labels = root + "/rig/\(camera)/labels"
            XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: labels)) ?? [], [], camera)
        }
        XCTAssertEqual(try journal.committedCount(jobID: "rig"), 0)
        XCTAssertGreaterThan(try sink.commit(frame: 1, files: good), 0)
    }
}

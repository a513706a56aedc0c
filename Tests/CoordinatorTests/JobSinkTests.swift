import Export
import FarmProtocol
import Foundation
import Labels
import SceneCore
import XCTest

@testable import Coordinator

/// scenes/minimal.yaml at 64x48, and its frames rendered without GL: surface k covers vertical
/// bands of the image (shifted by the frame index) at a depth that grows with k, then labelled and
/// encoded exactly as a worker does (`LabelDeriver`, `FrameEncoder`).
struct MinimalSceneFrames {
    static let sceneFile = "scenes/minimal.yaml"

    let yaml: String
    let scene: SceneDescription
    let seed: UInt64

    init(seed: UInt64 = 7) throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: repository.appendingPathComponent(Self.sceneFile), encoding: .utf8)
        // Smaller images keep PNG encoding and exports cheap; everything else is the file as is.
        yaml = text.replacingOccurrences(of: "resolution: [320, 240]", with: "resolution: [64, 48]")
        XCTAssertNotEqual(yaml, text, "the scene's resolution line moved; update the fixture")
        scene = try SceneLoader.load(yaml: yaml, file: Self.sceneFile)
        self.seed = seed
    }

    func job(id: String, datasetPath: String? = nil, frames: Int, formats: [String] = []) -> JobRecord {
        JobRecord(
            id: id, datasetPath: datasetPath ?? id, sceneFile: Self.sceneFile,
            scene: SceneBundle(yaml: yaml, file: "scene.yaml"),
            sceneDigest: FarmAuthentication.sceneDigest(SceneBundle(yaml: yaml, file: "scene.yaml")), seed: seed,
            frameCount: frames,
            formats: formats)
    }

    /// Frame `index`'s five files, as a worker sends them.
    func files(_ index: Int) throws -> [FileBlob] {
        let spec = try scene.frame(index, seed: seed)
        let width = spec.camera.intrinsics.width, height = spec.camera.intrinsics.height
        let surfaces = spec.surfaces.count
        var ids = [UInt32](repeating: 0, count: width * height)
        var depth = [Float](repeating: 0, count: width * height)
        var color = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                let band = (x / 3 + index) % (surfaces + 1)  // band 0 stays empty
                if band > 0 {
                    ids[p] = FrameSpec.surfaceID(forIndex: band - 1)
                    depth[p] = 2 + Float(band) * 1.5 + Float(y) * 0.01
                }
                color[4 * p] = UInt8(truncatingIfNeeded: x * 4)
                color[4 * p + 1] = UInt8(truncatingIfNeeded: y * 5 + index)
                color[4 * p + 2] = UInt8(truncatingIfNeeded: band * 11)
            }
        }
        let rendered = RenderedFrame(
            index: index, width: width, height: height, color: color, surfaceIDs: ids, depth: depth)
        let labels = try LabelDeriver.derive(rendered, spec: spec)
        let encoded = try FrameEncoder.encode(rendered, labels: labels, spec: spec)
        return encoded.files.map { FileBlob(path: $0.relativePath, bytes: $0.bytes) }
    }
}

final class JobSinkTests: XCTestCase {
    private let frameCount = 6

    // MARK: Helpers

    /// Every regular file under `directory` (dot-named ones included), by relative path; the
    /// journal's folder is left out.
    private func tree(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let manager = FileManager.default
        for path in try manager.subpathsOfDirectory(atPath: directory) where !path.hasPrefix(".scenefarm") {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            files[path] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + path))
        }
        return files
    }

    private func assertSameTree(
        _ actual: [String: Data], _ expected: [String: Data], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted(), file: file, line: line)
        for (path, bytes) in expected where actual[path] != bytes {
            XCTFail("\(path) differs", file: file, line: line)
        }
    }

    /// Exports an existing native dataset into DATASET/exports/FORMAT with `ExportRunner`, as
    /// `scenefarm export` would. (The same folder matters: YOLO's data.yaml names its own path.)
    private func runExports(dataset: String, formats: [ExportFormat]) throws {
        let reader = try NativeDatasetReader(directory: dataset)
        for format in formats {
            let exporter = try format.makeExporter(
                directory: dataset + "/exports/" + format.rawValue, info: reader.info, filter: ExportFilter(),
                split: DatasetSplit())
            try ExportRunner.run(reader: reader, exporter: exporter, workers: 2)
        }
    }

    private func commitAll(_ sink: JobSink, _ frames: MinimalSceneFrames, _ indices: [Int]) throws {
        let blobs = try indices.map { try frames.files($0) }
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: indices.count) { i in
            do {
                let bytes = try sink.commit(frame: indices[i], files: blobs[i])
                if bytes != blobs[i].reduce(0, { $0 + $1.bytes.count }) {
                    errors.append(JobSinkError(jobID: "test", frame: indices[i], "wrote \(bytes) bytes"))
                }
            } catch {
                errors.append(error)
            }
        }
        XCTAssertEqual(errors.all.map { "\($0)" }, [])
    }

    private func assertSinkError(
        mentioning texts: [String], frame: Int?, file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            XCTFail("expected an error mentioning \(texts)", file: file, line: line)
        } catch let error as JobSinkError {
            XCTAssertEqual(error.frame, frame, "\(error)", file: file, line: line)
            for text in texts {
                XCTAssertTrue(
                    error.description.contains(text), "\(error) should mention \(text)", file: file, line: line)
            }
        } catch {
            XCTFail("expected a JobSinkError, got \(error)", file: file, line: line)
        }
    }

    /// Nothing of frame `frame` is in the dataset: no final file, no temporary one.
    private func assertNothingWritten(
        frame: Int, in dataset: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let name = DatasetFile.frameName(frame)
        for (path, _) in try tree(dataset) where path.contains(name) && !path.hasPrefix("exports/") {
            XCTFail("\(path) was written", file: file, line: line)
        }
    }

    // MARK: Tests

    func testCommittingEveryFrameMakesAVerifiedDatasetAndTheSameExportsAsExportRunner() throws {
        let frames = try MinimalSceneFrames()
        let root = try makeTemporaryDirectory(self, "sink")
        let journal = try FarmJournal(root: root)
        let job = try journal.insertJob(frames.job(id: "street-1", frames: frameCount, formats: ["coco", "yolo"]))
        let sink = try JobSink(journal: journal, job: job)
        XCTAssertEqual(sink.datasetDirectory, root + "/street-1")
        try commitAll(sink, frames, [3, 0, 5, 1, 4, 2])
        XCTAssertEqual(sink.committedFrameCount, frameCount)
        try sink.finish()
        try sink.finish()  // a second call does nothing

        XCTAssertEqual(try journal.committedFrames(jobID: "street-1"), Array(0..<frameCount))
        XCTAssertEqual(try journal.job(id: "street-1")?.state, .complete)
        let labels = try Data(contentsOf: URL(fileURLWithPath: sink.datasetDirectory + "/labels/000004.json"))
        XCTAssertEqual(
            try journal.commitDigest(jobID: "street-1", frame: 4), FarmAuthentication.sha256Hex(Array(labels)))

        // dataset.json as `scenefarm render` writes it for this scene and seed.
        let k = try frames.scene.frame(0, seed: frames.seed).camera.intrinsics
        let expectedInfo = DatasetInfo(
            sceneName: "minimal", seed: 7, frameCount: frameCount, classes: frames.scene.classes, width: k.width,
            height: k.height)
        let infoBytes = try Data(contentsOf: URL(fileURLWithPath: sink.datasetDirectory + "/dataset.json"))
        XCTAssertEqual(Array(infoBytes), try expectedInfo.json.serialized())
        XCTAssertEqual(k.width, 64)

        let report = try DatasetVerifier.verify(directory: sink.datasetDirectory)
        XCTAssertTrue(report.isClean, "\(report)")
        XCTAssertEqual(report.framesChecked, frameCount)
        XCTAssertTrue(
            try NativeDatasetReader(directory: sink.datasetDirectory).labels(frame: 2).objects.count > 0,
            "the fixture has objects to export")

        let exported = try tree(sink.datasetDirectory + "/exports")
        XCTAssertTrue(exported.keys.contains("coco/annotations/instances_train.json"))
        XCTAssertTrue(exported.keys.contains("yolo/data.yaml"))
        try FileManager.default.removeItem(atPath: sink.datasetDirectory + "/exports")
        try runExports(dataset: sink.datasetDirectory, formats: [.coco, .yolo])
        assertSameTree(exported, try tree(sink.datasetDirectory + "/exports"))
    }

    func testRejectedResultsWriteNothingAndNameWhatIsWrong() throws {
        let frames = try MinimalSceneFrames()
        let root = try makeTemporaryDirectory(self, "sink")
        let journal = try FarmJournal(root: root)
        let job = try journal.insertJob(frames.job(id: "street-1", frames: frameCount, formats: ["coco"]))
        let sink = try JobSink(journal: journal, job: job)
        let dataset = sink.datasetDirectory
        let good = try frames.files(1)
        XCTAssertEqual(good.map(\.path), JobSink.expectedPaths(frame: 1))
        XCTAssertEqual(good.last?.path, "labels/000001.json")

        var tampered = good
        tampered[0].bytes[tampered[0].bytes.count / 2] ^= 0xFF
        assertSinkError(mentioning: ["rgb/000001.png", "checksum"], frame: 1) {
            try sink.commit(frame: 1, files: tampered)
        }
        assertSinkError(mentioning: ["rgb/000001.jpg", "unexpected"], frame: 1) {
            try sink.commit(frame: 1, files: good + [FileBlob(path: "rgb/000001.jpg", bytes: [1, 2, 3])])
        }
        assertSinkError(mentioning: ["depth/000001.png", "missing"], frame: 1) {
            try sink.commit(frame: 1, files: good.filter { $0.path != "depth/000001.png" })
        }
        var escaping = good
        escaping[4] = FileBlob(path: "labels/../../escape.json", bytes: good[4].bytes)
        assertSinkError(mentioning: ["labels/../../escape.json", "unexpected"], frame: 1) {
            try sink.commit(frame: 1, files: escaping)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/escape.json"))
        assertSinkError(mentioning: ["semantic/000001.png", "twice"], frame: 1) {
            try sink.commit(frame: 1, files: good + [good[2]])
        }
        assertSinkError(mentioning: ["rgb/000002.png"], frame: 1) {
            try sink.commit(frame: 1, files: try frames.files(2))
        }
        assertSinkError(mentioning: ["frame 6", "outside", "0..<6"], frame: 6) {
            try sink.commit(frame: 6, files: good)
        }
        assertSinkError(mentioning: ["outside"], frame: -1) { try sink.commit(frame: -1, files: good) }

        // Right checksums, wrong content: a PNG of another size, labels of another frame.
        var wide = good
        var header = good[1].bytes
        header[19] &+= 1  // IHDR width, low byte
        wide[1] = FileBlob(path: good[1].path, bytes: header)
        assertSinkError(mentioning: ["instance/000001.png", "65x48", "expected 64x48"], frame: 1) {
            try sink.commit(frame: 1, files: wide)
        }
        var otherLabels = good
        otherLabels[4] = FileBlob(path: good[4].path, bytes: try frames.files(2)[4].bytes)
        assertSinkError(mentioning: ["labels/000001.json", "for frame 2"], frame: 1) {
            try sink.commit(frame: 1, files: otherLabels)
        }
        var notJSON = good
        notJSON[4] = FileBlob(path: good[4].path, bytes: Array("{\"frame\": 1".utf8))
        assertSinkError(mentioning: ["labels/000001.json", "not a valid labels file"], frame: 1) {
            try sink.commit(frame: 1, files: notJSON)
        }

        try assertNothingWritten(frame: 1, in: dataset)
        try assertNothingWritten(frame: 2, in: dataset)
        XCTAssertEqual(try journal.committedCount(jobID: "street-1"), 0)
        XCTAssertEqual(sink.committedFrameCount, 0)

        // The sink is still usable: the right files commit.
        XCTAssertGreaterThan(try sink.commit(frame: 1, files: good), 0)
        XCTAssertEqual(try journal.committedFrames(jobID: "street-1"), [1])
        assertSinkError(mentioning: ["not committed"], frame: 0) { try sink.finish() }
    }

    func testDuplicateCommitsAreNoOps() throws {
        let frames = try MinimalSceneFrames()
        let root = try makeTemporaryDirectory(self, "sink")
        let journal = try FarmJournal(root: root)
        // COCO refuses a frame added twice, so a duplicate reaching the exporter would fail here.
        let job = try journal.insertJob(frames.job(id: "dup", frames: 3, formats: ["coco"]))
        let sink = try JobSink(journal: journal, job: job)
        let files = try frames.files(0)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                results.append(try sink.commit(frame: 0, files: files))
            } catch {
                results.fail(error)
            }
        }
        XCTAssertEqual(results.errors.map { "\($0)" }, [])
        XCTAssertEqual(results.values.filter { $0 > 0 }, [files.reduce(0) { $0 + $1.bytes.count }])
        XCTAssertEqual(results.values.filter { $0 == 0 }.count, 7)
        XCTAssertEqual(try sink.commit(frame: 0, files: files), 0)
        XCTAssertEqual(try journal.committedFrames(jobID: "dup"), [0])
        XCTAssertEqual(sink.committedFrameCount, 1)
        try commitAll(sink, frames, [1, 2])
        try sink.finish()
        assertSinkError(mentioning: ["finished"], frame: 1) { try sink.commit(frame: 1, files: try frames.files(1)) }
        XCTAssertTrue(try DatasetVerifier.verify(directory: sink.datasetDirectory).isClean)
    }

    /// A job made in one run and the same job interrupted (the sink dropped, debris of a killed
    /// process left behind, one frame written but not recorded) and resumed from a reopened
    /// journal: every file of the dataset and its exports is the same.
    func testResumedJobEqualsASingleRun() throws {
        let frames = try MinimalSceneFrames(seed: 0xDEAD_BEEF_0000_0001)
        let formats = ["coco", "yolo", "kitti"]

        // Both runs write at the same path (YOLO's data.yaml names it): the single run's root is
        // moved aside before the interrupted run starts there.
        let resumed = try makeTemporaryDirectory(self, "resumed")
        let single = try makeTemporaryDirectory(self, "single")
        try FileManager.default.removeItem(atPath: single)
        do {
            let journal = try FarmJournal(root: resumed)
            let sink = try JobSink(
                journal: journal, job: try journal.insertJob(frames.job(id: "s", frames: frameCount, formats: formats)))
            try commitAll(sink, frames, Array(0..<frameCount))
            try sink.finish()
        }
        try FileManager.default.moveItem(atPath: resumed, toPath: single)

        let dataset = resumed + "/s"
        do {
            let journal = try FarmJournal(root: resumed)
            let sink = try JobSink(
                journal: journal, job: try journal.insertJob(frames.job(id: "s", frames: frameCount, formats: formats)))
            try commitAll(sink, frames, [0, 2, 3])
        }
        // What a kill -9 leaves: temporaries, an exporter's scratch folder, and frame 4 renamed into
        // place just before the journal could record it.
        let debris = [
            "rgb/.000005.png.tmp-999999-3", "exports/coco/.coco-scratch-999999-1/images-train",
            "exports/yolo/images/train/.000001.png.tmp-999999-8",
        ]
        for path in debris {
            let full = dataset + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: full, contents: Data("partial".utf8)))
        }
        for blob in try frames.files(4) {
            try Data(blob.bytes).write(to: URL(fileURLWithPath: dataset + "/" + blob.path))
        }

        let journal = try FarmJournal(root: resumed)
        let job = try XCTUnwrap(try journal.job(id: "s"))
        XCTAssertEqual(try journal.committedFrames(jobID: "s"), [0, 2, 3])
        let sink = try JobSink(journal: journal, job: job)
        XCTAssertEqual(sink.committedFrameCount, 3)
        XCTAssertEqual(try sink.commit(frame: 2, files: try frames.files(2)), 0, "committed before the restart")
        for path in debris { XCTAssertFalse(FileManager.default.fileExists(atPath: dataset + "/" + path), path) }
        try commitAll(sink, frames, [5, 4, 1])
        try sink.finish()

        XCTAssertTrue(try DatasetVerifier.verify(directory: dataset).isClean)
        let expected = try tree(single + "/s")
        XCTAssertTrue(expected.keys.contains("exports/kitti/training/label_2/000003.txt"), "\(expected.keys.sorted())")
        assertSameTree(try tree(dataset), expected)
    }

    func testDatasetAtTheJournalRoot() throws {
        let frames = try MinimalSceneFrames()
        let root = try makeTemporaryDirectory(self, "embedded")
        let journal = try FarmJournal(root: root)
        let job = try journal.insertJob(frames.job(id: "out", datasetPath: ".", frames: 2))
        let sink = try JobSink(journal: journal, job: job)
        XCTAssertEqual(sink.datasetDirectory, root)
        try commitAll(sink, frames, [1, 0])
        try sink.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/labels/000001.json"))
        let report = try DatasetVerifier.verify(directory: root)
        XCTAssertTrue(report.isClean, "\(report)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.path), "the journal lives beside the dataset")
    }

    func testOpeningRefusesBadJobs() throws {
        let frames = try MinimalSceneFrames()
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self, "sink"))
        var job = frames.job(id: "bad", frames: 2)
        for path in ["../outside", "/etc", "a/../b", "", "a//b"] {
            job.datasetPath = path
            assertSinkError(mentioning: ["job bad", "dataset path"], frame: nil) {
                _ = try JobSink(journal: journal, job: job)
            }
        }
        job.datasetPath = "bad"
        job.formats = ["coco", "png"]
        assertSinkError(mentioning: ["unknown export format \"png\""], frame: nil) {
            _ = try JobSink(journal: journal, job: job)
        }
        job.formats = ["yolo", "yolo"]
        assertSinkError(mentioning: ["twice"], frame: nil) { _ = try JobSink(journal: journal, job: job) }
        job.formats = []
        job.sceneDigest = String(repeating: "0", count: 64)
        assertSinkError(mentioning: ["digest"], frame: nil) { _ = try JobSink(journal: journal, job: job) }
        job.scene = SceneBundle(yaml: "format: 1\nname: broken\ncamera: 12\n", file: "broken.yaml")
        job.sceneDigest = FarmAuthentication.sceneDigest(job.scene)
        assertSinkError(mentioning: ["cannot load the scene", MinimalSceneFrames.sceneFile], frame: nil) {
            _ = try JobSink(journal: journal, job: job)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: journal.root + "/bad"), "nothing created")
    }

    func testResumeFailsWhenACommittedFrameIsGoneFromDisk() throws {
        let frames = try MinimalSceneFrames()
        let root = try makeTemporaryDirectory(self, "sink")
        let journal = try FarmJournal(root: root)
        let job = try journal.insertJob(frames.job(id: "lost", frames: 3, formats: ["yolo"]))
        do {
            let sink = try JobSink(journal: journal, job: job)
            try commitAll(sink, frames, [0, 1])
        }
        try FileManager.default.removeItem(atPath: root + "/lost/instance/000001.png")
        assertSinkError(mentioning: ["instance/000001.png", "re-export"], frame: 1) {
            _ = try JobSink(journal: journal, job: job)
        }
    }
}

/// Results gathered from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var gathered: [Int] = []
    private var failures: [Error] = []
    func append(_ value: Int) { lock.withLock { gathered.append(value) } }
    func fail(_ error: Error) { lock.withLock { failures.append(error) } }
    var values: [Int] { lock.withLock { gathered } }
    var errors: [Error] { lock.withLock { failures } }
}

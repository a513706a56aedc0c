// The commit path of one job: a frame's files arrive from a worker, are checked, are written into
// the native dataset, are handed to the exporters, and are recorded in the journal — in that order.
//
// ```
//  FileBlobs ──verify──▶ exactly the five files of frame i (per camera)? every SHA-256 right? PNG
//      │                 headers and labels JSON agree with the dataset? (nothing written yet when this throws)
//      ▼
//  RigDatasetWriter      temporary name + rename, labels last (per camera)
//      ▼
//  exporters             COCO, YOLO, ... (one frame at a time unless the exporter is concurrent)
//      ▼
//  FarmJournal           recordCommit(job, i, labels digest)  ◀── the frame now counts as committed
// ```
//
// A multi-camera job writes one native dataset per camera (OUT/CAMERA/) and OUT/rig.json
// (`DatasetLayout`); a frame's result carries every camera's files under their folders, each
// camera has its own exporters, and the journal row comes after every camera's files are in place:
// a frame is committed once, for all cameras.
//
// A frame whose files are in place but not yet recorded (the coordinator was killed in between) is
// rendered again after a restart and its identical bytes are renamed over the old ones. A restarted
// sink re-feeds every recorded frame from disk to fresh exporters, so exports made across restarts
// are the same bytes as exports made in one run.
//
// Non-goals: leases and fencing (`LeaseTable` decides which results reach `commit`), networking.
import Export
import FarmProtocol
import Foundation
import ImageCodec
import SceneCore

/// Why a job's frame could not be committed, or its dataset opened or finished. Names the job and,
/// where there is one, the frame and the file.
public struct JobSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    public var jobID: String
    /// The frame concerned, when there is one.
    public var frame: Int?
    /// The file concerned, when there is one: dataset-relative as the worker named it for a
    /// rejected result, a full path for a failed write or read.
    public var path: String?
    public var detail: String

    public init(jobID: String, frame: Int? = nil, path: String? = nil, _ detail: String) {
        self.jobID = jobID
        self.frame = frame
        self.path = path
        self.detail = detail
    }

    public var description: String {
        var parts = ["job \(jobID)"]
        if let frame { parts.append("frame \(frame)") }
        if let path { parts.append(path) }
        parts.append(detail)
        return parts.joined(separator: ": ")
    }
}

/// Writes one job's results: the native dataset at `datasetDirectory`, its exports, and the journal.
///
/// `commit` may be called from several threads at once, for different frames or the same one; a
/// frame is written, exported and recorded at most once (a second commit of a committed frame is a
/// no-op returning 0). One sink per job at a time: opening one sweeps away what an earlier,
/// killed process left half-done in the dataset.
///
/// A failed write leaves nothing recorded and may be retried. A failure after the exporters saw the
/// frame (an exporter or the journal failing) leaves the sink failed: every later call throws that
/// error, and a restart resumes the job from the journal.
public final class JobSink: @unchecked Sendable {
    /// The job, as the journal had it when the sink opened.
    public let job: JobRecord
    /// Where the native dataset is: `journal.root/job.datasetPath` (`journal.root` for ".").
    public let datasetDirectory: String
    /// The dataset's `dataset.json`, built from the scene exactly as `scenefarm render` builds it
    /// (for a multi-camera job, the primary camera's).
    public let info: DatasetInfo
    /// The datasets the job writes: one, or one per camera and `rig.json`.
    public let layout: DatasetLayout

    private let journal: FarmJournal
    private let writer: RigDatasetWriter
    /// Each camera's exporters, in rig order.
    private let exporters: [[DatasetExporter]]
    /// Serializes `add` on exporters that are not `ConcurrentDatasetExporter`s.
    private let exportLock = NSLock()
    /// Guards the fields below; waited on while another thread commits the same frame.
    private let condition = NSCondition()
    private var committed: [Bool]
    private var committedCount = 0
    private var inFlight: Set<Int> = []
    private var failure: JobSinkError?
    private var finished = false

    /// The files of frame `frame`, dataset-relative, in writing order (labels last): exactly what a
    /// result must carry.
    public static func expectedPaths(frame: Int) -> [String] {
        DatasetFile.allCases.map { $0.relativePath(frame: frame) }
    }

    /// The files of frame `frame` of a job whose cameras have these folders (`cameraFolders`;
    /// empty for a single camera): each camera's five files under its folder, camera by camera.
    public static func expectedPaths(frame: Int, cameraFolders: [String]) -> [String] {
        DatasetLayout.framePaths(frame: frame, cameraFolders: cameraFolders)
    }

    /// The cameras' folders of a multi-camera job, the primary first; empty for a single camera.
    public var cameraFolders: [String] { layout.cameraFolders }

    /// Opens the job's dataset: builds `dataset.json` from the scene (frame 0 sampled with the job
    /// seed gives the image size), opens one exporter per `job.formats` entry into
    /// DATASET/exports/FORMAT with the defaults of `scenefarm export`, and re-feeds the exporters
    /// every frame the journal has committed, read back from disk.
    ///
    /// Throws a `JobSinkError` when the dataset path is not a relative path inside the root, the
    /// scene digest or the scene is wrong, a format is unknown, the dataset cannot be created, or
    /// a committed frame cannot be read back.
    public init(journal: FarmJournal, job: JobRecord) throws {
        self.journal = journal
        self.job = job
        func openError(_ detail: String, frame: Int? = nil, path: String? = nil) -> JobSinkError {
            JobSinkError(jobID: job.id, frame: frame, path: path, detail)
        }
        guard Self.isSafeDatasetPath(job.datasetPath) else {
            throw openError(
                "dataset path \"\(job.datasetPath)\" is not \".\" or a relative path without \".\" or \"..\"")
        }
        datasetDirectory = job.datasetPath == "." ? journal.root : journal.root + "/" + job.datasetPath

        let digest = FarmAuthentication.sceneDigest(job.scene)
        guard digest == job.sceneDigest else {
            throw openError("scene digest \(job.sceneDigest) does not match the scene's files (SHA-256 \(digest))")
        }
        let firstFrame: FrameSpec
        let scene: SceneDescription
        do {
            scene = try SceneLoader.load(bundle: job.scene, displayName: job.sceneFile)
            firstFrame = try scene.frame(0, seed: job.seed)
        } catch {
            throw openError("cannot load the scene \(job.sceneFile): \(error)")
        }
        let k = firstFrame.camera.intrinsics
        info = DatasetInfo(
            sceneName: scene.name, seed: job.seed, frameCount: job.frameCount, classes: scene.classes,
            width: k.width, height: k.height)
        layout = DatasetLayout(scene: scene, seed: job.seed, frameCount: job.frameCount)

        var formats: [ExportFormat] = []
        for name in job.formats {
            guard let format = ExportFormat(rawValue: name) else {
                let known = ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw openError("unknown export format \"\(name)\" (known: \(known))")
            }
            guard !formats.contains(format) else { throw openError("export format \"\(name)\" is listed twice") }
            formats.append(format)
        }

        let recorded: [Int]
        do {
            recorded = try journal.committedFrames(jobID: job.id)
        } catch {
            throw openError("cannot read the committed frames: \(error)")
        }
        var committed = Array(repeating: false, count: max(0, job.frameCount))
        for frame in recorded {
            guard committed.indices.contains(frame) else {
                throw openError("the journal lists frame \(frame), outside 0..<\(job.frameCount)", frame: frame)
            }
            committed[frame] = true
        }
        self.committed = committed
        committedCount = committed.lazy.filter { $0 }.count

        let directory = datasetDirectory, layout = self.layout
        do {
            for view in layout.infos.indices {
                try Self.removeLeftovers(dataset: layout.directory(view: view, root: directory), formats: formats)
            }
            if layout.rig != nil { try Self.removeLeftovers(dataset: directory, formats: []) }  // rig.json's
            writer = try RigDatasetWriter(directory: directory, layout: layout)
            exporters = try layout.infos.indices.map { view in
                let cameraDirectory = layout.directory(view: view, root: directory)
                return try formats.map {
                    try $0.makeExporter(
                        directory: cameraDirectory + "/exports/" + $0.rawValue, info: layout.infos[view],
                        filter: ExportFilter(), split: DatasetSplit())
                }
            }
        } catch let error as ExportError {
            throw openError(error.detail, frame: error.frame, path: error.path)
        } catch {
            throw openError("cannot open the dataset: \(error)", path: directory)
        }
        try refeedExporters(frames: recorded)
    }

    /// Commits frame `frame` from a worker's result and returns the bytes written (0 when the frame
    /// was already committed: a duplicate is a no-op).
    ///
    /// Checks, before anything is written: the frame is in 0..<frameCount; the files are exactly
    /// `expectedPaths(frame:cameraFolders:)` (an unexpected, repeated or missing path is named);
    /// every blob's SHA-256 matches its bytes; every PNG's header has its camera's size, bit depth
    /// and color type; each labels JSON decodes and is for this frame and size. Then writes the
    /// files (labels last, camera by camera), adds the frame to each camera's exporters, and
    /// records it in the journal with the labels file's SHA-256 (for several cameras, theirs in
    /// rig order, joined by commas). Thread-safe.
    @discardableResult
    public func commit(frame: Int, files: [FileBlob]) throws -> Int {
        let result = try verify(frame: frame, files: files)
        guard try claim(frame) else { return 0 }
        var exportersSawFrame = false
        do {
            let bytes = try writer.write(result.encoded)
            exportersSawFrame = exporters.contains { !$0.isEmpty }
            for (view, exportFrame) in result.exportFrames.enumerated() {
                if let exportFrame { try export(exportFrame, view: view) }
            }
            try journal.recordCommit(jobID: job.id, frame: frame, digest: result.labelsDigest)
            release(frame, committed: true)
            return bytes
        } catch {
            let wrapped = wrap(error, frame: frame)
            release(frame, committed: false, failure: exportersSawFrame ? wrapped : nil)
            throw wrapped
        }
    }

    /// Frames committed so far (recorded in the journal by this sink or before it opened).
    public var committedFrameCount: Int { condition.withLock { committedCount } }

    /// Finishes the job once every frame is committed: `dataset.json` gets its final frame count,
    /// the exporters write what gathers all frames, and the journal marks the job complete. A
    /// second call does nothing. Throws naming the first missing frame when frames are missing.
    public func finish() throws {
        let alreadyFinished: Bool = try condition.withLock {
            if let failure { throw failure }
            if finished { return true }
            if let missing = committed.firstIndex(of: false) {
                throw JobSinkError(
                    jobID: job.id, frame: missing,
                    "cannot finish: \(committed.count - committedCount) of \(committed.count) frames are not committed")
            }
            finished = true
            return false
        }
        if alreadyFinished { return }
        do {
            let final = try writer.finish()
            guard final == job.frameCount else {
                throw JobSinkError(
                    jobID: job.id, path: datasetDirectory,
                    "the dataset holds \(final) complete frames, the job has \(job.frameCount)")
            }
            for exporter in exporters.joined() { try exporter.finish() }
            try journal.setState(jobID: job.id, .complete, message: nil)
        } catch {
            let wrapped = wrap(error, frame: nil)
            condition.withLock { failure = wrapped }
            throw wrapped
        }
    }

    // MARK: Checking a result

    private struct VerifiedFrame {
        var encoded: EncodedFrame
        /// Each camera's frame for its exporters (nil where it has none).
        var exportFrames: [ExportFrame?]
        var labelsDigest: String
    }

    private func verify(frame: Int, files: [FileBlob]) throws -> VerifiedFrame {
        func reject(_ path: String?, _ detail: String) -> JobSinkError {
            JobSinkError(jobID: job.id, frame: frame, path: path, detail)
        }
        guard (0..<job.frameCount).contains(frame) else {
            throw reject(nil, "frame \(frame) is outside the job's frames 0..<\(job.frameCount)")
        }
        let expected = Self.expectedPaths(frame: frame, cameraFolders: cameraFolders)
        var byPath: [String: FileBlob] = [:]
        for blob in files {
            guard expected.contains(blob.path) else {
                throw reject(blob.path, "unexpected file; a frame is exactly \(expected.joined(separator: ", "))")
            }
            guard byPath.updateValue(blob, forKey: blob.path) == nil else { throw reject(blob.path, "sent twice") }
        }
        var ordered: [FileBlob] = []
        for path in expected {
            guard let blob = byPath[path] else { throw reject(path, "missing from the result") }
            guard blob.digestMatches else {
                throw reject(
                    path,
                    "checksum mismatch: \(blob.bytes.count) bytes whose SHA-256 is not the one sent (\(Self.hex(blob.sha256)))"
                )
            }
            ordered.append(blob)
        }
        // Each camera's five files, in DatasetFile order.
        let perCamera = DatasetFile.allCases.count
        var exportFrames: [ExportFrame?] = []
        var digests: [String] = []
        for (view, cameraInfo) in layout.infos.enumerated() {
            let blobs = Array(ordered[(view * perCamera)..<((view + 1) * perCamera)])
            exportFrames.append(
                try verifyCamera(
                    blobs, frame: frame, info: cameraInfo, decodesRecord: !exporters[view].isEmpty, reject: reject))
            digests.append(Self.hex(blobs[perCamera - 1].sha256))
        }
        let encoded = EncodedFrame(
            index: frame, files: ordered.map { EncodedFile(relativePath: $0.path, bytes: $0.bytes) })
        return VerifiedFrame(
            encoded: encoded, exportFrames: exportFrames, labelsDigest: digests.joined(separator: ","))
    }

    /// One camera's rgb, instance, semantic, depth and labels blobs against its `dataset.json`;
    /// returns the frame for its exporters when `decodesRecord` (they need the whole record).
    private func verifyCamera(
        _ blobs: [FileBlob], frame: Int, info: DatasetInfo, decodesRecord: Bool,
        reject: (String?, String) -> JobSinkError
    ) throws -> ExportFrame? {
        let rgb = blobs[0], instance = blobs[1], semantic = blobs[2], depth = blobs[3], labels = blobs[4]
        for (blob, bitDepth, colorType) in [(rgb, 8, 2), (instance, 16, 0), (semantic, 8, 0), (depth, 16, 0)] {
            if let problem = Self.pngHeaderProblem(
                blob.bytes, width: info.width, height: info.height, bitDepth: bitDepth, colorType: colorType)
            {
                throw reject(blob.path, problem)
            }
        }
        // Without exporters only the record's identity is checked: decoding the whole record was
        // about 70% of a commit's CPU (farm-bench, perf). Exporters need it whole.
        let header: LabelsHeader
        var record: FrameLabelRecord?
        do {
            if !decodesRecord {
                header = try JSONDecoder().decode(LabelsHeader.self, from: Data(labels.bytes))
            } else {
                let full = try JSONDecoder().decode(FrameLabelRecord.self, from: Data(labels.bytes))
                record = full
                header = LabelsHeader(frame: full.frame, width: full.width, height: full.height)
            }
        } catch {
            throw reject(labels.path, "not a valid labels file: \(error)")
        }
        guard header.frame == frame, header.width == info.width, header.height == info.height else {
            throw reject(
                labels.path,
                "labels are for frame \(header.frame) at \(header.width)x\(header.height), "
                    + "expected frame \(frame) at \(info.width)x\(info.height)")
        }
        guard let record else { return nil }
        let instanceMap = try decode(instance, info: info, bitDepth: 16, reject: reject)
        let semanticMap = try decode(semantic, info: info, bitDepth: 8, reject: reject)
        return ExportFrame(
            index: frame, labels: record, instanceMap: instanceMap.samples16, semanticMap: semanticMap.samples8,
            rgbPNG: rgb.bytes)
    }

    /// A one-channel PNG of the camera's size decoded, or a rejection naming the file.
    private func decode(
        _ blob: FileBlob, info: DatasetInfo, bitDepth: Int, reject: (String?, String) -> JobSinkError
    ) throws -> DecodedPNG {
        let image: DecodedPNG
        do {
            image = try PNGDecoder.decode(blob.bytes)
        } catch {
            throw reject(blob.path, "cannot decode PNG: \(error)")
        }
        guard image.channels == 1, image.bitDepth == bitDepth, image.width == info.width,
            image.height == info.height
        else {
            throw reject(
                blob.path,
                "decodes to \(image.width)x\(image.height), \(image.channels) channel(s) of \(image.bitDepth) bits; "
                    + "expected \(info.width)x\(info.height), 1 channel of \(bitDepth) bits")
        }
        return image
    }

    /// What is wrong with a PNG's signature and IHDR chunk (size, bit depth, color type: 0 gray,
    /// 2 RGB), or nil. Reads 26 bytes; the full decode is left to readers.
    static func pngHeaderProblem(_ bytes: [UInt8], width: Int, height: Int, bitDepth: Int, colorType: Int) -> String? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 26, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            return "not a PNG file (no PNG signature and IHDR chunk)"
        }
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h, depth, color) = (be32(16), be32(20), Int(bytes[24]), Int(bytes[25]))
        guard w == width, h == height, depth == bitDepth, color == colorType else {
            return "PNG is \(w)x\(h), bit depth \(depth), color type \(color); "
                + "expected \(width)x\(height), bit depth \(bitDepth), color type \(colorType)"
        }
        return nil
    }

    // MARK: Claiming frames

    /// Claims `frame` for this thread: false when it is already committed; waits while another
    /// thread commits it; throws when the sink failed or finished.
    private func claim(_ frame: Int) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let failure { throw JobSinkError(jobID: job.id, frame: frame, "the sink failed earlier: \(failure)") }
            if finished { throw JobSinkError(jobID: job.id, frame: frame, "the job's dataset is finished") }
            if committed[frame] { return false }
            if !inFlight.contains(frame) { break }
            condition.wait()
        }
        inFlight.insert(frame)
        return true
    }

    private func release(_ frame: Int, committed isCommitted: Bool, failure: JobSinkError? = nil) {
        condition.lock()
        defer { condition.unlock() }
        inFlight.remove(frame)
        if isCommitted {
            committed[frame] = true
            committedCount += 1
        }
        if let failure, self.failure == nil { self.failure = failure }
        condition.broadcast()
    }

    // MARK: Exporters

    /// Adds a frame of camera `view` (0 for a single camera) to that camera's exporters.
    private func export(_ frame: ExportFrame, view: Int) throws {
        for exporter in exporters[view] {
            if exporter is ConcurrentDatasetExporter {
                try exporter.add(frame)
            } else {
                try exportLock.withLock { try exporter.add(frame) }
            }
        }
    }

    /// Adds every already committed frame to the fresh exporters, read back from each camera's
    /// dataset on a few threads (decoding dominates).
    private func refeedExporters(frames: [Int]) throws {
        guard !frames.isEmpty else { return }
        for view in exporters.indices where !exporters[view].isEmpty {
            let reader: NativeDatasetReader
            do {
                reader = try NativeDatasetReader(directory: layout.directory(view: view, root: datasetDirectory))
            } catch {
                throw wrap(error, frame: nil)
            }
            let work = RefeedWork(frames: frames)
            let threads = max(1, min(4, frames.count, ProcessInfo.processInfo.activeProcessorCount))
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while let index = work.claim() {
                    do {
                        try export(ExportFrame(reading: reader, frame: index), view: view)
                    } catch {
                        work.fail(wrap(error, frame: index))
                    }
                }
            }
            if let error = work.error {
                throw JobSinkError(
                    jobID: job.id, frame: error.frame, path: error.path,
                    "cannot re-export a committed frame: \(error.detail)")
            }
        }
    }

    /// The frames left to re-feed and the first error, shared by the re-feeding threads.
    private final class RefeedWork: @unchecked Sendable {
        private let lock = NSLock()
        private let frames: [Int]
        private var next = 0
        private(set) var error: JobSinkError?

        init(frames: [Int]) { self.frames = frames }

        /// The next frame; nil when all are claimed or one failed.
        func claim() -> Int? {
            lock.withLock {
                guard error == nil, next < frames.count else { return nil }
                defer { next += 1 }
                return frames[next]
            }
        }

        func fail(_ error: JobSinkError) {
            lock.withLock { if self.error == nil { self.error = error } }
        }
    }

    // MARK: Helpers

    private func wrap(_ error: Error, frame: Int?) -> JobSinkError {
        switch error {
        case let error as JobSinkError: return error
        case let error as ExportError:
            return JobSinkError(jobID: job.id, frame: error.frame ?? frame, path: error.path, error.detail)
        case let error as FarmJournalError:
            return JobSinkError(jobID: job.id, frame: frame, path: error.path, error.detail)
        default: return JobSinkError(jobID: job.id, frame: frame, "\(error)")
        }
    }

    /// "." or a relative path whose components are neither empty, "." nor "..".
    static func isSafeDatasetPath(_ path: String) -> Bool {
        if path == "." { return true }
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }

    /// Removes what a killed process left: temporary files (`.NAME.tmp-<pid>-<tag>`) in the
    /// dataset's folders, and every dot-named entry under each export folder (exporters write
    /// scratch files and temporaries under dot names; their output never has one).
    static func removeLeftovers(dataset: String, formats: [ExportFormat]) throws {
        let files = FileManager.default
        func remove(_ path: String) throws {
            do {
                try files.removeItem(atPath: path)
            } catch {
                throw ExportError(path: path, "cannot remove a file left by an earlier run: \(error)")
            }
        }
        for folder in [dataset] + DatasetFile.allCases.map({ dataset + "/" + $0.folder }) {
            for name in (try? files.contentsOfDirectory(atPath: folder)) ?? []
            where name.hasPrefix(".") && name.contains(".tmp-") {
                try remove(folder + "/" + name)
            }
        }
        func sweep(_ folder: String) throws {
            for name in (try? files.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = folder + "/" + name
                var isDirectory: ObjCBool = false
                if name.hasPrefix(".") {
                    try remove(path)
                } else if files.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    try sweep(path)
                }
            }
        }
        for format in formats { try sweep(dataset + "/exports/" + format.rawValue) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// The fields of a labels file that say which frame it is and at what size.
private struct LabelsHeader: Decodable {
    let frame: Int
    let width: Int
    let height: Int
}

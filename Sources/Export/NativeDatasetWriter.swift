import Foundation

/// Writes the native SceneFarm dataset (docs/DATASET.md) at the sink: `dataset.json` plus, per
/// frame, the files of an `EncodedFrame`. Every file goes to a temporary name in its final folder
/// and is renamed into place, so a crash never leaves a half-written file under a final name.
///
/// `write(_:)` may be called from several threads at once; the files of different frames never
/// collide, and the counters are guarded by a lock.
public final class NativeDatasetWriter: @unchecked Sendable {
    public let directory: String
    /// fsync every file before renaming it (durable across power loss, slower).
    public let syncFiles: Bool

    private let lock = NSLock()
    private var info: DatasetInfo
    private var framesWritten = 0
    private var bytesWritten = 0
    private var temporaryTag = 0
    private var finished = false

    /// Creates the dataset folders and writes `dataset.json`. Throws an `ExportError` naming the
    /// path when the directory cannot be created or written.
    public init(directory: String, info: DatasetInfo, syncFiles: Bool = false) throws {
        guard info.width > 0, info.height > 0, info.frameCount >= 0 else {
            throw ExportError(
                path: directory, "invalid dataset info: \(info.width)x\(info.height), \(info.frameCount) frames")
        }
        self.directory = directory
        self.info = info
        self.syncFiles = syncFiles
        try AtomicFile.makeDirectories(directory)
        for file in DatasetFile.allCases { try AtomicFile.makeDirectories(directory + "/" + file.folder) }
        try writeInfo(info)
    }

    /// Writes one frame's files and returns the number of bytes written. Thread-safe.
    @discardableResult
    public func write(_ frame: EncodedFrame) throws -> Int {
        let tag: Int = try lock.withLock {
            guard !finished else { throw ExportError(path: directory, frame: frame.index, "the writer is finished") }
            temporaryTag += 1
            return temporaryTag
        }
        var bytes = 0
        for file in frame.files {
            guard Self.isSafe(file.relativePath) else {
                throw ExportError(
                    path: file.relativePath, frame: frame.index,
                    "not a relative path inside the dataset (absolute, empty, or with '..' or '.' components)")
            }
            let path = directory + "/" + file.relativePath
            if let slash = file.relativePath.lastIndex(of: "/") {
                let folder = directory + "/" + file.relativePath[..<slash]
                if !AtomicFile.exists(folder) { try AtomicFile.makeDirectories(folder) }
            }
            do {
                try AtomicFile.write(file.bytes, to: path, tag: tag, sync: syncFiles)
            } catch var error as ExportError {
                error.frame = frame.index
                throw error
            }
            bytes += file.bytes.count
        }
        lock.withLock {
            framesWritten += 1
            bytesWritten += bytes
        }
        return bytes
    }

    /// Frames and bytes written so far by this writer.
    public var statistics: (frames: Int, bytes: Int) { lock.withLock { (framesWritten, bytesWritten) } }

    /// Finishes the dataset: counts the complete frames on disk (a frame is complete when its
    /// labels file exists; it is written last) and rewrites `dataset.json` with that frame count.
    /// Frames must be 0..<count without gaps; otherwise throws naming the first missing frame and
    /// leaves `dataset.json` as it was. Returns the final info. Later writes throw.
    @discardableResult
    public func finish() throws -> DatasetInfo {
        try lock.withLock {
            finished = true
            let labels = DatasetFile.labels
            let indices = AtomicFile.list(directory + "/" + labels.folder)
                .compactMap { DatasetFile.frameIndex(fileName: $0, fileExtension: labels.fileExtension) }
                .sorted()
            for (expected, index) in indices.enumerated() where index != expected {
                throw ExportError(
                    path: directory + "/" + labels.relativePath(frame: expected), frame: expected,
                    "frame \(expected) is missing but frame \(index) was written; frames must be 0..<count")
            }
            if info.frameCount != indices.count {
                info.frameCount = indices.count
                try writeInfo(info)
            }
            return info
        }
    }

    private func writeInfo(_ info: DatasetInfo) throws {
        let path = directory + "/dataset.json"
        do {
            try AtomicFile.write(try info.json.serialized(), to: path, tag: 0, sync: syncFiles)
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError(path: path, "cannot write: \(error)")
        }
    }

    private static func isSafe(_ relativePath: String) -> Bool {
        guard !relativePath.isEmpty, !relativePath.hasPrefix("/") else { return false }
        return relativePath.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }
}

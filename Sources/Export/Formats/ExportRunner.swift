import Foundation

/// An exporter whose `add` may be called from several threads at once (it guards its state with a
/// lock). `ExportRunner` then runs `add` in parallel; other exporters get one call at a time.
public protocol ConcurrentDatasetExporter: DatasetExporter {}

/// Exports an existing native dataset: reads frames with `ExportFrame(reading:frame:)` on a small
/// pool of threads, hands each to the exporter, and finishes the exporter once every frame was
/// added. On the first error no further frames are started, `finish` is not called (so nothing that
/// gathers all frames is written) and the error is thrown.
public enum ExportRunner {
    /// Exports `frames` (default: every frame) of the dataset at `dataset`; returns the number of
    /// frames exported. `progress` is called with the number of frames done so far, from any thread.
    /// Throws an `ExportError` naming the path when the dataset cannot be read, a frame is
    /// missing, or the exporter fails.
    @discardableResult
    public static func run(
        dataset: String, exporter: DatasetExporter, frames: Range<Int>? = nil, workers: Int = 4,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> Int {
        let reader = try NativeDatasetReader(directory: dataset)
        return try run(reader: reader, exporter: exporter, frames: frames, workers: workers, progress: progress)
    }

    /// As `run(dataset:…)`, with an open reader.
    @discardableResult
    public static func run(
        reader: NativeDatasetReader, exporter: DatasetExporter, frames: Range<Int>? = nil, workers: Int = 4,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> Int {
        let all = 0..<reader.info.frameCount
        let range = frames ?? all
        guard range.lowerBound >= 0, range.upperBound <= all.upperBound else {
            throw ExportError(
                path: reader.directory,
                "frames \(range.lowerBound)..<\(range.upperBound) are not in the dataset (it has \(all.count) frames)")
        }
        // Fail before writing anything when a frame is incomplete (its labels file is written last).
        for index in range where !AtomicFile.exists(reader.path(.labels, frame: index)) {
            throw ExportError(path: reader.path(.labels, frame: index), frame: index, "frame \(index) is missing")
        }
        let state = RunState(next: range.lowerBound, end: range.upperBound)
        let concurrent = exporter is ConcurrentDatasetExporter
        let box = ExporterBox(exporter)
        let threads = max(1, min(workers, range.count, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = state.claim() {
                do {
                    let frame = try ExportFrame(reading: reader, frame: index)
                    if concurrent {
                        try box.exporter.add(frame)
                    } else {
                        try state.serially { try box.exporter.add(frame) }
                    }
                    progress(state.completed())
                } catch {
                    state.fail(error)
                }
            }
        }
        if let error = state.error { throw error }
        try exporter.finish()
        return range.count
    }

    /// The frame counter and first error, shared by the workers.
    private final class RunState: @unchecked Sendable {
        private let lock = NSLock()
        private let addLock = NSLock()
        private var next: Int
        private let end: Int
        private var done = 0
        private(set) var error: Error?

        init(next: Int, end: Int) {
            self.next = next
            self.end = end
        }

        /// The next frame to export; nil when all are claimed or a worker failed.
        func claim() -> Int? {
            lock.withLock {
                guard error == nil, next < end else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func completed() -> Int {
            lock.withLock {
                done += 1
                return done
            }
        }

        func fail(_ error: Error) {
            lock.withLock {
                if self.error == nil { self.error = error }
            }
        }

        func serially(_ body: () throws -> Void) throws {
            try addLock.withLock { try body() }
        }
    }

    /// Carries the exporter into the workers; `run` calls `add` concurrently only on a
    /// `ConcurrentDatasetExporter`, and one call at a time otherwise.
    private final class ExporterBox: @unchecked Sendable {
        let exporter: DatasetExporter
        init(_ exporter: DatasetExporter) { self.exporter = exporter }
    }
}

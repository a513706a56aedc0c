// One run of the bench, start to finish:
//
//   pre-encode N frames ──▶ coordinator + server (own event loops) ──▶ W workers connect and
//   authenticate (own event loop) ──▶ clock starts ── submit job ──▶ workers replay results
//   ──▶ coordinator idle and the job complete ── clock stops ──▶ read metrics, shut down,
//   check the journal and every file on disk
//
// Everything runs in this process: the simulated workers and the coordinator share the CPU.
// The workers only replay bytes on one event-loop thread by default; their CPU time is measured
// apart (per thread) so the report can say how much of the machine the coordinator had.

import Coordinator
import Export
import FarmProtocol
import Foundation
import NIOCore
import NIOPosix
import SceneCore

enum FarmBench {
    static let jobID = "bench"

    /// Runs the bench with `options` and returns the figures; throws a `BenchError` when it cannot
    /// run or the job does not complete in time. `progress` gets one line per phase.
    static func run(_ options: BenchOptions, progress: (String) -> Void) throws -> BenchReport {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let scene = try BenchScene(path: options.scene, width: options.width, height: options.height)
        let (root, removeRoot) = try makeRoot(options)
        defer { if removeRoot { try? FileManager.default.removeItem(atPath: root) } }
        let seed = scene.description.seed
        progress("pre-encoding \(options.frames) frames at \(options.width)x\(options.height) on \(cores) cores")
        let frames = try PreencodedFrames.make(scene: scene, seed: seed, count: options.frames)
        try frames.checkWireLayout(index: options.frames - 1, scene: scene.description, seed: seed)
        progress(
            String(
                format: "pre-encoded %.1f MB in %.2f s", Double(frames.payloadBytes) / 1e6, frames.seconds))

        let log = CoordinatorLog(echo: options.verbose)
        let token: FarmToken
        do {
            token = try FarmToken(bytes: FarmAuthentication.makeNonce())
        } catch {
            throw BenchError("cannot make a token: \(error)")
        }
        let lease = LeaseConfiguration(
            shardSize: options.shardSize, maxShardsInFlightPerWorker: options.shardsPerWorker)
        let configuration = CoordinatorConfiguration(
            root: root, token: token, lease: lease, commitThreads: options.commitThreads,
            log: { log.append($0) })
        let coordinator: FarmCoordinator
        do {
            coordinator = try FarmCoordinator(configuration: configuration)
        } catch {
            throw BenchError("cannot start the coordinator in \(root): \(error)")
        }
        let coordinatorGroup = MultiThreadedEventLoopGroup(numberOfThreads: options.coordinatorThreads)
        let server: CoordinatorServer
        do {
            server = try CoordinatorServer(
                coordinator: coordinator, host: "127.0.0.1", port: 0, group: coordinatorGroup,
                status: { coordinator.status().json() })
        } catch {
            try? coordinatorGroup.syncShutdownGracefully()
            throw BenchError("cannot start the coordinator's server: \(error)")
        }
        let farm = SimulatedFarm(threads: options.workerThreads, frames: options.frames)
        let watchdog = Watchdog()
        let tally = farm.tally
        let state: @Sendable () -> String = {
            let sent = tally.snapshot
            return "\(sent.resultsSent) results sent, \(sent.workersDropped) workers dropped; data in \(root)"
        }
        var stopped = false
        func stop() {
            guard !stopped else { return }
            stopped = true
            watchdog.expect(within: 60, "shutting down the coordinator", detail: state)
            farm.shutdown()
            server.close()
            coordinator.shutdown()
            try? coordinatorGroup.syncShutdownGracefully()
            watchdog.disarm()
        }
        defer { stop() }

        let connectStart = monotonicNow()
        watchdog.expect(within: 60, "connecting \(options.workers) workers", detail: state)
        try farm.connect(
            count: options.workers, port: server.port, token: token, frames: frames.frames, jobID: jobID,
            maximumFrameLength: configuration.maximumFrameLength,
            frameInterval: options.frameMilliseconds > 0
                ? .nanoseconds(Int64(options.frameMilliseconds * 1e6)) : nil,
            drops: DropPlan(count: options.dropWorkers, afterResults: options.frames / 4))
        watchdog.disarm()
        let connectSeconds = monotonicNow() - connectStart
        let workerThreads = try farm.threadIDs()
        progress(String(format: "%d workers connected in %.2f s; measuring", options.workers, connectSeconds))

        // The clock starts at the submission: every worker is connected and idle.
        let peakIsRunOnly = ResidentMemory.resetPeak()
        let memoryStart = ResidentMemory.read()
        let cpuStart = ProcessCPU.read()
        let workerCPUStart = threadCPUSeconds(workerThreads)
        let threadsStart = ThreadTimes.read()
        let machineStart = MachineCPU.read()
        let start = monotonicNow()
        let request = JobRequest(
            name: jobID, sceneFile: scene.file, scene: SceneBundle(yaml: scene.yaml, file: scene.file),
            frames: options.frames, seed: seed,
            formats: options.exports)
        do {
            _ = try coordinator.submit(request, datasetPath: nil)
        } catch {
            throw BenchError("the coordinator refused the job: \(error)")
        }
        let peakBacklog: Int
        do {
            peakBacklog = try waitForCompletion(
                coordinator, farm: farm, frames: options.frames, start: start, options, watchdog: watchdog,
                state: state)
        } catch {
            // Say why now: shutting down may take a while (queued commits) or never end (a deadlock).
            progress("\(error); shutting down")
            throw error
        }
        let wall = monotonicNow() - start
        let cpu = ProcessCPU.read() - cpuStart
        let machine = MachineCPU.read().flatMap { end in machineStart.map { end - $0 } }
        let workerCPU = threadCPUSeconds(workerThreads) - workerCPUStart
        let cpuByRole = ThreadTimes.read().byRole(since: threadsStart, workerThreads: Set(workerThreads))
        let memoryEnd = ResidentMemory.read()
        let jobState = try? coordinator.jobState(jobID)
        let exposition = Exposition(coordinator.metrics.exposition())
        let committed = coordinator.committedFrames(jobID: jobID)
        let sent = farm.tally.snapshot
        let anomalies = farm.tally.assignmentAnomalies
        stop()

        let dataset = try checkDataset(root: root, frames: options.frames, committed: committed, state: jobState)
        return BenchReport(
            options: options, cores: cores, root: removeRoot ? nil : root, fileSystem: fileSystem(of: root),
            frames: frames, connectSeconds: connectSeconds, wallSeconds: wall, exposition: exposition, sent: sent,
            peakBacklog: peakBacklog, memoryStart: memoryStart, memoryEnd: memoryEnd, peakIsRunOnly: peakIsRunOnly,
            cpu: cpu, workerCPU: workerCPU, cpuByRole: cpuByRole, machine: machine, dataset: dataset,
            anomalies: anomalies, log: log.notable)
    }

    /// The data root and whether to remove it afterwards. `--out` must be empty or absent.
    private static func makeRoot(_ options: BenchOptions) throws -> (String, Bool) {
        let files = FileManager.default
        if let out = options.out {
            if files.fileExists(atPath: out), !((try? files.contentsOfDirectory(atPath: out)) ?? []).isEmpty {
                throw BenchError("--out \(out) exists and is not empty; give an empty or new folder")
            }
            do {
                try files.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw BenchError("cannot create --out \(out): \(error)")
            }
            return (out, false)
        }
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "farm-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try files.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create a temporary folder \(root): \(error)")
        }
        return (root, !options.keep)
    }

    /// Polls until the coordinator is idle (every job finished and no commit pending), sampling
    /// the results in flight (sent by the workers, not yet committed) every 50 ms. Returns their
    /// peak. Throws when the timeout passes first. Every poll re-arms `watchdog`: a poll that
    /// blocks for 15 s (the coordinator's lock never comes free) ends the process.
    private static func waitForCompletion(
        _ coordinator: FarmCoordinator, farm: SimulatedFarm, frames: Int, start: Double, _ options: BenchOptions,
        watchdog: Watchdog, state: @escaping @Sendable () -> String
    ) throws -> Int {
        var peak = 0
        var nextSample = start
        defer { watchdog.disarm() }
        while true {
            watchdog.expect(within: 15, "polling the coordinator for the job's completion", detail: state)
            if coordinator.isIdle { break }
            let now = monotonicNow()
            if now >= nextSample {
                let inFlight = farm.tally.snapshot.resultsSent - coordinator.committedFrames(jobID: jobID)
                peak = max(peak, inFlight)
                nextSample = now + 0.05
            }
            if now - start > options.timeout {
                let committed = coordinator.committedFrames(jobID: jobID)
                throw BenchError(
                    "the job did not complete within \(options.timeout) s: \(committed) of \(frames) frames committed, "
                        + "\(farm.tally.snapshot.resultsSent) results sent (raise --timeout or lower --frames)")
            }
            usleep(1000)
        }
        return peak
    }

    /// Counts what is on disk and in the journal after the coordinator stopped.
    private static func checkDataset(
        root: String, frames: Int, committed: Int, state: JobState?
    ) throws
        -> BenchReport.Dataset
    {
        let journalRows: Int
        do {
            journalRows = try FarmJournal(root: root).committedCount(jobID: jobID)
        } catch {
            throw BenchError("cannot read the journal in \(root): \(error)")
        }
        let directory = root + "/" + jobID
        var present = 0, missing: [String] = [], extra: [String] = []
        for file in DatasetFile.allCases {
            let folder = directory + "/" + file.folder
            let names = Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            var expected = Set<String>()
            for frame in 0..<frames {
                let name = DatasetFile.frameName(frame) + "." + file.fileExtension
                expected.insert(name)
                if names.contains(name) {
                    present += 1
                } else if missing.count < 5 {
                    missing.append(file.relativePath(frame: frame))
                }
            }
            for name in names.subtracting(expected).sorted().prefix(5) { extra.append(file.folder + "/" + name) }
        }
        return BenchReport.Dataset(
            jobState: state?.rawValue ?? "unknown", framesCommitted: committed, journalRows: journalRows,
            filesExpected: frames * DatasetFile.allCases.count, filesPresent: present,
            datasetJSON: FileManager.default.fileExists(atPath: directory + "/dataset.json"), missingFiles: missing,
            extraFiles: extra)
    }
}

/// The coordinator's log lines: counted, the unusual ones kept, all echoed with `--verbose`.
final class CoordinatorLog: @unchecked Sendable {
    // @unchecked: the fields are touched under `lock`.
    private let lock = NSLock()
    private let echo: Bool
    private var kept: [String] = []
    private var unusual = 0

    /// What a healthy run logs: the listener, workers coming and going, the job queued and done.
    /// Requeued shards are left out too: they are counted from the metrics.
    private static let usual = [
        "coordinator: listening on", " connected from ", ") disconnected", " queued: ", " complete: ",
        " requeued after ", " lost: ",
    ]

    init(echo: Bool) { self.echo = echo }

    func append(_ line: String) {
        if echo { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        guard !Self.usual.contains(where: { line.contains($0) }) else { return }
        lock.withLock {
            unusual += 1
            if kept.count < 10 { kept.append(line) }
        }
    }

    /// Lines that are not part of a healthy run (the first 10) and how many there were.
    var notable: (count: Int, lines: [String]) { lock.withLock { (unusual, kept) } }
}

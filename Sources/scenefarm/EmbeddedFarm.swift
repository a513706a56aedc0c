import Coordinator
import Export
import FarmProtocol
import Foundation
import SceneCore

/// `scenefarm render`'s farm on one machine: a coordinator in this process, listening on a free
/// loopback port, and K `scenefarm worker` processes started from this same executable. The
/// dataset directory is the coordinator's data root, so its journal (OUT/.scenefarm) makes a
/// second run of the same command resume. The connections stay plain TCP: they never leave the
/// loopback interface, and the token (fresh per run, in a 0600 file) still authenticates them.
final class EmbeddedFarm {
    struct Result {
        var seconds: Double
        /// Frames committed by this run (frames committed by an earlier run are not counted).
        var framesRendered: Int
        var bytes: Int
    }

    let directory: String
    private let farm: RunningFarm
    private let tokenFile: String
    private let log: @Sendable (String) -> Void

    /// Starts the coordinator with a fresh random token, written to a private temporary file for
    /// the workers.
    init(directory: String, shardSize: Int, log: @escaping @Sendable (String) -> Void) throws {
        self.directory = directory
        self.log = log
        let token = FarmAuthentication.makeToken()
        let folder = NSTemporaryDirectory() + "/scenefarm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        tokenFile = folder + "/token"
        guard
            FileManager.default.createFile(
                atPath: tokenFile, contents: Data(token), attributes: [.posixPermissions: 0o600])
        else { throw FarmClientError("cannot write the token file \(tokenFile)") }
        let configuration = CoordinatorConfiguration(
            root: directory, token: try FarmToken(bytes: token),
            lease: LeaseConfiguration(shardSize: shardSize, leaseDuration: 30), log: log)
        farm = try RunningFarm(configuration: configuration, listen: HostPort(host: "127.0.0.1", port: 0), http: nil)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: (tokenFile as NSString).deletingLastPathComponent)
    }

    /// Lines the embedded farm shows without --verbose: failures, refusals, retries.
    static func isProblem(_ line: String) -> Bool {
        ["fail", "refused", "cannot", "blocklisted", "requeued", "expired", "error", "closing"].contains {
            line.contains($0)
        }
    }

    /// Runs the job to completion with `workers` worker processes, restarting any that die.
    /// Throws when the job fails or the workers keep dying without committing anything.
    func run(request: JobRequest, workers: Int, workerArguments: [String], progress: ProgressReporter) throws -> Result
    {
        let coordinator = farm.coordinator
        let start = monotonicSeconds()
        defer { farm.shutdown() }
        let (jobID, resumed) = try coordinator.submit(request, datasetPath: ".")
        let before = coordinator.committedFrames(jobID: jobID)
        if resumed && before > 0 {
            printError("resuming: \(before) of \(request.frames ?? 0) frames were already committed")
        }
        let stop = StopFlag()
        let signals = SignalWatcher { stop.set() }
        defer { withExtendedLifetime(signals) {} }

        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let arguments = [
            "worker", "--connect", "127.0.0.1:\(farm.server.port)", "--token-file", tokenFile, "--parent",
            "\(getpid())",
        ]
        var processes: [Process?] = Array(repeating: nil, count: workers)
        var deaths = 0
        func launch(_ n: Int) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments + ["--id", "local-\(n + 1)"] + workerArguments
            do { try process.run() } catch {
                throw FarmClientError("cannot start worker process \(executable): \(error)")
            }
            processes[n] = process
        }
        defer {
            for process in processes.compactMap({ $0 }) where process.isRunning { process.terminate() }
            for process in processes.compactMap({ $0 }) { process.waitUntilExit() }
        }
        for n in 0..<workers { try launch(n) }

        while true {
            progress.update(coordinator.committedFrames(jobID: jobID))
            switch try coordinator.jobState(jobID) {
            case .complete?:
                if coordinator.isIdle {
                    let after = coordinator.committedFrames(jobID: jobID)
                    return Result(
                        seconds: monotonicSeconds() - start, framesRendered: after - before,
                        bytes: coordinator.bytesCommitted)
                }
            case .failed?, .cancelled?:
                let message = try coordinator.journal.job(id: jobID)?.message ?? "no reason recorded"
                throw FarmClientError("the job failed: \(message)")
            case .running?, nil:
                break
            }
            if stop.isSet {
                throw FarmClientError(
                    "interrupted; \(coordinator.committedFrames(jobID: jobID)) frames are committed in \(directory): "
                        + "run the same command again to finish")
            }
            for n in 0..<workers {
                guard let process = processes[n], !process.isRunning else { continue }
                deaths += 1
                let committed = coordinator.committedFrames(jobID: jobID)
                if deaths >= 3 * workers && committed == before {
                    throw FarmClientError(
                        "the worker processes keep exiting (status \(process.terminationStatus)) without committing "
                            + "a frame; see their messages above")
                }
                log("render: worker local-\(n + 1) exited with status \(process.terminationStatus); restarting it")
                Thread.sleep(forTimeInterval: min(2, 0.1 * Double(deaths)))
                try launch(n)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// A flag set from a signal watcher and read by the supervising loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

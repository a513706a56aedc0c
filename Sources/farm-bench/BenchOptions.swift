import Foundation

/// The command line of `farm-bench`, with its defaults. Parsed by hand: the target has no
/// argument-parser dependency, and the options are few.
struct BenchOptions: Sendable {
    /// Frames of the job (N).
    var frames = 20_000
    /// Simulated worker connections (W).
    var workers = 200
    /// Frames per shard, i.e. per lease (K).
    var shardSize = 8
    /// Shards one worker may hold at once.
    var shardsPerWorker = 2
    var width = 64
    var height = 48
    /// The coordinator's data root; nil means a fresh temporary folder.
    var out: String?
    /// Keep the temporary data root after the run (a root given with `out` is always kept).
    var keep = false
    /// Export formats written while the job runs ("coco", "yolo", ...).
    var exports: [String] = []
    /// The scene file whose resolution is replaced; nil means scenes/minimal.yaml of this
    /// repository.
    var scene: String?
    /// Milliseconds a simulated worker spends per frame (one result per interval); 0 sends each
    /// lease's results at once, as fast as the coordinator reads them.
    var frameMilliseconds: Double = 0
    /// Workers that crash on purpose (reset their connection after a `shardDone`) once a quarter of
    /// the frames were sent: a fault to see the coordinator requeue their leases.
    var dropWorkers = 0
    /// Threads of the coordinator's commit pool.
    var commitThreads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Event-loop threads of the coordinator's server.
    var coordinatorThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Event-loop threads that run every simulated worker.
    var workerThreads = 1
    /// Seconds the job may take before the bench gives up.
    var timeout: Double = 600
    /// Print one JSON document instead of the table.
    var json = false
    /// Echo the coordinator's log lines to standard error as they come.
    var verbose = false

    static let usage = """
        usage: farm-bench [options]

        Measures the coordinator (lease table, result decoding, commit pool, JobSink, journal) under
        many simulated workers on loopback TCP, in one process. The workers do the real handshake
        and worker session, replaying pre-encoded frame results (genuine PNGs and labels of
        scenes/minimal.yaml at a small resolution); they render nothing.

        options:
          --frames N              frames of the job (default 20000)
          --workers W             simulated worker connections (default 200)
          --shard-size K          frames per shard / lease (default 8)
          --shards-per-worker M   leases a worker may hold at once (default 2)
          --resolution WxH        image size of the frames (default 64x48)
          --frame-ms MS           a worker sends one result every MS ms, like a renderer of that speed
                                  (default 0: each lease's results at once, as fast as they are read)
          --drop-workers N        fault injection: N workers crash (reset their connection right after a
                                  shardDone) once a quarter of the frames were sent (default 0)
          --exports F,F,...       export formats written while the job runs (e.g. coco,yolo)
          --scene FILE            scene file (default scenes/minimal.yaml of this repository)
          --out DIR               coordinator data root, empty or absent; kept afterwards
                                  (default: a temporary folder, removed afterwards)
          --keep                  keep the temporary data root
          --commit-threads T      coordinator commit threads (default max(2, cores))
          --coordinator-threads T coordinator event-loop threads (default cores)
          --worker-threads T      event-loop threads of the simulated workers (default 1)
          --timeout SECONDS       give up when the job is not complete by then (default 600)
          --json                  print one JSON document instead of the table
          --verbose               echo the coordinator's log to standard error
          -h, --help              this text

        exit status: 0 all checks passed; 1 the bench could not run, the job did not complete, or the
        coordinator stopped answering (deadlock); 2 the job completed but a check failed (missing
        frames or files, a revoked lease, a requeue, a duplicate, a rejected result, an unexpected
        disconnect; with --drop-workers, requeues of the dropped workers' leases are expected).

        Commit speed depends on the data root's file system. On ext4 without a journal (this
        project's build machines), creating files soon after many were deleted (the previous run's
        temporary dataset) is slow and erratic; for the coordinator's own figures put the data on
        tmpfs (--out /dev/shm/NAME) or leave minutes between runs.
        """

    /// Parses `arguments` (without the program name). Throws a `BenchError` naming the option.
    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError("\(name) needs a value") }
            return next
        }
        func positive(_ name: String) throws -> Int {
            let text = try value(name)
            guard let number = Int(text), number > 0 else {
                throw BenchError("\(name) must be a positive integer, got '\(text)'")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--frames": options.frames = try positive(argument)
            case "--workers": options.workers = try positive(argument)
            case "--shard-size": options.shardSize = try positive(argument)
            case "--shards-per-worker": options.shardsPerWorker = try positive(argument)
            case "--commit-threads": options.commitThreads = try positive(argument)
            case "--coordinator-threads": options.coordinatorThreads = try positive(argument)
            case "--worker-threads": options.workerThreads = try positive(argument)
            case "--resolution":
                let text = try value(argument)
                let parts = text.lowercased().split(separator: "x")
                guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else {
                    throw BenchError("--resolution must be WIDTHxHEIGHT, e.g. 64x48, got '\(text)'")
                }
                (options.width, options.height) = (w, h)
            case "--exports":
                options.exports = try value(argument).split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }.filter { !$0.isEmpty }
            case "--scene": options.scene = try value(argument)
            case "--out": options.out = try value(argument)
            case "--keep": options.keep = true
            case "--timeout":
                let text = try value(argument)
                guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
                    throw BenchError("--timeout must be a positive number of seconds, got '\(text)'")
                }
                options.timeout = seconds
            case "--frame-ms":
                let text = try value(argument)
                guard let milliseconds = Double(text), milliseconds >= 0, milliseconds.isFinite else {
                    throw BenchError("--frame-ms must be a number of milliseconds ≥ 0, got '\(text)'")
                }
                options.frameMilliseconds = milliseconds
            case "--drop-workers":
                let text = try value(argument)
                guard let count = Int(text), count >= 0 else {
                    throw BenchError("--drop-workers must be an integer ≥ 0, got '\(text)'")
                }
                options.dropWorkers = count
            case "--json": options.json = true
            case "--verbose": options.verbose = true
            case "-h", "--help": throw BenchError.helpRequested
            default: throw BenchError("unknown option '\(argument)' (see --help)")
            }
        }
        guard options.frames <= Int(UInt32.max) else { throw BenchError("--frames must be at most \(UInt32.max)") }
        guard options.dropWorkers < options.workers else {
            throw BenchError(
                "--drop-workers must leave at least one worker (got \(options.dropWorkers) of \(options.workers))")
        }
        return options
    }
}

/// Why the bench stopped: a message for standard error and the exit status.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    /// 1: the bench could not run or the job did not complete. 2: a check failed.
    var exitStatus: Int32 = 1

    init(_ description: String, exitStatus: Int32 = 1) {
        self.description = description
        self.exitStatus = exitStatus
    }

    /// `--help`: print the usage, exit 0.
    static let helpRequested = BenchError("help", exitStatus: 0)
}

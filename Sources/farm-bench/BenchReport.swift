// The figures of one run: a compact text table (default) or one JSON document (`--json`, keys
// snake_case and sorted, sizes in bytes, times in seconds).

import Foundation

/// Everything `farm-bench` measured, and whether the run passed its checks.
struct BenchReport: Codable {
    struct Setup: Codable {
        var frames: Int
        var workers: Int
        var shardSize: Int
        var shardsPerWorker: Int
        var width: Int
        var height: Int
        var exports: [String]
        var cores: Int
        var commitThreads: Int
        var coordinatorThreads: Int
        var workerThreads: Int
        /// Milliseconds per frame of each simulated worker; 0: results as fast as they are read.
        var frameMilliseconds: Double
        /// The data root when it was kept; nil when it was a temporary folder, now removed.
        var dataRoot: String?
        /// The file system of the data root: "TYPE (DEVICE on MOUNT POINT)".
        var fileSystem: String
        var preencodeSeconds: Double
        /// Bytes of the N frames' files, held in memory by the simulated workers.
        var preencodedBytes: Int
        var connectSeconds: Double
    }

    struct Throughput: Codable {
        /// From the job's submission until the coordinator is idle with the job complete.
        var wallSeconds: Double
        /// Frames committed per second of wall time.
        var resultsPerSecond: Double
        /// File bytes the coordinator received (`scenefarm_bytes_received_total`).
        var payloadBytes: Int
        var payloadMegabytesPerSecond: Double
        /// Bytes the workers wrote for results (framing, paths and digests included).
        var wireBytes: Int
        var wireMegabytesPerSecond: Double
        /// Peak of results sent by the workers and not yet committed (sampled every 50 ms): what
        /// the coordinator holds in sockets, event loops and its commit queue.
        var peakResultsInFlight: Int
    }

    struct Latency: Codable {
        var source = "scenefarm_commit_latency_seconds (receipt → journal row); bucket upper bounds"
        var commits: Int
        var p50AtMostSeconds: Double?
        var p90AtMostSeconds: Double?
        var p99AtMostSeconds: Double?
        var maxAtMostSeconds: Double?
        var maxAboveSeconds: Double?
        var meanSeconds: Double?
    }

    struct Memory: Codable {
        var rssStartBytes: Int?
        /// VmHWM: the run's own peak when `peakIsRunOnly`, else the process's (pre-encoding included).
        var rssPeakBytes: Int?
        var rssEndBytes: Int?
        var peakIsRunOnly: Bool
    }

    struct CPU: Codable {
        var userSeconds: Double
        var systemSeconds: Double
        /// CPU seconds per wall second.
        var coresBusy: Double
        /// The simulated workers' event-loop threads.
        var simulatedWorkerSeconds: Double
        /// Everything else: the coordinator's event loops, commit pool, journal, and this bench's poll.
        var coordinatorSeconds: Double
        /// CPU seconds by thread role (/proc/self/task): simulated_workers, coordinator_event_loops,
        /// commit_pool, main, other (Dispatch threads: the journal's queue, ticks). Threads that
        /// ended during the run are missing.
        var byThreadRole: [String: Double]
        /// CPU seconds other processes used on this machine during the run (/proc/stat busy time
        /// minus this process's); nil when unknown. Well above 0: the figures are noisy.
        var otherProcessesSeconds: Double?
        /// CPU seconds the hypervisor stole, and CPUs spent waiting for I/O, during the run.
        var stealSeconds: Double?
        var iowaitSeconds: Double?
    }

    struct Dataset: Codable {
        var jobState: String
        /// Committed frames as the coordinator counts them.
        var framesCommitted: Int
        /// Rows in the journal (`FarmJournal.committedCount`).
        var journalRows: Int
        var filesExpected: Int
        var filesPresent: Int
        var datasetJSON: Bool
        /// The first few expected files that are missing.
        var missingFiles: [String]
        /// The first few files that should not be there (temporaries, strays).
        var extraFiles: [String]
    }

    struct Faults: Codable {
        /// `failure` messages from the coordinator (revoked leases).
        var revocations: Int
        /// Shards requeued (`scenefarm_shard_retries_total`).
        var requeues: Int
        /// Rejected results by reason (`scenefarm_results_rejected_total`), duplicates included.
        var rejected: [String: Int]
        var drains: Int
        var refusals: Int
        var unexpectedDisconnects: Int
        var unexpectedMessages: Int
        var connectionErrors: Int
        var workersBlocklisted: Int
        /// Frames assigned more than once / never assigned.
        var framesReassigned: Int
        var framesNeverAssigned: Int
        /// Coordinator log lines that a healthy run does not write.
        var unusualLogLines: Int
        var samples: [String]
        /// Workers crashed on purpose (`--drop-workers`): not faults of the coordinator.
        var workersDropped: Int
        /// Requeues the dropped workers explain: each may have held this many leases when it died.
        var requeuesExpected: Int

        /// Faults of the coordinator: everything above, less the requeues (and the frames leased
        /// again) that the dropped workers explain.
        var total: Int {
            max(0, requeues - requeuesExpected) + revocations + rejected.values.reduce(0, +) + drains + refusals
                + unexpectedDisconnects + unexpectedMessages + connectionErrors + workersBlocklisted
                + (requeuesExpected > 0 ? 0 : framesReassigned) + framesNeverAssigned + unusualLogLines
        }
    }

    var setup: Setup
    var throughput: Throughput
    var latency: Latency
    var memory: Memory
    var cpu: CPU
    var dataset: Dataset
    var faults: Faults
    /// Why the run failed its checks; empty when it passed.
    var failures: [String]
    var passed: Bool

    init(
        options: BenchOptions, cores: Int, root: String?, fileSystem: String, frames: PreencodedFrames,
        connectSeconds: Double,
        wallSeconds: Double, exposition: Exposition, sent: WorkerTally.Snapshot, peakBacklog: Int,
        memoryStart: ResidentMemory?, memoryEnd: ResidentMemory?, peakIsRunOnly: Bool, cpu: ProcessCPU,
        workerCPU: Double, cpuByRole: [String: Double], machine: MachineCPU?, dataset: Dataset,
        anomalies: (reassigned: Int, neverAssigned: Int),
        log: (count: Int, lines: [String])
    ) {
        setup = Setup(
            frames: options.frames, workers: options.workers, shardSize: options.shardSize,
            shardsPerWorker: options.shardsPerWorker, width: options.width, height: options.height,
            exports: options.exports, cores: cores, commitThreads: options.commitThreads,
            coordinatorThreads: options.coordinatorThreads, workerThreads: options.workerThreads,
            frameMilliseconds: options.frameMilliseconds, dataRoot: root, fileSystem: fileSystem,
            preencodeSeconds: frames.seconds, preencodedBytes: frames.payloadBytes, connectSeconds: connectSeconds)
        let payload = Int(exposition.value("scenefarm_bytes_received_total"))
        throughput = Throughput(
            wallSeconds: wallSeconds, resultsPerSecond: Double(dataset.framesCommitted) / wallSeconds,
            payloadBytes: payload, payloadMegabytesPerSecond: Double(payload) / 1e6 / wallSeconds,
            wireBytes: sent.wireBytesSent, wireMegabytesPerSecond: Double(sent.wireBytesSent) / 1e6 / wallSeconds,
            peakResultsInFlight: peakBacklog)
        let histogram = exposition.histogram("scenefarm_commit_latency_seconds")
        latency = Latency(
            commits: Int(histogram.count), p50AtMostSeconds: histogram.quantileUpperBound(0.5),
            p90AtMostSeconds: histogram.quantileUpperBound(0.9), p99AtMostSeconds: histogram.quantileUpperBound(0.99),
            maxAtMostSeconds: histogram.maximumUpperBound, maxAboveSeconds: histogram.maximumLowerBound,
            meanSeconds: histogram.mean)
        memory = Memory(
            rssStartBytes: memoryStart?.current, rssPeakBytes: memoryEnd?.peak, rssEndBytes: memoryEnd?.current,
            peakIsRunOnly: peakIsRunOnly)
        self.cpu = CPU(
            userSeconds: cpu.user, systemSeconds: cpu.system, coresBusy: cpu.total / wallSeconds,
            simulatedWorkerSeconds: workerCPU, coordinatorSeconds: max(0, cpu.total - workerCPU),
            byThreadRole: cpuByRole, otherProcessesSeconds: machine.map { max(0, $0.busy - cpu.total) },
            stealSeconds: machine?.steal, iowaitSeconds: machine?.iowait)
        self.dataset = dataset
        var rejected: [String: Int] = [:]
        for (reason, count) in exposition.byLabel("scenefarm_results_rejected_total", "reason") where count > 0 {
            rejected[reason] = Int(count)
        }
        faults = Faults(
            revocations: sent.revocations, requeues: Int(exposition.value("scenefarm_shard_retries_total")),
            rejected: rejected, drains: sent.drains, refusals: sent.refusals,
            unexpectedDisconnects: sent.unexpectedDisconnects, unexpectedMessages: sent.unexpectedMessages,
            connectionErrors: sent.errors,
            workersBlocklisted: Int(exposition.value("scenefarm_workers_blocklisted_total")),
            framesReassigned: anomalies.reassigned, framesNeverAssigned: anomalies.neverAssigned,
            unusualLogLines: log.count, samples: sent.faultSamples + log.lines, workersDropped: sent.workersDropped,
            requeuesExpected: sent.workersDropped * options.shardsPerWorker)

        let n = options.frames
        var failures: [String] = []
        if dataset.jobState != "complete" { failures.append("the job is \(dataset.jobState), not complete") }
        if dataset.framesCommitted != n { failures.append("\(dataset.framesCommitted) of \(n) frames committed") }
        if dataset.journalRows != n { failures.append("the journal lists \(dataset.journalRows) of \(n) frames") }
        if dataset.filesPresent != dataset.filesExpected {
            failures.append(
                "\(dataset.filesPresent) of \(dataset.filesExpected) files present (missing: "
                    + "\(dataset.missingFiles.joined(separator: ", ")))")
        }
        if !dataset.extraFiles.isEmpty {
            failures.append("unexpected files in the dataset: \(dataset.extraFiles.joined(separator: ", "))")
        }
        if !dataset.datasetJSON { failures.append("dataset.json is missing") }
        if Int(exposition.value("scenefarm_frames_committed_total")) != n {
            failures.append(
                "scenefarm_frames_committed_total is \(Int(exposition.value("scenefarm_frames_committed_total")))")
        }
        if faults.total > 0 {
            failures.append(
                options.dropWorkers > 0
                    ? "\(faults.total) coordinator fault(s) beyond what \(sent.workersDropped) dropped workers explain"
                    : "\(faults.total) coordinator fault(s) with no fault injected")
        }
        if sent.workersDropped != options.dropWorkers {
            failures.append("\(sent.workersDropped) of \(options.dropWorkers) planned workers dropped")
        }
        self.failures = failures
        passed = failures.isEmpty
    }

    // MARK: Output

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A quantile beyond the largest finite bucket is +Inf.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The table: one line per figure, labels in a left column.
    func text() -> String {
        let s = setup, t = throughput, l = latency, m = memory, c = cpu, d = dataset, f = faults
        var lines: [String] = []
        func row(_ label: String, _ value: String) {
            lines.append(label.padding(toLength: 11, withPad: " ", startingAt: 0) + value)
        }
        lines.append(
            "farm-bench: the coordinator under \(s.workers) simulated worker(s) on loopback TCP, in ONE process on "
                + "\(s.cores) core(s):")
        lines.append(
            "  the simulated workers (\(s.workerThreads) event-loop thread(s), replaying pre-encoded bytes) share "
                + "the CPU with the coordinator.")
        row(
            "setup",
            "\(s.frames) frames \(s.width)x\(s.height), shard \(s.shardSize), \(s.shardsPerWorker) leases/worker, "
                + "exports \(s.exports.isEmpty ? "none" : s.exports.joined(separator: ",")); coordinator: "
                + "\(s.coordinatorThreads) loop + \(s.commitThreads) commit threads; data on \(s.fileSystem)")
        row(
            "",
            s.frameMilliseconds > 0
                ? String(
                    format: "workers paced at %.1f ms/frame: %.0f results/s offered", s.frameMilliseconds,
                    Double(s.workers) * 1000 / s.frameMilliseconds)
                : "workers unpaced: each lease's results sent at once, as fast as the coordinator reads them")
        row(
            "",
            String(
                format: "pre-encoded %.1f MB in %.2f s; %d workers connected in %.2f s", mb(s.preencodedBytes),
                s.preencodeSeconds, s.workers, s.connectSeconds))
        row(
            "throughput",
            String(
                format: "%d frames in %.2f s = %.0f results/s; %.1f MB/s payload, %.1f MB/s on the wire",
                d.framesCommitted, t.wallSeconds, t.resultsPerSecond, t.payloadMegabytesPerSecond,
                t.wireMegabytesPerSecond))
        row("in flight", "peak \(t.peakResultsInFlight) results sent by workers and not yet committed (50 ms samples)")
        row(
            "latency",
            "commit p50 ≤ \(ms(l.p50AtMostSeconds)), p90 ≤ \(ms(l.p90AtMostSeconds)), "
                + "p99 ≤ \(ms(l.p99AtMostSeconds)), max in (\(ms(l.maxAboveSeconds)), \(ms(l.maxAtMostSeconds))], "
                + "mean \(ms(l.meanSeconds, digits: 1)) over \(l.commits)")
        row("", "  receipt → journal row, from the scenefarm_commit_latency_seconds buckets (upper bounds)")
        row(
            "memory",
            "RSS \(mb(m.rssStartBytes)) at the start (frames pre-encoded), \(mb(m.rssPeakBytes)) peak"
                + (m.peakIsRunOnly ? "" : " (VmHWM of the whole process)") + ", \(mb(m.rssEndBytes)) at the end")
        row(
            "cpu",
            String(
                format: "%.2f s (user %.2f, sys %.2f) = %.2f of %d cores busy; simulated workers %.2f s (%.0f%%), "
                    + "coordinator %.2f s", c.userSeconds + c.systemSeconds, c.userSeconds, c.systemSeconds,
                c.coresBusy, s.cores, c.simulatedWorkerSeconds,
                100 * c.simulatedWorkerSeconds / max(1e-9, c.userSeconds + c.systemSeconds), c.coordinatorSeconds))
        row(
            "",
            "  by thread: "
                + c.byThreadRole.sorted { $0.value > $1.value }.map { String(format: "%@ %.2f s", $0.key, $0.value) }
                .joined(separator: ", "))
        row(
            "",
            String(
                format: "  machine during the run: other processes %.2f s, steal %.2f s, iowait %.2f s",
                c.otherProcessesSeconds ?? .nan, c.stealSeconds ?? .nan, c.iowaitSeconds ?? .nan))
        row(
            "dataset",
            "job \(d.jobState); \(d.framesCommitted)/\(s.frames) committed, \(d.journalRows) journal rows, "
                + "\(d.filesPresent)/\(d.filesExpected) files, dataset.json \(d.datasetJSON ? "present" : "MISSING")"
                + (d.extraFiles.isEmpty ? "" : ", \(d.extraFiles.count)+ stray files"))
        let rejected =
            f.rejected.isEmpty
            ? "0"
            : f.rejected.sorted { $0.key < $1.key }.map { "\($0) \($1)" }
                .joined(separator: ", ")
        row(
            "faults",
            (f.total == 0 ? "none: " : "\(f.total): ")
                + "revoked \(f.revocations), requeued \(f.requeues), rejected \(rejected), drains \(f.drains), "
                + "disconnects \(f.unexpectedDisconnects), refusals \(f.refusals), reassigned frames "
                + "\(f.framesReassigned), unusual log lines \(f.unusualLogLines)")
        for sample in f.samples { row("", "  " + sample) }
        if let root = s.dataRoot { row("data", root) }
        row("result", passed ? "PASS" : "FAIL: " + failures.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    private func mb(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "?" }
    private func mb(_ bytes: Int) -> Double { Double(bytes) / 1e6 }

    private func ms(_ seconds: Double?, digits: Int = 0) -> String {
        guard let seconds else { return "?" }
        if seconds.isInfinite { return "∞" }
        return String(format: "%.\(digits == 0 && seconds < 0.01 ? 1 : digits)f ms", seconds * 1000)
    }
}

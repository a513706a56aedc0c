// The coordinator's status: one value type, served as JSON at `GET /status`, sent as the same
// JSON to `scenefarm status` over the farm protocol (`statusReport(json:)`), and printed by that
// command as text tables (`renderText()`).
//
// Everything here is pure: no clock, no sockets, no files. The coordinator fills the snapshot;
// `RateEstimator` turns (time, committed count) samples into frames/s and an ETA.

import Foundation

/// A snapshot of the whole farm.
///
/// JSON keys are snake_case and written sorted, so the same status is always the same text:
///
/// ```
/// {
///   "coordinator" : { "data_root", "draining", "listen_address", "started", "uptime_seconds", "version" },
///   "jobs" : [ { "dataset", "eta_seconds", "frame_count", "frames_committed", "frames_per_second", "id",
///                "message", "scene_file", "shards_done", "shards_failed", "shards_leased",
///                "shards_queued", "state" } ],
///   "workers" : [ { "address", "blocklisted", "connected_seconds", "cores", "draining", "failures",
///                   "frames_committed", "gpu_name", "id", "leases", "renderer" } ]
/// }
/// ```
///
/// Optional fields (`eta_seconds`, `message`, `gpu_name`) are written as `null` when absent.
public struct FarmStatus: Codable, Sendable, Equatable {
    public var coordinator: CoordinatorInfo
    /// Jobs in the order the coordinator lists them (it should sort them, e.g. by id).
    public var jobs: [JobStatus]
    /// Connected workers in the order the coordinator lists them (it should sort them by id).
    public var workers: [WorkerStatus]

    public init(coordinator: CoordinatorInfo, jobs: [JobStatus] = [], workers: [WorkerStatus] = []) {
        self.coordinator = coordinator
        self.jobs = jobs
        self.workers = workers
    }

    /// Keys: `coordinator`, `jobs`, `workers`.
    enum CodingKeys: String, CodingKey {
        case coordinator, jobs, workers
    }
}

/// The coordinator process itself.
public struct CoordinatorInfo: Codable, Sendable, Equatable {
    /// SceneFarm's version, e.g. "0.1.0".
    public var version: String
    /// Where the farm protocol listens, "host:port".
    public var listenAddress: String
    /// The directory under which datasets are written.
    public var dataRoot: String
    /// When the coordinator started, in seconds since 1970 (UTC).
    public var started: Double
    /// Seconds since the coordinator started.
    public var uptimeSeconds: Double
    /// True once the coordinator hands out no new work.
    public var draining: Bool

    public init(
        version: String, listenAddress: String, dataRoot: String, started: Double, uptimeSeconds: Double,
        draining: Bool = false
    ) {
        self.version = version
        self.listenAddress = listenAddress
        self.dataRoot = dataRoot
        self.started = started
        self.uptimeSeconds = uptimeSeconds
        self.draining = draining
    }

    /// Keys: `version`, `listen_address`, `data_root`, `started`, `uptime_seconds`, `draining`.
    enum CodingKeys: String, CodingKey {
        case version
        case listenAddress = "listen_address"
        case dataRoot = "data_root"
        case started
        case uptimeSeconds = "uptime_seconds"
        case draining
    }
}

/// One job: its progress in frames and shards, and its recent rate.
public struct JobStatus: Codable, Sendable, Equatable {
    /// The states a job's `state` takes.
    public static let states = ["running", "complete", "failed", "cancelled"]

    /// The job's id (its dataset's folder name).
    public var id: String
    /// One of `JobStatus.states`: "running", "complete", "failed" or "cancelled".
    public var state: String
    /// The scene file's name as the submitting client knew it.
    public var sceneFile: String
    /// The dataset's directory.
    public var dataset: String
    public var frameCount: Int
    public var framesCommitted: Int
    public var shardsQueued: Int
    public var shardsLeased: Int
    public var shardsDone: Int
    public var shardsFailed: Int
    /// Frames committed per second over the recent window (see `RateEstimator`).
    public var framesPerSecond: Double
    /// Seconds until the remaining frames are committed at the recent rate; nil when unknown
    /// (no progress in the window).
    public var etaSeconds: Double?
    /// Why the job failed or was cancelled, or the latest notable event; nil when none.
    public var message: String?

    public init(
        id: String, state: String, sceneFile: String, dataset: String, frameCount: Int, framesCommitted: Int = 0,
        shardsQueued: Int = 0, shardsLeased: Int = 0, shardsDone: Int = 0, shardsFailed: Int = 0,
        framesPerSecond: Double = 0, etaSeconds: Double? = nil, message: String? = nil
    ) {
        self.id = id
        self.state = state
        self.sceneFile = sceneFile
        self.dataset = dataset
        self.frameCount = frameCount
        self.framesCommitted = framesCommitted
        self.shardsQueued = shardsQueued
        self.shardsLeased = shardsLeased
        self.shardsDone = shardsDone
        self.shardsFailed = shardsFailed
        self.framesPerSecond = framesPerSecond
        self.etaSeconds = etaSeconds
        self.message = message
    }

    /// Keys: `id`, `state`, `scene_file`, `dataset`, `frame_count`, `frames_committed`, `shards_queued`,
    /// `shards_leased`, `shards_done`, `shards_failed`, `frames_per_second`, `eta_seconds`, `message`.
    enum CodingKeys: String, CodingKey {
        case id, state
        case sceneFile = "scene_file"
        case dataset
        case frameCount = "frame_count"
        case framesCommitted = "frames_committed"
        case shardsQueued = "shards_queued"
        case shardsLeased = "shards_leased"
        case shardsDone = "shards_done"
        case shardsFailed = "shards_failed"
        case framesPerSecond = "frames_per_second"
        case etaSeconds = "eta_seconds"
        case message
    }

    /// Writes every key, absent optionals as `null` (the synthesized encoder would leave them out).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encode(sceneFile, forKey: .sceneFile)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(frameCount, forKey: .frameCount)
        try c.encode(framesCommitted, forKey: .framesCommitted)
        try c.encode(shardsQueued, forKey: .shardsQueued)
        try c.encode(shardsLeased, forKey: .shardsLeased)
        try c.encode(shardsDone, forKey: .shardsDone)
        try c.encode(shardsFailed, forKey: .shardsFailed)
        try c.encode(framesPerSecond, forKey: .framesPerSecond)
        try c.encode(etaSeconds, forKey: .etaSeconds)
        try c.encode(message, forKey: .message)
    }
}

/// One connected worker.
public struct WorkerStatus: Codable, Sendable, Equatable {
    /// The id the worker announced in its hello.
    public var id: String
    /// The peer's address, "ip:port".
    public var address: String
    /// The renderer the worker drives, e.g. "gl45-egl".
    public var renderer: String
    /// The GPU's name; nil on a CPU-only worker.
    public var gpuName: String?
    public var cores: Int
    /// Seconds since the worker connected.
    public var connectedSeconds: Double
    /// Ids of the worker's live leases.
    public var leases: [UInt64]
    /// Frames of this worker's results that were committed.
    public var framesCommitted: Int
    /// Failures charged to the worker (expired leases, failure reports, incomplete shards).
    public var failures: Int
    /// The worker reached the failure limit and gets no new assignments.
    public var blocklisted: Bool
    /// The worker said it takes no new work.
    public var draining: Bool

    public init(
        id: String, address: String, renderer: String, gpuName: String? = nil, cores: Int,
        connectedSeconds: Double = 0, leases: [UInt64] = [], framesCommitted: Int = 0, failures: Int = 0,
        blocklisted: Bool = false, draining: Bool = false
    ) {
        self.id = id
        self.address = address
        self.renderer = renderer
        self.gpuName = gpuName
        self.cores = cores
        self.connectedSeconds = connectedSeconds
        self.leases = leases
        self.framesCommitted = framesCommitted
        self.failures = failures
        self.blocklisted = blocklisted
        self.draining = draining
    }

    /// Keys: `id`, `address`, `renderer`, `gpu_name`, `cores`, `connected_seconds`, `leases`,
    /// `frames_committed`, `failures`, `blocklisted`, `draining`.
    enum CodingKeys: String, CodingKey {
        case id, address, renderer
        case gpuName = "gpu_name"
        case cores
        case connectedSeconds = "connected_seconds"
        case leases
        case framesCommitted = "frames_committed"
        case failures, blocklisted, draining
    }

    /// Writes every key, an absent `gpu_name` as `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(address, forKey: .address)
        try c.encode(renderer, forKey: .renderer)
        try c.encode(gpuName, forKey: .gpuName)
        try c.encode(cores, forKey: .cores)
        try c.encode(connectedSeconds, forKey: .connectedSeconds)
        try c.encode(leases, forKey: .leases)
        try c.encode(framesCommitted, forKey: .framesCommitted)
        try c.encode(failures, forKey: .failures)
        try c.encode(blocklisted, forKey: .blocklisted)
        try c.encode(draining, forKey: .draining)
    }
}

// MARK: JSON

extension FarmStatus {
    /// Non-finite numbers, which JSON cannot hold, are written as these strings (and read back).
    /// `RateEstimator` never produces them; this keeps `json()` total whatever a caller fills in.
    private static let nonFiniteStrings = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    /// The status as pretty-printed JSON with sorted keys and unescaped slashes: the same status
    /// always gives the same text. No trailing newline.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let s = Self.nonFiniteStrings
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: s.positiveInfinity, negativeInfinity: s.negativeInfinity, nan: s.nan)
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            // Strings, integers, booleans, arrays and (with the strategy above) any double encode.
            preconditionFailure("FarmStatus failed to encode: \(error)")
        }
    }

    /// Reads a status written by `json()` (or any JSON with the same keys).
    public static func decode(json: String) throws -> FarmStatus {
        let decoder = JSONDecoder()
        let s = nonFiniteStrings
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: s.positiveInfinity, negativeInfinity: s.negativeInfinity, nan: s.nan)
        return try decoder.decode(FarmStatus.self, from: Data(json.utf8))
    }
}

// MARK: Text

extension FarmStatus {
    /// The tables `scenefarm status` prints: a line about the coordinator, then the jobs
    /// (id, state, committed/total with percent, frames/s, ETA as h:mm:ss or "-", shards
    /// queued/leased/done/failed) and the workers (id, address, renderer and GPU, cores, live
    /// leases, frames committed, failures, flags). Ends with a newline.
    public func renderText() -> String {
        var lines: [String] = []
        let c = coordinator
        var header = "coordinator \(c.version)  listening \(c.listenAddress)  data \(c.dataRoot)"
        header += "  up \(Self.formatDuration(c.uptimeSeconds))"
        if c.draining { header += "  DRAINING" }
        lines.append(header)
        lines.append("")

        if jobs.isEmpty {
            lines.append("no jobs")
        } else {
            var table = TextTable(
                header: ["JOB", "STATE", "FRAMES", "FRAMES/S", "ETA", "SHARDS Q/L/D/F"], rightAligned: [2, 3, 4])
            for job in jobs {
                let shards = "\(job.shardsQueued)/\(job.shardsLeased)/\(job.shardsDone)/\(job.shardsFailed)"
                table.add([
                    job.id, job.state, Self.formatProgress(job.framesCommitted, of: job.frameCount),
                    Self.formatRate(job.framesPerSecond), Self.formatDuration(job.etaSeconds), shards,
                ])
            }
            lines += table.lines()
            for job in jobs { if let message = job.message { lines.append("\(job.id): \(message)") } }
        }
        lines.append("")

        if workers.isEmpty {
            lines.append("no workers")
        } else {
            var table = TextTable(
                header: ["WORKER", "ADDRESS", "RENDERER", "CORES", "LEASES", "FRAMES", "FAILURES", "FLAGS"],
                rightAligned: [3, 5, 6])
            for w in workers {
                let renderer = w.gpuName.map { "\(w.renderer) (\($0))" } ?? w.renderer
                let leases = w.leases.isEmpty ? "-" : w.leases.map(String.init).joined(separator: ",")
                let flags = [w.blocklisted ? "blocklisted" : nil, w.draining ? "draining" : nil].compactMap { $0 }
                table.add([
                    w.id, w.address, renderer, String(w.cores), leases, String(w.framesCommitted),
                    String(w.failures), flags.isEmpty ? "-" : flags.joined(separator: ","),
                ])
            }
            lines += table.lines()
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "h:mm:ss" for a number of seconds (rounded to the nearest second), "-" for nil, negative or
    /// non-finite values and for anything past a million hours.
    static func formatDuration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0, seconds < 3.6e9 else { return "-" }
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total % 3600 / 60, s = total % 60
        return "\(h):\(m < 10 ? "0" : "")\(m):\(s < 10 ? "0" : "")\(s)"
    }

    /// "committed/total (pp.p%)", the percent rounded down so that 100.0% means every frame.
    static func formatProgress(_ committed: Int, of total: Int) -> String {
        guard total > 0 else { return "\(committed)/\(total)" }
        let permille = Int((Double(committed) * 1000 / Double(total)).rounded(.down))
        return "\(committed)/\(total) (\(permille / 10).\(permille % 10)%)"
    }

    /// One decimal, "-" for a non-finite rate.
    static func formatRate(_ rate: Double) -> String {
        rate.isFinite ? String(format: "%.1f", rate) : "-"
    }
}

/// Columns padded to their widest cell, two spaces apart, without trailing spaces.
struct TextTable {
    let header: [String]
    let rightAligned: Set<Int>
    private var rows: [[String]] = []

    init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) {
        precondition(row.count == header.count, "a row needs one cell per column")
        rows.append(row)
    }

    func lines() -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}

// MARK: Rate

/// Frames per second over a sliding window, from samples of a job's committed count.
///
/// The estimator never reads a clock: every call takes the time, in seconds on any monotonic
/// clock (the same clock for every call), as `LeaseTable` does. The coordinator records a sample
/// whenever the count changes (and may record more, e.g. once a second); between samples the
/// count is taken to grow linearly.
///
/// The rate at `now` is the growth of the count over the last `window` seconds divided by those
/// seconds; while the first sample is less than `window` old, over the time since the first sample.
/// With no samples, or only one, the rate is 0. When commits stop, the rate falls to 0 once the
/// last commit is `window` seconds old.
public struct RateEstimator: Sendable, Equatable {
    /// One observation: `committed` frames at `time`.
    public struct Sample: Sendable, Equatable {
        public var time: Double
        public var committed: Int
    }

    /// Seconds the rate looks back. Default 10.
    public let window: Double
    /// Samples in time order: the newest at or before `window` seconds before the last one,
    /// and every one after it.
    public private(set) var samples: [Sample] = []

    public init(window: Double = 10) {
        precondition(window > 0 && window.isFinite, "the window must be a positive number of seconds")
        self.window = window
    }

    /// Records that `committed` frames were committed at `time`.
    ///
    /// A sample older than the last one is ignored; one at the same time replaces it. A count
    /// lower than the last one means the count started over (a job restarted): the older
    /// samples are dropped.
    public mutating func record(committed: Int, at time: Double) {
        guard time.isFinite else { return }
        if let last = samples.last {
            if time < last.time { return }
            if committed < last.committed { samples.removeAll() }
        }
        if let last = samples.last, last.time == time {
            samples[samples.count - 1].committed = committed
        } else {
            samples.append(Sample(time: time, committed: committed))
        }
        // Keep one sample at or before the window's start, to interpolate the count there.
        let start = time - window
        let firstInside = samples.firstIndex { $0.time > start } ?? samples.count
        if firstInside > 1 { samples.removeFirst(firstInside - 1) }
    }

    /// Frames per second over the `window` seconds before `now` (0 with fewer than two samples,
    /// and never negative or non-finite).
    public func framesPerSecond(at now: Double) -> Double {
        guard let first = samples.first, now.isFinite, now > first.time else { return 0 }
        let start = max(now - window, first.time)
        let rate = (committed(at: now) - committed(at: start)) / (now - start)
        return rate.isFinite && rate > 0 ? rate : 0
    }

    /// Seconds until `remaining` more frames are committed at the rate at `now`: 0 when nothing
    /// remains, nil when the rate is 0 (unknown or stalled).
    public func etaSeconds(remaining: Int, at now: Double) -> Double? {
        if remaining <= 0 { return 0 }
        let rate = framesPerSecond(at: now)
        return rate > 0 ? Double(remaining) / rate : nil
    }

    /// The count at `time`, linear between samples, the last sample's count after it.
    /// `time` is at or after the first sample.
    private func committed(at time: Double) -> Double {
        guard let after = samples.firstIndex(where: { $0.time > time }) else {
            return Double(samples[samples.count - 1].committed)
        }
        let a = samples[after - 1], b = samples[after]
        let fraction = (time - a.time) / (b.time - a.time)
        return Double(a.committed) + fraction * Double(b.committed - a.committed)
    }
}

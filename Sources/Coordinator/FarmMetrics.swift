// The coordinator's metrics: swift-metrics objects over one Prometheus registry per coordinator.
//
// Non-goal: the process-wide `MetricsSystem.bootstrap`. It can run once per process, so two
// coordinators (or two tests) could not each have their own numbers; every metric here is made
// with an explicit `PrometheusMetricsFactory` over `FarmMetrics.registry` instead.

import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// The coordinator's counters, gauges and commit-latency histogram, exposed in the Prometheus
/// text format by `exposition()` (served at `GET /metrics`).
///
/// | metric | type | labels |
/// |---|---|---|
/// | `scenefarm_frames_committed_total` | counter | `job` |
/// | `scenefarm_frame_bytes_committed_total` | counter | `job` |
/// | `scenefarm_results_rejected_total` | counter | `reason`: stale_lease, unknown_lease, duplicate, invalid |
/// | `scenefarm_bytes_received_total` | counter | |
/// | `scenefarm_commit_latency_seconds` | histogram, buckets 1 ms … 10 s | |
/// | `scenefarm_workers_connected` | gauge | |
/// | `scenefarm_leases_live` | gauge | |
/// | `scenefarm_jobs` | gauge | `state`: running, complete, failed, cancelled |
/// | `scenefarm_shard_retries_total` | counter | |
/// | `scenefarm_workers_blocklisted_total` | counter | |
/// | `scenefarm_connections_refused_total` | counter | `reason`: auth, version, frame_too_large, protocol, tls |
///
/// The known label values of `reason` and `state` are registered up front, so they read 0 before
/// anything happens; other values are accepted and get their own series on first use (keep them
/// few: every value is a time series). The registry writes no `# HELP` lines: swift-metrics has
/// no help text. All methods are thread-safe.
public final class FarmMetrics: Sendable {
    /// Why a frame result was not committed (`resultRejected(reason:)`).
    public static let rejectionReasons = ["stale_lease", "unknown_lease", "duplicate", "invalid"]
    /// Why a connection was refused (`connectionRefused(reason:)`).
    public static let refusalReasons = ["auth", "version", "frame_too_large", "protocol", "tls"]
    /// Upper bounds of the commit-latency histogram's buckets, 1 ms to 10 s.
    public static let commitLatencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// The registry every metric of this instance lives in.
    public let registry: PrometheusCollectorRegistry

    private let framesCommitted: LabeledMetric<CoreMetrics.Counter>
    private let frameBytesCommitted: LabeledMetric<CoreMetrics.Counter>
    private let resultsRejected: LabeledMetric<CoreMetrics.Counter>
    private let bytesReceivedTotal: CoreMetrics.Counter
    private let commitLatency: CoreMetrics.Timer
    private let workersConnected: CoreMetrics.Gauge
    private let leasesLive: CoreMetrics.Gauge
    private let jobsByState: LabeledMetric<CoreMetrics.Gauge>
    private let shardRetries: CoreMetrics.Counter
    private let workersBlocklisted: CoreMetrics.Counter
    private let connectionsRefused: LabeledMetric<CoreMetrics.Counter>

    /// A fresh registry with every metric at 0.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["scenefarm_commit_latency_seconds"] = Self.commitLatencyBuckets
        self.registry = registry

        let f = factory
        func counter(_ name: String, _ label: String) -> LabeledMetric<CoreMetrics.Counter> {
            LabeledMetric { CoreMetrics.Counter(label: name, dimensions: [(label, $0)], factory: f) }
        }
        framesCommitted = counter("scenefarm_frames_committed_total", "job")
        frameBytesCommitted = counter("scenefarm_frame_bytes_committed_total", "job")
        resultsRejected = counter("scenefarm_results_rejected_total", "reason")
        connectionsRefused = counter("scenefarm_connections_refused_total", "reason")
        jobsByState = LabeledMetric {
            CoreMetrics.Gauge(label: "scenefarm_jobs", dimensions: [("state", $0)], factory: f)
        }
        bytesReceivedTotal = CoreMetrics.Counter(label: "scenefarm_bytes_received_total", factory: f)
        commitLatency = CoreMetrics.Timer(label: "scenefarm_commit_latency_seconds", factory: f)
        workersConnected = CoreMetrics.Gauge(label: "scenefarm_workers_connected", factory: f)
        leasesLive = CoreMetrics.Gauge(label: "scenefarm_leases_live", factory: f)
        shardRetries = CoreMetrics.Counter(label: "scenefarm_shard_retries_total", factory: f)
        workersBlocklisted = CoreMetrics.Counter(label: "scenefarm_workers_blocklisted_total", factory: f)

        for reason in Self.rejectionReasons { _ = resultsRejected[reason] }
        for reason in Self.refusalReasons { _ = connectionsRefused[reason] }
        setJobs(byState: [:])
        setWorkersConnected(0)
        setLeasesLive(0)
    }

    /// A frame of `job` was committed: `bytes` bytes of files written, `latencySeconds` from the
    /// result's arrival to its commit. A negative or non-finite latency is recorded as 0.
    public func frameCommitted(job: String, bytes: Int, latencySeconds: Double) {
        framesCommitted[job].increment()
        if bytes > 0 { frameBytesCommitted[job].increment(by: bytes) }
        commitLatency.recordSeconds(latencySeconds.isFinite ? max(0, latencySeconds) : 0)
    }

    /// A frame result was not committed, for `reason` (one of `rejectionReasons`).
    public func resultRejected(reason: String) {
        resultsRejected[reason].increment()
    }

    /// `n` bytes arrived from workers and clients (results, rejected ones included). Ignores n ≤ 0.
    public func bytesReceived(_ n: Int) {
        if n > 0 { bytesReceivedTotal.increment(by: n) }
    }

    /// Workers connected now.
    public func setWorkersConnected(_ n: Int) {
        workersConnected.record(n)
    }

    /// Leases live now, over all jobs.
    public func setLeasesLive(_ n: Int) {
        leasesLive.record(n)
    }

    /// Jobs in each state now. A state missing from `byState` that was set before (and every
    /// state of `JobStatus.states`) is set to 0.
    public func setJobs(byState: [String: Int]) {
        for state in Set(JobStatus.states).union(byState.keys).union(jobsByState.labelValues) {
            jobsByState[state].record(byState[state] ?? 0)
        }
    }

    /// A shard went back to the queue after a failure.
    public func shardRetried() {
        shardRetries.increment()
    }

    /// A worker reached its failure limit and was blocklisted.
    public func workerBlocklisted() {
        workersBlocklisted.increment()
    }

    /// A connection was refused, for `reason` (one of `refusalReasons`).
    public func connectionRefused(reason: String) {
        connectionsRefused[reason].increment()
    }

    /// Every metric in the Prometheus text exposition format, version 0.0.4.
    public func exposition() -> String {
        registry.emitToString()
    }
}

/// One metric object per label value, made on first use.
private final class LabeledMetric<Metric: Sendable>: @unchecked Sendable {
    // @unchecked: `metrics` is only touched under `lock`.
    private let lock = NSLock()
    private var metrics: [String: Metric] = [:]
    private let make: @Sendable (String) -> Metric

    init(make: @escaping @Sendable (String) -> Metric) {
        self.make = make
    }

    subscript(value: String) -> Metric {
        lock.withLock {
            if let metric = metrics[value] { return metric }
            let metric = make(value)
            metrics[value] = metric
            return metric
        }
    }

    var labelValues: [String] {
        lock.withLock { Array(metrics.keys) }
    }
}

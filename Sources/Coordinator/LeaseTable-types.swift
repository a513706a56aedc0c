// Coordinator: plans a job into shards and leases them to workers.
//
// `LeaseTable` is a value type with no I/O and no clock of its own: every call takes `now`
// (seconds on any monotonic clock) and returns what happened, for the caller to act on (send an
// assignment, log a failure, close a connection). Tests drive it with a hand-advanced clock.
//
// The journal (FarmJournal), the commit path (JobSink) and the sockets (CoordinatorServer) build
// on it; this file and LeaseTable.swift stay pure.

/// Tunables of the lease table, with their defaults.
public struct LeaseConfiguration: Sendable, Equatable {
    /// Frames per shard (K). Default 8.
    public var shardSize: Int = 8
    /// Shards a single worker may hold at once. Default 2.
    public var maxShardsInFlightPerWorker: Int = 2
    /// Seconds a lease lives without a heartbeat or a result. Default 60.
    public var leaseDuration: Double = 60
    /// Failures (expiry, failure report, shard done with frames missing) a shard may have and
    /// still be retried (R). The failure after that marks the shard failed. Default 3.
    public var maxRetriesPerShard: Int = 3
    /// Failures after which a worker gets no new assignments (B). Default 5.
    public var workerFailureLimit: Int = 5

    public init(
        shardSize: Int = 8, maxShardsInFlightPerWorker: Int = 2, leaseDuration: Double = 60,
        maxRetriesPerShard: Int = 3, workerFailureLimit: Int = 5
    ) {
        precondition(shardSize > 0 && maxShardsInFlightPerWorker > 0 && leaseDuration > 0)
        precondition(maxRetriesPerShard >= 0 && workerFailureLimit > 0)
        self.shardSize = shardSize
        self.maxShardsInFlightPerWorker = maxShardsInFlightPerWorker
        self.leaseDuration = leaseDuration
        self.maxRetriesPerShard = maxRetriesPerShard
        self.workerFailureLimit = workerFailureLimit
    }
}

/// A contiguous run of a job's frames, leased as a unit.
public struct Shard: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case queued
        case leased(leaseID: UInt64)
        case done
        case failed(lastError: String)
    }

    public let id: Int
    public let frames: Range<Int>
    public internal(set) var state: State = .queued
    /// Failures so far (each expiry, failure report or incomplete shard done counts one).
    public internal(set) var failures: Int = 0
}

/// A worker's time-limited right to render some frames. `id`s are never reused, so a result
/// carrying an old lease id is recognised and refused (fencing).
public struct Lease: Sendable, Equatable {
    public let id: UInt64
    public let shardID: Int
    public let worker: String
    /// The shard's frames not yet committed when the lease was granted.
    public let frames: [Int]
    public internal(set) var deadline: Double
}

/// Why a message under a lease was refused.
public enum LeaseRejection: Sendable, Equatable {
    /// No lease with this id was ever granted.
    case unknownLease
    /// The lease existed but has ended (expired, failed, done, or its worker left).
    case staleLease
    /// The frame is not one of the lease's frames.
    case frameNotInLease
}

/// The outcome of a frame result.
public enum CommitOutcome: Sendable, Equatable {
    /// First result for this frame: write it.
    case committed
    /// The frame was already committed: drop this result.
    case duplicate
    case rejected(LeaseRejection)
}

/// Something the caller should know about and may act on.
public enum LeaseEvent: Sendable, Equatable {
    /// The lease passed its deadline without a heartbeat.
    case leaseExpired(Lease)
    /// The shard went back to the queue after its `failures`-th failure.
    case shardRequeued(shardID: Int, failures: Int)
    /// The shard failed more than `maxRetriesPerShard` times and will not be retried.
    case shardFailed(shardID: Int, frames: [Int], lastError: String)
    /// The shard's frames are all committed.
    case shardCompleted(shardID: Int)
    /// The worker reached `workerFailureLimit` failures and gets no new assignments.
    case workerBlocklisted(worker: String, failures: Int)
    /// A message referred to a lease that is not live.
    case rejected(LeaseRejection)
}

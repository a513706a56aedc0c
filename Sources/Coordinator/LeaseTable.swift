/// The lease state machine of one job.
///
/// Shards move `queued → leased → done`, or back to `queued` when their lease expires or
/// fails, until they have failed more than `maxRetriesPerShard` times (`failed`). A frame is
/// committed at most once: the first result under a live lease commits it; later results are
/// `duplicate`; results under ended or unknown leases are `rejected` (fencing).
///
/// Every call that depends on time takes `now`; the table never reads a clock.
public struct LeaseTable: Sendable {
    public let configuration: LeaseConfiguration
    public let frameCount: Int
    public private(set) var shards: [Shard]
    /// Live leases by id.
    public private(set) var leases: [UInt64: Lease] = [:]
    /// Queued shard ids, in the order they will be assigned.
    private var queue: [Int]
    private var committed: [Bool]
    public private(set) var committedCount = 0
    /// Shards done or failed (states they never leave).
    private var endedShards = 0
    private var nextLeaseID: UInt64 = 1
    public private(set) var workerFailures: [String: Int] = [:]
    public private(set) var blocklist: Set<String> = []
    /// Once set, `assign` hands out nothing; live leases run to their end.
    public private(set) var isDraining = false

    /// Plans `frameCount` frames into shards of `configuration.shardSize` (the last may be
    /// shorter), all queued.
    public init(frameCount: Int, configuration: LeaseConfiguration = LeaseConfiguration()) {
        precondition(frameCount >= 0, "frame count must not be negative")
        self.configuration = configuration
        self.frameCount = frameCount
        let k = configuration.shardSize
        shards = stride(from: 0, to: frameCount, by: k).enumerated().map { id, start in
            Shard(id: id, frames: start..<min(start + k, frameCount))
        }
        queue = shards.map(\.id)
        committed = Array(repeating: false, count: frameCount)
    }

    /// Plans as `init(frameCount:configuration:)`, then marks the `committed` frames committed: a
    /// resumed job (the journal's committed frames). A shard whose frames are all committed starts
    /// `done` and is never queued; a partly committed shard is queued and its lease lists only the
    /// frames still missing. Duplicates in `committed` count once; each must be in 0..<frameCount.
    public init(frameCount: Int, committed: [Int], configuration: LeaseConfiguration = LeaseConfiguration()) {
        self.init(frameCount: frameCount, configuration: configuration)
        for frame in committed {
            precondition(
                self.committed.indices.contains(frame), "committed frame \(frame) is outside 0..<\(frameCount)")
            if !self.committed[frame] {
                self.committed[frame] = true
                committedCount += 1
            }
        }
        for shard in shards where shard.frames.allSatisfy({ self.committed[$0] }) {
            shards[shard.id].state = .done
            endedShards += 1
        }
        queue = shards.filter { $0.state == .queued }.map(\.id)
    }

    // MARK: Queries

    /// Every frame committed.
    public var isComplete: Bool { committedCount == frameCount }

    /// Nothing queued or leased: every shard is done or failed. Constant time (a counter kept by
    /// the transitions): the coordinator asks after every commit, and a million-frame job has
    /// 125 000 shards.
    public var isFinished: Bool { endedShards == shards.count }

    public func isCommitted(frame: Int) -> Bool { committed.indices.contains(frame) && committed[frame] }

    /// The worker's live leases, oldest first.
    public func leases(of worker: String) -> [Lease] {
        leases.values.filter { $0.worker == worker }.sorted { $0.id < $1.id }
    }

    public var queuedShardCount: Int { queue.count }

    // MARK: Transitions

    /// Leases the next queued shard to `worker`, or returns nil when draining, when the worker
    /// is blocklisted or already holds `maxShardsInFlightPerWorker` shards, or when nothing is
    /// queued.
    public mutating func assign(worker: String, now: Double) -> Lease? {
        guard !isDraining, !blocklist.contains(worker), !queue.isEmpty else { return nil }
        guard leases.values.lazy.filter({ $0.worker == worker }).count < configuration.maxShardsInFlightPerWorker else {
            return nil
        }
        let shardID = queue.removeFirst()
        let frames = shards[shardID].frames.filter { !committed[$0] }
        let lease = Lease(
            id: nextLeaseID, shardID: shardID, worker: worker, frames: frames,
            deadline: now + configuration.leaseDuration)
        nextLeaseID += 1
        shards[shardID].state = .leased(leaseID: lease.id)
        leases[lease.id] = lease
        return lease
    }

    /// Extends a live lease to `now + leaseDuration`; returns the new deadline, or why not.
    public mutating func heartbeat(leaseID: UInt64, now: Double) -> Result<Double, LeaseRejectionError> {
        guard leases[leaseID] != nil else { return .failure(LeaseRejectionError(rejection(for: leaseID))) }
        let deadline = max(leases[leaseID]!.deadline, now + configuration.leaseDuration)
        leases[leaseID]!.deadline = deadline
        return .success(deadline)
    }

    /// Ends every lease whose deadline is before or at `now`: each counts as a failure of its
    /// shard and of its worker.
    public mutating func tick(now: Double) -> [LeaseEvent] {
        var events: [LeaseEvent] = []
        for lease in leases.values.sorted(by: { $0.id < $1.id }) where lease.deadline <= now {
            events.append(.leaseExpired(lease))
            events += endInFailure(lease, error: "lease \(lease.id) of worker \(lease.worker) expired")
        }
        return events
    }

    /// Commits `frame` under `leaseID`. The first result for a frame under a live lease commits;
    /// any later one is a no-op `duplicate`; an ended or unknown lease, or a frame outside the
    /// lease, is rejected. A commit also extends the lease, as a heartbeat would.
    public mutating func complete(leaseID: UInt64, frame: Int, now: Double) -> CommitOutcome {
        guard let lease = leases[leaseID] else { return .rejected(rejection(for: leaseID)) }
        guard lease.frames.contains(frame) else { return .rejected(.frameNotInLease) }
        _ = heartbeat(leaseID: leaseID, now: now)
        if committed[frame] { return .duplicate }
        committed[frame] = true
        committedCount += 1
        return .committed
    }

    /// The worker says it finished the lease. If every frame of the shard is committed the shard
    /// is done; otherwise the missing frames make it a failure.
    public mutating func shardDone(leaseID: UInt64, now: Double) -> [LeaseEvent] {
        guard let lease = leases[leaseID] else { return [.rejected(rejection(for: leaseID))] }
        let missing = shards[lease.shardID].frames.filter { !committed[$0] }
        guard missing.isEmpty else {
            return endInFailure(
                lease, error: "worker \(lease.worker) reported lease \(leaseID) done with frames \(missing) missing")
        }
        leases[leaseID] = nil
        shards[lease.shardID].state = .done
        endedShards += 1
        return [.shardCompleted(shardID: lease.shardID)]
    }

    /// The worker reports a failure of the lease (or of one frame of it, which ends the lease
    /// too: the shard is retried, its committed frames stay committed).
    public mutating func fail(leaseID: UInt64, frame: Int?, message: String, now: Double) -> [LeaseEvent] {
        guard let lease = leases[leaseID] else { return [.rejected(rejection(for: leaseID))] }
        let at = frame.map { " at frame \($0)" } ?? ""
        return endInFailure(lease, error: "worker \(lease.worker) failed lease \(leaseID)\(at): \(message)")
    }

    /// The worker's connection is gone: its leases end as failures.
    public mutating func workerDisconnected(_ worker: String, now: Double) -> [LeaseEvent] {
        var events: [LeaseEvent] = []
        for lease in leases.values.sorted(by: { $0.id < $1.id }) where lease.worker == worker {
            events += endInFailure(lease, error: "worker \(worker) disconnected holding lease \(lease.id)")
        }
        return events
    }

    /// Stops new assignments. Live leases may still complete.
    public mutating func drain() { isDraining = true }

    // MARK: Internals

    private func rejection(for leaseID: UInt64) -> LeaseRejection {
        leaseID > 0 && leaseID < nextLeaseID ? .staleLease : .unknownLease
    }

    private mutating func endInFailure(_ lease: Lease, error: String) -> [LeaseEvent] {
        var events: [LeaseEvent] = []
        leases[lease.id] = nil
        let shardID = lease.shardID
        let missing = shards[shardID].frames.filter { !committed[$0] }
        if missing.isEmpty {
            // Every frame arrived before the failure: nothing to retry.
            shards[shardID].state = .done
            endedShards += 1
            events.append(.shardCompleted(shardID: shardID))
        } else {
            shards[shardID].failures += 1
            let failures = shards[shardID].failures
            if failures > configuration.maxRetriesPerShard {
                shards[shardID].state = .failed(lastError: error)
                endedShards += 1
                events.append(.shardFailed(shardID: shardID, frames: missing, lastError: error))
            } else {
                shards[shardID].state = .queued
                queue.append(shardID)
                events.append(.shardRequeued(shardID: shardID, failures: failures))
            }
        }
        let workerFailures = (self.workerFailures[lease.worker] ?? 0) + 1
        self.workerFailures[lease.worker] = workerFailures
        if workerFailures >= configuration.workerFailureLimit, !blocklist.contains(lease.worker) {
            blocklist.insert(lease.worker)
            events.append(.workerBlocklisted(worker: lease.worker, failures: workerFailures))
        }
        return events
    }
}

/// A `LeaseRejection` as an `Error`, for `Result`.
public struct LeaseRejectionError: Error, Equatable, Sendable {
    public let rejection: LeaseRejection
    public init(_ rejection: LeaseRejection) { self.rejection = rejection }
}

import XCTest

@testable import Coordinator

/// A hand-advanced clock: the lease table never reads time on its own.
private struct ManualClock {
    var now: Double = 1000
    mutating func advance(_ seconds: Double) { now += seconds }
}

final class LeaseTableTests: XCTestCase {
    private var clock = ManualClock()

    private func table(
        frames: Int = 10, shardSize: Int = 4, inFlight: Int = 1, duration: Double = 30, retries: Int = 2,
        blocklistAfter: Int = 100
    ) -> LeaseTable {
        LeaseTable(
            frameCount: frames,
            configuration: LeaseConfiguration(
                shardSize: shardSize, maxShardsInFlightPerWorker: inFlight, leaseDuration: duration,
                maxRetriesPerShard: retries, workerFailureLimit: blocklistAfter))
    }

    func testPlanningSplitsIntoShards() {
        let t = table(frames: 10, shardSize: 4)
        XCTAssertEqual(t.shards.map(\.frames), [0..<4, 4..<8, 8..<10])
        XCTAssertEqual(t.queuedShardCount, 3)
        XCTAssertTrue(LeaseTable(frameCount: 0).isComplete)
        XCTAssertTrue(LeaseTable(frameCount: 0).isFinished)
    }

    func testResumedPlanLeasesOnlyUncommittedFrames() throws {
        // Shards [0..<4, 4..<8, 8..<10]; the first is fully committed, the others in part. 5 is
        // listed twice, as a journal never would, and counts once.
        var t = LeaseTable(
            frameCount: 10, committed: [0, 1, 2, 3, 5, 9, 5],
            configuration: LeaseConfiguration(shardSize: 4, maxShardsInFlightPerWorker: 4))
        XCTAssertEqual(t.committedCount, 6)
        XCTAssertEqual(t.shards.map(\.state), [.done, .queued, .queued])
        XCTAssertEqual(t.queuedShardCount, 2)
        XCTAssertTrue(t.isCommitted(frame: 5))
        XCTAssertFalse(t.isCommitted(frame: 4))
        XCTAssertFalse(t.isComplete)
        XCTAssertFalse(t.isFinished)

        let a = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        XCTAssertEqual(a.shardID, 1)
        XCTAssertEqual(a.frames, [4, 6, 7])
        let b = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        XCTAssertEqual(b.shardID, 2)
        XCTAssertEqual(b.frames, [8])
        XCTAssertNil(t.assign(worker: "B", now: clock.now), "the committed shard is never queued")

        XCTAssertEqual(t.complete(leaseID: a.id, frame: 5, now: clock.now), .rejected(.frameNotInLease))
        for frame in a.frames { XCTAssertEqual(t.complete(leaseID: a.id, frame: frame, now: clock.now), .committed) }
        XCTAssertEqual(t.shardDone(leaseID: a.id, now: clock.now), [.shardCompleted(shardID: 1)])
        XCTAssertEqual(t.complete(leaseID: b.id, frame: 8, now: clock.now), .committed)
        XCTAssertEqual(t.shardDone(leaseID: b.id, now: clock.now), [.shardCompleted(shardID: 2)])
        XCTAssertEqual(t.committedCount, 10)
        XCTAssertTrue(t.isComplete)
        XCTAssertTrue(t.isFinished)
    }

    func testResumedPlanWithEveryFrameCommittedIsFinished() {
        var t = LeaseTable(
            frameCount: 5, committed: [4, 3, 2, 1, 0], configuration: LeaseConfiguration(shardSize: 2))
        XCTAssertEqual(t.shards.map(\.state), [.done, .done, .done])
        XCTAssertEqual(t.queuedShardCount, 0)
        XCTAssertTrue(t.isComplete)
        XCTAssertTrue(t.isFinished)
        XCTAssertNil(t.assign(worker: "A", now: clock.now))
        let fresh = LeaseTable(frameCount: 5, committed: [], configuration: LeaseConfiguration(shardSize: 2))
        XCTAssertEqual(fresh.queuedShardCount, 3)
        XCTAssertEqual(fresh.committedCount, 0)
    }

    func testAssignmentRespectsInFlightLimit() throws {
        var t = table(inFlight: 2)
        let a = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        XCTAssertEqual(a.frames, [0, 1, 2, 3])
        XCTAssertEqual(a.deadline, clock.now + 30)
        let b = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        XCTAssertEqual(b.frames, [4, 5, 6, 7])
        XCTAssertNotEqual(a.id, b.id)
        XCTAssertNil(t.assign(worker: "A", now: clock.now), "third shard exceeds the limit of 2")
        let c = try XCTUnwrap(t.assign(worker: "B", now: clock.now))
        XCTAssertEqual(c.frames, [8, 9])
        XCTAssertNil(t.assign(worker: "C", now: clock.now), "nothing queued")
        XCTAssertEqual(t.shards[0].state, .leased(leaseID: a.id))
    }

    func testHeartbeatExtendsDeadline() throws {
        var t = table()
        let lease = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        clock.advance(20)
        XCTAssertEqual(t.heartbeat(leaseID: lease.id, now: clock.now), .success(clock.now + 30))
        clock.advance(20)  // 40 s after the grant, 20 after the heartbeat: still live
        XCTAssertEqual(t.tick(now: clock.now), [])
        XCTAssertNotNil(t.leases[lease.id])
        XCTAssertEqual(t.heartbeat(leaseID: 999, now: clock.now), .failure(LeaseRejectionError(.unknownLease)))
    }

    func testTimeoutReassignmentAndFencingOfLateResult() throws {
        var t = table(frames: 4)
        let old = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        XCTAssertEqual(t.complete(leaseID: old.id, frame: 0, now: clock.now), .committed)
        clock.advance(29.9)
        XCTAssertEqual(t.tick(now: clock.now), [])
        clock.advance(0.1)
        XCTAssertEqual(
            t.tick(now: clock.now), [.leaseExpired(old), .shardRequeued(shardID: 0, failures: 1)])
        XCTAssertEqual(t.shards[0].state, .queued)
        XCTAssertEqual(t.heartbeat(leaseID: old.id, now: clock.now), .failure(LeaseRejectionError(.staleLease)))

        let new = try XCTUnwrap(t.assign(worker: "B", now: clock.now))
        XCTAssertEqual(new.frames, [1, 2, 3], "committed frame 0 is not rendered again")
        XCTAssertGreaterThan(new.id, old.id)
        // The old worker wakes up and sends frame 1: fenced off.
        XCTAssertEqual(t.complete(leaseID: old.id, frame: 1, now: clock.now), .rejected(.staleLease))
        XCTAssertFalse(t.isCommitted(frame: 1))
        XCTAssertEqual(t.complete(leaseID: new.id, frame: 0, now: clock.now), .rejected(.frameNotInLease))
        XCTAssertEqual(t.complete(leaseID: 12345, frame: 1, now: clock.now), .rejected(.unknownLease))
        for f in [1, 2, 3] { XCTAssertEqual(t.complete(leaseID: new.id, frame: f, now: clock.now), .committed) }
        XCTAssertEqual(t.shardDone(leaseID: new.id, now: clock.now), [.shardCompleted(shardID: 0)])
        XCTAssertTrue(t.isComplete)
        XCTAssertTrue(t.isFinished)
        XCTAssertEqual(t.shardDone(leaseID: new.id, now: clock.now), [.rejected(.staleLease)])
    }

    func testDuplicateCommitIsNoOp() throws {
        var t = table(frames: 4)
        let lease = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        XCTAssertEqual(t.complete(leaseID: lease.id, frame: 2, now: clock.now), .committed)
        XCTAssertEqual(t.complete(leaseID: lease.id, frame: 2, now: clock.now), .duplicate)
        XCTAssertEqual(t.committedCount, 1)
    }

    func testShardDoneWithMissingFramesIsAFailure() throws {
        var t = table(frames: 4)
        let lease = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        _ = t.complete(leaseID: lease.id, frame: 0, now: clock.now)
        XCTAssertEqual(t.shardDone(leaseID: lease.id, now: clock.now), [.shardRequeued(shardID: 0, failures: 1)])
        XCTAssertEqual(t.assign(worker: "A", now: clock.now)?.frames, [1, 2, 3])
    }

    func testRetriesExhausted() throws {
        var t = table(frames: 4, retries: 2)
        for attempt in 1...2 {
            let lease = try XCTUnwrap(t.assign(worker: "W\(attempt)", now: clock.now))
            XCTAssertEqual(
                t.fail(leaseID: lease.id, frame: 1, message: "boom", now: clock.now),
                [.shardRequeued(shardID: 0, failures: attempt)])
        }
        let last = try XCTUnwrap(t.assign(worker: "W3", now: clock.now))
        let events = t.fail(leaseID: last.id, frame: nil, message: "out of memory", now: clock.now)
        guard case .shardFailed(0, let frames, let error) = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(frames, [0, 1, 2, 3])
        XCTAssertTrue(error.contains("out of memory") && error.contains("W3"), error)
        XCTAssertNil(t.assign(worker: "W4", now: clock.now))
        XCTAssertTrue(t.isFinished)
        XCTAssertFalse(t.isComplete)
    }

    func testBlocklistAfterFailures() throws {
        var t = table(frames: 40, retries: 100, blocklistAfter: 3)
        for n in 1...3 {
            let lease = try XCTUnwrap(t.assign(worker: "bad", now: clock.now))
            let events = t.fail(leaseID: lease.id, frame: nil, message: "crash", now: clock.now)
            XCTAssertEqual(events.contains(.workerBlocklisted(worker: "bad", failures: 3)), n == 3, "\(events)")
        }
        XCTAssertEqual(t.blocklist, ["bad"])
        XCTAssertNil(t.assign(worker: "bad", now: clock.now))
        XCTAssertNotNil(t.assign(worker: "good", now: clock.now))
        // Expiry counts as a failure of the worker too.
        var u = table(frames: 40, retries: 100, blocklistAfter: 1)
        _ = u.assign(worker: "slow", now: clock.now)
        clock.advance(31)
        XCTAssertTrue(u.tick(now: clock.now).contains(.workerBlocklisted(worker: "slow", failures: 1)))
    }

    func testDrainStopsNewAssignments() throws {
        var t = table(frames: 8, inFlight: 1)
        let lease = try XCTUnwrap(t.assign(worker: "A", now: clock.now))
        t.drain()
        XCTAssertTrue(t.isDraining)
        XCTAssertNil(t.assign(worker: "B", now: clock.now))
        // The live lease still completes.
        for f in lease.frames { XCTAssertEqual(t.complete(leaseID: lease.id, frame: f, now: clock.now), .committed) }
        XCTAssertEqual(t.shardDone(leaseID: lease.id, now: clock.now), [.shardCompleted(shardID: 0)])
    }

    func testDisconnectRequeuesLeases() throws {
        var t = table(frames: 8, inFlight: 2)
        _ = t.assign(worker: "A", now: clock.now)
        _ = t.assign(worker: "A", now: clock.now)
        XCTAssertEqual(
            t.workerDisconnected("A", now: clock.now),
            [.shardRequeued(shardID: 0, failures: 1), .shardRequeued(shardID: 1, failures: 1)])
        XCTAssertTrue(t.leases.isEmpty)
        XCTAssertEqual(t.assign(worker: "B", now: clock.now)?.shardID, 0)
    }

    /// Random events from several workers under a seeded generator: every frame ends committed
    /// exactly once, and nothing is committed under an ended lease.
    func testEveryFrameCommittedExactlyOnceUnderRandomEvents() throws {
        for seed in UInt64(1)...20 {
            var rng = SplitMix64(seed: seed)
            var t = table(frames: 97, shardSize: 5, inFlight: 2, duration: 10, retries: .max, blocklistAfter: .max)
            let workers = ["w0", "w1", "w2", "w3"]
            var commits = Array(repeating: 0, count: 97)
            var endedLeases: [UInt64] = []
            var granted: [Lease] = []
            func record(_ outcome: CommitOutcome, _ frame: Int) {
                if outcome == .committed { commits[frame] += 1 }
            }
            var steps = 0
            while !t.isComplete {
                steps += 1
                XCTAssertLessThan(steps, 100_000, "seed \(seed) does not converge")
                if steps > 100_000 { break }
                let worker = workers[Int.random(in: 0..<workers.count, using: &rng)]
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<25:
                    if let lease = t.assign(worker: worker, now: clock.now) { granted.append(lease) }
                case 25..<65:
                    // A result, sometimes from an ended lease.
                    let pool = Bool.random(using: &rng) ? granted : t.leases.values.sorted { $0.id < $1.id }
                    guard let lease = pool.randomElement(using: &rng),
                        let frame = lease.frames.randomElement(using: &rng)
                    else { continue }
                    let live = t.leases[lease.id] != nil
                    let outcome = t.complete(leaseID: lease.id, frame: frame, now: clock.now)
                    if !live { XCTAssertEqual(outcome, .rejected(.staleLease)) }
                    record(outcome, frame)
                case 65..<72:
                    if let lease = t.leases(of: worker).first { _ = t.shardDone(leaseID: lease.id, now: clock.now) }
                case 72..<76:
                    if let lease = t.leases(of: worker).first {
                        _ = t.fail(leaseID: lease.id, frame: nil, message: "random", now: clock.now)
                    }
                case 76..<78:
                    _ = t.workerDisconnected(worker, now: clock.now)
                case 78..<90:
                    for lease in t.leases(of: worker) { _ = t.heartbeat(leaseID: lease.id, now: clock.now) }
                default:
                    clock.advance(Double.random(in: 0...4, using: &rng))
                    for event in t.tick(now: clock.now) {
                        if case .leaseExpired(let lease) = event { endedLeases.append(lease.id) }
                    }
                }
                // isFinished is a counter kept by the transitions: it must agree with the shards.
                let scanned = t.shards.allSatisfy {
                    switch $0.state {
                    case .done, .failed: return true
                    case .queued, .leased: return false
                    }
                }
                XCTAssertEqual(t.isFinished, scanned, "seed \(seed), step \(steps)")
            }
            XCTAssertEqual(commits, Array(repeating: 1, count: 97), "seed \(seed)")
            XCTAssertEqual(t.committedCount, 97)
            XCTAssertFalse(endedLeases.isEmpty, "seed \(seed): the run exercised expiry")
        }
    }
}

private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

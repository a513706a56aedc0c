import FarmProtocol
import SceneCore
import XCTest

@testable import Worker

/// The worker's session logic without sockets, threads or clocks.
final class WorkerSessionStateTests: XCTestCase {
    private let token = try! FarmToken(bytes: Array("farm-secret".utf8))
    private let nonce = [UInt8](repeating: 7, count: FarmProtocol.nonceSize)

    private func established() -> WorkerSessionState {
        var state = WorkerSessionState(
            workerID: "w", capabilities: WorkerCapabilities(renderer: "probe", cores: 2), token: token)
        _ = state.start()
        _ = state.receive(.challenge(nonce: nonce))
        XCTAssertEqual(state.receive(.welcome), [.established])
        return state
    }

    private func ticket(_ jobID: String = "j", frameCount: Int = 16) -> JobTicket {
        JobTicket(
            jobID: jobID, scene: SceneBundle(yaml: testSceneYAML, file: "scene.yaml"),
            sceneDigest: FarmAuthentication.sceneDigest(SceneBundle(yaml: testSceneYAML, file: "scene.yaml")),
            seed: 11, frameCount: frameCount, options: JobOptions())
    }

    /// An established session holding lease 1 on frames of job "j".
    private func holding(_ frames: [Int]) -> WorkerSessionState {
        var state = established()
        _ = state.receive(jobMessage("j", seed: 11))
        _ = state.receive(.assignment(leaseID: 1, jobID: "j", frames: frames, deadlineSeconds: 30))
        return state
    }

    func testHandshakeSendsHelloAsAWorkerAndAuthenticates() {
        var state = WorkerSessionState(
            workerID: "w", capabilities: WorkerCapabilities(renderer: "probe", cores: 2, role: .client), token: token)
        XCTAssertEqual(
            state.start(),
            [
                .send(
                    .hello(
                        protocolVersion: FarmProtocol.version, workerID: "w",
                        capabilities: WorkerCapabilities(renderer: "probe", cores: 2, role: .worker)))
            ])
        let code = FarmAuthentication.authenticationCode(token: token, nonce: nonce)
        XCTAssertEqual(state.receive(.challenge(nonce: nonce)), [.send(.authenticate(hmac: code))])
        XCTAssertFalse(state.isEstablished)
        XCTAssertEqual(state.receive(.welcome), [.established])
        XCTAssertTrue(state.isEstablished)
    }

    func testRefusalEndsTheSessionWithTheReason() {
        var state = WorkerSessionState(
            workerID: "w", capabilities: WorkerCapabilities(renderer: "probe", cores: 2), token: token)
        _ = state.start()
        XCTAssertEqual(
            state.receive(.refuse(reason: "authentication failed")), [.close(.refused(reason: "authentication failed"))]
        )
        XCTAssertEqual(state.end, .refused(reason: "authentication failed"))
        XCTAssertEqual(state.receive(.welcome), [])
        XCTAssertEqual(state.connectionClosed(), .refused(reason: "authentication failed"))
    }

    /// A TLS failure that retrying cannot mend ends the session at once, whatever it held, with its
    /// own end (the worker command exits on it); later errors do not replace the first.
    func testATLSFailureEndsTheSessionWithItsOwnEnd() {
        var state = holding([0, 1])
        XCTAssertEqual(state.tlsFailed("not trusted"), [.abort(.tlsFailed(reason: "not trusted"))])
        XCTAssertFalse(state.holds(1))
        XCTAssertEqual(state.connectionError("EOF during handshake"), [])
        XCTAssertEqual(state.tlsFailed("again"), [])
        XCTAssertEqual(state.connectionClosed(), .tlsFailed(reason: "not trusted"))
    }

    func testAnAssignmentIsHeldRenderedAndHeartbeatedEveryThirdOfItsDeadline() {
        var state = established()
        XCTAssertEqual(state.receive(jobMessage("j", seed: 11)), [])
        XCTAssertEqual(
            state.receive(.assignment(leaseID: 1, jobID: "j", frames: [4, 2], deadlineSeconds: 30)),
            [
                .startHeartbeat(leaseID: 1, interval: 10),
                .render(LeaseOrder(leaseID: 1, job: ticket(), frames: [4, 2])),
            ])
        XCTAssertTrue(state.holds(1))
        XCTAssertEqual(
            state.receive(.assignment(leaseID: 2, jobID: "j", frames: [5], deadlineSeconds: 0)).first,
            .startHeartbeat(leaseID: 2, interval: 0.2), "never more often than every 0.2 s")
    }

    func testShardDoneFollowsTheLastFrameSent() {
        var state = holding([4, 2])
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 2), [])
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 4), [.send(.shardDone(leaseID: 1)), .release(leaseID: 1)])
        XCTAssertFalse(state.holds(1))
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 4), [])
    }

    func testAFailedFrameFailsTheLeaseOnce() {
        var state = holding([0, 1, 2])
        XCTAssertEqual(
            state.leaseFailed(leaseID: 1, frame: 1, message: "frame 1, render: boom"),
            [
                .send(.failure(leaseID: 1, frame: 1, message: "frame 1, render: boom")), .release(leaseID: 1),
                .log("lease 1 failed at frame 1: frame 1, render: boom"),
            ])
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 0), [], "nothing more for a failed lease")
        XCTAssertEqual(state.leaseFailed(leaseID: 1, frame: 2, message: "again"), [])
    }

    func testARevokedLeaseIsReleasedSilently() {
        var state = holding([0, 1])
        XCTAssertEqual(
            state.receive(.failure(leaseID: 1, frame: nil, message: "expired")),
            [.release(leaseID: 1), .log("lease 1 revoked by the coordinator: expired")])
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 0), [])
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 1), [])
        XCTAssertEqual(state.receive(.failure(leaseID: 99, frame: nil, message: "unknown")), [])
    }

    func testAssignmentsThatCannotBeRenderedFailAtOnce() {
        var state = established()
        XCTAssertEqual(
            state.receive(.assignment(leaseID: 1, jobID: "nope", frames: [0], deadlineSeconds: 30)),
            [
                .send(
                    .failure(
                        leaseID: 1, frame: nil, message: "no job 'nope' was sent on this connection before lease 1"))
            ])
        _ = state.receive(jobMessage("j", frameCount: 4))
        XCTAssertEqual(
            state.receive(.assignment(leaseID: 2, jobID: "j", frames: [3, 4], deadlineSeconds: 30)),
            [.send(.failure(leaseID: 2, frame: nil, message: "frame 4 is outside job 'j' (frames 0..<4)"))])
        XCTAssertEqual(
            state.receive(.assignment(leaseID: 3, jobID: "j", frames: [], deadlineSeconds: 30)),
            [.send(.shardDone(leaseID: 3))])
        XCTAssertTrue(state.leases.isEmpty)
        _ = state.receive(.assignment(leaseID: 4, jobID: "j", frames: [0], deadlineSeconds: 30))
        XCTAssertEqual(
            state.receive(.assignment(leaseID: 4, jobID: "j", frames: [1], deadlineSeconds: 30)),
            [.log("ignoring a second assignment of lease 4, which is being rendered")])
    }

    func testStopDrainsAndClosesOnceTheLastLeaseIsDone() {
        var state = holding([0])
        XCTAssertEqual(state.stop(), [.send(.drain), .log("stopping: finishing 1 held lease(s)")])
        XCTAssertEqual(state.stop(), [], "one drain")
        XCTAssertEqual(
            state.frameSent(leaseID: 1, frame: 0),
            [.send(.shardDone(leaseID: 1)), .release(leaseID: 1), .close(.stopped)])
        XCTAssertEqual(state.end, .stopped)
    }

    func testStopWhenIdleClosesAtOnceAndBeforeTheWelcomeAborts() {
        var idle = established()
        XCTAssertEqual(idle.stop(), [.send(.drain), .log("stopping: finishing 0 held lease(s)"), .close(.stopped)])

        var handshaking = WorkerSessionState(
            workerID: "w", capabilities: WorkerCapabilities(renderer: "probe", cores: 2), token: token)
        _ = handshaking.start()
        XCTAssertEqual(handshaking.stop(), [.abort(.stopped)])
    }

    func testAbandonClosesNowWhateverIsHeld() {
        var state = holding([0, 1])
        _ = state.stop()
        XCTAssertEqual(state.abandon(), [.log("abandoning 1 held lease(s)"), .abort(.stopped)])
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 0), [])
        XCTAssertEqual(state.connectionClosed(), .stopped)
    }

    func testCoordinatorDrainClosesWhenTheHeldLeasesAreDone() {
        var state = holding([0])
        XCTAssertEqual(state.receive(.drain), [.log("the coordinator is draining; finishing 1 held lease(s)")])
        XCTAssertEqual(
            state.frameSent(leaseID: 1, frame: 0),
            [.send(.shardDone(leaseID: 1)), .release(leaseID: 1), .close(.coordinatorDrained)])

        var idle = established()
        XCTAssertEqual(
            idle.receive(.drain),
            [.log("the coordinator is draining; finishing 0 held lease(s)"), .close(.coordinatorDrained)])
    }

    func testMessagesAWorkerNeverGetsAreProtocolErrors() {
        var state = holding([0])
        XCTAssertEqual(
            state.receive(.heartbeat(leaseID: 1)),
            [.abort(.failed(reason: "unexpected heartbeat from the coordinator"))])
        XCTAssertFalse(state.holds(1))
        var early = WorkerSessionState(
            workerID: "w", capabilities: WorkerCapabilities(renderer: "probe", cores: 2), token: token)
        _ = early.start()
        XCTAssertEqual(
            early.receive(.assignment(leaseID: 1, jobID: "j", frames: [0], deadlineSeconds: 1)),
            [.abort(.failed(reason: "unexpected assignment while waiting for challenge"))])
    }

    func testALostConnectionEndsTheSessionAndAHandshakeThatTakesTooLongFails() {
        var state = holding([0])
        XCTAssertEqual(state.connectionClosed(), .connectionLost)
        XCTAssertEqual(state.frameSent(leaseID: 1, frame: 0), [])

        var slow = WorkerSessionState(
            workerID: "w", capabilities: WorkerCapabilities(renderer: "probe", cores: 2), token: token)
        _ = slow.start()
        XCTAssertEqual(
            slow.handshakeTimedOut(after: 10),
            [.abort(.failed(reason: "the coordinator did not finish the handshake within 10.0 s"))])
        var fast = established()
        XCTAssertEqual(fast.handshakeTimedOut(after: 10), [])
    }
}

/// The render thread's queue of leased frames.
final class LeaseWorkQueueTests: XCTestCase {
    private func order(
        _ leaseID: UInt64, _ frames: [Int], yaml: String = testSceneYAML, seed: UInt64 = 11
    )
        -> LeaseOrder
    {
        LeaseOrder(
            leaseID: leaseID,
            job: JobTicket(
                jobID: "j\(leaseID)", scene: SceneBundle(yaml: yaml, file: "scene.yaml"),
                sceneDigest: FarmAuthentication.sceneDigest(SceneBundle(yaml: yaml, file: "scene.yaml")),
                seed: seed, frameCount: 16, options: JobOptions()),
            frames: frames)
    }

    private func drain(_ queue: LeaseWorkQueue, failures: inout [String]) -> [String] {
        var taken: [String] = []
        while let work = queue.next(wait: false, sceneFailed: { failures.append("\($0.leaseID): \($1)") }) {
            taken.append("\(work.tag.leaseID):\(work.index)")
        }
        return taken
    }

    func testLeasesComeOutInOrderFrameByFrameAndWithdrawnOnesDoNot() throws {
        let queue = LeaseWorkQueue(scenes: SceneCache())
        queue.add(LeaseTag(session: 1, leaseID: 1), order(1, [3, 1]))
        queue.add(LeaseTag(session: 1, leaseID: 2), order(2, [7]))
        queue.add(LeaseTag(session: 1, leaseID: 3), order(3, [0, 2]))
        queue.add(LeaseTag(session: 2, leaseID: 1), order(1, [9]))
        queue.withdraw(LeaseTag(session: 1, leaseID: 2))
        XCTAssertEqual(queue.queuedFrames, 5)
        var failures: [String] = []
        let first = try XCTUnwrap(queue.next(wait: false, sceneFailed: { _, _ in }))
        XCTAssertEqual(first.profile, JobOptions())
        let scene = try SceneLoader.load(yaml: testSceneYAML, file: "t")
        XCTAssertEqual(try first.spec(), try scene.frame(3, seed: 11))
        queue.withdrawAll(session: 2)
        XCTAssertEqual(drain(queue, failures: &failures), ["1:1", "3:0", "3:2"])
        XCTAssertEqual(failures, [])
    }

    func testASceneIsParsedOnceAndABadOneFailsItsLeasesWithTheLoadersText() {
        let scenes = SceneCache()
        let queue = LeaseWorkQueue(scenes: scenes)
        let bad = "format: 1\nclasses: 3\n"
        queue.add(LeaseTag(session: 1, leaseID: 1), order(1, [0]))
        queue.add(LeaseTag(session: 1, leaseID: 2), order(2, [1], yaml: bad))
        queue.add(LeaseTag(session: 1, leaseID: 3), order(3, [2]))
        var failures: [String] = []
        XCTAssertEqual(drain(queue, failures: &failures), ["1:0", "3:2"])
        XCTAssertEqual(failures.count, 1)
        XCTAssertTrue(failures.first?.hasPrefix("2: job j2 (scene.yaml):") ?? false, "\(failures)")
        XCTAssertEqual(
            scenes.digests, [FarmAuthentication.sceneDigest(SceneBundle(yaml: testSceneYAML, file: "scene.yaml"))],
            "parsed once")
    }

    func testAClosedQueueEndsTheWaitingRenderThread() {
        let queue = LeaseWorkQueue(scenes: SceneCache())
        let ended = expectation(description: "next(wait: true) returns nil")
        Thread {
            if queue.next(wait: true, sceneFailed: { _, _ in }) == nil { ended.fulfill() }
        }.start()
        queue.close()
        wait(for: [ended], timeout: 10)
    }
}

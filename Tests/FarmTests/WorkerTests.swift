import Export
import FarmProtocol
import Foundation
import SceneCore
import Worker
import XCTest

/// A `FarmWorker` against `FakeCoordinator` over real loopback sockets, rendering with
/// `ProbeRenderer` (no GL).
final class WorkerTests: XCTestCase {
    private var token: FarmToken!
    private var probe: RendererProbe!
    private var logs: LogRecorder!
    private var coordinators: [FakeCoordinator] = []
    private var workers: [BackgroundWorker] = []

    override func setUpWithError() throws {
        token = try FarmToken(bytes: Array("farm-secret".utf8))
        probe = RendererProbe()
        logs = LogRecorder()
    }

    override func tearDown() {
        probe.open()
        for background in workers {
            background.worker.stop()
            background.worker.stop()
            _ = try? background.waitForReturn()
        }
        for coordinator in coordinators { coordinator.close() }
        workers = []
        coordinators = []
    }

    private func startCoordinator(port: Int = 0) throws -> FakeCoordinator {
        let coordinator = try FakeCoordinator(token: token, port: port)
        coordinators.append(coordinator)
        return coordinator
    }

    private func configuration(port: Int, token: FarmToken? = nil) -> WorkerConfiguration {
        let probe = probe!, logs = logs!
        var configuration = WorkerConfiguration(
            host: "127.0.0.1", port: port, token: token ?? self.token, workerID: "test-worker",
            capabilities: WorkerCapabilities(renderer: "probe", gpuName: nil, cores: 2), encoderThreads: 2,
            makeRenderer: { probe.make($0) }, log: { logs.log($0) })
        configuration.initialBackoff = 0.02
        configuration.maxBackoff = 0.2
        return configuration
    }

    @discardableResult
    private func startWorker(_ configuration: WorkerConfiguration) -> BackgroundWorker {
        let background = BackgroundWorker(FarmWorker(configuration: configuration))
        workers.append(background)
        return background
    }

    // MARK: sessions

    func testOneAssignmentStreamsEveryFrameAsInProcessThenShardDone() throws {
        let coordinator = try startCoordinator()
        let background = startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        XCTAssertEqual(connection.workerID, "test-worker")
        XCTAssertEqual(connection.capabilities, WorkerCapabilities(renderer: "probe", cores: 2, role: .worker))

        try connection.send(jobMessage(seed: 11))
        try connection.send(.assignment(leaseID: 7, jobID: "job-1", frames: [3, 4, 5, 6], deadlineSeconds: 30))
        let received = try connection.waitFor(.shardDone(leaseID: 7))

        let results = frameResults(received, lease: 7)
        XCTAssertEqual(results.map(\.frame).sorted(), [3, 4, 5, 6])
        let reference = try referenceFiles(seed: 11, frames: [3, 4, 5, 6])
        for (frame, files) in results {
            let expected = try XCTUnwrap(reference[frame])
            XCTAssertEqual(files.map(\.path), expected.map(\.relativePath), "frame \(frame)")
            XCTAssertEqual(files.map(\.bytes), expected.map(\.bytes), "frame \(frame)")
            XCTAssertTrue(files.allSatisfy(\.digestMatches), "frame \(frame)")
        }
        XCTAssertEqual(files(of: received, lease: 7, frame: 5).first?.path, "rgb/000005.png")
        // shardDone follows every result of its lease.
        let done = try XCTUnwrap(received.firstIndex(of: .shardDone(leaseID: 7)))
        let lastResult = try XCTUnwrap(received.lastIndex { if case .frameResult = $0 { true } else { false } })
        XCTAssertLessThan(lastResult, done)
        XCTAssertFalse(received.contains { if case .failure = $0 { true } else { false } }, summary(received))
        XCTAssertEqual(background.worker.framesSent, 4)
    }

    func testHeartbeatsFlowWhileALeaseRenders() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        probe.hold(on: 0)
        try connection.send(jobMessage())
        // deadline 1 s: a heartbeat every 0.33 s.
        try connection.send(.assignment(leaseID: 3, jobID: "job-1", frames: [0, 1], deadlineSeconds: 1))
        try probe.waitUntilHeld()
        try connection.waitUntil("two heartbeats") { $0.filter { $0 == .heartbeat(leaseID: 3) }.count >= 2 }
        XCTAssertTrue(frameResults(connection.received, lease: 3).isEmpty)
        probe.open()
        try connection.waitFor(.shardDone(leaseID: 3))
    }

    func testTwoLeasesRenderInOrderWithOneRenderer() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 1, jobID: "job-1", frames: [0, 1, 2], deadlineSeconds: 30))
        try connection.send(.assignment(leaseID: 2, jobID: "job-1", frames: [5, 4, 3], deadlineSeconds: 30))
        let received = try connection.waitUntil("both shards done") {
            $0.contains(.shardDone(leaseID: 1)) && $0.contains(.shardDone(leaseID: 2))
        }
        XCTAssertEqual(frameResults(received, lease: 1).map(\.frame).sorted(), [0, 1, 2])
        XCTAssertEqual(frameResults(received, lease: 2).map(\.frame).sorted(), [3, 4, 5])
        XCTAssertEqual(probe.submitted, [0, 1, 2, 5, 4, 3], "frames render in the listed order, lease after lease")
        XCTAssertEqual(probe.creations.count, 1)
    }

    func testRendererIsMadeOnceAcrossLeasesAndJobsAndAgainForOtherOptions() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        try connection.send(jobMessage("a", seed: 1))
        try connection.send(jobMessage("b", seed: 2))
        try connection.send(.assignment(leaseID: 1, jobID: "a", frames: [0, 1], deadlineSeconds: 30))
        try connection.send(.assignment(leaseID: 2, jobID: "b", frames: [0, 1], deadlineSeconds: 30))
        try connection.waitFor(.shardDone(leaseID: 1))
        try connection.waitFor(.shardDone(leaseID: 2))
        try connection.send(.assignment(leaseID: 3, jobID: "a", frames: [2], deadlineSeconds: 30))
        try connection.waitFor(.shardDone(leaseID: 3))
        XCTAssertEqual(probe.creations, [JobOptions(computesCoverage: true)])

        try connection.send(jobMessage("c", seed: 3, options: JobOptions(computesCoverage: false)))
        try connection.send(.assignment(leaseID: 4, jobID: "c", frames: [0], deadlineSeconds: 30))
        try connection.waitFor(.shardDone(leaseID: 4))
        XCTAssertEqual(probe.creations, [JobOptions(computesCoverage: true), JobOptions(computesCoverage: false)])
        // Each job renders with its own seed.
        let received = connection.received
        let a = try referenceFiles(seed: 1, frames: [0]), b = try referenceFiles(seed: 2, frames: [0])
        XCTAssertNotEqual(a[0]?.map(\.bytes), b[0]?.map(\.bytes), "the seed should move the crates")
        XCTAssertEqual(files(of: received, lease: 1, frame: 0).map(\.bytes), a[0]?.map(\.bytes))
        XCTAssertEqual(files(of: received, lease: 2, frame: 0).map(\.bytes), b[0]?.map(\.bytes))
    }

    /// A coordinator that stops reading stalls the worker's writes, and that stalls rendering: the
    /// worker holds a bounded number of frames instead of rendering the whole lease into memory.
    func testASocketThatStopsTakingFramesStopsTheRenderer() throws {
        // 512x512 noise: ~0.8 MB per frame, 40 frames, far more than the socket buffers hold.
        let yaml = testSceneYAML.replacingOccurrences(of: "resolution: [48, 32]", with: "resolution: [512, 512]")
        let frames = Array(0..<40)
        probe.makeNoisy()
        let coordinator = try startCoordinator()
        var configuration = configuration(port: coordinator.port)
        configuration.encoderThreads = 1
        configuration.queueCapacity = 1
        startWorker(configuration)
        let connection = try coordinator.connection()
        try connection.pauseReading()
        try connection.send(jobMessage(yaml: yaml, frameCount: 40))
        try connection.send(.assignment(leaseID: 1, jobID: "job-1", frames: frames, deadlineSeconds: 60))

        // Wait until rendering stops advancing (the hang guard bounds the wait).
        var last = -1
        let deadline = Date(timeIntervalSinceNow: 60)
        while probe.submitted.count != last && Date() < deadline {
            last = probe.submitted.count
            Thread.sleep(forTimeInterval: 0.5)
        }
        XCTAssertGreaterThan(last, 0)
        XCTAssertLessThan(last, frames.count, "the worker rendered on while nothing could be sent")

        try connection.resumeReading()
        let received = try connection.waitFor(.shardDone(leaseID: 1), timeout: 60)
        XCTAssertEqual(frameResults(received, lease: 1).map(\.frame).sorted(), frames)
    }

    // MARK: failures

    func testRevokedLeaseStopsRenderingAndSendsNothingMore() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        probe.hold(on: 0)
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 1, jobID: "job-1", frames: [0, 1, 2, 3, 4, 5], deadlineSeconds: 30))
        try probe.waitUntilHeld()
        try connection.send(.failure(leaseID: 1, frame: nil, message: "lease expired"))
        try logs.waitFor("lease 1 revoked by the coordinator: lease expired")
        try connection.send(.assignment(leaseID: 2, jobID: "job-1", frames: [10, 11], deadlineSeconds: 30))
        probe.open()
        let received = try connection.waitFor(.shardDone(leaseID: 2))

        XCTAssertEqual(probe.submitted, [0, 10, 11], "frames 1-5 of the revoked lease are never rendered")
        XCTAssertTrue(frameResults(received, lease: 1).isEmpty, summary(received))
        XCTAssertFalse(received.contains(.shardDone(leaseID: 1)))
        XCTAssertFalse(received.contains { if case .failure(1, _, _) = $0 { true } else { false } })
        XCTAssertEqual(frameResults(received, lease: 2).map(\.frame).sorted(), [10, 11])
    }

    func testRenderErrorFailsTheFrameAbandonsTheLeaseAndRemakesTheRenderer() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        probe.fail(on: 2)
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 1, jobID: "job-1", frames: [0, 1, 2, 3, 4], deadlineSeconds: 30))
        let received = try connection.waitUntil("a failure for frame 2") {
            $0.contains { if case .failure(1, 2, _) = $0 { true } else { false } }
        }
        guard
            case .failure(_, _, let message)? = received.first(where: { if case .failure = $0 { true } else { false } })
        else { return XCTFail("no failure") }
        XCTAssertEqual(message, "frame 2, render: synthetic failure")

        try connection.send(.assignment(leaseID: 2, jobID: "job-1", frames: [5, 6], deadlineSeconds: 30))
        let after = try connection.waitFor(.shardDone(leaseID: 2))
        XCTAssertFalse(after.contains(.shardDone(leaseID: 1)))
        XCTAssertFalse(probe.submitted.contains(3), "the rest of a failed lease is abandoned")
        XCTAssertFalse(probe.submitted.contains(4), "the rest of a failed lease is abandoned")
        XCTAssertEqual(probe.creations.count, 2, "the renderer is made again after it failed")
        try logs.waitFor("lease 1 failed at frame 2")
    }

    func testSceneThatDoesNotLoadFailsEachLeaseWithTheLoadersText() throws {
        let badYAML = "format: 1\nclasses: 3\n"
        let loaderText: String
        do {
            _ = try SceneLoader.load(yaml: badYAML, file: "job bad (scene.yaml)")
            return XCTFail("the scene should not load")
        } catch {
            loaderText = "\(error)"
        }
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        try connection.send(jobMessage("bad", yaml: badYAML))
        try connection.send(.assignment(leaseID: 1, jobID: "bad", frames: [0, 1], deadlineSeconds: 30))
        try connection.send(.assignment(leaseID: 2, jobID: "bad", frames: [2], deadlineSeconds: 30))
        try connection.send(jobMessage("good"))
        try connection.send(.assignment(leaseID: 3, jobID: "good", frames: [0], deadlineSeconds: 30))
        let received = try connection.waitFor(.shardDone(leaseID: 3))
        XCTAssertTrue(received.contains(.failure(leaseID: 1, frame: nil, message: loaderText)), summary(received))
        XCTAssertTrue(received.contains(.failure(leaseID: 2, frame: nil, message: loaderText)), summary(received))
        XCTAssertEqual(probe.submitted, [0])
    }

    func testSceneWhoseDigestDoesNotMatchIsRefused() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        let wrongDigest = FarmAuthentication.sha256Hex("another scene".utf8)
        try connection.send(
            .job(
                jobID: "j", scene: SceneBundle(yaml: testSceneYAML, file: "scene.yaml"), sceneDigest: wrongDigest,
                seed: 1, frameCount: 16,
                options: JobOptions()))
        try connection.send(.assignment(leaseID: 1, jobID: "j", frames: [0], deadlineSeconds: 30))
        let received = try connection.waitUntil("a failure") {
            $0.contains { if case .failure(1, nil, _) = $0 { true } else { false } }
        }
        guard case .failure(_, _, let message)? = received.first else { return XCTFail(summary(received)) }
        XCTAssertTrue(message.contains("does not match its digest"), message)
        XCTAssertTrue(message.contains(wrongDigest), message)
        XCTAssertTrue(probe.submitted.isEmpty)
    }

    func testAssignmentOfAJobNeverSentFailsTheLease() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        try connection.send(.assignment(leaseID: 9, jobID: "ghost", frames: [0], deadlineSeconds: 30))
        try connection.waitFor(
            .failure(leaseID: 9, frame: nil, message: "no job 'ghost' was sent on this connection before lease 9"))
    }

    // MARK: refusal

    func testWrongTokenIsRefusedAndRunThrowsTheReasonWithExitOnRefusal() throws {
        let coordinator = try startCoordinator()
        var configuration = configuration(port: coordinator.port, token: try FarmToken(bytes: Array("wrong".utf8)))
        configuration.exitOnRefusal = true
        let background = startWorker(configuration)
        let error = try background.waitForReturn()
        XCTAssertEqual(error as? WorkerError, .refused(reason: "authentication failed"))
        XCTAssertTrue("\(error!)".contains("authentication failed"), "\(error!)")
        XCTAssertEqual(coordinator.refusedReasons, ["authentication failed"])
        XCTAssertEqual(coordinator.acceptedCount, 0)
    }

    func testRefusalWithoutExitIsLoggedAndRetriedUntilStopped() throws {
        let coordinator = try startCoordinator()
        let background = startWorker(
            configuration(port: coordinator.port, token: try FarmToken(bytes: Array("wrong".utf8))))
        try coordinator.waitForRefusals(2)
        try logs.waitFor("refused this worker: authentication failed")
        background.worker.stop()
        XCTAssertNil(try background.waitForReturn())
    }

    // MARK: reconnection and shutdown

    func testReconnectsToARestartedCoordinatorOnTheSamePortAndCarriesOn() throws {
        let first = try startCoordinator()
        let port = first.port
        startWorker(configuration(port: port))
        let old = try first.connection()
        probe.hold(on: 1)
        try old.send(jobMessage())
        try old.send(.assignment(leaseID: 1, jobID: "job-1", frames: [0, 1, 2, 3], deadlineSeconds: 30))
        try probe.waitUntilHeld()
        first.close()
        try logs.waitFor("lost the connection to 127.0.0.1:\(port)")

        let second = try startCoordinator(port: port)
        let new = try second.connection()
        probe.open()
        // A restarted coordinator counts leases from 1 again: nothing of the old lease 1 may come
        // under the new one.
        try new.send(jobMessage(seed: 5))
        try new.send(.assignment(leaseID: 1, jobID: "job-1", frames: [2, 3], deadlineSeconds: 30))
        let received = try new.waitFor(.shardDone(leaseID: 1))
        let results = frameResults(received, lease: 1)
        XCTAssertEqual(results.map(\.frame).sorted(), [2, 3], summary(received))
        let reference = try referenceFiles(seed: 5, frames: [2, 3])
        for (frame, files) in results {
            XCTAssertEqual(files.map(\.bytes), reference[frame]?.map(\.bytes), "frame \(frame)")
        }
        XCTAssertEqual(probe.creations.count, 1, "the renderer outlives the connection")
    }

    func testCoordinatorDrainFinishesHeldLeasesThenReconnects() throws {
        let coordinator = try startCoordinator()
        startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        probe.hold(on: 0)
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 1, jobID: "job-1", frames: [0, 1], deadlineSeconds: 30))
        try probe.waitUntilHeld()
        try connection.send(.drain)
        try logs.waitFor("the coordinator is draining")
        probe.open()
        try connection.waitFor(.shardDone(leaseID: 1))
        try connection.waitForClose()
        XCTAssertEqual(frameResults(connection.received, lease: 1).map(\.frame).sorted(), [0, 1])
        let again = try coordinator.connection(1)
        XCTAssertEqual(again.workerID, "test-worker")
    }

    func testStopSendsDrainFinishesTheLeaseAndReturns() throws {
        let coordinator = try startCoordinator()
        let background = startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        probe.hold(on: 1)
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 4, jobID: "job-1", frames: [0, 1, 2], deadlineSeconds: 30))
        try probe.waitUntilHeld()
        background.worker.stop()
        try connection.waitFor(.drain)
        XCTAssertFalse(background.hasReturned, "run() waits for the held lease")
        probe.open()
        XCTAssertNil(try background.waitForReturn())
        let received = connection.received
        XCTAssertEqual(frameResults(received, lease: 4).map(\.frame).sorted(), [0, 1, 2])
        let drain = try XCTUnwrap(received.firstIndex(of: .drain))
        XCTAssertEqual(received.last, .shardDone(leaseID: 4), summary(received))
        XCTAssertLessThan(drain, received.count - 1)
        try connection.waitForClose()
        XCTAssertEqual(coordinator.acceptedCount, 1, "a stopped worker does not reconnect")
    }

    func testSecondStopAbandonsHeldLeases() throws {
        let coordinator = try startCoordinator()
        let background = startWorker(configuration(port: coordinator.port))
        let connection = try coordinator.connection()
        probe.hold(on: 0)
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 4, jobID: "job-1", frames: [0, 1], deadlineSeconds: 30))
        try probe.waitUntilHeld()
        background.worker.stop()
        try connection.waitFor(.drain)
        background.worker.stop()
        try connection.waitForClose()
        probe.open()
        XCTAssertNil(try background.waitForReturn())
        XCTAssertFalse(connection.received.contains(.shardDone(leaseID: 4)))
    }

    func testStopAbandonsLeasesStillRunningAfterTheGracePeriod() throws {
        let coordinator = try startCoordinator()
        var configuration = configuration(port: coordinator.port)
        configuration.shutdownGracePeriod = 0.3
        let background = startWorker(configuration)
        let connection = try coordinator.connection()
        probe.hold(on: 0)
        try connection.send(jobMessage())
        try connection.send(.assignment(leaseID: 4, jobID: "job-1", frames: [0, 1], deadlineSeconds: 30))
        try probe.waitUntilHeld()
        background.worker.stop()
        try connection.waitForClose()
        try logs.waitFor("abandoning 1 held lease(s)")
        probe.open()
        XCTAssertNil(try background.waitForReturn())
        XCTAssertEqual(connection.received.filter { $0 != .heartbeat(leaseID: 4) }, [.drain])
    }

    func testStopWhileTheCoordinatorIsAwayReturns() throws {
        // A port with nothing listening: bind one, note it, close it.
        let gone = try FakeCoordinator(token: token)
        let port = gone.port
        gone.close()
        let background = startWorker(configuration(port: port))
        try logs.waitFor("cannot connect to 127.0.0.1:\(port) (attempt 2)")
        background.worker.stop()
        XCTAssertNil(try background.waitForReturn())
    }

    private func files(of messages: [FarmMessage], lease: UInt64, frame: Int) -> [FileBlob] {
        frameResults(messages, lease: lease).first { $0.frame == frame }?.files ?? []
    }
}

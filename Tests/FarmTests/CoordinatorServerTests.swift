import Coordinator
import Export
import FarmProtocol
import Foundation
import NIOCore
import NIOPosix
import SceneCore
import Worker
import XCTest

/// The real coordinator (journal, sink, server) on loopback, driven by hand-written workers that
/// misbehave on purpose, and by real `FarmWorker`s with the probe renderer (no GL).
final class CoordinatorServerTests: XCTestCase {
    var root: String!
    var group: MultiThreadedEventLoopGroup!
    var coordinator: FarmCoordinator!
    var server: CoordinatorServer!
    let token = try! FarmToken(bytes: Array("coordinator-test-token".utf8))
    let log = LogRecorder()

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "/scenefarm-coordinator-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        try start(leaseSeconds: 1)
    }

    override func tearDownWithError() throws {
        server?.close()
        coordinator?.shutdown()
        try group.syncShutdownGracefully()
        try? FileManager.default.removeItem(atPath: root)
    }

    func start(leaseSeconds: Double) throws {
        let log = self.log
        coordinator = try FarmCoordinator(
            configuration: CoordinatorConfiguration(
                root: root, token: token,
                lease: LeaseConfiguration(shardSize: 4, leaseDuration: leaseSeconds, workerFailureLimit: 100),
                commitThreads: 2, tickInterval: 0.05, log: { log.log($0) }))
        let coordinator = coordinator!
        server = try CoordinatorServer(
            coordinator: coordinator, host: "127.0.0.1", port: 0, group: group, status: { coordinator.status().json() })
    }

    func submit(frames: Int = 8) throws {
        _ = try coordinator.submit(
            JobRequest(
                name: "job", sceneFile: "test.yaml", scene: SceneBundle(yaml: testSceneYAML, file: "scene.yaml"),
                frames: frames, seed: 11))
    }

    var dataset: String { root + "/job" }

    func rgbExists(_ frame: Int) -> Bool {
        FileManager.default.fileExists(atPath: dataset + "/" + DatasetFile.rgb.relativePath(frame: frame))
    }

    func blobs(_ frame: Int, _ reference: [Int: [EncodedFile]]) -> [FileBlob] {
        (reference[frame] ?? []).map { FileBlob(path: $0.relativePath, bytes: $0.bytes) }
    }

    func waitUntil(_ what: String, timeout: Double = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTFail("timed out waiting until \(what); log:\n\(log.lines.joined(separator: "\n"))")
        throw FakeCoordinatorTimeout(what: what)
    }

    /// A worker whose lease expires (no heartbeat) is revoked; its late result is refused and
    /// writes nothing; a real worker then finishes the job with the right bytes.
    func testAResultUnderAnExpiredLeaseIsFencedOff() throws {
        let reference = try referenceFiles(seed: 11, frames: Array(0..<8))
        try submit()
        let slow = try ManualWorker(port: server.port, token: token, id: "slow")
        let assignment = try slow.waitForAssignment()
        XCTAssertEqual(assignment.frames, [0, 1, 2, 3])
        // No heartbeat: the coordinator revokes the lease after 1 s.
        try slow.waitFor("the revocation") { messages in
            messages.contains {
                if case .failure(assignment.leaseID, nil, _) = $0 { return true } else { return false }
            }
        }
        let frame = assignment.frames[0]
        try slow.send(
            .frameResult(
                leaseID: assignment.leaseID, frameIndex: frame, files: blobs(frame, reference), labelsJSON: nil))
        try waitUntil("the late result is counted as rejected") {
            coordinator.metrics.exposition().contains("scenefarm_results_rejected_total{reason=\"stale_lease\"} 1")
        }
        XCTAssertFalse(rgbExists(frame), "a fenced result must not be written")
        XCTAssertEqual(try coordinator.journal.committedCount(jobID: "job"), 0)
        slow.close()

        let worker = BackgroundWorker(FarmWorker(configuration: probeWorker("good")))
        defer {
            worker.worker.stop()
            _ = try? worker.waitForReturn()
        }
        try waitUntil("the job completes") { try coordinator.jobState("job") == .complete }
        for frame in 0..<8 {
            for file in reference[frame] ?? [] {
                XCTAssertEqual(
                    try Data(contentsOf: URL(fileURLWithPath: dataset + "/" + file.relativePath)), Data(file.bytes),
                    file.relativePath)
            }
        }
        XCTAssertEqual(try coordinator.journal.committedFrames(jobID: "job"), Array(0..<8))
    }

    /// The same frame sent twice commits once; a result under another connection's lease, or
    /// with the wrong files, is refused; nothing of them is written.
    func testDuplicatesAndForeignLeasesAreNoOps() throws {
        coordinator.shutdown()
        server.close()
        try start(leaseSeconds: 60)
        let reference = try referenceFiles(seed: 11, frames: Array(0..<8))
        try submit()
        let first = try ManualWorker(port: server.port, token: token, id: "first")
        let lease = try first.waitForAssignment()
        let frame = lease.frames[0]
        let files = blobs(frame, reference)
        try first.send(.frameResult(leaseID: lease.leaseID, frameIndex: frame, files: files, labelsJSON: nil))
        try first.send(.frameResult(leaseID: lease.leaseID, frameIndex: frame, files: files, labelsJSON: nil))
        try waitUntil("the duplicate is counted") {
            coordinator.metrics.exposition().contains("scenefarm_results_rejected_total{reason=\"duplicate\"} 1")
        }
        try waitUntil("the first copy is committed") { try coordinator.journal.committedCount(jobID: "job") == 1 }

        // Another connection using the first one's lease id.
        let thief = try ManualWorker(port: server.port, token: token, id: "thief")
        let second = lease.frames[1]
        try thief.send(
            .frameResult(leaseID: lease.leaseID, frameIndex: second, files: blobs(second, reference), labelsJSON: nil))
        try thief.waitFor("the revocation of the foreign lease") { messages in
            messages.contains { if case .failure(lease.leaseID, nil, _) = $0 { return true } else { return false } }
        }
        // The right lease, with a file too many.
        let third = lease.frames[2]
        let extra = blobs(third, reference) + [FileBlob(path: "rgb/evil.png", bytes: [1, 2, 3])]
        try first.send(.frameResult(leaseID: lease.leaseID, frameIndex: third, files: extra, labelsJSON: nil))
        try waitUntil("the invalid result is counted") {
            coordinator.metrics.exposition().contains("scenefarm_results_rejected_total{reason=\"invalid\"} 1")
        }
        XCTAssertFalse(rgbExists(second))
        XCTAssertFalse(rgbExists(third))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataset + "/rgb/evil.png"))
        XCTAssertEqual(try coordinator.journal.committedFrames(jobID: "job"), [frame])
        first.close()
        thief.close()
    }

    /// Three probe workers and one: the same dataset files; each frame in the journal once.
    func testOneAndThreeWorkersWriteIdenticalFiles() throws {
        func run(workers: Int) throws -> [String: Data] {
            try submit(frames: 16)
            let running = (0..<workers).map { BackgroundWorker(FarmWorker(configuration: probeWorker("w\($0)"))) }
            defer {
                running.forEach { $0.worker.stop() }
                running.forEach { _ = try? $0.waitForReturn() }
            }
            try waitUntil("the job completes with \(workers) workers") {
                try coordinator.jobState("job") == .complete && coordinator.isIdle
            }
            XCTAssertEqual(try coordinator.journal.committedFrames(jobID: "job"), Array(0..<16))
            var files: [String: Data] = [:]
            let enumerator = FileManager.default.enumerator(atPath: dataset)
            while let path = enumerator?.nextObject() as? String {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: dataset + "/" + path, isDirectory: &isDirectory),
                    !isDirectory.boolValue
                {
                    files[path] = try Data(contentsOf: URL(fileURLWithPath: dataset + "/" + path))
                }
            }
            return files
        }
        let one = try run(workers: 1)
        server.close()
        coordinator.shutdown()
        try FileManager.default.removeItem(atPath: root)
        try start(leaseSeconds: 30)
        let three = try run(workers: 3)
        XCTAssertEqual(one.count, 16 * 5 + 1)
        XCTAssertEqual(one, three)
    }

    func probeWorker(_ id: String) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            host: "127.0.0.1", port: server.port, token: token, workerID: id,
            capabilities: WorkerCapabilities(renderer: "probe", cores: 1), encoderThreads: 1,
            makeRenderer: { _ in ProbeRenderer() }, log: { _ in })
        configuration.initialBackoff = 0.05
        return configuration
    }
}

/// A worker written by hand: handshake, then whatever the test sends; records every message.
final class ManualWorker: @unchecked Sendable {
    private let channel: Channel
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let handler: Handler

    init(port: Int, token: FarmToken, id: String) throws {
        let handler = Handler(
            handshake: ClientHandshake(
                workerID: id, capabilities: WorkerCapabilities(renderer: "manual", cores: 1), token: token))
        self.handler = handler
        channel = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try FarmPipeline.addHandlers(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
        try waitFor("the welcome") { _ in handler.established }
    }

    func send(_ message: FarmMessage) throws {
        try channel.writeAndFlush(message).wait()
    }

    func close() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    func waitFor(_ what: String, timeout: Double = 20, _ condition: ([FarmMessage]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(handler.messages) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw FakeCoordinatorTimeout(what: what)
    }

    func waitForAssignment() throws -> (leaseID: UInt64, frames: [Int]) {
        var found: (UInt64, [Int])?
        try waitFor("an assignment") { messages in
            for case .assignment(let id, _, let frames, _) in messages {
                found = (id, frames)
                return true
            }
            return false
        }
        return found!
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = FarmMessage
        typealias OutboundOut = FarmMessage
        private let lock = NSLock()
        private var handshake: ClientHandshake
        private var received: [FarmMessage] = []
        private var isEstablished = false

        init(handshake: ClientHandshake) { self.handshake = handshake }

        var messages: [FarmMessage] { lock.withLock { received } }
        var established: Bool { lock.withLock { isEstablished } }

        func channelActive(context: ChannelHandlerContext) {
            if case .send(let hello) = handshake.start() { context.writeAndFlush(wrapOutboundOut(hello), promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let message = unwrapInboundIn(data)
            if established {
                lock.withLock { received.append(message) }
                return
            }
            for action in handshake.receive(message) {
                switch action {
                case .send(let reply): context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
                case .established: lock.withLock { isEstablished = true }
                case .refused, .failed: context.close(promise: nil)
                }
            }
        }
    }
}

extension CoordinatorServerTests {
    /// Workers that reset their connection (RST) right after sending a shard's results: the
    /// coordinator keeps answering, requeues what they held, leases nothing to the dead
    /// connections (a lease granted to a session that had just disconnected once sat unused until
    /// it expired), and another worker finishes the job with every frame once.
    func testWorkersThatResetTheirConnectionLeaveNothingBehind() throws {
        coordinator.shutdown()
        server.close()
        try start(leaseSeconds: 60)
        let reference = try referenceFiles(seed: 11, frames: Array(0..<16))
        try submit(frames: 16)
        for attempt in 0..<3 {
            let worker = try RawWorker(port: server.port, token: token, id: "reset-\(attempt)")
            let (lease, frames) = try worker.readAssignment()
            for frame in frames {
                try worker.send(
                    .frameResult(leaseID: lease, frameIndex: frame, files: blobs(frame, reference), labelsJSON: nil))
            }
            try worker.send(.shardDone(leaseID: lease))
            worker.reset()
        }
        let answered = DispatchSemaphore(value: 0)
        let coordinator = self.coordinator!
        Thread { [answered] in
            _ = coordinator.status()
            answered.signal()
        }.start()
        XCTAssertEqual(answered.wait(timeout: .now() + 20), .success, "the coordinator stopped answering")
        let finisher = BackgroundWorker(FarmWorker(configuration: probeWorker("finisher")))
        defer {
            finisher.worker.stop()
            _ = try? finisher.waitForReturn()
        }
        do {
            try waitUntil("the job completes") { try coordinator.jobState("job") == .complete }
        } catch {
            XCTFail(coordinator.status().json())
            throw error
        }
        XCTAssertEqual(try coordinator.journal.committedFrames(jobID: "job"), Array(0..<16))
    }
}

/// A worker on a plain POSIX socket, so that it can reset its connection (SO_LINGER 0).
final class RawWorker {
    private let fd: Int32
    private var isClosed = false

    init(port: Int, token: FarmToken, id: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw FakeCoordinatorTimeout(what: "a connection to port \(port)") }
        var handshake = ClientHandshake(
            workerID: id, capabilities: WorkerCapabilities(renderer: "raw", cores: 1), token: token)
        if case .send(let hello) = handshake.start() { try send(hello) }
        while true {
            for action in handshake.receive(try read()) {
                switch action {
                case .send(let reply): try send(reply)
                case .established: return
                case .refused(let reason), .failed(let reason):
                    throw FakeCoordinatorTimeout(what: "welcome (\(reason))")
                }
            }
        }
    }

    deinit { if !isClosed { close(fd) } }

    func send(_ message: FarmMessage) throws {
        var payload = ByteBuffer()
        try message.encode(into: &payload)
        let n = UInt32(payload.readableBytes)
        var bytes: [UInt8] = [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        bytes += payload.readableBytesView
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw FakeCoordinatorTimeout(what: "a write") }
            sent += written
        }
    }

    func read() throws -> FarmMessage {
        let header = try readExactly(4)
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        return try FarmMessage.decode(frame: ByteBuffer(bytes: try readExactly(length)))
    }

    /// The first assignment (after the job message).
    func readAssignment() throws -> (UInt64, [Int]) {
        while true {
            if case .assignment(let lease, _, let frames, _) = try read() { return (lease, frames) }
        }
    }

    /// Closes with an RST instead of a FIN.
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
        isClosed = true
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out[got...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw FakeCoordinatorTimeout(what: "\(count) bytes from the coordinator") }
            got += n
        }
        return out
    }
}

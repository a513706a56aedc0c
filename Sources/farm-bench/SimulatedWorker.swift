// A simulated worker: one TCP connection that speaks the worker side of the farm protocol
// (docs/PROTOCOL.md, "Handshake" and "Worker session") and renders nothing.
//
//   handshake (ClientHandshake) ──▶ job ──▶ assignment(lease, frames)
//                                            │ per frame: frameResult (pre-encoded bytes)
//                                            └ shardDone(lease)
//
// By default it answers every assignment at once with the frames' pre-encoded results and
// `shardDone`, in one flush: the coordinator gets results as fast as it reads them. With a frame
// interval (`--frame-ms`) it sends one result per interval, leases in the order they came, like
// a worker that renders a frame in that time. It sends nothing else: no heartbeats (a lease lives
// 60 s and each result extends it), no failures. A revocation (`failure` from the coordinator)
// drops what is left of that lease, unsent and without `shardDone`; `drain` only means no new
// leases. Either, or a refusal, is counted as a fault: the bench injects none.
//
// Fault injection (`--drop-workers N`): once a quarter of the frames were sent, N workers crash
// as the coordinator sees it: right after a `shardDone` they reset the connection (SO_LINGER 0,
// so an RST, as when a worker process is killed). The coordinator should requeue whatever it
// leased them meanwhile and finish the job with the others.
//
// Pipeline: inbound, FarmProtocol's bounded decoder; outbound, raw ByteBuffers (the handshake
// and `shardDone` are encoded by FarmProtocol's encoder, the results are replayed).

import FarmProtocol
import Foundation
import NIOCore
import NIOPosix

/// What every simulated worker did, gathered across connections (thread-safe).
final class WorkerTally: @unchecked Sendable {
    // @unchecked: every field is touched under `lock`.
    private let lock = NSLock()
    private var value = Snapshot()
    /// Times each frame was assigned, to find requeued or missing frames.
    private var assignedCount: [UInt16]

    /// The figures at one moment.
    struct Snapshot {
        var established = 0
        var jobs = 0
        var assignments = 0
        var framesAssigned = 0
        var resultsSent = 0
        var payloadBytesSent = 0
        var wireBytesSent = 0
        var shardDonesSent = 0
        var revocations = 0
        var drains = 0
        var refusals = 0
        var unexpectedMessages = 0
        var unexpectedDisconnects = 0
        /// Workers that crashed on purpose (`--drop-workers`).
        var workersDropped = 0
        var errors = 0
        /// The first few fault descriptions, for the report.
        var faultSamples: [String] = []
    }

    init(frames: Int) { assignedCount = Array(repeating: 0, count: frames) }

    var snapshot: Snapshot { lock.withLock { value } }

    func update(_ body: (inout Snapshot) -> Void) { lock.withLock { body(&value) } }

    /// Counts a fault and keeps its description when fewer than 10 are kept.
    func fault(_ description: String, _ body: (inout Snapshot) -> Void) {
        lock.withLock {
            body(&value)
            if value.faultSamples.count < 10 { value.faultSamples.append(description) }
        }
    }

    /// An assignment arrived with these frames.
    func assigned(frames: [Int]) {
        lock.withLock {
            value.assignments += 1
            value.framesAssigned += frames.count
            for frame in frames where assignedCount.indices.contains(frame) {
                assignedCount[frame] &+= 1
            }
        }
    }

    /// A worker sent `results` results of these sizes, and `shardDones` shardDone messages.
    func sent(results: Int, payloadBytes: Int, wireBytes: Int, shardDones: Int) {
        lock.withLock {
            value.resultsSent += results
            value.payloadBytesSent += payloadBytes
            value.wireBytesSent += wireBytes
            value.shardDonesSent += shardDones
        }
    }

    /// Frames assigned more than once, and frames never assigned.
    var assignmentAnomalies: (reassigned: Int, neverAssigned: Int) {
        lock.withLock {
            (assignedCount.lazy.filter { $0 > 1 }.count, assignedCount.lazy.filter { $0 == 0 }.count)
        }
    }
}

/// The handler of one simulated worker connection.
final class SimulatedWorkerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = FarmMessage
    typealias OutboundOut = ByteBuffer

    private var handshake: ClientHandshake
    private let frames: [PreencodedFrame]
    private let jobID: String
    private let tally: WorkerTally
    private let established: EventLoopPromise<Void>
    private let stopping: StopFlag
    private let drops: DropPlan
    /// Set when this worker crashed on purpose: its disconnect is not a fault.
    private var crashed = false
    private var isEstablished = false
    /// `established` is completed once: on welcome, on a refusal, or when the connection closes first.
    private var handshakeSettled = false
    private let encoder = FarmMessageEncoder()
    /// Seconds between two results; nil: a lease's results all at once.
    private let frameInterval: TimeAmount?
    /// Leases not yet fully sent, oldest first, with their frames still to send (paced mode).
    private var pending: [(leaseID: UInt64, frames: ArraySlice<Int>)] = []
    private var timer: Scheduled<Void>?
    /// Paced mode: whether the first result was sent. The first waits a random part of an
    /// interval, so that the workers do not all send in the same instant.
    private var phased = false

    /// `established` succeeds after `welcome`, fails on a refusal or a broken handshake.
    /// `stopping` is set by the bench before it closes the connections (so closing is not a fault).
    /// `frameInterval` paces the results; nil sends each lease's results at once.
    init(
        workerID: String, token: FarmToken, frames: [PreencodedFrame], jobID: String, tally: WorkerTally,
        established: EventLoopPromise<Void>, stopping: StopFlag, frameInterval: TimeAmount?,
        drops: DropPlan
    ) {
        handshake = ClientHandshake(
            workerID: workerID, capabilities: WorkerCapabilities(renderer: "farm-bench-replay", cores: 1),
            token: token)
        self.frames = frames
        self.jobID = jobID
        self.tally = tally
        self.established = established
        self.stopping = stopping
        self.frameInterval = frameInterval
        self.drops = drops
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .send(let hello) = handshake.start() { send(hello, context: context) }
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard !crashed else { return }
        guard isEstablished else {
            for action in handshake.receive(message) {
                switch action {
                case .send(let reply):
                    send(reply, context: context)
                    context.flush()
                case .established:
                    isEstablished = true
                    tally.update { $0.established += 1 }
                    settle(nil)
                case .refused(let reason), .failed(let reason):
                    tally.fault("handshake: \(reason)") { $0.refusals += 1 }
                    settle(BenchError("a simulated worker's handshake failed: \(reason)"))
                    context.close(promise: nil)
                }
            }
            return
        }
        switch message {
        case .job(let id, _, _, _, _, _):
            if id == jobID {
                tally.update { $0.jobs += 1 }
            } else {
                tally.fault("job \(id) announced, expected \(jobID)") { $0.unexpectedMessages += 1 }
            }
        case .assignment(let leaseID, let id, let leased, _):
            guard id == jobID, leased.allSatisfy({ frames.indices.contains($0) }) else {
                tally.fault("assignment \(leaseID) of job \(id) with frames \(leased) not in the bench's job") {
                    $0.unexpectedMessages += 1
                }
                return
            }
            tally.assigned(frames: leased)
            if frameInterval == nil {
                replay(leaseID: leaseID, frames: leased, context: context)
            } else {
                pending.append((leaseID, leased[...]))
                if timer == nil { scheduleNext(context: context) }
            }
        case .failure(let leaseID, let frame, let text):
            // A revocation: send nothing more under that lease.
            pending.removeAll { $0.leaseID == leaseID }
            let at = frame.map { " frame \($0)" } ?? ""
            tally.fault("lease \(leaseID)\(at) revoked: \(text)") { $0.revocations += 1 }
        case .drain:
            // No new leases will come; the ones held are finished as usual.
            tally.fault("drain from the coordinator") { $0.drains += 1 }
        case .refuse(let reason):
            tally.fault("refused after the handshake: \(reason)") { $0.refusals += 1 }
        default:
            tally.fault("unexpected \(message.messageType) from the coordinator") { $0.unexpectedMessages += 1 }
        }
    }

    /// Sends each leased frame's result, then `shardDone`, in one flush.
    private func replay(leaseID: UInt64, frames leased: [Int], context: ChannelHandlerContext) {
        var payload = 0, wire = 0
        let allocator = context.channel.allocator
        for index in leased {
            let frame = frames[index]
            context.write(wrapOutboundOut(frame.header(leaseID: leaseID, allocator: allocator)), promise: nil)
            context.write(wrapOutboundOut(frame.body), promise: nil)
            payload += frame.payloadBytes
            wire += frame.wireBytes
        }
        send(.shardDone(leaseID: leaseID), context: context)
        context.flush()
        tally.sent(results: leased.count, payloadBytes: payload, wireBytes: wire, shardDones: 1)
        crashIfPlanned(context: context)
    }

    /// After a `shardDone`: resets the connection when the drop plan picks this worker.
    private func crashIfPlanned(context: ChannelHandlerContext) {
        guard drops.claim(resultsSent: tally.snapshot.resultsSent) else { return }
        crashed = true
        pending.removeAll()
        tally.update { $0.workersDropped += 1 }
        // SO_LINGER 0: close sends an RST, as the kernel does for a killed process with unread data.
        let channel = context.channel
        guard let socket = channel as? SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Paced mode: sends the oldest pending lease's next frame after one interval, and its
    /// `shardDone` with its last frame.
    private func scheduleNext(context: ChannelHandlerContext) {
        guard var interval = frameInterval else { return }
        if !phased {
            phased = true
            interval = .nanoseconds(Int64.random(in: 0...interval.nanoseconds))
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            timer = nil
            guard context.channel.isActive, var lease = pending.first, let index = lease.frames.popFirst() else {
                return
            }
            let frame = frames[index]
            context.write(
                wrapOutboundOut(frame.header(leaseID: lease.leaseID, allocator: context.channel.allocator)),
                promise: nil)
            context.write(wrapOutboundOut(frame.body), promise: nil)
            var done = 0
            if lease.frames.isEmpty {
                send(.shardDone(leaseID: lease.leaseID), context: context)
                pending.removeFirst()
                done = 1
            } else {
                pending[0] = lease
            }
            context.flush()
            tally.sent(results: 1, payloadBytes: frame.payloadBytes, wireBytes: frame.wireBytes, shardDones: done)
            if done == 1 { crashIfPlanned(context: context) }
            if !pending.isEmpty { scheduleNext(context: context) }
        }
    }

    /// Encodes `message` with FarmProtocol's encoder behind a 4-byte length and writes it.
    private func send(_ message: FarmMessage, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeInteger(UInt32(0))
        do {
            try encoder.encode(data: message, out: &buffer)
        } catch {
            tally.fault("cannot encode \(message.messageType): \(error)") { $0.errors += 1 }
            return
        }
        buffer.setInteger(UInt32(buffer.readableBytes - 4), at: buffer.readerIndex)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        pending.removeAll()
        if !stopping.isSet && !crashed {
            tally.fault("connection closed by the coordinator") { $0.unexpectedDisconnects += 1 }
        }
        settle(BenchError("a simulated worker's connection closed during the handshake"))
        context.fireChannelInactive()
    }

    private func settle(_ error: Error?) {
        guard !handshakeSettled else { return }
        handshakeSettled = true
        if let error { established.fail(error) } else { established.succeed(()) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !stopping.isSet && !crashed { tally.fault("connection error: \(error)") { $0.errors += 1 } }
        context.close(promise: nil)
    }
}

/// A flag set once from any thread.
final class StopFlag: @unchecked Sendable {
    // @unchecked: `value` is touched under `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Which workers crash on purpose: the first `count` that finish a lease once `afterResults`
/// results were sent in all (thread-safe).
final class DropPlan: @unchecked Sendable {
    // @unchecked: `remaining` is touched under `lock`.
    private let lock = NSLock()
    private var remaining: Int
    let afterResults: Int

    init(count: Int, afterResults: Int) {
        remaining = count
        self.afterResults = afterResults
    }

    /// True (once per planned drop) when the caller should crash now.
    func claim(resultsSent: Int) -> Bool {
        lock.withLock {
            guard remaining > 0, resultsSent >= afterResults else { return false }
            remaining -= 1
            return true
        }
    }
}

/// W simulated workers on their own event-loop group.
final class SimulatedFarm {
    let group: MultiThreadedEventLoopGroup
    let tally: WorkerTally
    private let stopping = StopFlag()
    private var channels: [Channel] = []

    init(threads: Int, frames: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        tally = WorkerTally(frames: frames)
    }

    /// Connects `count` workers to `port` and waits until every one finished its handshake.
    /// Connects in waves so the server's accept backlog (256) never overflows.
    func connect(
        count: Int, port: Int, token: FarmToken, frames: [PreencodedFrame], jobID: String, maximumFrameLength: Int,
        frameInterval: TimeAmount?, drops: DropPlan
    ) throws {
        let tally = self.tally, stopping = self.stopping
        let wave = 128
        for start in stride(from: 0, to: count, by: wave) {
            var pending: [EventLoopFuture<Void>] = []
            var connecting: [(String, EventLoopFuture<Channel>)] = []
            for n in start..<min(count, start + wave) {
                let loop = group.next()
                let established = loop.makePromise(of: Void.self)
                let workerID = String(format: "bench-%04d", n)
                let bootstrap = ClientBootstrap(group: loop)
                    .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let decoder = ByteToMessageHandler(
                                FarmMessageDecoder(maximumFrameLength: maximumFrameLength),
                                maximumBufferSize: maximumFrameLength + FarmProtocol.lengthFieldSize)
                            try channel.pipeline.syncOperations.addHandler(decoder)
                            try channel.pipeline.syncOperations.addHandler(
                                SimulatedWorkerHandler(
                                    workerID: workerID, token: token, frames: frames, jobID: jobID, tally: tally,
                                    established: established, stopping: stopping, frameInterval: frameInterval,
                                    drops: drops))
                        }
                    }
                connecting.append((workerID, bootstrap.connect(host: "127.0.0.1", port: port)))
                pending.append(established.futureResult)
            }
            for (workerID, future) in connecting {
                do {
                    channels.append(try future.wait())
                } catch {
                    throw BenchError("simulated worker \(workerID) cannot connect to 127.0.0.1:\(port): \(error)")
                }
            }
            for future in pending { try future.wait() }
        }
    }

    /// Closes every connection (not a fault) and stops the event loops.
    func shutdown() {
        stopping.set()
        for channel in channels { try? channel.close().wait() }
        channels.removeAll()
        try? group.syncShutdownGracefully()
    }

    /// Thread ids of the group's event loops, for their CPU time.
    func threadIDs() throws -> [Int32] {
        var ids: [Int32] = []
        for loop in group.makeIterator() {
            ids.append(try loop.submit { currentThreadID() }.wait())
        }
        return ids
    }
}

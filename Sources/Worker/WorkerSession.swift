import Export
import FarmProtocol
import FarmTLS
import Foundation
import NIOCore

/// How a session turned out, for the reconnection loop.
enum SessionOutcome: Sendable {
    /// No connection was made.
    case connectFailed(String)
    /// The connection closed; `established` tells whether the handshake had succeeded.
    case closed(SessionEnd, established: Bool)
}

/// One connection to the coordinator: performs what `WorkerSessionState` decides (writes,
/// heartbeats, queueing frames, closing) and feeds it from the channel, the render pipeline and
/// `stop()`. Thread-safe: the event loop, the encoder threads and the render thread all call in.
final class WorkerSession: @unchecked Sendable {
    let id: Int
    /// Completed once, when the session is over.
    let outcome = OneShot<SessionOutcome>()

    private let lock = NSLock()
    private var state: WorkerSessionState
    private var channel: Channel?
    private var heartbeats: [UInt64: RepeatedTask] = [:]
    private var lastWrite: EventLoopFuture<Void>?
    private let queue: LeaseWorkQueue
    private let configuration: WorkerConfiguration
    private let countSent: @Sendable () -> Void

    init(id: Int, configuration: WorkerConfiguration, queue: LeaseWorkQueue, countSent: @escaping @Sendable () -> Void)
    {
        self.id = id
        self.configuration = configuration
        self.queue = queue
        self.countSent = countSent
        state = WorkerSessionState(
            workerID: configuration.workerID, capabilities: configuration.capabilities, token: configuration.token)
    }

    // MARK: inputs

    /// The TCP connection is up (on its event loop): start the handshake.
    func connected(_ channel: Channel) {
        let ended = lock.withLock { () -> Bool in
            self.channel = channel
            return state.end != nil
        }
        // Stopped while connecting.
        guard !ended else {
            channel.close(promise: nil)
            return
        }
        let limit = configuration.handshakeTimeout
        channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(limit * 1e9))) { [self] in
            perform { $0.handshakeTimedOut(after: limit) }
        }
        perform { $0.start() }
    }

    /// The connection could not be made.
    func connectFailed(_ error: Error) {
        outcome.complete(.connectFailed("\(error)"))
    }

    func received(_ message: FarmMessage) { perform { $0.receive(message) } }

    func connectionError(_ error: Error) {
        if let tls = error as? FarmTLSError, tls.isConfigurationError {
            perform { $0.tlsFailed(tls.description) }
        } else {
            perform { $0.connectionError("\(error)") }
        }
    }

    /// The connection closed: every held lease is abandoned.
    func closed() {
        let (end, established, tasks) = lock.withLock {
            let tasks = Array(heartbeats.values)
            heartbeats.removeAll()
            return (state.connectionClosed(), state.isEstablished, tasks)
        }
        for task in tasks { task.cancel() }
        queue.withdrawAll(session: id)
        outcome.complete(.closed(end, established: established))
    }

    /// Graceful stop: send `drain`, finish the held leases, close; abandon them after `gracePeriod`.
    func stop(gracePeriod: Double) {
        perform { $0.stop() }
        if let channel = lock.withLock({ channel }) {
            channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(gracePeriod * 1e9))) { [self] in
                perform { $0.abandon() }
            }
        }
    }

    /// Close now, abandoning the held leases.
    func abandon() { perform { $0.abandon() } }

    /// True while this session holds `leaseID` (its frames are wanted).
    func holds(_ leaseID: UInt64) -> Bool { lock.withLock { state.holds(leaseID) } }

    /// Sends one frame's result and waits until the socket took it (backpressure: the caller is
    /// an encoder thread, never the event loop). Hashes the files here. Returns the bytes sent;
    /// 0 when the lease is no longer held (the frame is dropped).
    func sendFrame(_ frame: EncodedFrame, leaseID: UInt64) throws -> Int {
        guard let channel = lock.withLock({ state.holds(leaseID) ? channel : nil }) else { return 0 }
        let files = frame.files.map { FileBlob(path: $0.relativePath, bytes: $0.bytes) }
        let write = channel.writeAndFlush(
            FarmMessage.frameResult(leaseID: leaseID, frameIndex: frame.index, files: files, labelsJSON: nil))
        lock.withLock { lastWrite = write }
        try write.wait()
        countSent()
        perform { $0.frameSent(leaseID: leaseID, frame: frame.index) }
        return frame.byteCount
    }

    /// A frame of the lease (or, frame nil, the whole lease) failed.
    func leaseFailed(leaseID: UInt64, frame: Int?, message: String) {
        perform { $0.leaseFailed(leaseID: leaseID, frame: frame, message: message) }
    }

    // MARK: actions

    /// Runs one step of the state machine under the lock, then its actions outside it.
    private func perform(_ step: (inout WorkerSessionState) -> [SessionAction]) {
        let (actions, channel) = lock.withLock { (step(&state), self.channel) }
        for action in actions { run(action, on: channel) }
    }

    private func run(_ action: SessionAction, on channel: Channel?) {
        switch action {
        case .send(let message):
            guard let channel else { return }
            let write = channel.writeAndFlush(message)
            lock.withLock { lastWrite = write }
        case .established:
            let address = configuration.coordinatorAddress + (configuration.tls == nil ? "" : " over TLS")
            configuration.log("connected to \(address) as \(configuration.workerID)")
        case .render(let order):
            queue.add(LeaseTag(session: id, leaseID: order.leaseID), order)
        case .startHeartbeat(let leaseID, let interval):
            guard let channel else { return }
            let delay = TimeAmount.nanoseconds(Int64(interval * 1e9))
            let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { [self] _ in
                guard holds(leaseID) else { return }
                channel.writeAndFlush(FarmMessage.heartbeat(leaseID: leaseID), promise: nil)
            }
            lock.withLock { heartbeats[leaseID] = task }
        case .release(let leaseID):
            lock.withLock { heartbeats.removeValue(forKey: leaseID) }?.cancel()
            queue.withdraw(LeaseTag(session: id, leaseID: leaseID))
        case .log(let line):
            configuration.log(line)
        case .close(let end):
            guard let channel else { return outcome.complete(.closed(end, established: false)) }
            // Writes complete in order: once the last one is out, everything before it is too.
            let last = lock.withLock { lastWrite } ?? channel.eventLoop.makeSucceededVoidFuture()
            last.whenComplete { _ in channel.close(promise: nil) }
        case .abort(let end):
            guard let channel else { return outcome.complete(.closed(end, established: false)) }
            channel.close(promise: nil)
        }
    }
}

/// Feeds a session from its channel.
final class WorkerSessionHandler: ChannelInboundHandler {
    typealias InboundIn = FarmMessage

    private let session: WorkerSession

    init(session: WorkerSession) {
        self.session = session
    }

    func channelActive(context: ChannelHandlerContext) {
        session.connected(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.received(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        session.connectionError(error)
    }
}

/// A value set once and waited for, from any thread.
final class OneShot<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?

    /// Sets the value unless it was set already; wakes the waiters.
    func complete(_ newValue: Value) {
        condition.withLock {
            guard value == nil else { return }
            value = newValue
            condition.broadcast()
        }
    }

    /// Waits for the value.
    func wait() -> Value {
        condition.withLock {
            while value == nil { condition.wait() }
            return value!
        }
    }
}

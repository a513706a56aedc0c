// Worker: connects to a coordinator, renders leased frames through a `FrameRenderer` and streams
// the encoded results back (docs/PROTOCOL.md).
//
//   run() thread              event loop (1 thread)             render + encoder threads
//   ────────────              ─────────────────────             ────────────────────────
//   connect ─────────────────▶ WorkerSession: handshake,         RenderStream: one renderer for
//   wait for the outcome        job / assignment / failure /      the worker's life, pulling
//   back off, reconnect         drain ─▶ LeaseWorkQueue ────────▶ frames lease after lease;
//                               heartbeats per held lease         sink: hash, write, wait for
//                                                                 the socket, then shardDone
//
// Decisions live in `WorkerSessionState`, a pure state machine; `WorkerSession` performs them.
//
// Non-goals: no GL (the renderer comes from `WorkerConfiguration.makeRenderer`), no files (the
// coordinator writes the dataset), no scheduling (the coordinator's lease table decides who
// renders what; the worker renders what it is leased, in order).
import FarmProtocol
import FarmTLS
import FramePipeline
import Foundation
import NIOCore
import NIOPosix
import SceneCore

/// A farm worker: connects to a coordinator, renders the frames it is leased and streams the
/// encoded files back, reconnecting with backoff whenever the connection is lost, until `stop()`.
///
/// The renderer is made once, on the render thread, and kept across leases, jobs and
/// reconnections; it is made again only when a job's options differ from those it was made for
/// or after it failed on a frame.
///
///     let worker = FarmWorker(configuration: configuration)
///     signalSource.setEventHandler { worker.stop() }   // SIGTERM: drain, then return
///     try worker.run()
public final class FarmWorker: @unchecked Sendable {
    public let configuration: WorkerConfiguration

    private let control = NSCondition()
    private var running = false
    private var stopRequests = 0
    /// `stop()` calls acting on a session: the event loop must outlive them.
    private var stopsInProgress = 0
    private var session: WorkerSession?
    private var sessionCount = 0
    private var sent = 0
    private let queue: LeaseWorkQueue

    /// Seconds `run()` waits for the render thread to finish its frame before returning.
    static let pipelineShutdownTimeout = 5.0

    public init(configuration: WorkerConfiguration) {
        self.configuration = configuration
        queue = LeaseWorkQueue(scenes: SceneCache())
    }

    /// Frame results written to coordinators so far, over all connections.
    public var framesSent: Int { control.withLock { sent } }

    /// Connects, serves leases and reconnects after every lost connection, until `stop()` has
    /// finished (then it returns, once the render thread has finished its frame, or after 5 s).
    /// Blocks the calling thread; call it once.
    ///
    /// Throws `WorkerError.refused` when the coordinator refuses the handshake, and `WorkerError.tls`
    /// when TLS cannot work as configured, if `exitOnRefusal` is set; without it either is logged
    /// and retried after `maxBackoff`.
    public func run() throws {
        control.withLock {
            precondition(!running, "FarmWorker.run() called twice")
            running = true
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pipelineDone = startPipeline()
        defer {
            // The render thread ends once the queue is closed; frames it still holds are dropped
            // (no session holds their leases any more). A renderer stuck in a frame is left behind
            // after a while: nothing it finishes can reach a connection now.
            queue.close()
            if pipelineDone.wait(timeout: .now() + Self.pipelineShutdownTimeout) == .timedOut {
                configuration.log("the render thread is still busy with a frame; leaving it")
            }
            // The event loop goes last: `stop()` may still be scheduling on it.
            control.withLock { while stopsInProgress > 0 { control.wait() } }
            try? group.syncShutdownGracefully()
        }
        try serve(group: group)
    }

    /// Stops the worker. The first call sends `drain`, lets the held leases finish (results and
    /// `shardDone`), closes and makes `run()` return; held leases still running after
    /// `shutdownGracePeriod` are abandoned. A second call abandons them at once. Thread-safe and
    /// non-blocking: call it from a signal handler's dispatch source.
    public func stop() {
        let (count, current) = control.withLock { () -> (Int, WorkerSession?) in
            stopRequests += 1
            if session != nil { stopsInProgress += 1 }
            control.broadcast()
            return (stopRequests, session)
        }
        guard let current else { return }
        defer {
            control.withLock {
                stopsInProgress -= 1
                control.broadcast()
            }
        }
        if count == 1 {
            current.stop(gracePeriod: configuration.shutdownGracePeriod)
        } else {
            current.abandon()
        }
    }

    // MARK: reconnection loop

    private func serve(group: EventLoopGroup) throws {
        let address = configuration.coordinatorAddress
        var backoff = configuration.initialBackoff
        var attempt = 0
        while let session = beginSession() {
            attempt += 1
            connect(session, group: group)
            let outcome = session.outcome.wait()
            control.withLock { self.session = nil }
            var wait = backoff
            let why: String
            switch outcome {
            case .connectFailed(let reason):
                why = "cannot connect to \(address) (attempt \(attempt)): \(reason)"
            case .closed(let end, let established):
                if established {
                    attempt = 0
                    backoff = configuration.initialBackoff
                    wait = backoff
                }
                switch end {
                case .stopped:
                    configuration.log("stopped")
                    return
                case .refused(let reason):
                    why = "\(address) refused this worker: \(reason)"
                    if configuration.exitOnRefusal {
                        configuration.log(why)
                        throw WorkerError.refused(reason: reason)
                    }
                    wait = configuration.maxBackoff
                case .tlsFailed(let reason):
                    why = "TLS with \(address) failed: \(reason)"
                    if configuration.exitOnRefusal {
                        configuration.log(why)
                        throw WorkerError.tls(coordinator: address, reason: reason)
                    }
                    wait = configuration.maxBackoff
                case .failed(let reason):
                    why = "the connection to \(address) failed: \(reason)"
                case .coordinatorDrained:
                    why = "\(address) drained this connection"
                case .connectionLost:
                    why = "lost the connection to \(address)"
                }
            }
            if control.withLock({ stopRequests > 0 }) {
                configuration.log(why + "; stopped")
                return
            }
            let delay = wait * Double.random(in: 0.5...1)
            configuration.log(why + String(format: "; reconnecting in %.2f s", delay))
            if waitForStop(seconds: delay) { return }
            backoff = min(configuration.maxBackoff, max(backoff, wait) * 2)
        }
    }

    /// A new session, unless the worker is stopping.
    private func beginSession() -> WorkerSession? {
        control.withLock {
            guard stopRequests == 0 else { return nil }
            sessionCount += 1
            let made = WorkerSession(id: sessionCount, configuration: configuration, queue: queue) { [self] in
                control.withLock { sent += 1 }
            }
            session = made
            return made
        }
    }

    private func connect(_ session: WorkerSession, group: EventLoopGroup) {
        let (tls, host) = (configuration.tls, configuration.host)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout * 1e9)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    try FarmPipeline.configureKeepalive(channel)
                    try FarmTLSPipeline.addClientHandlers(to: channel.pipeline.syncOperations, tls: tls, host: host)
                    try FarmPipeline.addHandlers(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(WorkerSessionHandler(session: session))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        bootstrap.connect(host: host, port: configuration.port).whenFailure { error in
            session.connectFailed(error)
        }
    }

    /// Sleeps up to `seconds`; true (at once) when the worker is stopping.
    private func waitForStop(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return control.withLock {
            while stopRequests == 0 && control.wait(until: deadline) {}
            return stopRequests > 0
        }
    }

    // MARK: render pipeline

    /// Starts the render stream on its own threads; the returned group is left when it ends.
    private func startPipeline() -> DispatchGroup {
        let stream = RenderStream<LeaseTag, JobOptions>(
            makeRenderer: configuration.makeRenderer, encoderThreads: configuration.encoderThreads,
            queueCapacity: configuration.queueCapacity)
        let done = DispatchGroup()
        done.enter()
        let thread = Thread { [self, queue] in
            defer { done.leave() }
            let stats = stream.run(
                source: { [self] wait in
                    queue.next(wait: wait) { tag, message in
                        live(tag)?.leaseFailed(leaseID: tag.leaseID, frame: nil, message: message)
                    }
                },
                sink: { [self] frame, tag in
                    try live(tag)?.sendFrame(frame, leaseID: tag.leaseID) ?? 0
                },
                failed: { [self] error, tag in
                    // A renderer that cannot be made is no fault of the frame: the lease fails.
                    let frame = error.stage == "renderer" ? nil : error.frame
                    live(tag)?.leaseFailed(leaseID: tag.leaseID, frame: frame, message: "\(error)")
                },
                isCancelled: { [self] tag in !(live(tag)?.holds(tag.leaseID) ?? false) })
            configuration.log(
                String(
                    format:
                        "encoded %d frames in %.1f s (render %.1f s, readback %.1f s, labels %.1f s, encode %.1f s)",
                    stats.frames, stats.wallSeconds, stats.renderSeconds, stats.readbackSeconds, stats.labelSeconds,
                    stats.encodeSeconds))
        }
        thread.name = "scenefarm-worker-pipeline"
        thread.start()
        return done
    }

    /// The session a tag belongs to, while it is the current one.
    private func live(_ tag: LeaseTag) -> WorkerSession? {
        control.withLock { session?.id == tag.session ? session : nil }
    }
}

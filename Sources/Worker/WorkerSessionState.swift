import FarmProtocol
import SceneCore

/// A job as the coordinator described it on one connection.
struct JobTicket: Hashable, Sendable {
    var jobID: String
    /// The scene's files.
    var scene: SceneBundle
    /// `FarmAuthentication.sceneDigest(scene)` as the coordinator computed it (lowercase hex).
    var sceneDigest: String
    var seed: UInt64
    var frameCount: Int
    var options: JobOptions
}

/// The frames of one lease, for the render thread.
struct LeaseOrder: Hashable, Sendable {
    var leaseID: UInt64
    var job: JobTicket
    var frames: [Int]
}

/// Why a session ended.
enum SessionEnd: Hashable, Sendable {
    /// The coordinator refused the handshake, saying why.
    case refused(reason: String)
    /// The session failed: the coordinator broke the protocol or never finished the handshake,
    /// or the connection reported an error.
    case failed(reason: String)
    /// TLS with the coordinator cannot work as configured: its certificate is not trusted, or one
    /// end speaks TLS and the other not.
    case tlsFailed(reason: String)
    /// The coordinator said `drain` and every held lease has finished.
    case coordinatorDrained
    /// The worker was stopped (its leases finished, or abandoned on a second stop).
    case stopped
    /// The connection closed under us.
    case connectionLost
}

/// What the connection code must do after a step of `WorkerSessionState`, in order.
enum SessionAction: Hashable, Sendable {
    /// Write this message to the coordinator.
    case send(FarmMessage)
    /// The handshake succeeded.
    case established
    /// Queue these frames for the render thread.
    case render(LeaseOrder)
    /// Send `heartbeat(leaseID)` every `interval` seconds until the lease is released.
    case startHeartbeat(leaseID: UInt64, interval: Double)
    /// The lease is over (finished, failed or revoked): stop its heartbeats and drop its frames
    /// still waiting to be rendered.
    case release(leaseID: UInt64)
    /// Report this line.
    case log(String)
    /// Close the connection once what was written before has gone out.
    case close(SessionEnd)
    /// Close the connection now, dropping what has not been written.
    case abort(SessionEnd)
}

/// The worker's side of one connection (docs/PROTOCOL.md) as a pure state machine: no sockets,
/// no clock, no threads. Feed it the coordinator's messages and the render pipeline's outcomes,
/// and perform the actions it returns in order.
///
///     handshaking ──welcome──▶ established ──drain (either side), leases done──▶ ended
///          │                        │
///          └── refuse / failure ────┴── protocol error, abort ───────────────▶ ended
///
/// A lease is held from its `assignment` until its last frame was sent (then `shardDone`), one
/// of its frames failed (then `failure`), or the coordinator revoked it with a `failure` of its
/// own (then nothing more is sent for it). Once ended, every input returns no actions.
struct WorkerSessionState {
    /// A lease being rendered.
    struct HeldLease: Hashable {
        var jobID: String
        /// Frames whose result has not been sent yet.
        var unsent: Set<Int>
    }

    private var handshake: ClientHandshake
    private(set) var jobs: [String: JobTicket] = [:]
    private(set) var leases: [UInt64: HeldLease] = [:]
    /// The coordinator said `drain`: no more assignments will come.
    private(set) var coordinatorDraining = false
    /// The worker said `drain`: it takes no more work and closes once its leases are done.
    private(set) var workerDraining = false
    /// Set once the session is over; the reason.
    private(set) var end: SessionEnd?

    init(workerID: String, capabilities: WorkerCapabilities, token: FarmToken) {
        var capabilities = capabilities
        capabilities.role = .worker
        handshake = ClientHandshake(workerID: workerID, capabilities: capabilities, token: token)
    }

    var isEstablished: Bool { handshake.state == .established }

    /// True while the session is live and holds `leaseID`.
    func holds(_ leaseID: UInt64) -> Bool { end == nil && leases[leaseID] != nil }

    /// The connection is open: the hello to send.
    mutating func start() -> [SessionAction] {
        guard end == nil else { return [] }
        return perform(handshake: [handshake.start()])
    }

    /// One message from the coordinator.
    mutating func receive(_ message: FarmMessage) -> [SessionAction] {
        guard end == nil else { return [] }
        guard isEstablished else { return perform(handshake: handshake.receive(message)) }
        switch message {
        case .job(let jobID, let scene, let digest, let seed, let frameCount, let options):
            jobs[jobID] = JobTicket(
                jobID: jobID, scene: scene, sceneDigest: digest, seed: seed, frameCount: frameCount,
                options: options)
            return []
        case .assignment(let leaseID, let jobID, let frames, let deadlineSeconds):
            return assign(leaseID: leaseID, jobID: jobID, frames: frames, deadlineSeconds: deadlineSeconds)
        case .failure(let leaseID, _, let reason):
            guard leases.removeValue(forKey: leaseID) != nil else { return [] }
            return [.release(leaseID: leaseID), .log("lease \(leaseID) revoked by the coordinator: \(reason)")]
                + closeIfIdle()
        case .drain:
            coordinatorDraining = true
            return [.log("the coordinator is draining; finishing \(leases.count) held lease(s)")] + closeIfIdle()
        default:
            return fail("unexpected \(message.messageType) from the coordinator")
        }
    }

    private mutating func assign(
        leaseID: UInt64, jobID: String, frames: [Int], deadlineSeconds: Int
    )
        -> [SessionAction]
    {
        guard leases[leaseID] == nil else {
            return [.log("ignoring a second assignment of lease \(leaseID), which is being rendered")]
        }
        guard let job = jobs[jobID] else {
            return [
                .send(
                    .failure(
                        leaseID: leaseID, frame: nil,
                        message: "no job '\(jobID)' was sent on this connection before lease \(leaseID)"))
            ]
        }
        if let outside = frames.first(where: { $0 >= job.frameCount }) {
            return [
                .send(
                    .failure(
                        leaseID: leaseID, frame: nil,
                        message: "frame \(outside) is outside job '\(jobID)' (frames 0..<\(job.frameCount))"))
            ]
        }
        guard !frames.isEmpty else { return [.send(.shardDone(leaseID: leaseID))] }
        leases[leaseID] = HeldLease(jobID: jobID, unsent: Set(frames))
        return [
            .startHeartbeat(leaseID: leaseID, interval: max(0.2, Double(deadlineSeconds) / 3)),
            .render(LeaseOrder(leaseID: leaseID, job: job, frames: frames)),
        ]
    }

    /// The result of `frame` was written to the coordinator.
    mutating func frameSent(leaseID: UInt64, frame: Int) -> [SessionAction] {
        guard end == nil, var lease = leases[leaseID] else { return [] }
        lease.unsent.remove(frame)
        guard lease.unsent.isEmpty else {
            leases[leaseID] = lease
            return []
        }
        leases[leaseID] = nil
        return [.send(.shardDone(leaseID: leaseID)), .release(leaseID: leaseID)] + closeIfIdle()
    }

    /// A frame of the lease (or, with `frame` nil, the lease as a whole) failed: report it and
    /// give the rest of the lease up.
    mutating func leaseFailed(leaseID: UInt64, frame: Int?, message: String) -> [SessionAction] {
        guard end == nil, leases.removeValue(forKey: leaseID) != nil else { return [] }
        let at = frame.map { " at frame \($0)" } ?? ""
        return [
            .send(.failure(leaseID: leaseID, frame: frame, message: message)), .release(leaseID: leaseID),
            .log("lease \(leaseID) failed\(at): \(message)"),
        ] + closeIfIdle()
    }

    /// The worker is stopping: say `drain`, finish the held leases, then close. Before the
    /// handshake is over there is nothing to finish: close at once.
    mutating func stop() -> [SessionAction] {
        guard end == nil else { return [] }
        guard isEstablished else {
            end = .stopped
            return [.abort(.stopped)]
        }
        guard !workerDraining else { return [] }
        workerDraining = true
        return [.send(.drain), .log("stopping: finishing \(leases.count) held lease(s)")] + closeIfIdle()
    }

    /// Gives up at once: held leases are abandoned (the coordinator re-leases them).
    mutating func abandon() -> [SessionAction] {
        guard end == nil else { return [] }
        end = .stopped
        return [.log("abandoning \(leases.count) held lease(s)"), .abort(.stopped)]
    }

    /// The coordinator did not welcome us in time.
    mutating func handshakeTimedOut(after seconds: Double) -> [SessionAction] {
        guard end == nil, !isEstablished else { return [] }
        return fail("the coordinator did not finish the handshake within \(seconds) s")
    }

    /// The connection reported an error (an undecodable frame, a reset).
    mutating func connectionError(_ description: String) -> [SessionAction] {
        guard end == nil else { return [] }
        return fail(description)
    }

    /// TLS with the coordinator failed in a way that retrying cannot mend (an untrusted
    /// certificate, one end without TLS).
    mutating func tlsFailed(_ reason: String) -> [SessionAction] {
        guard end == nil else { return [] }
        end = .tlsFailed(reason: reason)
        return [.abort(.tlsFailed(reason: reason))]
    }

    /// The connection is closed; returns why the session ended.
    mutating func connectionClosed() -> SessionEnd {
        if end == nil { end = .connectionLost }
        return end!
    }

    private mutating func perform(handshake actions: [ClientHandshakeAction]) -> [SessionAction] {
        actions.map { action in
            switch action {
            case .send(let message):
                return .send(message)
            case .established:
                return .established
            case .refused(let reason):
                end = .refused(reason: reason)
                return .close(.refused(reason: reason))
            case .failed(let reason):
                end = .failed(reason: reason)
                return .abort(.failed(reason: reason))
            }
        }
    }

    private mutating func fail(_ reason: String) -> [SessionAction] {
        end = .failed(reason: reason)
        return [.abort(.failed(reason: reason))]
    }

    private mutating func closeIfIdle() -> [SessionAction] {
        guard leases.isEmpty, workerDraining || coordinatorDraining else { return [] }
        let reason: SessionEnd = workerDraining ? .stopped : .coordinatorDrained
        end = reason
        return [.close(reason)]
    }
}

import FarmProtocol
import FarmTLS
import Foundation
import NIOCore
import NIOPosix

/// The coordinator's TCP server: accepts workers and clients, runs the handshake, and hands
/// authenticated workers to the `FarmCoordinator` and client requests to it.
///
///     listen ──accept──▶ [transport check | TLS? | length prefix | encoder | bounded decoder | FarmConnectionHandler]
///                                                                              │ handshake (ServerHandshake)
///                                                                              ├── worker ──▶ FarmCoordinator.received
///                                                                              └── client ──▶ submit / status / cancel
///
/// With `tls`, every connection must open with a TLS handshake (FarmTLS's transport check puts
/// `NIOSSLServerHandler` in); the token handshake then runs inside TLS, unchanged. Without it, a
/// peer that opens with TLS is refused. A peer that fails the handshake (wrong token, other protocol
/// version, plain TCP where TLS is required, a certificate it does not trust), sends a frame over
/// the maximum or breaks the protocol is refused with one log line naming its address and the
/// reason, and the server goes on serving the others.
public final class CoordinatorServer: @unchecked Sendable {
    public let coordinator: FarmCoordinator
    private let channel: Channel
    private let tickTask: RepeatedTask

    /// The address and port the server is bound to.
    public let host: String
    public let port: Int

    /// Binds `host:port` (port 0 picks a free port) and starts serving on `group`, over TLS when
    /// `tls` is given.
    public init(
        coordinator: FarmCoordinator, host: String, port: Int, group: EventLoopGroup, tls: FarmTLSServer? = nil,
        status: @escaping @Sendable () -> String
    ) throws {
        self.coordinator = coordinator
        let configuration = coordinator.configuration
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try FarmPipeline.configureKeepalive(channel)
                    try FarmTLSPipeline.addServerHandlers(to: channel.pipeline.syncOperations, tls: tls)
                    try FarmPipeline.addHandlers(
                        to: channel.pipeline.syncOperations, maximumFrameLength: configuration.maximumFrameLength)
                    try channel.pipeline.syncOperations.addHandler(
                        FarmConnectionHandler(coordinator: coordinator, status: status))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            throw JobRequestError("cannot listen on \(host):\(port): \(error)")
        }
        self.host = host
        self.port = channel.localAddress?.port ?? port
        coordinator.listenAddress = "\(host):\(self.port)"
        let interval = TimeAmount.nanoseconds(Int64(configuration.tickInterval * 1e9))
        tickTask = group.next().scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            // Off the event loop: ticking may log and pump many workers.
            DispatchQueue.global().async { coordinator.tick() }
        }
        let transport = tls.map { "TLS 1.3 with \($0.certificateFile)" } ?? "plain TCP"
        configuration.log(
            "coordinator: listening on \(host):\(self.port) (\(transport)), data in \(configuration.root)")
    }

    /// Stops accepting connections and closes the listening socket. Open connections stay.
    public func close() {
        tickTask.cancel()
        try? channel.close().wait()
    }
}

/// One connection's handler: the handshake, then messages to the coordinator.
final class FarmConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = FarmMessage
    typealias OutboundOut = FarmMessage

    private let coordinator: FarmCoordinator
    private let status: @Sendable () -> String
    private var handshake: ServerHandshake
    private var peer: ChannelPeer?
    private var role: PeerRole?
    private var address = "?"
    private var timeout: Scheduled<Void>?

    init(coordinator: FarmCoordinator, status: @escaping @Sendable () -> String) {
        self.coordinator = coordinator
        self.status = status
        self.handshake = ServerHandshake(token: coordinator.configuration.token)
    }

    private var log: @Sendable (String) -> Void { coordinator.configuration.log }

    func channelActive(context: ChannelHandlerContext) {
        address = context.remoteAddress.map(Self.describe) ?? "?"
        peer = ChannelPeer(channel: context.channel, address: address)
        let seconds = coordinator.configuration.handshakeTimeout
        let channel = context.channel
        let address = self.address
        let log = self.log
        let metrics = coordinator.metrics
        timeout = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            log("coordinator: refused \(address): no handshake within \(seconds) s")
            metrics.connectionRefused(reason: "protocol")
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard let peer else { return }
        if let role {
            switch role {
            case .worker:
                coordinator.received(message, from: peer)
            case .client:
                clientRequest(message, peer: peer)
            }
            return
        }
        for action in handshake.receive(message) {
            switch action {
            case .send(let reply):
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            case .refuse(let reason):
                timeout?.cancel()
                log("coordinator: refused \(address): \(reason)")
                coordinator.metrics.connectionRefused(
                    reason: reason.contains("version")
                        ? "version" : reason.contains("authentication") ? "auth" : "protocol")
                context.close(promise: nil)
            case .accept(let workerID, let capabilities):
                timeout?.cancel()
                role = capabilities.role
                if capabilities.role == .worker {
                    coordinator.workerConnected(peer, workerID: workerID, capabilities: capabilities)
                }
            }
        }
    }

    /// Client requests are served off the event loop: a submit opens the dataset.
    private func clientRequest(_ message: FarmMessage, peer: ChannelPeer) {
        let coordinator = self.coordinator
        let status = self.status
        let log = self.log
        DispatchQueue.global().async {
            switch message {
            case .submit(let request):
                do {
                    let (jobID, resumed) = try coordinator.submit(request)
                    peer.send(.submitted(jobID: jobID, resumed: resumed))
                } catch {
                    log("coordinator: refused job '\(request.name)' from \(peer.address): \(error)")
                    peer.send(.requestFailed(reason: "\(error)"))
                }
            case .statusRequest:
                peer.send(.statusReport(json: status()))
            case .cancel(let jobID):
                do {
                    try coordinator.cancel(jobID: jobID)
                    peer.send(.cancelled(jobID: jobID))
                } catch {
                    peer.send(.requestFailed(reason: "\(error)"))
                }
            default:
                log(
                    "coordinator: client \(peer.address) sent \(message.messageType), which clients do not send; closing"
                )
                peer.send(.requestFailed(reason: "unexpected \(message.messageType) from a client"))
                peer.close()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        if role == .worker, let peer { coordinator.workerDisconnected(peer) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A TLS peer that vanished (killed, unplugged) without closing TLS: the same as a plain
        // peer's end of file, which channelInactive handles.
        if FarmTLSServer.isUncleanShutdown(error) { return context.close(promise: nil) }
        if let tls = FarmTLSServer.explain(error) {
            timeout?.cancel()
            log("coordinator: \(role == nil ? "refused" : "closing connection from") \(address): \(tls)")
            coordinator.metrics.connectionRefused(reason: "tls")
            // One end speaks TLS and the other not: a plain `refuse` frame reaches either kind of
            // peer (FarmTLS). Any other TLS failure broke the session: nothing more can be said.
            guard tls.kind == .transportMismatch else { return context.close(promise: nil) }
            return refuse(context: context, reason: tls.description)
        }
        let reason: String
        let label: String
        switch error {
        case let wire as FarmWireError:
            reason = wire.description
            switch wire {
            case .versionMismatch: label = "version"
            case .frameTooLarge: label = "frame_too_large"
            default: label = "protocol"
            }
        case is ByteToMessageDecoderError.PayloadTooLargeError:
            reason = "a frame over the maximum size"
            label = "frame_too_large"
        case is IOError:
            // The peer went away (reset, broken pipe): not a refusal; its leases end with the
            // connection (channelInactive).
            log("coordinator: connection from \(address) lost: \(error)")
            context.close(promise: nil)
            return
        default:
            reason = "\(error)"
            label = "protocol"
        }
        log("coordinator: closing connection from \(address): \(reason)")
        coordinator.metrics.connectionRefused(reason: label)
        refuse(context: context, reason: reason)
    }

    /// Tells the peer why, when it can still hear it; then closes.
    private func refuse(context: ChannelHandlerContext, reason: String) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.refuse(reason: reason))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port {
            return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return "\(address)"
    }
}

/// A connection as the coordinator's core sees it.
final class ChannelPeer: FarmPeer, @unchecked Sendable {
    let channel: Channel
    let address: String

    init(channel: Channel, address: String) {
        self.channel = channel
        self.address = address
    }

    /// Always hops to the channel's event loop, even when called on it: the coordinator calls
    /// `send` under its lock, and a write run inline can close the channel (the peer reset it),
    /// whose `channelInactive` takes that lock again. Tasks run in submission order, so the order
    /// of `send` calls is the order on the wire.
    func send(_ message: FarmMessage) {
        let channel = self.channel
        channel.eventLoop.execute { channel.writeAndFlush(message, promise: nil) }
    }

    func close() {
        let channel = self.channel
        channel.eventLoop.execute { channel.close(promise: nil) }
    }
}

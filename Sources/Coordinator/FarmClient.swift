import FarmProtocol
import FarmTLS
import Foundation
import NIOCore
import NIOPosix

/// A failed client request, naming the coordinator.
public struct FarmClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The client side of `scenefarm submit`, `status` and `cancel`: connects, authenticates as a
/// client with the shared token, sends one request and returns the coordinator's answer.
public enum FarmClient {
    /// Sends `request` to the coordinator at `host:port` (over TLS with `tls`) and returns its one
    /// reply. Throws a `FarmClientError` naming the coordinator when it cannot be reached, refuses
    /// us, fails TLS, or does not answer within `timeout` seconds.
    public static func request(
        _ request: FarmMessage, host: String, port: Int, token: FarmToken, tls: FarmTLSClient? = nil,
        timeout: Double = 30
    ) throws -> FarmMessage {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let peer = "\(host):\(port)"
        let handler = ClientRequestHandler(
            request: request,
            handshake: ClientHandshake(
                workerID: "client@\(ProcessInfo.processInfo.hostName)",
                capabilities: WorkerCapabilities(renderer: "", cores: 0, role: .client), token: token),
            promise: group.next().makePromise())
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(Int64(max(1, min(timeout, 30)))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try FarmTLSPipeline.addClientHandlers(to: channel.pipeline.syncOperations, tls: tls, host: host)
                    try FarmPipeline.addHandlers(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            let failure = FarmClientError("cannot connect to the coordinator at \(peer): \(error)")
            handler.fail(failure)  // settle the promise: nothing will answer it
            throw failure
        }
        defer { try? channel.close().wait() }
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout * 1e9))) {
            handler.fail(FarmClientError("the coordinator at \(peer) did not answer within \(Int(timeout)) s"))
        }
        defer { deadline.cancel() }
        do {
            return try handler.promise.futureResult.wait()
        } catch let error as FarmClientError {
            throw FarmClientError("coordinator \(peer): \(error.description)")
        } catch {
            throw FarmClientError("coordinator \(peer): \(error)")
        }
    }
}

/// Runs the handshake, sends the request, and completes the promise with the first reply.
private final class ClientRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = FarmMessage
    typealias OutboundOut = FarmMessage

    let promise: EventLoopPromise<FarmMessage>
    private let request: FarmMessage
    private var handshake: ClientHandshake
    private var established = false
    private var done = false

    init(request: FarmMessage, handshake: ClientHandshake, promise: EventLoopPromise<FarmMessage>) {
        self.request = request
        self.handshake = handshake
        self.promise = promise
    }

    func fail(_ error: Error) {
        guard !done else { return }
        done = true
        promise.fail(error)
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .send(let hello) = handshake.start() {
            context.writeAndFlush(wrapOutboundOut(hello), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        if established {
            guard !done else { return }
            done = true
            promise.succeed(message)
            return
        }
        for action in handshake.receive(message) {
            switch action {
            case .send(let reply):
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            case .established:
                established = true
                context.writeAndFlush(wrapOutboundOut(request), promise: nil)
            case .refused(let reason):
                fail(FarmClientError("refused: \(reason)"))
            case .failed(let reason):
                fail(FarmClientError("protocol error: \(reason)"))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(FarmClientError("the connection closed before an answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(error)
        context.close(promise: nil)
    }
}

// The coordinator's HTTP side: status JSON, Prometheus metrics and a liveness probe.
//
// Non-goals: TLS, authentication, anything that changes state (it serves reads only; jobs are
// submitted and cancelled over the farm protocol), HTTP/2.

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server over NIOPosix:
///
/// | request | response |
/// |---|---|
/// | `GET /status` | 200, `application/json`, body `status().json()` |
/// | `GET /metrics` | 200, `text/plain; version=0.0.4; charset=utf-8`, body `metrics.exposition()` |
/// | `GET /healthz` | 200, `text/plain; charset=utf-8`, body `ok\n` |
/// | `HEAD` of any of these | the same status and headers (Content-Length included), no body |
/// | any other path | 404 |
/// | any other method | 405 with `Allow: GET, HEAD` |
///
/// A query string is ignored (`/metrics?x=1` is `/metrics`). Every response has a Content-Length.
/// Connections are kept alive as HTTP/1.1 (or the request's `Connection` header) says; requests
/// pipelined on one connection are answered in order. A request body is read and thrown away;
/// one over `maximumRequestBodyBytes` gets a 413 and the connection is closed. A request NIOHTTP1
/// cannot parse (garbage, a header over 80 KiB) gets a 400 and the connection is closed. A
/// connection that sends nothing for `idleTimeout` is closed.
///
/// The `status` closure runs on an event loop, once per `/status` request: it must be cheap,
/// must not block and must be safe to call from any thread (e.g. read a snapshot kept under a
/// lock, never wait on the coordinator's own queue).
public final class StatusHTTPServer: Sendable {
    /// The largest request body read (and thrown away) before the server answers 413. 64 KiB.
    public static let maximumRequestBodyBytes = 64 * 1024

    private let serverChannel: Channel
    private let connections: ConnectionSet
    /// The address the server is bound to: the actual port when asked for port 0.
    public let localAddress: (host: String, port: Int)

    private init(serverChannel: Channel, connections: ConnectionSet, localAddress: (host: String, port: Int)) {
        self.serverChannel = serverChannel
        self.connections = connections
        self.localAddress = localAddress
    }

    /// Binds `host:port` (port 0: any free port) and serves on `group` until `close()`.
    ///
    /// Blocks the calling thread until the socket is bound; never call it on an event loop.
    /// Throws when the address cannot be resolved or bound (e.g. the port is taken).
    ///
    /// - Parameters:
    ///   - idleTimeout: a connection that sends nothing for this long is closed. Default 60 s.
    ///   - status: called on an event loop for every `/status` request; cheap and thread-safe.
    public static func start(
        host: String, port: Int, group: EventLoopGroup, metrics: FarmMetrics,
        idleTimeout: TimeAmount = .seconds(60), status: @escaping @Sendable () -> FarmStatus
    ) throws -> StatusHTTPServer {
        let connections = ConnectionSet()
        let routes = StatusRoutes(metrics: metrics, status: status)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard connections.insert(channel) else { throw ChannelError.ioOnClosedChannel }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try sync.addHandler(StatusHTTPHandler(routes: routes))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
        let channel = try bootstrap.bind(host: host, port: port).wait()
        let address = channel.localAddress
        return StatusHTTPServer(
            serverChannel: channel, connections: connections,
            localAddress: (address?.ipAddress ?? host, address?.port ?? port))
    }

    /// Stops accepting, closes every open connection (a response being written may be cut
    /// short) and waits until all are closed. Calling it again does nothing. Blocks the calling
    /// thread; never call it on an event loop.
    public func close() throws {
        let open = connections.closeAll()
        do {
            try serverChannel.close().wait()
        } catch ChannelError.alreadyClosed {
            // Closed by an earlier call.
        }
        for channel in open {
            channel.close(promise: nil)
            try channel.closeFuture.wait()
        }
    }
}

/// The open connections, so that `close()` can end keep-alive connections too.
private final class ConnectionSet: @unchecked Sendable {
    // @unchecked: all state is touched under `lock`.
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: Channel] = [:]
    private var isClosed = false

    /// Tracks `channel` until it closes; false once `closeAll()` ran (the caller closes it).
    func insert(_ channel: Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let inserted = lock.withLock {
            guard !isClosed else { return false }
            channels[id] = channel
            return true
        }
        if inserted {
            channel.closeFuture.whenComplete { [weak self] _ in
                guard let self else { return }
                _ = self.lock.withLock { self.channels.removeValue(forKey: id) }
            }
        }
        return inserted
    }

    /// Refuses new connections from now on and returns the open ones.
    func closeAll() -> [Channel] {
        lock.withLock {
            isClosed = true
            return Array(channels.values)
        }
    }
}

/// What each path answers. Pure apart from the `status` closure and reading the metrics.
struct StatusRoutes: Sendable {
    let metrics: FarmMetrics
    let status: @Sendable () -> FarmStatus

    struct Response {
        var status: HTTPResponseStatus
        var contentType: String
        var body: String
        var allow: String? = nil
    }

    func response(method: HTTPMethod, uri: String) -> Response {
        let path = String(uri.prefix { $0 != "?" })
        let text = "text/plain; charset=utf-8"
        guard method == .GET || method == .HEAD else {
            return Response(
                status: .methodNotAllowed, contentType: text, body: "method not allowed\n", allow: "GET, HEAD")
        }
        switch path {
        case "/status": return Response(status: .ok, contentType: "application/json", body: status().json())
        case "/metrics":
            return Response(
                status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        case "/healthz": return Response(status: .ok, contentType: text, body: "ok\n")
        default: return Response(status: .notFound, contentType: text, body: "not found\n")
        }
    }
}

/// Answers one request at a time (`HTTPServerPipelineHandler` in front of it holds back pipelined
/// ones until the previous response is written).
private final class StatusHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case readingBody(HTTPRequestHead, bytes: Int)
        /// A response that closes the connection was sent; whatever else arrives is dropped.
        case closing
    }

    private let routes: StatusRoutes
    private var state = State.idle

    init(routes: StatusRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (_, .closing):
            return
        case (.head(let head), _):
            state = .readingBody(head, bytes: 0)
        case (.body(let chunk), .readingBody(let head, let bytes)):
            let total = bytes + chunk.readableBytes
            if total > StatusHTTPServer.maximumRequestBodyBytes {
                state = .closing
                let response = StatusRoutes.Response(
                    status: .payloadTooLarge, contentType: "text/plain; charset=utf-8",
                    body: "request body over \(StatusHTTPServer.maximumRequestBodyBytes) bytes\n")
                write(response, for: head, keepAlive: false, context: context)
            } else {
                state = .readingBody(head, bytes: total)
            }
        case (.end, .readingBody(let head, _)):
            state = .idle
            let response = routes.response(method: head.method, uri: head.uri)
            write(response, for: head, keepAlive: head.isKeepAlive, context: context)
            if !head.isKeepAlive { state = .closing }
        case (.body, .idle), (.end, .idle):
            // NIOHTTP1 always sends a head first; nothing to answer.
            return
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? IdleStateHandler.IdleStateEvent, event == .read {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A parse error was answered with a 400 by HTTPServerProtocolErrorHandler; any error
        // (that one, a reset) ends the connection.
        context.close(promise: nil)
    }

    private func write(
        _ response: StatusRoutes.Response, for request: HTTPRequestHead, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        body.writeString(response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if let allow = response.allow { headers.add(name: "Allow", value: allow) }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {  // NIOHTTP1's encoder drops a HEAD response's body too
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let channel = context.channel
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

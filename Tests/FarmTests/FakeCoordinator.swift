import FarmProtocol
import Foundation
import NIOCore
import NIOPosix
import XCTest

/// A scriptable coordinator for worker tests: a real TCP server on 127.0.0.1 speaking the farm
/// protocol through `FarmPipeline.handlers()` and `ServerHandshake`. Each accepted worker becomes
/// a `FakeConnection` the test sends messages on and reads what the worker sent from.
final class FakeCoordinator: @unchecked Sendable {
    let port: Int
    let token: FarmToken
    private let group: MultiThreadedEventLoopGroup
    private let server: Channel
    private let condition = NSCondition()
    private var accepted: [FakeConnection] = []
    private var refusals: [String] = []
    private var children: [Channel] = []
    private var isClosed = false

    /// Listens on `port` (0: any free port; see `port`). SO_REUSEADDR lets a test start a new
    /// coordinator on the port of one it just closed.
    init(token: FarmToken, port: Int = 0) throws {
        self.token = token
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let box = ServerBox()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                do {
                    try FarmPipeline.addHandlers(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(FakeConnectionHandler(coordinator: box.coordinator!))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.port = server.localAddress!.port!
        box.coordinator = self
    }

    /// Lets the child initializer reach the coordinator, which exists only after binding.
    private final class ServerBox: @unchecked Sendable {
        weak var coordinator: FakeCoordinator?
    }

    /// Closes the listener and every connection, and stops the event loop. Idempotent.
    func close() {
        let open = condition.withLock { () -> [Channel]? in
            guard !isClosed else { return nil }
            isClosed = true
            return children
        }
        guard let open else { return }
        for channel in open { try? channel.close().wait() }
        try? server.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// The `n`th worker connection that passed the handshake (0-based), waiting up to `timeout`.
    func connection(
        _ n: Int = 0, timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line
    ) throws
        -> FakeConnection
    {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return try condition.withLock {
            while accepted.count <= n {
                guard condition.wait(until: deadline) else {
                    XCTFail("no worker connection #\(n) within \(timeout) s", file: file, line: line)
                    throw FakeCoordinatorTimeout(what: "worker connection #\(n)")
                }
            }
            return accepted[n]
        }
    }

    /// Connections accepted so far.
    var acceptedCount: Int { condition.withLock { accepted.count } }

    /// Reasons of the handshakes refused so far.
    var refusedReasons: [String] { condition.withLock { refusals } }

    /// Waits up to `timeout` until `count` handshakes were refused.
    func waitForRefusals(
        _ count: Int, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line
    )
        throws
    {
        let deadline = Date(timeIntervalSinceNow: timeout)
        try condition.withLock {
            while refusals.count < count {
                guard condition.wait(until: deadline) else {
                    XCTFail("fewer than \(count) refusals within \(timeout) s", file: file, line: line)
                    throw FakeCoordinatorTimeout(what: "\(count) refusals")
                }
            }
        }
    }

    fileprivate func opened(_ channel: Channel) {
        condition.withLock { children.append(channel) }
    }

    fileprivate func accept(_ connection: FakeConnection) {
        condition.withLock {
            accepted.append(connection)
            condition.broadcast()
        }
    }

    fileprivate func refused(_ reason: String) {
        condition.withLock {
            refusals.append(reason)
            condition.broadcast()
        }
    }
}

/// Thrown when a wait of the fake coordinator runs out (the test has already failed).
struct FakeCoordinatorTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// One worker's connection, after its handshake: what it sent, and a way to talk back.
final class FakeConnection: @unchecked Sendable {
    let workerID: String
    let capabilities: WorkerCapabilities
    private let channel: Channel
    private let condition = NSCondition()
    private var messages: [FarmMessage] = []
    private var isClosed = false

    fileprivate init(channel: Channel, workerID: String, capabilities: WorkerCapabilities) {
        self.channel = channel
        self.workerID = workerID
        self.capabilities = capabilities
    }

    /// Sends a message to the worker (waiting until it is written).
    func send(_ message: FarmMessage) throws {
        try channel.writeAndFlush(message).wait()
    }

    /// Stops reading from the socket: what the worker writes piles up in the kernel's buffers
    /// until its writes stall.
    func pauseReading() throws {
        try channel.setOption(ChannelOptions.autoRead, value: false).wait()
    }

    /// Reads again.
    func resumeReading() throws {
        try channel.setOption(ChannelOptions.autoRead, value: true).wait()
        channel.read()
    }

    /// Closes the connection from the coordinator's side.
    func close() {
        try? channel.close().wait()
    }

    /// Everything the worker sent after the handshake, in order.
    var received: [FarmMessage] { condition.withLock { messages } }

    var closed: Bool { condition.withLock { isClosed } }

    /// Waits up to `timeout` until `done(received)` holds; fails the test and throws otherwise.
    @discardableResult
    func waitUntil(
        _ what: String, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line,
        _ done: ([FarmMessage]) -> Bool
    ) throws -> [FarmMessage] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return try condition.withLock {
            while !done(messages) {
                guard condition.wait(until: deadline) else {
                    XCTFail(
                        "timed out after \(timeout) s waiting for \(what); received: \(summary(messages))",
                        file: file, line: line)
                    throw FakeCoordinatorTimeout(what: what)
                }
            }
            return messages
        }
    }

    /// Waits until the worker has sent `message`.
    @discardableResult
    func waitFor(
        _ message: FarmMessage, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line
    ) throws -> [FarmMessage] {
        try waitUntil("\(summary([message]))", timeout: timeout, file: file, line: line) { $0.contains(message) }
    }

    /// Waits until the worker closed the connection.
    func waitForClose(timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        try condition.withLock {
            while !isClosed {
                guard condition.wait(until: deadline) else {
                    XCTFail("the worker did not close the connection within \(timeout) s", file: file, line: line)
                    throw FakeCoordinatorTimeout(what: "the connection to close")
                }
            }
        }
    }

    fileprivate func record(_ message: FarmMessage) {
        condition.withLock {
            messages.append(message)
            condition.broadcast()
        }
    }

    fileprivate func markClosed() {
        condition.withLock {
            isClosed = true
            condition.broadcast()
        }
    }
}

/// The server side of one connection: the handshake, then recording.
private final class FakeConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = FarmMessage
    typealias OutboundOut = FarmMessage

    private let coordinator: FakeCoordinator
    private var handshake: ServerHandshake
    private var connection: FakeConnection?

    init(coordinator: FakeCoordinator) {
        self.coordinator = coordinator
        handshake = ServerHandshake(token: coordinator.token)
    }

    func channelActive(context: ChannelHandlerContext) {
        coordinator.opened(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        if let connection {
            connection.record(message)
            return
        }
        for action in handshake.receive(message) {
            switch action {
            case .send(let reply):
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            case .accept(let workerID, let capabilities):
                let made = FakeConnection(channel: context.channel, workerID: workerID, capabilities: capabilities)
                connection = made
                coordinator.accept(made)
            case .refuse(let reason):
                coordinator.refused(reason)
                context.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.markClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A short text for a list of messages (no file bytes), for failure messages.
func summary(_ messages: [FarmMessage]) -> String {
    messages.map { message -> String in
        switch message {
        case .frameResult(let lease, let frame, let files, _):
            return "frameResult(\(lease), \(frame), \(files.count) files)"
        case .heartbeat(let lease): return "heartbeat(\(lease))"
        case .shardDone(let lease): return "shardDone(\(lease))"
        case .failure(let lease, let frame, let text):
            return "failure(\(lease), \(frame.map(String.init) ?? "nil"), \(text))"
        default: return "\(message.messageType)"
        }
    }.joined(separator: ", ")
}

/// What the worker's connection code must do after a step of `ClientHandshake`.
public enum ClientHandshakeAction: Equatable, Sendable {
    /// Write this message to the coordinator.
    case send(FarmMessage)
    /// The coordinator welcomed us: the session starts.
    case established
    /// The coordinator refused us, saying why; it closes the connection.
    case refused(reason: String)
    /// The coordinator broke the protocol; close the connection.
    case failed(reason: String)
}

/// The worker's side of the handshake (docs/PROTOCOL.md, "Handshake") as a pure state machine:
/// call `start()` once and send what it returns, then feed every message from the coordinator
/// to `receive(_:)` until it returns `.established`, `.refused` or `.failed`. After any of those
/// the handshake is over and `receive(_:)` returns no actions.
public struct ClientHandshake: Sendable {
    public enum State: Equatable, Sendable {
        case idle
        case awaitingChallenge
        case awaitingWelcome
        case established
        case refused(reason: String)
        case failed(reason: String)
    }

    public private(set) var state: State = .idle
    public let workerID: String
    public let capabilities: WorkerCapabilities
    private let token: FarmToken

    public init(workerID: String, capabilities: WorkerCapabilities, token: FarmToken) {
        self.workerID = workerID
        self.capabilities = capabilities
        self.token = token
    }

    /// Begins the handshake: the hello to send. Call exactly once, before `receive(_:)`.
    public mutating func start() -> ClientHandshakeAction {
        precondition(state == .idle, "ClientHandshake.start() called twice")
        state = .awaitingChallenge
        return .send(.hello(protocolVersion: FarmProtocol.version, workerID: workerID, capabilities: capabilities))
    }

    /// Advances the handshake with one message from the coordinator.
    public mutating func receive(_ message: FarmMessage) -> [ClientHandshakeAction] {
        switch (state, message) {
        case (.established, _), (.refused, _), (.failed, _):
            return []
        case (.idle, _):
            return fail("received \(message.messageType) before the handshake started")
        case (_, .refuse(let reason)):
            state = .refused(reason: reason)
            return [.refused(reason: reason)]
        case (.awaitingChallenge, .challenge(let nonce)):
            state = .awaitingWelcome
            return [.send(.authenticate(hmac: FarmAuthentication.authenticationCode(token: token, nonce: nonce)))]
        case (.awaitingWelcome, .welcome):
            state = .established
            return [.established]
        case (.awaitingChallenge, _):
            return fail("unexpected \(message.messageType) while waiting for challenge")
        case (.awaitingWelcome, _):
            return fail("unexpected \(message.messageType) while waiting for welcome")
        }
    }

    private mutating func fail(_ reason: String) -> [ClientHandshakeAction] {
        state = .failed(reason: reason)
        return [.failed(reason: reason)]
    }
}

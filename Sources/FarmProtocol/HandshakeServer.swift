/// What the coordinator's connection code must do after feeding a message to `ServerHandshake`.
public enum ServerHandshakeAction: Equatable, Sendable {
    /// Write this message to the worker.
    case send(FarmMessage)
    /// The worker is authenticated: hand the connection to the session with these details.
    case accept(workerID: String, capabilities: WorkerCapabilities)
    /// The handshake failed for `reason` (already sent to the worker as `refuse`): close the
    /// connection.
    case refuse(reason: String)
}

/// The coordinator's side of the handshake (docs/PROTOCOL.md, "Handshake") as a pure state
/// machine: no sockets, no clock, no randomness of its own. Feed it every message the worker
/// sends with `receive(_:)` and perform the returned actions in order.
///
///     awaitingHello --hello(version ok)--> awaitingAuthentication --authenticate(valid)--> accepted
///           |                                     |
///           +---- anything else / bad version ----+---- anything else / bad HMAC ----> refused
///
/// A refusal always yields `.send(.refuse(reason:))` followed by `.refuse(reason:)`; after it
/// every message is ignored (no actions). Once accepted, the handshake is over: later messages
/// belong to the session and `receive(_:)` returns no actions for them.
public struct ServerHandshake: Sendable {
    public enum State: Equatable, Sendable {
        case awaitingHello
        case awaitingAuthentication(workerID: String, capabilities: WorkerCapabilities)
        case accepted(workerID: String, capabilities: WorkerCapabilities)
        case refused(reason: String)
    }

    public private(set) var state: State = .awaitingHello
    private let token: FarmToken
    /// The challenge this connection sends; fresh per connection so a recorded HMAC is useless.
    public let nonce: [UInt8]

    /// A handshake that will challenge with `nonce`, which must be `FarmProtocol.nonceSize`
    /// bytes. Production passes `FarmAuthentication.makeNonce()` (the default); tests inject one.
    public init(token: FarmToken, nonce: [UInt8] = FarmAuthentication.makeNonce()) {
        precondition(
            nonce.count == FarmProtocol.nonceSize,
            "a challenge nonce has \(FarmProtocol.nonceSize) bytes, not \(nonce.count)")
        self.token = token
        self.nonce = nonce
    }

    /// Advances the handshake with one message from the worker.
    public mutating func receive(_ message: FarmMessage) -> [ServerHandshakeAction] {
        switch (state, message) {
        case (.refused, _), (.accepted, _):
            return []
        case (.awaitingHello, .hello(let version, let workerID, let capabilities)):
            guard version == FarmProtocol.version else {
                return refuse(
                    FarmWireError.versionMismatch(received: version, expected: FarmProtocol.version).description)
            }
            state = .awaitingAuthentication(workerID: workerID, capabilities: capabilities)
            return [.send(.challenge(nonce: nonce))]
        case (.awaitingAuthentication(let workerID, let capabilities), .authenticate(let hmac)):
            guard FarmAuthentication.isValid(code: hmac, token: token, nonce: nonce) else {
                return refuse("authentication failed")
            }
            state = .accepted(workerID: workerID, capabilities: capabilities)
            return [.send(.welcome), .accept(workerID: workerID, capabilities: capabilities)]
        case (.awaitingHello, _):
            return refuse("unexpected \(message.messageType) while waiting for hello")
        case (.awaitingAuthentication, _):
            return refuse("unexpected \(message.messageType) while waiting for authenticate")
        }
    }

    private mutating func refuse(_ reason: String) -> [ServerHandshakeAction] {
        state = .refused(reason: reason)
        return [.send(.refuse(reason: reason)), .refuse(reason: reason)]
    }
}

// FarmTLS: optional TLS for farm connections (docs/PROTOCOL.md, "TLS").
//
// TLS wraps the farm protocol unchanged: the token handshake runs inside it (TLS for privacy and
// for knowing the coordinator is ours, the token for authorization). This module holds what the
// coordinator and the worker share: loading certificates and keys with errors that name the file,
// the first-byte check that tells a TLS peer from a plain one so that a mismatch is a clear error
// rather than a hang, and error texts a user can act on.
//
// Non-goals: no client certificates (the token authorizes), no certificate reloading (restart the
// coordinator), no TLS for the HTTP status endpoint, no system trust store (a farm trusts its own CA).

/// A TLS problem in words a user can act on: which file, which flag, what the peer did.
public struct FarmTLSError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A certificate, key or CA file cannot be read or used, or a flag is unusable.
        case configuration
        /// One end speaks TLS and the other plain TCP.
        case transportMismatch
        /// The peer's certificate was refused: not signed by the trusted CA, expired, or not naming the host.
        case untrustedPeer
        /// The handshake failed for another reason (the peer closed, a reset, an unexpected alert).
        case handshake
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// True when trying again cannot help before someone changes a flag, a file or a certificate.
    public var isConfigurationError: Bool { kind != .handshake }
}

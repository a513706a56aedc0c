// FarmProtocol: the wire between the coordinator and its workers.
//
// Holds the messages (`FarmMessage`), their binary encoding, the bounded framing codec
// (`FarmMessageDecoder`, `FarmMessageEncoder`, `FarmPipeline`) and the handshake's
// authentication (`FarmAuthentication`, `FarmToken`). See docs/PROTOCOL.md.
//
// Non-goals: no sockets, no event loops, no processes (NIOCore only, never NIOPosix); no
// scheduling decisions (that is the coordinator's lease table); no TLS (the handshake
// authenticates, it does not encrypt: the `FarmTLS` target wraps these same frames in TLS, so
// this module stays NIOCore-only).

/// Constants of the wire protocol.
public enum FarmProtocol {
    /// The protocol version this build speaks. A hello with any other version is refused with a
    /// `FarmWireError.versionMismatch` naming both versions. Version 2: jobs carry a scene bundle
    /// (every file of the scene) instead of one scene file's text.
    public static let version: UInt16 = 2

    /// The default hard limit on one frame's payload (type tag + body): 64 MiB. A frame that
    /// claims more is an error before any of its body is buffered.
    public static let defaultMaximumFrameLength = 64 * 1024 * 1024

    /// Size of the length prefix in bytes (big-endian `UInt32`).
    public static let lengthFieldSize = 4

    /// Size of a challenge nonce and of an HMAC-SHA256 code, in bytes.
    public static let nonceSize = 32
    public static let authenticationCodeSize = 32
}

import Crypto
import SceneCore
import Foundation

/// The handshake's proof of the shared token: the coordinator sends a random nonce, the worker
/// answers HMAC-SHA256(key: token, message: nonce). The token itself never crosses the wire.
public enum FarmAuthentication {
    /// 32 fresh random bytes from the system's cryptographic generator.
    public static func makeNonce() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// A fresh token for a token file: 256 random bits as 64 lowercase hex digits (ASCII bytes).
    /// Text, not raw bytes: `FarmToken(contentsOfFile:)` strips a trailing newline, so a raw
    /// random token ending in 0x0A or 0x0D would not read back as itself.
    public static func makeToken() -> [UInt8] {
        Array(makeNonce().map { String(format: "%02x", $0) }.joined().utf8)
    }

    /// HMAC-SHA256(key: token, message: nonce), 32 bytes.
    public static func authenticationCode(token: FarmToken, nonce: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: nonce, using: SymmetricKey(data: token.bytes)))
    }

    /// True when `code` is the HMAC of `nonce` under `token`. Compares in constant time
    /// (Crypto's `isValidAuthenticationCode`), so timing tells an attacker nothing.
    public static func isValid(code: [UInt8], token: FarmToken, nonce: [UInt8]) -> Bool {
        guard code.count == FarmProtocol.authenticationCodeSize else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            code, authenticating: nonce, using: SymmetricKey(data: token.bytes))
    }

    /// The digest a job's scene is known by: SHA-256 of the bundle's canonical bytes.
    public static func sceneDigest(_ bundle: SceneBundle) -> String { sha256Hex(bundle.canonicalBytes) }

    /// SHA-256 of `bytes` as 64 lowercase hex digits.
    public static func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digest = SHA256.hash(data: Array(bytes))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// The shared secret of a farm, read from a file that both coordinator and workers can read.
public struct FarmToken: Sendable, Equatable {
    public let bytes: [UInt8]

    /// A token from bytes; throws when empty.
    public init(bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw FarmTokenError(path: nil, reason: "the token is empty") }
        self.bytes = bytes
    }

    /// Reads the token file at `path`, dropping trailing newlines ("\n", "\r\n"), so a file
    /// written by `echo` works. Throws a `FarmTokenError` naming the file when it cannot be read
    /// or holds nothing else.
    public init(contentsOfFile path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FarmTokenError(path: path, reason: "cannot read the token file: \(error.localizedDescription)")
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            bytes.removeLast()
        }
        guard !bytes.isEmpty else { throw FarmTokenError(path: path, reason: "the token file is empty") }
        self.bytes = bytes
    }
}

/// A token that cannot be used, with the file it came from.
public struct FarmTokenError: Error, Equatable, CustomStringConvertible {
    public var path: String?
    public var reason: String

    public var description: String {
        if let path { return "\(path): \(reason)" }
        return reason
    }
}

import Foundation
import NIOCore
import NIOSSL

/// The coordinator's TLS: its certificate (chain) and private key. Peers must speak TLS 1.3.
///
///     let tls = try FarmTLSServer(certificateFile: "server.pem", keyFile: "server.key")
///     try CoordinatorServer(coordinator: ..., tls: tls, ...)
public struct FarmTLSServer: Sendable {
    /// The PEM file with the coordinator's certificate, then any intermediate certificates.
    public let certificateFile: String
    /// The PEM file with the certificate's private key (unencrypted).
    public let keyFile: String
    let context: NIOSSLContext

    /// Loads and checks both files. Throws a `FarmTLSError` naming the file that cannot be read or
    /// parsed, or both files when the key is not the certificate's.
    public init(certificateFile: String, keyFile: String) throws {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        let chain = try PEMFile.certificates(certificateFile, what: "certificate")
        let key = try PEMFile.privateKey(keyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // All peers are SceneFarm builds: no reason to accept anything older.
        configuration.minimumTLSVersion = .tlsv13
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch NIOSSLError.failedToLoadPrivateKey {
            // BoringSSL checks the key against the certificate's public key when it loads it.
            throw FarmTLSError(
                .configuration, "\(keyFile): this private key does not belong to the certificate in \(certificateFile)")
        } catch {
            throw FarmTLSError(.configuration, "\(certificateFile), \(keyFile): cannot set up TLS: \(error)")
        }
    }

    /// What a TLS error on a coordinator connection means, for its log line; nil for an error that
    /// is not about TLS.
    public static func explain(_ error: Error) -> FarmTLSError? {
        switch error {
        case let error as FarmTLSError:
            return error
        case NIOSSLError.handshakeFailed(let failure):
            let codes = BoringSSLCodes(failure)
            if codes.contains("ALERT_UNKNOWN_CA") || codes.contains("ALERT_BAD_CERTIFICATE")
                || codes.contains("ALERT_CERTIFICATE_UNKNOWN")
            {
                return FarmTLSError(
                    .untrustedPeer,
                    "the peer does not trust this coordinator's certificate (\(codes)): give it the CA that signed "
                        + "the certificate with --tls-ca")
            }
            if codes.contains("UNSUPPORTED_PROTOCOL") || codes.contains("NO_SHARED_CIPHER") {
                return FarmTLSError(.transportMismatch, "the peer does not offer TLS 1.3 (\(codes))")
            }
            return FarmTLSError(.handshake, "TLS handshake failed (\(codes))")
        case let error as NIOSSLError:
            return FarmTLSError(.handshake, "TLS: \(error)")
        default:
            return nil
        }
    }

    /// True for the error a TLS connection reports when its peer went away without closing TLS
    /// (a killed process): the same as a plain connection's end of file, not worth a log line.
    public static func isUncleanShutdown(_ error: Error) -> Bool {
        if case NIOSSLError.uncleanShutdown = error { return true }
        return false
    }
}

/// The reason names of a BoringSSL error stack ("CERTIFICATE_VERIFY_FAILED"), without the codes,
/// source paths and line numbers that BoringSSL's own text carries.
struct BoringSSLCodes: CustomStringConvertible {
    let names: [String]

    init(_ error: BoringSSLError) {
        switch error {
        case .sslError(let stack), .unknownError(let stack), .invalidSNIName(let stack), .failedToSetALPN(let stack):
            names = stack.map { Self.reasonName($0.description) }
        default:
            names = ["\(error)"]
        }
    }

    /// "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at
    /// handshake.cc:297" → "CERTIFICATE_VERIFY_FAILED"; anything else is kept whole.
    static func reasonName(_ text: String) -> String {
        var text = Substring(text)
        if let at = text.range(of: " at ", options: .backwards) { text = text[..<at.lowerBound] }
        if let colon = text.lastIndex(of: ":") { text = text[text.index(after: colon)...] }
        return text.trimmingCharacters(in: .whitespaces)
    }

    func contains(_ fragment: String) -> Bool { names.contains { $0.contains(fragment) } }

    var description: String { names.isEmpty ? "no reason given" : names.joined(separator: ", ") }
}

import NIOCore
import NIOSSL

/// The TLS of a worker or client: the CA it trusts for the coordinator's certificate, and the name
/// that certificate must carry.
///
/// The certificate must be signed by a CA in `caFile` (or be the self-signed certificate in it),
/// be valid now, and name the coordinator: `serverName` when given, else the host of the address
/// connected to. A host name is checked against the certificate's DNS names; an IP address against
/// its IP addresses. Only TLS 1.3 is spoken.
public struct FarmTLSClient: Sendable {
    /// The PEM file with the CA certificate(s) to trust.
    public let caFile: String
    /// The name the coordinator's certificate must carry instead of the host connected to.
    public let serverName: String?
    let context: NIOSSLContext

    /// Loads the CA file. Throws a `FarmTLSError` naming the file when it cannot be read or holds no
    /// certificate, or when `serverName` is not a DNS name.
    public init(caFile: String, serverName: String? = nil) throws {
        if let serverName {
            guard (try? SocketAddress(ipAddress: serverName, port: 0)) == nil else {
                throw FarmTLSError(
                    .configuration,
                    "--tls-server-name must be a DNS name, not an address (\(serverName)): an address is checked "
                        + "against the one connected to")
            }
            guard (1...253).contains(serverName.utf8.count), !serverName.contains("\0") else {
                throw FarmTLSError(.configuration, "--tls-server-name '\(serverName)' is not a DNS name")
            }
        }
        self.caFile = caFile
        self.serverName = serverName
        let roots = try PEMFile.certificates(caFile, what: "CA certificate")
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = .certificates(roots)
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw FarmTLSError(.configuration, "\(caFile): cannot set up TLS with this CA file: \(error)")
        }
    }

    /// The name to check the certificate against for a coordinator at `host`, and to send as SNI;
    /// nil when `host` is an IP address, which NIOSSL then checks against the address connected to.
    func nameToCheck(host: String) -> String? {
        if let serverName { return serverName }
        return (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// What a TLS error on a connection to the coordinator at `host` means, naming the CA file and
    /// the flag to change; other errors are returned as they are.
    public func explain(_ error: Error, host: String) -> Error {
        let name = serverName ?? host
        switch error {
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            let hint = serverName == nil ? "; --tls-server-name NAME checks another name" : ""
            return FarmTLSError(
                .untrustedPeer, "the coordinator's certificate is valid but does not name \(name)\(hint)")
        case NIOSSLError.handshakeFailed(let failure):
            let codes = BoringSSLCodes(failure)
            if codes.contains("CERTIFICATE_VERIFY_FAILED") {
                return FarmTLSError(
                    .untrustedPeer,
                    "the coordinator's certificate failed verification (\(codes)): it is not signed by the CA in "
                        + "\(caFile), or it has expired or is not yet valid")
            }
            if codes.contains("WRONG_VERSION_NUMBER") {
                return FarmTLSError(.transportMismatch, Self.notTLS)
            }
            if codes.contains("UNSUPPORTED_PROTOCOL") || codes.contains("ALERT_PROTOCOL_VERSION") {
                return FarmTLSError(.transportMismatch, "the coordinator does not offer TLS 1.3 (\(codes))")
            }
            if codes.contains("EOF during handshake") {
                return FarmTLSError(.handshake, "the coordinator closed the connection during the TLS handshake")
            }
            return FarmTLSError(.handshake, "TLS handshake with the coordinator failed (\(codes))")
        default:
            return error
        }
    }

    static let notTLS =
        "the coordinator does not speak TLS (it answered in plain TCP): drop --tls-ca, or start the coordinator "
        + "with --tls-cert and --tls-key"
}

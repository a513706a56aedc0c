import Foundation
import NIOSSL

/// Reads PEM certificates and keys, naming the file in every error.
enum PEMFile {
    static func bytes(_ path: String, what: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw FarmTLSError(.configuration, "\(path): cannot read the \(what) file: \(error.localizedDescription)")
        }
    }

    /// Every certificate in the file, in order (a server's leaf first, then its intermediates).
    static func certificates(_ path: String, what: String) throws -> [NIOSSLCertificate] {
        let bytes = try bytes(path, what: what)
        let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes)
        guard let certificates, !certificates.isEmpty else {
            throw FarmTLSError(
                .configuration, "\(path): not a \(what) file: no PEM certificate (-----BEGIN CERTIFICATE-----) in it")
        }
        return certificates
    }

    static func privateKey(_ path: String) throws -> NIOSSLPrivateKey {
        let bytes = try bytes(path, what: "private key")
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw FarmTLSError(
                .configuration,
                "\(path): not a private key file: no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----) in it")
        }
    }
}

import Foundation
import XCTest

/// TLS between the farm's processes, end to end: a CA and a server certificate for 127.0.0.1 and
/// localhost made by the `openssl` command line, a `scenefarm coordinator --tls-cert --tls-key`,
/// workers and clients with `--tls-ca`, on real loopback sockets.
final class FarmTLSCLITests: XCTestCase {
    static let frames = 6
    /// `frames` frames of the minimal scene rendered by `scenefarm render --workers 1`: the embedded
    /// farm, plain TCP on loopback.
    static let reference: Result<[String: Data], Error> = Result {
        let out = try CLI.temporaryDirectory("farm-tls-reference")
        let r = try CLI.run([
            "render", CLI.scene("minimal.yaml"), "--out", out.path, "--frames", "\(frames)", "--workers", "1",
        ])
        guard r.status == 0 else { throw FarmTestError("reference render failed: \(r.stderr)") }
        return try CLI.files(under: out)
    }
    static let certificates: Result<TLSCertificates, Error> = Result { try TLSCertificates.make() }

    func testAJobOverTLSWithTwoWorkersWritesTheSameDatasetAsPlainTCP() throws {
        let reference = try Self.reference.get()
        XCTAssertEqual(reference.keys.filter { $0.hasPrefix("labels/") }.count, Self.frames)
        let tls = try Self.certificates.get()
        let farm = try FarmProcesses(name: "tls-job")
        defer { farm.stopAll() }
        let coordinator = try farm.startCoordinator(extra: tls.coordinatorArguments + ["--shard-size", "2"])
        let workers = try ["w1", "w2"].map { try farm.startWorker($0, extra: tls.clientArguments) }
        for worker in workers {
            try farm.waitUntil("a worker is connected over TLS") {
                guard worker.process.isRunning else { throw FarmTestError("a worker exited: \(worker.stderr)") }
                return worker.stderr.contains("connected to \(farm.address) over TLS")
            }
        }
        let submit = try farm.client(
            ["submit", CLI.scene("minimal.yaml"), "--out", "tiny", "--frames", "\(Self.frames)", "--wait"]
                + tls.clientArguments)
        XCTAssertEqual(submit.status, 0, submit.stderr)
        XCTAssertEqual(try CLI.files(under: farm.data.appendingPathComponent("tiny")), reference)
        XCTAssertEqual(try farm.journalCommits(job: "tiny"), Self.frames)

        let status = try farm.client(["status", "--json"] + tls.clientArguments)
        XCTAssertEqual(status.status, 0, status.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["workers"] as? [[String: Any]])?.count, 2)
        XCTAssertTrue(coordinator.stderr.contains("(TLS 1.3 with \(tls.certificate))"), coordinator.stderr)
        XCTAssertFalse(coordinator.stderr.contains("refused"), coordinator.stderr)
    }

    /// Plain TCP against TLS, both ways round: a clear refusal naming what to change, never a
    /// hang, and the coordinator goes on serving.
    func testPlainPeersOfATLSCoordinatorAndTLSPeersOfAPlainOneAreRefusedClearly() throws {
        let tls = try Self.certificates.get()
        let farm = try FarmProcesses(name: "tls-plain-peer")
        defer { farm.stopAll() }
        try farm.startCoordinator(extra: tls.coordinatorArguments)

        let client = try farm.client(["status"])
        XCTAssertEqual(client.status, 1, client.stderr)
        XCTAssertTrue(client.stderr.contains("coordinator \(farm.address): refused"), client.stderr)
        XCTAssertTrue(client.stderr.contains("this coordinator requires TLS: connect with --tls-ca"), client.stderr)

        let worker = try farm.startWorker("plain", extra: ["--quiet"]).wait(timeout: 120)
        XCTAssertEqual(worker.status, 1, worker.stderr)
        XCTAssertTrue(worker.stderr.contains("requires TLS"), worker.stderr)

        try farm.waitUntil("the coordinator logs both refusals") {
            farm.coordinatorLog.components(separatedBy: "coordinator: refused 127.0.0.1:").count - 1 >= 2
        }
        XCTAssertTrue(farm.coordinatorLog.contains("this coordinator requires TLS"), farm.coordinatorLog)
        let served = try farm.client(["status"] + tls.clientArguments)
        XCTAssertEqual(served.status, 0, served.stderr)

        // The other way round: a TLS client and a TLS worker against a plain coordinator.
        let plain = try FarmProcesses(name: "tls-plain-coordinator")
        defer { plain.stopAll() }
        try plain.startCoordinator()
        let tlsClient = try plain.client(["status"] + tls.clientArguments)
        XCTAssertEqual(tlsClient.status, 1, tlsClient.stderr)
        XCTAssertTrue(
            tlsClient.stderr.contains("coordinator \(plain.address): the coordinator does not speak TLS"),
            tlsClient.stderr)
        XCTAssertTrue(tlsClient.stderr.contains("start the coordinator with --tls-cert"), tlsClient.stderr)
        let tlsWorker = try plain.startWorker("tls", extra: tls.clientArguments + ["--quiet"]).wait(timeout: 120)
        XCTAssertEqual(tlsWorker.status, 1, tlsWorker.stderr)
        XCTAssertTrue(tlsWorker.stderr.contains("does not speak TLS"), tlsWorker.stderr)
        XCTAssertTrue(plain.coordinatorLog.contains("this coordinator does not use TLS"), plain.coordinatorLog)
        XCTAssertEqual(try plain.client(["status"]).status, 0)
    }

    /// The coordinator's certificate is checked: signed by the trusted CA, and naming the host
    /// connected to, the name given with --tls-server-name, or the IP address connected to.
    func testAPeerTrustingAnotherCAOrExpectingAnotherNameFailsVerification() throws {
        let tls = try Self.certificates.get()
        let farm = try FarmProcesses(name: "tls-verify")
        defer { farm.stopAll() }
        try farm.startCoordinator(extra: tls.coordinatorArguments)

        let stranger = try farm.client(["status", "--tls-ca", tls.otherCA])
        XCTAssertEqual(stranger.status, 1, stranger.stderr)
        XCTAssertTrue(
            stranger.stderr.contains("coordinator \(farm.address): the coordinator's certificate failed verification"),
            stranger.stderr)
        XCTAssertTrue(stranger.stderr.contains("not signed by the CA in \(tls.otherCA)"), stranger.stderr)

        let worker = try farm.startWorker("stranger", extra: ["--tls-ca", tls.otherCA, "--quiet"]).wait(timeout: 120)
        XCTAssertEqual(worker.status, 1, worker.stderr)
        XCTAssertTrue(
            worker.stderr.contains(
                "TLS with the coordinator at \(farm.address) failed: the coordinator's certificate "
                    + "failed verification"), worker.stderr)
        try farm.waitUntil("the coordinator logs that its certificate was not trusted") {
            farm.coordinatorLog.contains("the peer does not trust this coordinator's certificate")
        }
        // The right CA, by the certificate's IP address and by its DNS name; and still serving.
        XCTAssertEqual(try farm.client(["status"] + tls.clientArguments).status, 0)
        let byName = try CLI.run(
            ["status", "--coordinator", "localhost:\(farm.port)", "--token-file", farm.tokenFile] + tls.clientArguments)
        XCTAssertEqual(byName.status, 0, byName.stderr)

        // A certificate for farm.example alone, signed by the right CA: connecting to 127.0.0.1 it
        // passes only when --tls-server-name names it.
        let named = try FarmProcesses(name: "tls-names")
        defer { named.stopAll() }
        try named.startCoordinator(extra: ["--tls-cert", tls.namedCertificate, "--tls-key", tls.namedKey])
        let byAddress = try named.client(["status"] + tls.clientArguments)
        XCTAssertEqual(byAddress.status, 1, byAddress.stderr)
        XCTAssertTrue(
            byAddress.stderr.contains("certificate is valid but does not name 127.0.0.1; --tls-server-name NAME"),
            byAddress.stderr)
        let elsewhere = try named.client(["status", "--tls-server-name", "elsewhere.example"] + tls.clientArguments)
        XCTAssertEqual(elsewhere.status, 1, elsewhere.stderr)
        XCTAssertTrue(elsewhere.stderr.contains("does not name elsewhere.example"), elsewhere.stderr)
        let right = try named.client(["status", "--tls-server-name", "farm.example"] + tls.clientArguments)
        XCTAssertEqual(right.status, 0, right.stderr)
    }

    /// Unusable certificate, key and CA files stop the command at once with status 1 and the file's
    /// name; flags that make no sense alone are usage errors.
    func testUnusableTLSFilesAreErrorsNamingTheFile() throws {
        let tls = try Self.certificates.get()
        let farm = try FarmProcesses(name: "tls-files")
        defer { farm.stopAll() }
        let missing = farm.data.appendingPathComponent("missing/server.pem").path

        func coordinator(_ arguments: [String]) throws -> CLIResult {
            let base = [
                "coordinator", "--listen", farm.address, "--data", farm.data.path, "--token-file", farm.tokenFile,
                "--http", "off",
            ]
            // A coordinator that started would serve until killed: the wait ends it then.
            return try SpawnedProcess(arguments: base + arguments, name: "coordinator").wait(timeout: 60)
        }
        for (arguments, expected) in [
            (["--tls-cert", missing, "--tls-key", tls.key], "\(missing): cannot read the certificate file"),
            (["--tls-cert", farm.tokenFile, "--tls-key", tls.key], "\(farm.tokenFile): not a certificate file"),
            (["--tls-cert", tls.certificate, "--tls-key", tls.certificate], "\(tls.certificate): not a private key"),
            (
                ["--tls-cert", tls.certificate, "--tls-key", tls.caKey],
                "\(tls.caKey): this private key does not belong to the certificate in \(tls.certificate)"
            ),
        ] {
            let r = try coordinator(arguments)
            XCTAssertEqual(r.status, 1, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error: \(expected)"), "\(arguments): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("listening"), r.stderr)
        }
        let half = try coordinator(["--tls-cert", tls.certificate])
        XCTAssertEqual(half.status, 64, half.stderr)
        XCTAssertTrue(half.stderr.contains("--tls-cert and --tls-key go together"), half.stderr)

        let missingCA = farm.data.appendingPathComponent("missing/ca.pem").path
        let client = try farm.client(["status", "--tls-ca", missingCA])
        XCTAssertEqual(client.status, 1, client.stderr)
        XCTAssertTrue(client.stderr.contains("error: \(missingCA): cannot read the CA certificate file"), client.stderr)
        let worker = try farm.startWorker("w", extra: ["--tls-ca", tls.key]).wait(timeout: 60)
        XCTAssertEqual(worker.status, 1, worker.stderr)
        XCTAssertTrue(worker.stderr.contains("error: \(tls.key): not a CA certificate file"), worker.stderr)
        let nameAlone = try farm.client(["status", "--tls-server-name", "localhost"])
        XCTAssertEqual(nameAlone.status, 64, nameAlone.stderr)
        XCTAssertTrue(nameAlone.stderr.contains("--tls-server-name needs --tls-ca"), nameAlone.stderr)
        let address = try farm.client(["status", "--tls-server-name", "127.0.0.1"] + tls.clientArguments)
        XCTAssertEqual(address.status, 1, address.stderr)
        XCTAssertTrue(address.stderr.contains("--tls-server-name must be a DNS name"), address.stderr)
    }
}

/// A CA, a server certificate it signed for localhost and 127.0.0.1, one it signed for farm.example,
/// and a second, unrelated CA,
/// made with the `openssl` command line (EC P-256, valid for 2 days).
struct TLSCertificates {
    let directory: URL
    var ca: String { directory.appendingPathComponent("ca.pem").path }
    var caKey: String { directory.appendingPathComponent("ca.key").path }
    var certificate: String { directory.appendingPathComponent("server.pem").path }
    var key: String { directory.appendingPathComponent("server.key").path }
    var otherCA: String { directory.appendingPathComponent("other-ca.pem").path }
    /// Signed by `ca` for the DNS name farm.example only.
    var namedCertificate: String { directory.appendingPathComponent("named.pem").path }
    var namedKey: String { directory.appendingPathComponent("named.key").path }

    var coordinatorArguments: [String] { ["--tls-cert", certificate, "--tls-key", key] }
    var clientArguments: [String] { ["--tls-ca", ca] }

    static func make() throws -> TLSCertificates {
        let directory = try CLI.temporaryDirectory("tls-certificates")
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = directory
            let errors = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw FarmTestError("openssl \(arguments.joined(separator: " ")) failed: \(text)")
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for name in ["ca", "other-ca"] {
            try openssl(
                ["req", "-x509"] + ec + [
                    "-keyout", "\(name).key", "-out", "\(name).pem", "-days", "2",
                    "-subj", "/CN=SceneFarm test \(name)",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                ])
        }
        for (name, names) in [("server", "DNS:localhost,IP:127.0.0.1"), ("named", "DNS:farm.example")] {
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try Data(
                """
                subjectAltName=\(names)
                basicConstraints=critical,CA:FALSE
                keyUsage=critical,digitalSignature
                extendedKeyUsage=serverAuth

                """.utf8
            ).write(to: directory.appendingPathComponent("\(name).ext"))
            try openssl([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "1", "-days",
                "2", "-out", "\(name).pem", "-extfile", "\(name).ext",
            ])
        }
        return TLSCertificates(directory: directory)
    }
}

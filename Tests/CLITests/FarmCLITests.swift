import Foundation
import XCTest

/// The farm end to end with real processes, real loopback sockets and a real SQLite journal: a
/// `scenefarm coordinator`, `scenefarm worker`s and clients, killed with SIGKILL at awkward
/// moments. Every dataset is compared byte for byte with one rendered by the embedded farm.
final class FarmCLITests: XCTestCase {
    static let frames = 16
    /// A reference dataset of `frames` frames of the street scene, rendered once by
    /// `scenefarm render --workers 1` (the embedded farm) and shared by the tests.
    static let reference: Result<[String: Data], Error> = Result {
        let out = try CLI.temporaryDirectory("farm-reference")
        let r = try CLI.run([
            "render", CLI.scene("driving_street.yaml"), "--out", out.path, "--frames", "\(frames)", "--workers", "1",
        ])
        guard r.status == 0 else { throw FarmTestError("reference render failed: \(r.stderr)") }
        return try CLI.files(under: out)
    }

    func testThreeWorkersWriteTheSameDatasetAsOne() throws {
        let reference = try Self.reference.get()
        XCTAssertEqual(reference.keys.filter { $0.hasPrefix("labels/") }.count, Self.frames)
        let farm = try FarmProcesses(name: "three")
        defer { farm.stopAll() }
        try farm.startCoordinator()
        for n in 1...3 { try farm.startWorker("w\(n)") }
        let submit = try farm.client([
            "submit", CLI.scene("driving_street.yaml"), "--out", "street", "--frames", "\(Self.frames)", "--wait",
        ])
        XCTAssertEqual(submit.status, 0, submit.stderr)
        XCTAssertEqual(try CLI.files(under: farm.data.appendingPathComponent("street")), reference)

        let status = try farm.statusJSON()
        let workers = try XCTUnwrap(status["workers"] as? [[String: Any]])
        XCTAssertEqual(workers.count, 3)
        let committed = workers.compactMap { $0["frames_committed"] as? Int }.reduce(0, +)
        XCTAssertEqual(committed, Self.frames, "every frame committed exactly once across the workers")
        XCTAssertEqual(try farm.journalCommits(job: "street"), Self.frames)
        XCTAssertEqual(try CLI.run(["verify", farm.data.appendingPathComponent("street").path]).status, 0)
    }

    func testKillingAWorkerMidJobLosesNothing() throws {
        let reference = try Self.reference.get()
        let farm = try FarmProcesses(name: "killworker")
        defer { farm.stopAll() }
        try farm.startCoordinator(extra: ["--shard-size", "4", "--lease-seconds", "5"])
        let victim = try farm.startWorker("victim")
        try farm.startWorker("survivor")
        let submit = try farm.startClient([
            "submit", CLI.scene("driving_street.yaml"), "--out", "street", "--frames", "\(Self.frames)", "--wait",
        ])
        // Kill the first worker as soon as it has committed a frame: it holds a lease mid-shard.
        try farm.waitUntil("a first frame is committed") { try farm.journalCommits(job: "street") >= 1 }
        victim.kill9()
        let result = submit.wait(timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try CLI.files(under: farm.data.appendingPathComponent("street")), reference)
        XCTAssertEqual(try farm.journalCommits(job: "street"), Self.frames)
        XCTAssertTrue(farm.coordinatorLog.contains("victim"), farm.coordinatorLog)
    }

    func testKillingTheCoordinatorMidJobResumesWithoutRerendering() throws {
        let reference = try Self.reference.get()
        let farm = try FarmProcesses(name: "killcoord")
        defer { farm.stopAll() }
        let coordinator = try farm.startCoordinator(extra: ["--shard-size", "2"])
        try farm.startWorker("w1")
        try farm.startWorker("w2")
        let submit = try farm.client([
            "submit", CLI.scene("driving_street.yaml"), "--out", "street", "--frames", "\(Self.frames)",
        ])
        XCTAssertEqual(submit.status, 0, submit.stderr)
        try farm.waitUntil("some frames are committed") { try farm.journalCommits(job: "street") >= 3 }
        coordinator.kill9()
        let before = try farm.journalCommits(job: "street")
        XCTAssertLessThan(before, Self.frames, "the coordinator was killed mid-job")

        // The same command again: the workers reconnect by themselves and the job resumes.
        try farm.startCoordinator(extra: ["--shard-size", "2"])
        let wait = try farm.client([
            "submit", CLI.scene("driving_street.yaml"), "--out", "street", "--frames", "\(Self.frames)", "--wait",
        ])
        XCTAssertEqual(wait.status, 0, wait.stderr)
        XCTAssertTrue(wait.stderr.contains("resumed"), wait.stderr)
        XCTAssertEqual(try CLI.files(under: farm.data.appendingPathComponent("street")), reference)
        XCTAssertEqual(try farm.journalCommits(job: "street"), Self.frames)
        XCTAssertTrue(farm.coordinatorLog.contains("resumed job street"), farm.coordinatorLog)
    }

    /// SIGTERM drains: a worker finishes its leases and exits 0; the coordinator stops leasing,
    /// exits 0, and the same command resumes the job.
    func testSigtermDrainsWorkersAndTheCoordinator() throws {
        let reference = try Self.reference.get()
        let farm = try FarmProcesses(name: "drain")
        defer { farm.stopAll() }
        let coordinator = try farm.startCoordinator(extra: ["--shard-size", "2"])
        let leaving = try farm.startWorker("leaving")
        let submit = try farm.client([
            "submit", CLI.scene("driving_street.yaml"), "--out", "street", "--frames", "\(Self.frames)",
        ])
        XCTAssertEqual(submit.status, 0, submit.stderr)
        try farm.waitUntil("a first frame is committed") { try farm.journalCommits(job: "street") >= 1 }
        leaving.terminate()
        let left = leaving.wait(timeout: 120)
        XCTAssertEqual(left.status, 0, left.stderr)
        XCTAssertTrue(farm.coordinatorLog.contains("worker leaving is draining"), farm.coordinatorLog)
        XCTAssertFalse(farm.coordinatorLog.contains("leaving disconnected holding"), farm.coordinatorLog)

        try farm.startWorker("staying")
        try farm.waitUntil("more frames are committed") { try farm.journalCommits(job: "street") >= 6 }
        coordinator.terminate()
        let stopped = coordinator.wait(timeout: 120)
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("coordinator: stopped"), stopped.stderr)

        try farm.startCoordinator(extra: ["--shard-size", "2"])
        let wait = try farm.client([
            "submit", CLI.scene("driving_street.yaml"), "--out", "street", "--frames", "\(Self.frames)", "--wait",
        ])
        XCTAssertEqual(wait.status, 0, wait.stderr)
        XCTAssertEqual(try CLI.files(under: farm.data.appendingPathComponent("street")), reference)
        XCTAssertEqual(try farm.journalCommits(job: "street"), Self.frames)
    }

    func testBadPeersAreRefusedAndTheOthersServed() throws {
        let farm = try FarmProcesses(name: "refuse")
        defer { farm.stopAll() }
        try farm.startCoordinator()

        // A worker with the wrong token exits non-zero with the reason.
        let wrongToken = farm.data.appendingPathComponent("wrong-token").path
        try Data("not the token\n".utf8).write(to: URL(fileURLWithPath: wrongToken))
        let bad = try CLI.run([
            "worker", "--connect", farm.address, "--token-file", wrongToken, "--id", "intruder", "--quiet",
        ])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("authentication failed"), bad.stderr)

        // Another protocol version: a hello with version 99, by hand.
        var hello: [UInt8] = [1, 0, 99]
        for text in ["old", "gl"] { hello += FarmTestSocket.string(text) }
        hello += [0, 0, 0, 0, 1, 0]
        let oldPeer = try FarmTestSocket(port: farm.port)
        try oldPeer.send(FarmTestSocket.frame(hello))
        let reply = try oldPeer.readAll()
        XCTAssertTrue(String(decoding: reply, as: UTF8.self).contains("version 99"), "\(reply)")

        // A frame claiming 1 GiB is refused before its body is read.
        let greedy = try FarmTestSocket(port: farm.port)
        try greedy.send([0x40, 0, 0, 0, 1])
        _ = try greedy.readAll()

        try farm.waitUntil("the coordinator logs the three refusals") {
            let log = farm.coordinatorLog
            return log.contains("authentication failed") && log.contains("version 99")
                && log.contains("exceeds the maximum frame length")
        }
        // ... and keeps serving: a client with the right token gets the status.
        let status = try farm.client(["status"])
        XCTAssertEqual(status.status, 0, status.stderr)
        // A coordinator that is not there: a clear error, not a crash.
        let nowhere = try CLI.run([
            "status", "--coordinator", "127.0.0.1:\(try FarmTestSocket.freePort())", "--token-file", farm.tokenFile,
        ])
        XCTAssertEqual(nowhere.status, 1, nowhere.stderr)
        XCTAssertTrue(nowhere.stderr.contains("cannot connect to the coordinator"), nowhere.stderr)
        // A client with the wrong token is refused too.
        let nosy = try CLI.run(["status", "--coordinator", farm.address, "--token-file", wrongToken])
        XCTAssertNotEqual(nosy.status, 0)
        XCTAssertTrue(nosy.stderr.contains("authentication failed"), nosy.stderr)
    }

    func testStatusMetricsAndCancel() throws {
        let farm = try FarmProcesses(name: "status")
        defer { farm.stopAll() }
        try farm.startCoordinator()
        // No workers: the job stays queued until cancelled.
        let submit = try farm.client(["submit", CLI.scene("minimal.yaml"), "--out", "tiny", "--frames", "5"])
        XCTAssertEqual(submit.status, 0, submit.stderr)
        let jobs = try XCTUnwrap(try farm.statusJSON()["jobs"] as? [[String: Any]])
        XCTAssertEqual(jobs.first?["id"] as? String, "tiny")
        XCTAssertEqual(jobs.first?["frame_count"] as? Int, 5)
        let text = try farm.client(["status"])
        XCTAssertTrue(text.stdout.contains("tiny"), text.stdout)

        let metrics = try FarmTestSocket.httpGet(port: farm.httpPort, path: "/metrics")
        XCTAssertTrue(metrics.contains("scenefarm_"), metrics)
        let health = try FarmTestSocket.httpGet(port: farm.httpPort, path: "/healthz")
        XCTAssertTrue(health.hasPrefix("HTTP/1.1 200"), health)

        // A second job under the same name with another scene is refused, naming the job.
        let clash = try farm.client(["submit", CLI.scene("driving_street.yaml"), "--out", "tiny", "--frames", "5"])
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertTrue(clash.stderr.contains("'tiny' already exists"), clash.stderr)

        let cancel = try farm.client(["cancel", "tiny"])
        XCTAssertEqual(cancel.status, 0, cancel.stderr)
        let after = try XCTUnwrap(try farm.statusJSON()["jobs"] as? [[String: Any]])
        XCTAssertEqual(after.first?["state"] as? String, "cancelled")
        let again = try farm.client(["cancel", "tiny"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("no running job named 'tiny'"), again.stderr)
    }

    func testEmbeddedRenderResumesAfterAnInterruption() throws {
        let reference = try Self.reference.get()
        let out = try CLI.temporaryDirectory("farm-embedded-resume")
        let arguments = [
            "render", CLI.scene("driving_street.yaml"), "--out", out.path, "--frames", "\(Self.frames)", "--workers",
            "2",
        ]
        let first = try SpawnedProcess(arguments: arguments, name: "embedded")
        let journal = out.appendingPathComponent(".scenefarm/journal.sqlite").path
        try FarmProcesses.waitUntil("the embedded farm commits a frame") {
            (try? FarmProcesses.commits(journal: journal, job: "render")) ?? 0 >= 2
        }
        first.kill9()
        _ = first.wait(timeout: 30)
        let rerun = try CLI.run(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("resuming"), rerun.stderr)
        XCTAssertEqual(try CLI.files(under: out), reference)
    }
}

struct FarmTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A background `scenefarm` process whose output goes to files.
final class SpawnedProcess {
    let process = Process()
    let outURL: URL
    let errURL: URL

    init(arguments: [String], name: String) throws {
        let dir = FileManager.default.temporaryDirectory
        let tag = "\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))"
        outURL = dir.appendingPathComponent("scenefarm-spawn-out-\(tag)")
        errURL = dir.appendingPathComponent("scenefarm-spawn-err-\(tag)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = CLI.repoRoot
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }

    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }

    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Waits for the process to exit (killing it after `timeout` seconds).
    func wait(timeout: Double) -> CLIResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill9() }
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// A coordinator, its workers and clients on loopback, with a data directory and a token.
final class FarmProcesses {
    let data: URL
    let tokenFile: String
    let port: Int
    let httpPort: Int
    private var coordinators: [SpawnedProcess] = []
    private var workers: [SpawnedProcess] = []
    private var clients: [SpawnedProcess] = []

    init(name: String) throws {
        data = try CLI.temporaryDirectory("farm-\(name)")
        tokenFile = data.appendingPathComponent("token").path
        try Data("farm-test-token-\(name)\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        port = try FarmTestSocket.freePort()
        httpPort = try FarmTestSocket.freePort()
    }

    var address: String { "127.0.0.1:\(port)" }
    var coordinatorLog: String { coordinators.map(\.stderr).joined(separator: "\n") }

    @discardableResult
    func startCoordinator(extra: [String] = []) throws -> SpawnedProcess {
        let p = try SpawnedProcess(
            arguments: [
                "coordinator", "--listen", address, "--data", data.path, "--token-file", tokenFile, "--http",
                "127.0.0.1:\(httpPort)",
            ] + extra, name: "coordinator")
        coordinators.append(p)
        try waitUntil("the coordinator listens") {
            (try? FarmTestSocket(port: port)) != nil
        }
        return p
    }

    /// Starts `scenefarm worker --cpu` with `extra` arguments (e.g. TLS flags).
    @discardableResult
    func startWorker(_ id: String, extra: [String] = []) throws -> SpawnedProcess {
        let p = try SpawnedProcess(
            arguments: ["worker", "--connect", address, "--token-file", tokenFile, "--id", id, "--cpu"] + extra,
            name: id)
        workers.append(p)
        return p
    }

    func startClient(_ arguments: [String]) throws -> SpawnedProcess {
        let p = try SpawnedProcess(
            arguments: arguments + ["--coordinator", address, "--token-file", tokenFile], name: "client")
        clients.append(p)
        return p
    }

    func client(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(arguments + ["--coordinator", address, "--token-file", tokenFile])
    }

    func statusJSON() throws -> [String: Any] {
        let r = try client(["status", "--json"])
        guard r.status == 0, let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        else { throw FarmTestError("status failed: \(r.stderr)") }
        return object
    }

    func journalCommits(job: String) throws -> Int {
        try Self.commits(journal: data.appendingPathComponent(".scenefarm/journal.sqlite").path, job: job)
    }

    /// Frames the journal records as committed for `job`, read independently of the coordinator's
    /// code with python3's sqlite3 module (present wherever the tests run).
    static func commits(journal: String, job: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: journal) else { return 0 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = """
            import sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, timeout=10)
            query = "select count(*), count(distinct frame) from frame_commit where job_id = ?"
            rows, frames = db.execute(query, (sys.argv[2],)).fetchone()
            assert rows == frames, "a frame is listed twice"
            print(rows)
            """
        process.arguments = ["python3", "-c", script, journal, job]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let n = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { return 0 }
        return n
    }

    func waitUntil(_ what: String, timeout: Double = 300, _ condition: () throws -> Bool) throws {
        try Self.waitUntil(what, timeout: timeout, condition)
    }

    static func waitUntil(_ what: String, timeout: Double = 300, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw FarmTestError("timed out after \(Int(timeout)) s waiting until \(what)")
    }

    func stopAll() {
        for p in clients + workers + coordinators { p.kill9() }
        try? FileManager.default.removeItem(at: data)
    }
}

/// A blocking TCP client on loopback for hand-made frames and HTTP requests.
final class FarmTestSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FarmTestError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw FarmTestError("cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw FarmTestError("write failed") }
            sent += n
        }
    }

    /// Reads until the peer closes (or 30 s pass).
    func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
    }

    static func string(_ s: String) -> [UInt8] {
        let utf8 = Array(s.utf8)
        return frame(utf8)
    }

    static func httpGet(port: Int, path: String) throws -> String {
        let socket = try FarmTestSocket(port: port)
        try socket.send(Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
        return String(decoding: try socket.readAll(), as: UTF8.self)
    }

    /// A port that was free a moment ago (bind to 0, read it, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw FarmTestError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

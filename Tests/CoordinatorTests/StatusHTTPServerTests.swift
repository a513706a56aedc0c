import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Coordinator

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

final class StatusHTTPServerTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var metrics: FarmMetrics!
    private var server: StatusHTTPServer!

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        metrics = FarmMetrics()
        server = try StatusHTTPServer.start(host: "127.0.0.1", port: 0, group: group, metrics: metrics) {
            sampleFarmStatus()
        }
    }

    override func tearDownWithError() throws {
        try server?.close()
        try group?.syncShutdownGracefully()
    }

    private func connect() throws -> RawHTTPClient { try RawHTTPClient(port: server.localAddress.port) }

    func testBindsAnEphemeralPortOnTheGivenHost() {
        XCTAssertEqual(server.localAddress.host, "127.0.0.1")
        XCTAssertGreaterThan(server.localAddress.port, 0)
    }

    func testStatusServesTheStatusAsJSON() throws {
        let client = try connect()
        let response = try client.request("GET /status HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        XCTAssertEqual(response.header("Content-Length"), String(response.body.count))
        XCTAssertEqual(response.bodyText, sampleFarmStatus().json())
        XCTAssertEqual(try FarmStatus.decode(json: response.bodyText), sampleFarmStatus())
    }

    func testMetricsShowWhatWasCounted() throws {
        metrics.frameCommitted(job: "city-night", bytes: 1500, latencySeconds: 0.02)
        metrics.frameCommitted(job: "city-night", bytes: 500, latencySeconds: 0.02)
        metrics.resultRejected(reason: "stale_lease")
        metrics.setWorkersConnected(3)
        metrics.connectionRefused(reason: "auth")
        let response = try connect().request("GET /metrics HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
        let lines = Set(response.bodyText.split(separator: "\n").map(String.init))
        for line in [
            #"scenefarm_frames_committed_total{job="city-night"} 2"#,
            #"scenefarm_frame_bytes_committed_total{job="city-night"} 2000"#,
            #"scenefarm_results_rejected_total{reason="stale_lease"} 1"#,
            #"scenefarm_results_rejected_total{reason="duplicate"} 0"#,
            #"scenefarm_connections_refused_total{reason="auth"} 1"#,
            "scenefarm_workers_connected 3.0",
            "scenefarm_commit_latency_seconds_count 2",
        ] {
            XCTAssertTrue(lines.contains(line), "missing \(line)")
        }
    }

    func testHealthz() throws {
        let response = try connect().request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "ok\n")
    }

    func testUnknownPathIs404AndOtherMethodsAre405() throws {
        let client = try connect()
        let missing = try client.request("GET /nope HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("Content-Length"), String(missing.body.count))
        // A body is read and dropped; the connection stays usable.
        let post = try client.request("POST /status HTTP/1.1\r\nHost: farm\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("Allow"), "GET, HEAD")
        let delete = try client.request("DELETE /metrics HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(delete.status, 405)
        let withBody = try client.request("GET /healthz HTTP/1.1\r\nHost: farm\r\nContent-Length: 4\r\n\r\nbody")
        XCTAssertEqual(withBody.bodyText, "ok\n")
        XCTAssertEqual(try client.request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n").bodyText, "ok\n")
    }

    func testQueryStringIsIgnored() throws {
        let response = try connect().request("GET /healthz?verbose=1 HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(response.bodyText, "ok\n")
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let client = try connect()
        let first = try client.request("GET /status HTTP/1.1\r\nHost: farm\r\n\r\n")
        let second = try client.request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(first.status, 200)
        XCTAssertNil(first.header("Connection"))
        XCTAssertEqual(second.bodyText, "ok\n")
        // Pipelined: both requests in one write, answered in order.
        try client.write("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\nGET /nope HTTP/1.1\r\nHost: farm\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(try client.readResponse().status, 404)
    }

    func testHeadSendsHeadersWithoutBody() throws {
        let client = try connect()
        let head = try client.request("HEAD /healthz HTTP/1.1\r\nHost: farm\r\n\r\n", isHead: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "3")
        XCTAssertTrue(head.body.isEmpty)
        // Had a body been sent, it would be read here as the next response's status line.
        XCTAssertEqual(try client.request("GET /nope HTTP/1.1\r\nHost: farm\r\n\r\n").status, 404)
    }

    func testConnectionCloseIsHonoured() throws {
        let client = try connect()
        let response = try client.request("GET /healthz HTTP/1.1\r\nHost: farm\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertEqual(try client.readUntilClosed(), [])
        // HTTP/1.0 closes unless asked to keep alive.
        let old = try connect()
        XCTAssertEqual(try old.request("GET /healthz HTTP/1.0\r\n\r\n").bodyText, "ok\n")
        XCTAssertEqual(try old.readUntilClosed(), [])
        let kept = try connect()
        let first = try kept.request("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(first.header("Connection"), "keep-alive")
        XCTAssertEqual(try kept.request("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").status, 200)
    }

    func testGarbageGets400OrACloseAndTheServerKeepsServing() throws {
        let garbage = try connect()
        try garbage.write([0x00, 0xFF, 0x13, 0x37] + Array("\r\n\r\nnot http at all\r\n\r\n".utf8))
        // The server reads all of these few bytes before it closes, so the 400 is not lost to a reset.
        let answer = String(decoding: try garbage.readUntilClosed(), as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), answer)
        XCTAssertEqual(try connect().request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n").status, 200)
    }

    func testOversizedHeaderIsRefused() throws {
        let client = try connect()
        let huge = String(repeating: "a", count: 100 * 1024)
        // The server may close before all of it is written; a failed send is fine.
        try? client.write("GET /status HTTP/1.1\r\nHost: farm\r\nX-Big: \(huge)\r\n\r\n")
        // A 400, unless the server's close with unread bytes left reset the connection first.
        let answer = try client.readUntilClosed()
        if !answer.isEmpty {
            XCTAssertTrue(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        }
        XCTAssertEqual(try connect().request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n").status, 200)
    }

    func testOversizedBodyGets413AndTheConnectionCloses() throws {
        let client = try connect()
        try client.write("POST /status HTTP/1.1\r\nHost: farm\r\nContent-Length: 1048576\r\n\r\n")
        // One byte over the limit, so the server has read everything sent when it closes (unread
        // bytes would make it reset the connection rather than close it).
        try client.write([UInt8](repeating: 0x61, count: StatusHTTPServer.maximumRequestBodyBytes + 1))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertEqual(try client.readUntilClosed(), [])
        XCTAssertEqual(try connect().request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n").status, 200)
    }

    func testIdleConnectionIsClosed() throws {
        let quick = try StatusHTTPServer.start(
            host: "127.0.0.1", port: 0, group: group, metrics: metrics, idleTimeout: .milliseconds(100)
        ) { sampleFarmStatus() }
        defer { try? quick.close() }
        let client = try RawHTTPClient(port: quick.localAddress.port)
        XCTAssertEqual(try client.readUntilClosed(), [], "closed without a byte sent")
    }

    func testCloseEndsOpenConnectionsAndStopsListening() throws {
        let client = try connect()
        XCTAssertEqual(try client.request("GET /healthz HTTP/1.1\r\nHost: farm\r\n\r\n").status, 200)
        let port = server.localAddress.port
        try server.close()
        XCTAssertEqual(try client.readUntilClosed(), [], "the keep-alive connection was closed")
        XCTAssertThrowsError(try RawHTTPClient(port: port), "nothing listens any more")
        try server.close()  // a second close does nothing
    }

    func testStatusClosureIsCalledForEveryRequest() throws {
        let counter = CallCounter()
        let counting = try StatusHTTPServer.start(host: "127.0.0.1", port: 0, group: group, metrics: metrics) {
            var status = sampleFarmStatus()
            status.coordinator.uptimeSeconds = Double(counter.next())
            return status
        }
        defer { try? counting.close() }
        let client = try RawHTTPClient(port: counting.localAddress.port)
        for expected in 1...3 {
            let body = try client.request("GET /status HTTP/1.1\r\nHost: farm\r\n\r\n").bodyText
            XCTAssertEqual(try FarmStatus.decode(json: body).coordinator.uptimeSeconds, Double(expected))
        }
        XCTAssertEqual(try client.request("GET /metrics HTTP/1.1\r\nHost: farm\r\n\r\n").status, 200)
        XCTAssertEqual(counter.next(), 4, "/metrics does not ask for the status")
    }
}

final class FarmMetricsTests: XCTestCase {
    private func lines(_ metrics: FarmMetrics) -> Set<String> {
        Set(metrics.exposition().split(separator: "\n").map(String.init))
    }

    func testEveryMetricIsExposedFromTheStart() {
        let text = FarmMetrics().exposition()
        for name in [
            "scenefarm_results_rejected_total", "scenefarm_bytes_received_total", "scenefarm_commit_latency_seconds",
            "scenefarm_workers_connected", "scenefarm_leases_live", "scenefarm_jobs", "scenefarm_shard_retries_total",
            "scenefarm_workers_blocklisted_total", "scenefarm_connections_refused_total",
        ] {
            XCTAssertTrue(text.contains("# TYPE \(name) "), "missing \(name)")
        }
        let all = lines(FarmMetrics())
        for reason in FarmMetrics.rejectionReasons {
            XCTAssertTrue(all.contains("scenefarm_results_rejected_total{reason=\"\(reason)\"} 0"), reason)
        }
        for reason in FarmMetrics.refusalReasons {
            XCTAssertTrue(all.contains("scenefarm_connections_refused_total{reason=\"\(reason)\"} 0"), reason)
        }
        for state in JobStatus.states { XCTAssertTrue(all.contains("scenefarm_jobs{state=\"\(state)\"} 0.0"), state) }
        XCTAssertTrue(all.contains("# TYPE scenefarm_commit_latency_seconds histogram"))
        for line in [
            "scenefarm_bytes_received_total 0", "scenefarm_workers_connected 0.0", "scenefarm_leases_live 0.0",
            "scenefarm_shard_retries_total 0", "scenefarm_workers_blocklisted_total 0",
            "scenefarm_commit_latency_seconds_count 0",
        ] {
            XCTAssertTrue(all.contains(line), "missing \(line)")
        }
    }

    func testCountersAndGauges() {
        let metrics = FarmMetrics()
        metrics.frameCommitted(job: "a", bytes: 10, latencySeconds: 0.001)
        metrics.frameCommitted(job: "b", bytes: 0, latencySeconds: 0.001)
        metrics.bytesReceived(100)
        metrics.bytesReceived(23)
        metrics.bytesReceived(-5)
        metrics.resultRejected(reason: "duplicate")
        metrics.resultRejected(reason: "duplicate")
        metrics.setLeasesLive(7)
        metrics.setLeasesLive(4)
        metrics.shardRetried()
        metrics.workerBlocklisted()
        metrics.workerBlocklisted()
        metrics.connectionRefused(reason: "version")
        let all = lines(metrics)
        for line in [
            #"scenefarm_frames_committed_total{job="a"} 1"#, #"scenefarm_frames_committed_total{job="b"} 1"#,
            #"scenefarm_frame_bytes_committed_total{job="a"} 10"#, "scenefarm_bytes_received_total 123",
            #"scenefarm_results_rejected_total{reason="duplicate"} 2"#, "scenefarm_leases_live 4.0",
            "scenefarm_shard_retries_total 1", "scenefarm_workers_blocklisted_total 2",
            #"scenefarm_connections_refused_total{reason="version"} 1"#,
        ] {
            XCTAssertTrue(all.contains(line), "missing \(line)")
        }
    }

    func testJobsByStateResetsStatesThatAreGone() {
        let metrics = FarmMetrics()
        metrics.setJobs(byState: ["running": 2, "paused": 1])
        XCTAssertTrue(
            lines(metrics).isSuperset(of: [
                #"scenefarm_jobs{state="running"} 2.0"#, #"scenefarm_jobs{state="paused"} 1.0"#,
            ])
        )
        metrics.setJobs(byState: ["complete": 2])
        XCTAssertTrue(
            lines(metrics).isSuperset(of: [
                #"scenefarm_jobs{state="running"} 0.0"#, #"scenefarm_jobs{state="paused"} 0.0"#,
                #"scenefarm_jobs{state="complete"} 2.0"#,
            ]))
    }

    func testCommitLatencyBuckets() {
        let metrics = FarmMetrics()
        metrics.frameCommitted(job: "a", bytes: 1, latencySeconds: 0.02)
        metrics.frameCommitted(job: "a", bytes: 1, latencySeconds: 3)
        metrics.frameCommitted(job: "a", bytes: 1, latencySeconds: -1)
        metrics.frameCommitted(job: "a", bytes: 1, latencySeconds: .nan)
        let all = lines(metrics)
        for line in [
            #"scenefarm_commit_latency_seconds_bucket{le="0.001"} 2"#,
            #"scenefarm_commit_latency_seconds_bucket{le="0.01"} 2"#,
            #"scenefarm_commit_latency_seconds_bucket{le="0.025"} 3"#,
            #"scenefarm_commit_latency_seconds_bucket{le="2.5"} 3"#,
            #"scenefarm_commit_latency_seconds_bucket{le="5.0"} 4"#,
            #"scenefarm_commit_latency_seconds_bucket{le="10.0"} 4"#,
            #"scenefarm_commit_latency_seconds_bucket{le="+Inf"} 4"#,
            "scenefarm_commit_latency_seconds_count 4",
        ] {
            XCTAssertTrue(all.contains(line), "missing \(line) in\n\(all.sorted().joined(separator: "\n"))")
        }
    }

    func testInstancesAreIndependent() {
        let a = FarmMetrics(), b = FarmMetrics()
        a.shardRetried()
        XCTAssertTrue(lines(a).contains("scenefarm_shard_retries_total 1"))
        XCTAssertTrue(lines(b).contains("scenefarm_shard_retries_total 0"))
    }
}

/// Counts calls from any thread.
private final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
}

/// One HTTP response as a raw client reads it.
struct RawHTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct RawHTTPClientError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking TCP client over POSIX sockets that writes whatever bytes it is given, so tests can
/// send what no HTTP library would. Every read gives up after 10 s (an error, not a hang).
final class RawHTTPClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawHTTPClientError(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            throw RawHTTPClientError(description: "connect to port \(port): errno \(error)")
        }
    }

    deinit { close(fd) }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawHTTPClientError(description: "send: errno \(errno)") }
            offset += n
        }
    }

    /// Sends `request` and reads one response.
    func request(_ request: String, isHead: Bool = false) throws -> RawHTTPResponse {
        try write(request)
        return try readResponse(isHead: isHead)
    }

    /// Reads one response: its head, then Content-Length bytes of body (none for a HEAD request).
    func readResponse(isHead: Bool = false) throws -> RawHTTPResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var end: Int?
        while end == nil {
            end = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
            if end == nil, try !fill() { throw RawHTTPClientError(description: "closed before a response head") }
        }
        let headText = String(decoding: buffer[..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw RawHTTPClientError(description: "bad status line in \(headText)")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawHTTPResponse(status: status, headers: headers, body: [])
        let length = isHead ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        while buffer.count < length {
            if try !fill() { throw RawHTTPClientError(description: "closed in the middle of a body") }
        }
        response.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Everything until the server closes the connection (a reset counts as a close).
    func readUntilClosed() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    /// Reads what is there; false at end of stream or on a reset.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer += chunk[..<n]
            return true
        }
        if n == 0 || errno == ECONNRESET { return false }
        throw RawHTTPClientError(description: "recv: errno \(errno) (EAGAIN: no answer within 10 s)")
    }
}

import FarmProtocol
import FarmTLS
import Foundation
import SceneCore

/// Everything a `FarmWorker` needs: where the coordinator is, how to prove who we are, how to
/// render, and how patient to be.
public struct WorkerConfiguration: Sendable {
    /// The coordinator's host name or address.
    public var host: String
    /// The coordinator's TCP port.
    public var port: Int
    /// The farm's shared secret; only an HMAC of the coordinator's nonce under it is sent.
    public var token: FarmToken
    /// Connect over TLS, trusting this CA for the coordinator's certificate. Default nil: plain TCP.
    public var tls: FarmTLSClient?
    /// Names this worker to the coordinator (logs, blocklist). Default "\(hostname)-\(pid)".
    public var workerID: String
    /// Announced in the hello. The role is always sent as `.worker`, whatever this says.
    public var capabilities: WorkerCapabilities
    /// Threads that derive labels, encode PNGs and hash the files. Default: the active cores.
    public var encoderThreads: Int
    /// Rendered frames that may wait for an encoder: with the renderer's frames in flight, all the
    /// frames the worker holds in memory at once. Default 4.
    public var queueCapacity: Int = 4
    /// Seconds before the first reconnection; doubled after each failed attempt up to
    /// `maxBackoff`, and reset once a session was established. Each wait is jittered down to half.
    public var initialBackoff: Double = 0.1
    /// The longest wait between reconnections, in seconds; also the wait after a refusal.
    public var maxBackoff: Double = 5
    /// When the coordinator refuses the handshake (a wrong token, another protocol version, plain
    /// TCP where it requires TLS), `run()` throws `WorkerError.refused` instead of retrying, and
    /// `WorkerError.tls` when TLS cannot work as configured (its certificate is not trusted, it does
    /// not speak TLS). Default false.
    public var exitOnRefusal: Bool = false
    /// Seconds a TCP connection attempt may take. Default 5.
    public var connectTimeout: Double = 5
    /// Seconds from connecting to the coordinator's welcome before the attempt is given up. Default 10.
    public var handshakeTimeout: Double = 10
    /// Seconds `stop()` waits for held leases to finish before abandoning them. Default 30.
    public var shutdownGracePeriod: Double = 30
    /// Makes a renderer for a job's options (`computesCoverage`). Called on the render thread,
    /// once for the worker's life, and again only when a job's options differ from those of the
    /// current renderer or after a render error.
    public var makeRenderer: @Sendable (JobOptions) throws -> FrameRenderer
    /// Where the worker's one-line reports go (connections, refusals, failed leases). Default:
    /// standard error.
    public var log: @Sendable (String) -> Void

    /// - Parameters:
    ///   - workerID: nil picks "\(hostname)-\(pid)".
    ///   - encoderThreads: nil picks the number of active cores.
    public init(
        host: String, port: Int, token: FarmToken, tls: FarmTLSClient? = nil, workerID: String? = nil,
        capabilities: WorkerCapabilities, encoderThreads: Int? = nil,
        makeRenderer: @escaping @Sendable (JobOptions) throws -> FrameRenderer,
        log: @escaping @Sendable (String) -> Void = WorkerConfiguration.standardErrorLog
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.tls = tls
        self.workerID = workerID ?? Self.defaultWorkerID
        self.capabilities = capabilities
        self.encoderThreads = encoderThreads ?? ProcessInfo.processInfo.activeProcessorCount
        self.makeRenderer = makeRenderer
        self.log = log
    }

    /// "\(hostname)-\(pid)": unique among the workers of a farm, recognisable in its logs.
    public static var defaultWorkerID: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Writes one line to standard error, prefixed "worker: ".
    public static let standardErrorLog: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(("worker: " + line + "\n").utf8))
    }

    /// "host:port", for messages.
    var coordinatorAddress: String { "\(host):\(port)" }
}

/// Why `FarmWorker.run()` gave up.
public enum WorkerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The coordinator refused the handshake, saying why (with `exitOnRefusal`).
    case refused(reason: String)
    /// TLS with the coordinator at `coordinator` (HOST:PORT) cannot work as configured (with
    /// `exitOnRefusal`).
    case tls(coordinator: String, reason: String)

    public var description: String {
        switch self {
        case .refused(let reason): return "the coordinator refused this worker: \(reason)"
        case .tls(let coordinator, let reason): return "TLS with the coordinator at \(coordinator) failed: \(reason)"
        }
    }
}

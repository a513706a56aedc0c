import Crypto

/// What a worker can do, announced in its hello.
public struct WorkerCapabilities: Hashable, Sendable {
    /// The renderer the worker drives, e.g. "gl45-egl" or "llvmpipe".
    public var renderer: String
    /// The GPU's name as the driver reports it; nil on a CPU-only worker.
    public var gpuName: String?
    /// CPU cores the worker may use.
    public var cores: Int

    public init(renderer: String, gpuName: String? = nil, cores: Int) {
        self.renderer = renderer
        self.gpuName = gpuName
        self.cores = cores
    }
}

/// One file of a frame's result: the same meaning as Export's `EncodedFile` (a dataset-relative,
/// "/"-separated path and the file's bytes), plus the SHA-256 of the bytes so the coordinator can
/// check what arrived. FarmProtocol keeps its own type so that it does not depend on Export.
public struct FileBlob: Hashable, Sendable {
    /// Relative to the dataset directory, "/"-separated: "rgb/000042.png".
    public var path: String
    public var bytes: [UInt8]
    /// SHA-256 of `bytes`, 32 bytes. Decoding rejects a blob whose digest does not match.
    public var sha256: [UInt8]

    /// A blob whose digest is computed from `bytes`.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.sha256 = Array(SHA256.hash(data: bytes))
    }

    /// A blob with a given digest (which may be wrong: for tests and for relaying).
    public init(path: String, bytes: [UInt8], sha256: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// True when `sha256` is the digest of `bytes`.
    public var digestMatches: Bool { Array(SHA256.hash(data: bytes)) == sha256 }
}

/// Every message of the farm protocol, version 1. See docs/PROTOCOL.md for the wire layout.
///
/// Handshake: worker → `hello`, coordinator → `challenge`, worker → `authenticate`,
/// coordinator → `welcome` or `refuse`. Then the coordinator sends `job` and `assignment`s;
/// the worker answers with `heartbeat`, `frameResult`, `shardDone` and `failure`; `drain`
/// (either direction) says no new work will be taken or given.
public enum FarmMessage: Hashable, Sendable {
    case hello(protocolVersion: UInt16, workerID: String, capabilities: WorkerCapabilities)
    /// 32 random bytes the worker must authenticate with the shared token.
    case challenge(nonce: [UInt8])
    /// HMAC-SHA256(key: token, message: nonce), 32 bytes.
    case authenticate(hmac: [UInt8])
    case welcome
    case refuse(reason: String)
    /// The job a worker renders from: the scene file itself, its SHA-256 (lowercase hex), the
    /// job seed and the total number of frames.
    case job(jobID: String, sceneYAML: String, sceneDigest: String, seed: UInt64, frameCount: Int)
    /// A lease on some frames of a job, valid for `deadlineSeconds` unless extended by heartbeats.
    case assignment(leaseID: UInt64, jobID: String, frames: [Int], deadlineSeconds: Int)
    case heartbeat(leaseID: UInt64)
    case frameResult(leaseID: UInt64, frameIndex: Int, files: [FileBlob], labelsJSON: String?)
    case shardDone(leaseID: UInt64)
    /// A lease failed, for one frame or (frame nil) as a whole.
    case failure(leaseID: UInt64, frame: Int?, message: String)
    case drain

    /// The 1-byte type tag on the wire.
    public var messageType: FarmMessageType {
        switch self {
        case .hello: return .hello
        case .challenge: return .challenge
        case .authenticate: return .authenticate
        case .welcome: return .welcome
        case .refuse: return .refuse
        case .job: return .job
        case .assignment: return .assignment
        case .heartbeat: return .heartbeat
        case .frameResult: return .frameResult
        case .shardDone: return .shardDone
        case .failure: return .failure
        case .drain: return .drain
        }
    }
}

/// The message type tags. Values are part of the wire format: never renumber.
public enum FarmMessageType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case hello = 1
    case challenge = 2
    case authenticate = 3
    case welcome = 4
    case refuse = 5
    case job = 6
    case assignment = 7
    case heartbeat = 8
    case frameResult = 9
    case shardDone = 10
    case failure = 11
    case drain = 12

    public var description: String {
        switch self {
        case .hello: return "hello"
        case .challenge: return "challenge"
        case .authenticate: return "authenticate"
        case .welcome: return "welcome"
        case .refuse: return "refuse"
        case .job: return "job"
        case .assignment: return "assignment"
        case .heartbeat: return "heartbeat"
        case .frameResult: return "frameResult"
        case .shardDone: return "shardDone"
        case .failure: return "failure"
        case .drain: return "drain"
        }
    }
}

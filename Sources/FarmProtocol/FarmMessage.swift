import Crypto
import SceneCore

/// Who is connecting: a worker that renders, or a client (`scenefarm submit/status/cancel`) that
/// manages jobs. Both authenticate the same way.
public enum PeerRole: UInt8, Hashable, Sendable, CustomStringConvertible {
    case worker = 0
    case client = 1

    public var description: String { self == .worker ? "worker" : "client" }
}

/// What a peer can do, announced in its hello.
public struct WorkerCapabilities: Hashable, Sendable {
    /// The renderer the worker drives, e.g. "gl45-egl" or "llvmpipe".
    public var renderer: String
    /// The GPU's name as the driver reports it; nil on a CPU-only worker.
    public var gpuName: String?
    /// CPU cores the worker may use.
    public var cores: Int
    /// `.worker` unless the peer is a client.
    public var role: PeerRole

    public init(renderer: String, gpuName: String? = nil, cores: Int, role: PeerRole = .worker) {
        self.renderer = renderer
        self.gpuName = gpuName
        self.cores = cores
        self.role = role
    }
}

/// Settings of a job that change what a frame's files contain, so every worker must use the same.
public struct JobOptions: Hashable, Sendable {
    /// Run the hidden-pixel pass (amodal boxes, visibility, truncation). Default true.
    public var computesCoverage: Bool

    public init(computesCoverage: Bool = true) {
        self.computesCoverage = computesCoverage
    }
}

/// A client's request for a job: render `scene` into the dataset `name` under the
/// coordinator's data directory.
public struct JobRequest: Hashable, Sendable {
    /// The dataset's folder name under the coordinator's data directory (also the job's id).
    public var name: String
    /// The scene file's name as the client knows it, for error messages.
    public var sceneFile: String
    /// The scene file and every file it includes or imports (SceneLoader.loadWithBundle).
    public var scene: SceneBundle
    /// Frames to render; nil means the scene's `frames`.
    public var frames: Int?
    /// The seed; nil means the scene's `seed`.
    public var seed: UInt64?
    public var options: JobOptions
    /// Export formats written while the job runs, into NAME/exports/FORMAT (e.g. "coco").
    public var formats: [String]

    public init(
        name: String, sceneFile: String, scene: SceneBundle, frames: Int? = nil, seed: UInt64? = nil,
        options: JobOptions = JobOptions(), formats: [String] = []
    ) {
        self.name = name
        self.sceneFile = sceneFile
        self.scene = scene
        self.frames = frames
        self.seed = seed
        self.options = options
        self.formats = formats
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
/// Handshake: peer → `hello`, coordinator → `challenge`, peer → `authenticate`,
/// coordinator → `welcome` or `refuse`. Then, with a worker, the coordinator sends `job` and
/// `assignment`s; the worker answers with `heartbeat`, `frameResult`, `shardDone` and `failure`;
/// `drain` (either direction) says no new work will be taken or given. With a client, each
/// request (`submit`, `statusRequest`, `cancel`) gets one answer (`submitted`, `statusReport`,
/// `cancelled` or `requestFailed`).
public enum FarmMessage: Hashable, Sendable {
    case hello(protocolVersion: UInt16, workerID: String, capabilities: WorkerCapabilities)
    /// 32 random bytes the worker must authenticate with the shared token.
    case challenge(nonce: [UInt8])
    /// HMAC-SHA256(key: token, message: nonce), 32 bytes.
    case authenticate(hmac: [UInt8])
    case welcome
    case refuse(reason: String)
    /// The job a worker renders from: the scene's files (the scene file and every file it includes or
    /// imports), the SHA-256 of their canonical bytes (lowercase hex), the job seed, the total number
    /// of frames and the options every worker must share.
    case job(
        jobID: String, scene: SceneBundle, sceneDigest: String, seed: UInt64, frameCount: Int,
        options: JobOptions = JobOptions())
    /// A lease on some frames of a job, valid for `deadlineSeconds` unless extended by heartbeats.
    case assignment(leaseID: UInt64, jobID: String, frames: [Int], deadlineSeconds: Int)
    case heartbeat(leaseID: UInt64)
    case frameResult(leaseID: UInt64, frameIndex: Int, files: [FileBlob], labelsJSON: String?)
    case shardDone(leaseID: UInt64)
    /// A lease failed, for one frame or (frame nil) as a whole.
    case failure(leaseID: UInt64, frame: Int?, message: String)
    case drain
    /// Client → coordinator: queue (or, when a job of that name with the same scene and settings
    /// exists, resume) a job.
    case submit(JobRequest)
    /// Coordinator → client: the job is queued (`resumed` when it already existed).
    case submitted(jobID: String, resumed: Bool)
    /// Client → coordinator: what is running.
    case statusRequest
    /// Coordinator → client: the status as JSON (the same document as the HTTP `/status`).
    case statusReport(json: String)
    /// Client → coordinator: stop a job; its leases are fenced and nothing more is written.
    case cancel(jobID: String)
    /// Coordinator → client: the job is cancelled.
    case cancelled(jobID: String)
    /// Coordinator → client: the request was not carried out, saying why.
    case requestFailed(reason: String)

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
        case .submit: return .submit
        case .submitted: return .submitted
        case .statusRequest: return .statusRequest
        case .statusReport: return .statusReport
        case .cancel: return .cancel
        case .cancelled: return .cancelled
        case .requestFailed: return .requestFailed
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
    case submit = 13
    case submitted = 14
    case statusRequest = 15
    case statusReport = 16
    case cancel = 17
    case cancelled = 18
    case requestFailed = 19

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
        case .submit: return "submit"
        case .submitted: return "submitted"
        case .statusRequest: return "statusRequest"
        case .statusReport: return "statusReport"
        case .cancel: return "cancel"
        case .cancelled: return "cancelled"
        case .requestFailed: return "requestFailed"
        }
    }
}

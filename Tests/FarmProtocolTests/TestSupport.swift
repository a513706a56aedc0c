import FarmProtocol
import NIOCore
import SceneCore

/// A small deterministic generator (SplitMix64) so fuzz loops repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Samples {
    static let nonce: [UInt8] = (0..<32).map { UInt8($0 &* 7 &+ 3) }
    static let digest = FarmAuthentication.sha256Hex(Array("scene: {}".utf8))

    /// One of every message type, with edge values (empty strings, nil optionals, unicode).
    static let all: [FarmMessage] = [
        .hello(
            protocolVersion: FarmProtocol.version, workerID: "worker-ä-1",
            capabilities: WorkerCapabilities(renderer: "gl45-egl", gpuName: "NVIDIA H200", cores: 16)),
        .hello(
            protocolVersion: FarmProtocol.version, workerID: "",
            capabilities: WorkerCapabilities(renderer: "llvmpipe", gpuName: nil, cores: 0)),
        .hello(
            protocolVersion: FarmProtocol.version, workerID: "submit@host",
            capabilities: WorkerCapabilities(renderer: "", cores: 2, role: .client)),
        .challenge(nonce: nonce),
        .authenticate(hmac: nonce.reversed()),
        .welcome,
        .refuse(reason: "bad token 🔑"),
        .job(
            jobID: "job-1", scene: SceneBundle(yaml: "scene:\n  name: street\n", file: "scene.yaml"),
            sceneDigest: digest, seed: .max, frameCount: 1000),
        .job(
            jobID: "j", scene: SceneBundle(yaml: "", file: "scene.yaml"), sceneDigest: digest, seed: 0, frameCount: 0,
            options: JobOptions(computesCoverage: false)),
        .assignment(leaseID: 42, jobID: "job-1", frames: [0, 1, 2, 4_000_000_000], deadlineSeconds: 30),
        .assignment(leaseID: 0, jobID: "j", frames: [], deadlineSeconds: 0),
        .heartbeat(leaseID: .max),
        .frameResult(
            leaseID: 7, frameIndex: 12,
            files: [
                FileBlob(path: "rgb/000012.png", bytes: [0x89, 0x50, 0x4E, 0x47]),
                FileBlob(path: "empty.bin", bytes: []),
            ],
            labelsJSON: "{\"frame\":12}"),
        .frameResult(leaseID: 7, frameIndex: 13, files: [], labelsJSON: nil),
        .shardDone(leaseID: 9),
        .failure(leaseID: 9, frame: 3, message: "GL_OUT_OF_MEMORY"),
        .failure(leaseID: 9, frame: nil, message: ""),
        .drain,
        .submit(
            JobRequest(
                name: "street-1", sceneFile: "scenes/street.yaml",
                scene: SceneBundle(yaml: "format: 1\n", file: "scene.yaml"), frames: 100, seed: 7,
                options: JobOptions(computesCoverage: false), formats: ["coco", "kitti"])),
        .submit(JobRequest(name: "", sceneFile: "", scene: SceneBundle(yaml: "", file: "scene.yaml"))),
        .submitted(jobID: "street-1", resumed: true),
        .submitted(jobID: "x", resumed: false),
        .statusRequest,
        .statusReport(json: "{\"jobs\":[]}"),
        .cancel(jobID: "street-1"),
        .cancelled(jobID: "street-1"),
        .requestFailed(reason: "no job named 'x'"),
    ]

    /// The framed bytes of `message`: length prefix, type, body.
    static func frame(_ message: FarmMessage) throws -> ByteBuffer {
        var payload = ByteBuffer()
        try message.encode(into: &payload)
        var framed = ByteBuffer()
        framed.writeInteger(UInt32(payload.readableBytes))
        framed.writeImmutableBuffer(payload)
        return framed
    }

    /// A frame with a raw payload (type + body as given).
    static func rawFrame(_ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }
}

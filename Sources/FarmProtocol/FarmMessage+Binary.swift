import SceneCore
import NIOCore

// The binary body of each message (protocol version 1). Primitive fields:
//
//   u8, u16, u32, u64   big-endian unsigned integers
//   str                 u32 byte count, then that many bytes of UTF-8 (validated on read)
//   blob                u32 byte count, then that many bytes
//   opt<T>              u8 flag (0 = absent, 1 = present; anything else is an error), then T
//   bytes32             exactly 32 bytes, no prefix
//
// A count is always checked against the bytes actually left in the frame before anything is
// allocated, so a lying count costs nothing. The body must be consumed exactly: missing bytes
// and trailing bytes are both errors naming the message type (and the field).

extension FarmMessage {
    /// Writes the type tag and the body (not the length prefix) into `buffer`.
    /// Throws `FarmWireError.unencodable` when a value does not fit its wire type.
    public func encode(into buffer: inout ByteBuffer) throws {
        let type = messageType
        let writer = BodyWriter(message: type.description)
        buffer.writeInteger(type.rawValue)
        switch self {
        case .hello(let protocolVersion, let workerID, let capabilities):
            buffer.writeInteger(protocolVersion)
            writer.string(workerID, into: &buffer)
            writer.string(capabilities.renderer, into: &buffer)
            writer.optional(capabilities.gpuName, into: &buffer) { w, v, b in w.string(v, into: &b) }
            buffer.writeInteger(try writer.u32(capabilities.cores, field: "cores"))
            buffer.writeInteger(capabilities.role.rawValue)
        case .challenge(let nonce):
            try writer.fixed(nonce, count: FarmProtocol.nonceSize, field: "nonce", into: &buffer)
        case .authenticate(let hmac):
            try writer.fixed(hmac, count: FarmProtocol.authenticationCodeSize, field: "hmac", into: &buffer)
        case .welcome, .drain, .statusRequest:
            break
        case .refuse(let reason), .requestFailed(let reason):
            writer.string(reason, into: &buffer)
        case .statusReport(let json):
            writer.string(json, into: &buffer)
        case .cancel(let jobID), .cancelled(let jobID):
            writer.string(jobID, into: &buffer)
        case .submitted(let jobID, let resumed):
            writer.string(jobID, into: &buffer)
            buffer.writeInteger(UInt8(resumed ? 1 : 0))
        case .submit(let request):
            writer.string(request.name, into: &buffer)
            writer.string(request.sceneFile, into: &buffer)
            writer.bundle(request.scene, into: &buffer)
            if let frames = request.frames {
                buffer.writeInteger(UInt8(1))
                buffer.writeInteger(try writer.u32(frames, field: "frames"))
            } else {
                buffer.writeInteger(UInt8(0))
            }
            writer.optional(request.seed, into: &buffer) { _, v, b in b.writeInteger(v) }
            buffer.writeInteger(UInt8(request.options.computesCoverage ? 1 : 0))
            buffer.writeInteger(try writer.u32(request.formats.count, field: "formats"))
            for format in request.formats { writer.string(format, into: &buffer) }
        case .job(let jobID, let scene, let sceneDigest, let seed, let frameCount, let options):
            writer.string(jobID, into: &buffer)
            writer.bundle(scene, into: &buffer)
            guard isSHA256Hex(sceneDigest) else {
                throw FarmWireError.unencodable(
                    message: "job", field: "sceneDigest", reason: "not 64 lowercase hex digits")
            }
            writer.string(sceneDigest, into: &buffer)
            buffer.writeInteger(seed)
            buffer.writeInteger(try writer.u32(frameCount, field: "frameCount"))
            buffer.writeInteger(UInt8(options.computesCoverage ? 1 : 0))
        case .assignment(let leaseID, let jobID, let frames, let deadlineSeconds):
            buffer.writeInteger(leaseID)
            writer.string(jobID, into: &buffer)
            buffer.writeInteger(try writer.u32(frames.count, field: "frames"))
            for frame in frames {
                buffer.writeInteger(try writer.u32(frame, field: "frames"))
            }
            buffer.writeInteger(try writer.u32(deadlineSeconds, field: "deadlineSeconds"))
        case .heartbeat(let leaseID), .shardDone(let leaseID):
            buffer.writeInteger(leaseID)
        case .frameResult(let leaseID, let frameIndex, let files, let labelsJSON):
            buffer.writeInteger(leaseID)
            buffer.writeInteger(try writer.u32(frameIndex, field: "frameIndex"))
            buffer.writeInteger(try writer.u32(files.count, field: "files"))
            for file in files {
                writer.string(file.path, into: &buffer)
                buffer.writeInteger(try writer.u32(file.bytes.count, field: "files.bytes"))
                buffer.writeBytes(file.bytes)
                try writer.fixed(file.sha256, count: 32, field: "files.sha256", into: &buffer)
            }
            writer.optional(labelsJSON, into: &buffer) { w, v, b in w.string(v, into: &b) }
        case .failure(let leaseID, let frame, let message):
            buffer.writeInteger(leaseID)
            if let frame {
                buffer.writeInteger(UInt8(1))
                buffer.writeInteger(try writer.u32(frame, field: "frame"))
            } else {
                buffer.writeInteger(UInt8(0))
            }
            writer.string(message, into: &buffer)
        }
    }

    /// Decodes one frame's payload (type tag + body, no length prefix). The whole buffer must be
    /// exactly one message.
    public static func decode(frame: ByteBuffer) throws -> FarmMessage {
        var frame = frame
        guard let tag = frame.readInteger(as: UInt8.self) else { throw FarmWireError.emptyFrame }
        guard let type = FarmMessageType(rawValue: tag) else { throw FarmWireError.unknownMessageType(tag) }
        var r = BodyReader(message: type.description, buffer: frame)
        let message: FarmMessage
        switch type {
        case .hello:
            let version = try r.u16("protocolVersion")
            // Checked before the rest: another version's body need not be readable.
            guard version == FarmProtocol.version else {
                throw FarmWireError.versionMismatch(received: version, expected: FarmProtocol.version)
            }
            let workerID = try r.string("workerID")
            let renderer = try r.string("renderer")
            let gpuName = try r.optional("gpuName") { try $0.string("gpuName") }
            let cores = Int(try r.u32("cores"))
            let roleByte = try r.u8("role")
            guard let role = PeerRole(rawValue: roleByte) else {
                throw FarmWireError.invalidField(message: "hello", field: "role", reason: "unknown role \(roleByte)")
            }
            message = .hello(
                protocolVersion: version, workerID: workerID,
                capabilities: WorkerCapabilities(renderer: renderer, gpuName: gpuName, cores: cores, role: role))
        case .challenge:
            message = .challenge(nonce: try r.bytes(FarmProtocol.nonceSize, "nonce"))
        case .authenticate:
            message = .authenticate(hmac: try r.bytes(FarmProtocol.authenticationCodeSize, "hmac"))
        case .welcome:
            message = .welcome
        case .refuse:
            message = .refuse(reason: try r.string("reason"))
        case .job:
            let jobID = try r.string("jobID")
            let scene = try r.bundle("scene")
            let digest = try r.string("sceneDigest")
            guard isSHA256Hex(digest) else {
                throw FarmWireError.invalidField(
                    message: "job", field: "sceneDigest", reason: "not 64 lowercase hex digits")
            }
            let seed = try r.u64("seed")
            let frameCount = Int(try r.u32("frameCount"))
            let coverage = try r.bool("computesCoverage")
            message = .job(
                jobID: jobID, scene: scene, sceneDigest: digest, seed: seed, frameCount: frameCount,
                options: JobOptions(computesCoverage: coverage))
        case .assignment:
            let leaseID = try r.u64("leaseID")
            let jobID = try r.string("jobID")
            let count = Int(try r.u32("frames"))
            try r.need(count * 4, "frames")
            var frames: [Int] = []
            frames.reserveCapacity(count)
            for _ in 0..<count { frames.append(Int(try r.u32("frames"))) }
            let deadline = Int(try r.u32("deadlineSeconds"))
            message = .assignment(leaseID: leaseID, jobID: jobID, frames: frames, deadlineSeconds: deadline)
        case .heartbeat:
            message = .heartbeat(leaseID: try r.u64("leaseID"))
        case .frameResult:
            let leaseID = try r.u64("leaseID")
            let frameIndex = Int(try r.u32("frameIndex"))
            let count = Int(try r.u32("files"))
            // Each file takes at least 4 + 4 + 32 bytes: bound the count before allocating.
            try r.need(count * 40, "files")
            var files: [FileBlob] = []
            files.reserveCapacity(count)
            for _ in 0..<count {
                let path = try r.string("files.path")
                let bytes = try r.blob("files.bytes")
                let sha = try r.bytes(32, "files.sha256")
                let blob = FileBlob(path: path, bytes: bytes, sha256: sha)
                guard blob.digestMatches else {
                    throw FarmWireError.invalidField(
                        message: "frameResult", field: "files.sha256",
                        reason: "SHA-256 of '\(path)' does not match its bytes")
                }
                files.append(blob)
            }
            let labels = try r.optional("labelsJSON") { try $0.string("labelsJSON") }
            message = .frameResult(leaseID: leaseID, frameIndex: frameIndex, files: files, labelsJSON: labels)
        case .shardDone:
            message = .shardDone(leaseID: try r.u64("leaseID"))
        case .failure:
            let leaseID = try r.u64("leaseID")
            let frame = try r.optional("frame") { Int(try $0.u32("frame")) }
            message = .failure(leaseID: leaseID, frame: frame, message: try r.string("message"))
        case .drain:
            message = .drain
        case .submit:
            let name = try r.string("name")
            let sceneFile = try r.string("sceneFile")
            let scene = try r.bundle("scene")
            let frames = try r.optional("frames") { Int(try $0.u32("frames")) }
            let seed = try r.optional("seed") { try $0.u64("seed") }
            let coverage = try r.bool("computesCoverage")
            let count = Int(try r.u32("formats"))
            try r.need(count * 4, "formats")
            var formats: [String] = []
            for _ in 0..<count { formats.append(try r.string("formats")) }
            message = .submit(
                JobRequest(
                    name: name, sceneFile: sceneFile, scene: scene, frames: frames, seed: seed,
                    options: JobOptions(computesCoverage: coverage), formats: formats))
        case .submitted:
            let jobID = try r.string("jobID")
            message = .submitted(jobID: jobID, resumed: try r.bool("resumed"))
        case .statusRequest:
            message = .statusRequest
        case .statusReport:
            message = .statusReport(json: try r.string("json"))
        case .cancel:
            message = .cancel(jobID: try r.string("jobID"))
        case .cancelled:
            message = .cancelled(jobID: try r.string("jobID"))
        case .requestFailed:
            message = .requestFailed(reason: try r.string("reason"))
        }
        try r.finish()
        return message
    }
}

/// True for exactly 64 lowercase hexadecimal digits.
func isSHA256Hex(_ s: String) -> Bool {
    s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}

private struct BodyWriter {
    let message: String

    func u32(_ value: Int, field: String) throws -> UInt32 {
        guard let v = UInt32(exactly: value) else {
            throw FarmWireError.unencodable(
                message: message, field: field, reason: "\(value) is not in 0...\(UInt32.max)")
        }
        return v
    }

    func string(_ value: String, into buffer: inout ByteBuffer) {
        // Strings longer than 4 GiB never fit a frame; the encoder's frame limit catches them
        // long before, so truncating the count here cannot reach the wire.
        buffer.writeInteger(UInt32(truncatingIfNeeded: value.utf8.count))
        buffer.writeString(value)
    }

    /// A scene bundle in its canonical form (SceneBundle.canonicalBytes) as a length-prefixed blob.
    func bundle(_ bundle: SceneBundle, into buffer: inout ByteBuffer) {
        let bytes = bundle.canonicalBytes
        buffer.writeInteger(UInt32(truncatingIfNeeded: bytes.count))
        buffer.writeBytes(bytes)
    }

    func optional<T>(_ value: T?, into buffer: inout ByteBuffer, _ write: (Self, T, inout ByteBuffer) -> Void) {
        if let value {
            buffer.writeInteger(UInt8(1))
            write(self, value, &buffer)
        } else {
            buffer.writeInteger(UInt8(0))
        }
    }

    func fixed(_ bytes: [UInt8], count: Int, field: String, into buffer: inout ByteBuffer) throws {
        guard bytes.count == count else {
            throw FarmWireError.unencodable(
                message: message, field: field, reason: "has \(bytes.count) bytes, needs \(count)")
        }
        buffer.writeBytes(bytes)
    }
}

private struct BodyReader {
    let message: String
    var buffer: ByteBuffer

    func need(_ count: Int, _ field: String) throws {
        guard buffer.readableBytes >= count else {
            throw FarmWireError.truncated(
                message: message, field: field, needed: count, available: buffer.readableBytes)
        }
    }

    mutating func u8(_ field: String) throws -> UInt8 {
        try need(1, field)
        return buffer.readInteger()!
    }

    mutating func bool(_ field: String) throws -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let flag:
            throw FarmWireError.invalidField(message: message, field: field, reason: "flag \(flag) is neither 0 nor 1")
        }
    }

    mutating func u16(_ field: String) throws -> UInt16 {
        try need(2, field)
        return buffer.readInteger()!
    }

    mutating func u32(_ field: String) throws -> UInt32 {
        try need(4, field)
        return buffer.readInteger()!
    }

    mutating func u64(_ field: String) throws -> UInt64 {
        try need(8, field)
        return buffer.readInteger()!
    }

    mutating func bytes(_ count: Int, _ field: String) throws -> [UInt8] {
        try need(count, field)
        return buffer.readBytes(length: count)!
    }

    mutating func blob(_ field: String) throws -> [UInt8] {
        let count = Int(try u32(field))
        return try bytes(count, field)
    }

    mutating func bundle(_ field: String) throws -> SceneBundle {
        let bytes = try blob(field)
        do { return try SceneBundle(canonicalBytes: bytes) } catch {
            throw FarmWireError.invalidField(message: message, field: field, reason: "\(error)")
        }
    }

    mutating func string(_ field: String) throws -> String {
        let count = Int(try u32(field))
        try need(count, field)
        let view = buffer.readSlice(length: count)!.readableBytesView
        let string = String(decoding: view, as: UTF8.self)
        // Decoding repairs invalid sequences with U+FFFD; a repaired string differs from its bytes.
        guard string.utf8.elementsEqual(view) else {
            throw FarmWireError.invalidField(message: message, field: field, reason: "not valid UTF-8")
        }
        return string
    }

    mutating func optional<T>(_ field: String, _ read: (inout Self) throws -> T) throws -> T? {
        switch try u8(field) {
        case 0: return nil
        case 1: return try read(&self)
        case let flag:
            throw FarmWireError.invalidField(
                message: message, field: field, reason: "presence flag \(flag) is neither 0 nor 1")
        }
    }

    func finish() throws {
        guard buffer.readableBytes == 0 else {
            throw FarmWireError.trailingBytes(message: message, count: buffer.readableBytes)
        }
    }
}

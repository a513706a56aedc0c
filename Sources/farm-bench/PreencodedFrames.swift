// The frames the simulated workers send, made once before the clock starts.
//
// Each frame is "rendered" without GL (surface k covers vertical bands of the image, shifted by
// the frame index, at a depth that grows with k), labelled with `LabelDeriver` and encoded with
// `FrameEncoder`, exactly as a worker does after its readback; so the coordinator's `JobSink`
// sees genuine PNGs and labels, and the exporters (when on) real objects. The result is kept as
// the wire bytes of a `frameResult` message with lease id 0:
//
// ```
//   stored:  | type 9 | leaseID 0 (u64) | frameIndex u32 | files ... | labelsJSON opt |
//                       <------------------ body ---------------------------------------->
//   sent:    | length u32 | type 9 | leaseID (u64) |  + body[8...] (a shared slice, no copy)
//            <--- a fresh 13-byte header ---------->
// ```
//
// so a simulated worker sends a result by writing 13 bytes of header and a slice of shared
// bytes: no encoding, no SHA-256, no copy. `checkWireLayout` decodes one such frame with the
// protocol's own decoder before the run, so the layout cannot silently drift from FarmProtocol.

import Export
import FarmProtocol
import Foundation
import Labels
import NIOCore
import SceneCore

/// The scene of the job: a scene file with its camera resolution replaced.
struct BenchScene {
    /// The scene file's name, as submitted.
    let file: String
    /// The scene text as submitted (resolution replaced).
    let yaml: String
    let description: SceneDescription

    /// Reads `path` (default: scenes/minimal.yaml of this repository, found from the working
    /// directory or from this source file) and sets its `resolution` to `width`x`height`.
    init(path: String?, width: Int, height: Int) throws {
        let candidates: [String]
        if let path {
            candidates = [path]
        } else {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().path
            candidates = ["scenes/minimal.yaml", repository + "/scenes/minimal.yaml"]
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw BenchError("cannot find the scene file (looked for \(candidates.joined(separator: ", ")))")
        }
        let text: String
        do {
            text = try String(contentsOfFile: found, encoding: .utf8)
        } catch {
            throw BenchError("cannot read the scene file \(found): \(error)")
        }
        let pattern = #"resolution:\s*\[\s*\d+\s*,\s*\d+\s*\]"#
        guard let range = text.range(of: pattern, options: .regularExpression) else {
            throw BenchError("\(found): no 'resolution: [W, H]' line to replace")
        }
        file = found
        yaml = text.replacingCharacters(in: range, with: "resolution: [\(width), \(height)]")
        do {
            description = try SceneLoader.load(yaml: yaml, file: found)
        } catch {
            throw BenchError("\(found) at \(width)x\(height): \(error)")
        }
        // The simulated workers send one camera's files per frame.
        guard !description.isMultiCamera else {
            throw BenchError(
                "\(found) has \(description.cameraNames.count) cameras; farm-bench simulates single-camera frames")
        }
    }
}

/// One frame's `frameResult`, ready to replay under any lease.
struct PreencodedFrame: Sendable {
    /// The message bytes after the type tag and the lease id: frame index, files, labels.
    let body: ByteBuffer
    /// Bytes of the frame's five files (the payload the coordinator writes).
    let payloadBytes: Int

    /// Bytes on the wire: length prefix, type tag, lease id, body.
    var wireBytes: Int { 13 + body.readableBytes }

    /// The 13-byte header that puts `body` under `leaseID`.
    func header(leaseID: UInt64, allocator: ByteBufferAllocator) -> ByteBuffer {
        var header = allocator.buffer(capacity: 13)
        header.writeInteger(UInt32(9 + body.readableBytes))
        header.writeInteger(FarmMessageType.frameResult.rawValue)
        header.writeInteger(leaseID)
        return header
    }
}

/// Every frame of the job, pre-encoded.
struct PreencodedFrames: Sendable {
    let frames: [PreencodedFrame]
    /// Sum of the files' bytes over all frames.
    let payloadBytes: Int
    let seconds: Double

    /// Renders, labels and encodes frames 0..<count of `scene` with `seed` on every core.
    static func make(scene: BenchScene, seed: UInt64, count: Int) throws -> PreencodedFrames {
        let start = monotonicNow()
        let slots = FrameSlots(count: count)
        let chunk = 64
        let chunks = (count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            for index in (c * chunk)..<min(count, (c + 1) * chunk) {
                guard !slots.failed else { return }
                do {
                    slots.set(index, try encode(index, scene: scene.description, seed: seed))
                } catch {
                    slots.fail("cannot pre-encode frame \(index): \(error)")
                }
            }
        }
        let frames = try slots.collect()
        return PreencodedFrames(
            frames: frames, payloadBytes: frames.reduce(0) { $0 + $1.payloadBytes }, seconds: monotonicNow() - start)
    }

    /// Frame `index`'s five files as a worker sends them (`FileBlob`s in `EncodedFrame` order).
    static func files(_ index: Int, scene: SceneDescription, seed: UInt64) throws -> [FileBlob] {
        let spec = try scene.frame(index, seed: seed)
        let width = spec.camera.intrinsics.width, height = spec.camera.intrinsics.height
        let surfaces = spec.surfaces.count
        var ids = [UInt32](repeating: 0, count: width * height)
        var depth = [Float](repeating: 0, count: width * height)
        var color = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                let band = (x / 3 + index) % (surfaces + 1)  // band 0 stays empty
                if band > 0 {
                    ids[p] = FrameSpec.surfaceID(forIndex: band - 1)
                    depth[p] = 2 + Float(band) * 1.5 + Float(y) * 0.01
                }
                color[4 * p] = UInt8(truncatingIfNeeded: x * 4)
                color[4 * p + 1] = UInt8(truncatingIfNeeded: y * 5 + index)
                color[4 * p + 2] = UInt8(truncatingIfNeeded: band * 11)
            }
        }
        let rendered = RenderedFrame(
            index: index, width: width, height: height, color: color, surfaceIDs: ids, depth: depth)
        let labels = try LabelDeriver.derive(rendered, spec: spec)
        let encoded = try FrameEncoder.encode(rendered, labels: labels, spec: spec)
        return encoded.files.map { FileBlob(path: $0.relativePath, bytes: $0.bytes) }
    }

    private static func encode(_ index: Int, scene: SceneDescription, seed: UInt64) throws -> PreencodedFrame {
        let files = try files(index, scene: scene, seed: seed)
        var message = ByteBufferAllocator().buffer(capacity: files.reduce(64) { $0 + $1.bytes.count + 64 })
        try FarmMessageEncoder().encode(
            data: .frameResult(leaseID: 0, frameIndex: index, files: files, labelsJSON: nil), out: &message)
        // Drop the type tag and the lease id: the header carries them.
        message.moveReaderIndex(forwardBy: 9)
        return PreencodedFrame(body: message, payloadBytes: files.reduce(0) { $0 + $1.bytes.count })
    }

    /// Decodes frame `index` sent under a lease with FarmProtocol's decoder and checks that it is
    /// the `frameResult` a worker would send: the replayed bytes are a valid message.
    func checkWireLayout(index: Int, scene: SceneDescription, seed: UInt64) throws {
        let leaseID: UInt64 = 0x0123_4567_89AB_CDEF
        let frame = frames[index]
        var wire = frame.header(leaseID: leaseID, allocator: ByteBufferAllocator())
        var body = frame.body
        wire.writeBuffer(&body)
        let expected = FarmMessage.frameResult(
            leaseID: leaseID, frameIndex: index, files: try Self.files(index, scene: scene, seed: seed),
            labelsJSON: nil)
        let decoded = try FarmMessageDecoder.decodeFrame(
            from: &wire, maximumFrameLength: FarmProtocol.defaultMaximumFrameLength)
        guard decoded == expected, wire.readableBytes == 0 else {
            throw BenchError("internal error: the replayed frameResult of frame \(index) does not decode as sent")
        }
    }
}

/// The frames made so far by the encoding threads, and the first error.
private final class FrameSlots: @unchecked Sendable {
    // @unchecked: every field is touched under `lock`.
    private let lock = NSLock()
    private var slots: [PreencodedFrame?]
    private var error: String?

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    var failed: Bool { lock.withLock { error != nil } }

    func set(_ index: Int, _ frame: PreencodedFrame) { lock.withLock { slots[index] = frame } }

    func fail(_ message: String) { lock.withLock { if error == nil { error = message } } }

    func collect() throws -> [PreencodedFrame] {
        try lock.withLock {
            if let error { throw BenchError(error) }
            return slots.map { $0! }
        }
    }
}

/// Seconds on a monotonic clock.
func monotonicNow() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

import ImageCodec
import Labels
import SceneCore

/// One file of an encoded frame: where it goes under the dataset directory, and its bytes.
public struct EncodedFile: Hashable, Sendable {
    /// Relative to the dataset directory, "/"-separated: "rgb/000042.png".
    public var relativePath: String
    public var bytes: [UInt8]

    public init(relativePath: String, bytes: [UInt8]) {
        self.relativePath = relativePath
        self.bytes = bytes
    }
}

/// A frame ready to be written: every file's bytes, produced on a worker, written at the sink.
public struct EncodedFrame: Sendable {
    public let index: Int
    /// In writing order; the labels file comes last, so its presence marks a complete frame.
    public let files: [EncodedFile]
    /// Seconds spent encoding (PNG compression and JSON).
    public var encodeSeconds: Double

    public init(index: Int, files: [EncodedFile], encodeSeconds: Double = 0) {
        self.index = index
        self.files = files
        self.encodeSeconds = encodeSeconds
    }

    /// Total size of the files in bytes.
    public var byteCount: Int { files.reduce(0) { $0 + $1.bytes.count } }
}

/// Turns a rendered frame and its labels into the native dataset's file bytes. Pure and
/// thread-safe: no files, no shared state.
public enum FrameEncoder {
    /// Encodes rgb/instance/semantic/depth PNGs and the labels JSON of one frame.
    /// Throws an `ExportError` naming the frame and file when the buffers do not agree in size or
    /// a PNG cannot be encoded.
    public static func encode(_ frame: RenderedFrame, labels: FrameLabels, spec: FrameSpec) throws -> EncodedFrame {
        let clock = ContinuousClock()
        let start = clock.now
        let index = frame.index
        let width = frame.width, height = frame.height
        guard width > 0, height > 0 else {
            throw ExportError(frame: index, "image size \(width)x\(height) is not positive")
        }
        guard labels.frame == index, labels.width == width, labels.height == height else {
            throw ExportError(
                frame: index,
                "labels are for frame \(labels.frame) at \(labels.width)x\(labels.height), "
                    + "the rendered frame is \(index) at \(width)x\(height)")
        }
        let count = width * height
        let sizes: [(String, Int, Int)] = [
            ("color buffer", frame.color.count, 4 * count), ("instance map", labels.instanceMap.count, count),
            ("semantic map", labels.semanticMap.count, count), ("depth map", labels.depthMillimetres.count, count),
        ]
        for (what, actual, expected) in sizes where actual != expected {
            throw ExportError(frame: index, "\(what) has \(actual) values, expected \(expected) for \(width)x\(height)")
        }

        func png(_ file: DatasetFile, _ body: () throws -> [UInt8]) throws -> EncodedFile {
            let path = file.relativePath(frame: index)
            do {
                return EncodedFile(relativePath: path, bytes: try body())
            } catch {
                throw ExportError(path: path, frame: index, "cannot encode PNG: \(error)")
            }
        }
        let rgb = try png(.rgb) {
            try frame.color.withUnsafeBufferPointer {
                try PNGEncoder.encodeRGBA8AsRGB($0, width: width, height: height)
            }
        }
        let instance = try png(.instance) {
            try labels.instanceMap.withUnsafeBufferPointer {
                try PNGEncoder.encodeGray16($0, width: width, height: height, compression: .instanceIDs)
            }
        }
        let semantic = try png(.semantic) {
            try labels.semanticMap.withUnsafeBufferPointer {
                try PNGEncoder.encodeGray8($0, width: width, height: height)
            }
        }
        let depth = try png(.depth) {
            try labels.depthMillimetres.withUnsafeBufferPointer {
                try PNGEncoder.encodeGray16($0, width: width, height: height, compression: .depth)
            }
        }
        let labelsPath = DatasetFile.labels.relativePath(frame: index)
        let json: [UInt8]
        do {
            json = try FrameLabelRecord(labels: labels, spec: spec).json.serialized()
        } catch {
            throw ExportError(path: labelsPath, frame: index, "cannot encode labels: \(error)")
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return EncodedFrame(
            index: index, files: [rgb, instance, semantic, depth, EncodedFile(relativePath: labelsPath, bytes: json)],
            encodeSeconds: seconds)
    }
}

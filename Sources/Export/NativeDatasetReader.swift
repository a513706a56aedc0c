import Foundation
import ImageCodec

/// Reads a native SceneFarm dataset back: `dataset.json`, each frame's labels and its images.
public struct NativeDatasetReader: Sendable {
    public let directory: String
    public let info: DatasetInfo

    /// Reads and checks `dataset.json`. Throws an `ExportError` naming the file when it is missing,
    /// malformed, or of a format version this code does not know.
    public init(directory: String) throws {
        self.directory = directory
        let path = directory + "/dataset.json"
        let bytes = try AtomicFile.readAll(path)
        do {
            info = try JSONDecoder().decode(DatasetInfo.self, from: Data(bytes))
        } catch {
            throw ExportError(path: path, "not a valid dataset.json: \(Self.describe(error))")
        }
        guard DatasetInfo.readableFormatVersions.contains(info.formatVersion) else {
            throw ExportError(
                path: path,
                "format version \(info.formatVersion); this reader knows \(DatasetInfo.readableFormatVersions)")
        }
    }

    /// The path of a frame's file of the given kind.
    public func path(_ file: DatasetFile, frame: Int) -> String {
        directory + "/" + file.relativePath(frame: frame)
    }

    /// `labels/N.json`, decoded.
    public func labels(frame: Int) throws -> FrameLabelRecord {
        let path = path(.labels, frame: frame)
        let bytes = try AtomicFile.readAll(path)
        do {
            return try JSONDecoder().decode(FrameLabelRecord.self, from: Data(bytes))
        } catch {
            throw ExportError(path: path, frame: frame, "not a valid labels file: \(Self.describe(error))")
        }
    }

    /// `rgb/N.png`, decoded (3 channels, 8 bit).
    public func rgb(frame: Int) throws -> DecodedPNG { try image(.rgb, frame: frame) }
    /// `instance/N.png`, decoded (1 channel, 16 bit, in `samples16`).
    public func instanceMap(frame: Int) throws -> DecodedPNG { try image(.instance, frame: frame) }
    /// `semantic/N.png`, decoded (1 channel, 8 bit, in `samples8`).
    public func semanticMap(frame: Int) throws -> DecodedPNG { try image(.semantic, frame: frame) }
    /// `depth/N.png`, decoded (1 channel, 16 bit millimetres, in `samples16`).
    public func depthMap(frame: Int) throws -> DecodedPNG { try image(.depth, frame: frame) }

    public func image(_ file: DatasetFile, frame: Int) throws -> DecodedPNG {
        let path = path(file, frame: frame)
        let bytes = try AtomicFile.readAll(path)
        do {
            return try PNGDecoder.decode(bytes)
        } catch {
            throw ExportError(path: path, frame: frame, "cannot decode PNG: \(error)")
        }
    }

    /// A short account of a decoding error: which key, and why.
    static func describe(_ error: Error) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty
                ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing key \"\(key.stringValue)\" at \(at(context.codingPath))"
        case .typeMismatch(_, let context)?:
            return "wrong type at \(at(context.codingPath)): \(context.debugDescription)"
        case .valueNotFound(_, let context)?: return "missing value at \(at(context.codingPath))"
        case .dataCorrupted(let context)?:
            return "malformed JSON at \(at(context.codingPath)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

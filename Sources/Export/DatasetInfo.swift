import SceneCore

/// The kinds of file stored for every frame, and where they live.
public enum DatasetFile: String, CaseIterable, Hashable, Sendable {
    /// `rgb/N.png`: 8-bit RGB (sRGB-encoded) color.
    case rgb
    /// `instance/N.png`: 16-bit gray instance ids, 0 = background and stuff.
    case instance
    /// `semantic/N.png`: 8-bit gray class ids, 0 = background/unlabelled.
    case semantic
    /// `depth/N.png`: 16-bit gray camera z in millimetres, 0 = no surface, 65535 = 65.535 m or farther.
    case depth
    /// `labels/N.json`: the frame's camera and object records. Written last, so its presence
    /// marks a complete frame.
    case labels

    /// The folder under the dataset directory.
    public var folder: String { rawValue }
    public var fileExtension: String { self == .labels ? "json" : "png" }

    /// "rgb/000042.png" for frame 42.
    public func relativePath(frame: Int) -> String {
        "\(folder)/\(DatasetFile.frameName(frame)).\(fileExtension)"
    }

    /// The frame index zero-padded to six digits ("000042"); longer indices keep all their digits.
    public static func frameName(_ frame: Int) -> String {
        let digits = String(frame)
        return digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// The frame index a final file name stands for ("000042.png" → 42), nil for anything else.
    static func frameIndex(fileName: String, fileExtension: String) -> Int? {
        let suffix = "." + fileExtension
        guard fileName.hasSuffix(suffix) else { return nil }
        let stem = fileName.dropLast(suffix.count)
        guard stem.count >= 6, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(stem)
    }
}

/// `dataset.json`: what the whole dataset is.
public struct DatasetInfo: Codable, Hashable, Sendable {
    /// The format this code writes. Readers reject versions they do not know.
    public static let currentFormatVersion = 2
    /// Versions this build reads: 2 added amodal boxes, visibility, truncation, 3D boxes and lighting
    /// to the labels, all optional keys, so version 1 datasets read as they are.
    public static let readableFormatVersions = 1...2
    /// The value of the "format" key, which identifies a SceneFarm native dataset.
    public static let formatName = "scenefarm-native"

    public var formatVersion: Int
    public var sceneName: String
    /// The job seed; with the scene file it determines every frame.
    public var seed: UInt64
    /// Frames 0..<frameCount are in the dataset.
    public var frameCount: Int
    /// The class table: semantic id → name and display color. Id 0 is background/unlabelled.
    public var classes: [SemanticClass]
    /// Every image's size in pixels.
    public var width: Int
    public var height: Int
    /// `SceneFarmVersion.string` of the software that wrote the dataset.
    public var softwareVersion: String

    public init(
        sceneName: String, seed: UInt64, frameCount: Int, classes: [SemanticClass], width: Int, height: Int,
        softwareVersion: String = SceneFarmVersion.string, formatVersion: Int = DatasetInfo.currentFormatVersion
    ) {
        self.formatVersion = formatVersion
        self.sceneName = sceneName
        self.seed = seed
        self.frameCount = frameCount
        self.classes = classes
        self.width = width
        self.height = height
        self.softwareVersion = softwareVersion
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case sceneName = "scene"
        case seed
        case frameCount = "frame_count"
        case classes
        case width
        case height
        case softwareVersion = "software_version"
    }

    /// dataset.json's content, deterministic (see `JSONValue`).
    public var json: JSONValue {
        .object([
            "format": .string(Self.formatName),
            "format_version": .int(formatVersion),
            "scene": .string(sceneName),
            // All 64 bits as a JSON integer: Swift, Python and C++ parsers keep them exactly.
            "seed": .uint(seed),
            "frame_count": .int(frameCount),
            "classes": .array(
                classes.map {
                    .object(["id": .int($0.id), "name": .string($0.name), "color": .array($0.color.map { .int($0) })])
                }),
            "width": .int(width),
            "height": .int(height),
            "software_version": .string(softwareVersion),
        ])
    }
}

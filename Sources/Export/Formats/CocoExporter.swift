import Foundation
import SceneCore

/// COCO "instances" (object detection + instance segmentation), as read by pycocotools' `COCO`
/// (docs/formats/COCO.md):
///
/// ```
/// OUT/
/// ├── annotations/instances_train.json   one per split part that has frames
/// ├── annotations/instances_val.json
/// └── images/train/000042.png            rgb/N.png, byte for byte
/// ```
///
/// - images: `id` = frame index, `file_name` = `"<part>/NNNNNN.png"` relative to `images/`.
/// - categories: the class table's classes (id = class id), those kept by the class filter.
/// - annotations: one per object kept by the filter, `id` = frame × 65536 + instance id,
///   `segmentation` = compressed RLE exactly as pycocotools encodes it (`CocoRLE`),
///   `bbox` = `[xmin, ymin, xmax − xmin + 1, ymax − ymin + 1]` from the inclusive native box,
///   `area` = the mask's pixel count, `iscrowd` = 0.
///
/// Memory does not grow with the number of frames: each frame's image and annotation entries are
/// serialized on arrival and appended to scratch files in a dot-named folder; only their offsets
/// stay in memory. `finish()` streams each part's document, frames in index order, into a temporary
/// file and renames it into place, then removes the scratch folder. The bytes do not depend on the
/// order frames were added. Thread-safe: `add` may be called from several threads at once.
public final class CocoExporter: ConcurrentDatasetExporter, @unchecked Sendable {
    public let directory: String
    public let info: DatasetInfo
    public let filter: ExportFilter
    public let split: DatasetSplit
    /// The categories written, sorted by id.
    public let categories: [SemanticClass]

    /// Where a frame's serialized entries are in the scratch files.
    private struct FrameEntry {
        var part: DatasetSplit.Part
        var imageOffset: Int
        var imageLength: Int
        var annotationOffset: Int
        var annotationLength: Int
        var annotationCount: Int
    }

    private let lock = NSLock()
    private let scratch: String
    private var imageFragments: [DatasetSplit.Part: FragmentFile] = [:]
    private var annotationFragments: [DatasetSplit.Part: FragmentFile] = [:]
    private var entries: [Int: FrameEntry] = [:]
    private var claimed: Set<Int> = []
    private var finished = false

    public init(directory: String, info: DatasetInfo, filter: ExportFilter, split: DatasetSplit) throws {
        guard info.width > 0, info.height > 0 else {
            throw ExportError(path: directory, "invalid dataset info: image size \(info.width)x\(info.height)")
        }
        self.directory = directory
        self.info = info
        self.filter = filter
        self.split = split
        categories = info.classes.filter { filter.classes?.contains($0.name) ?? true }.sorted { $0.id < $1.id }
        try AtomicFile.makeDirectories(directory + "/annotations")
        try AtomicFile.makeDirectories(directory + "/images")
        scratch = directory + "/.coco-scratch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try AtomicFile.makeDirectories(scratch)
    }

    deinit { removeScratchDirectory(scratch) }

    /// `annotations/instances_<part>.json`.
    public static func annotationsPath(part: DatasetSplit.Part) -> String {
        "annotations/instances_\(part.rawValue).json"
    }
    /// `"<part>/NNNNNN.png"`: an image's `file_name`, relative to `images/`.
    public static func fileName(frame: Int, part: DatasetSplit.Part) -> String {
        "\(part.rawValue)/\(DatasetFile.frameName(frame)).png"
    }
    /// An annotation's id: frame × 65536 + instance id (instance ids are 16-bit), unique in the export.
    public static func annotationID(frame: Int, instanceID: Int) -> Int { frame * 65536 + instanceID }
    /// COCO's box `[x, y, width, height]` from the native inclusive `[xmin, ymin, xmax, ymax]`.
    public static func cocoBox(inclusive b: [Int]) -> [Int] { [b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1] }

    public func add(_ frame: ExportFrame) throws {
        let index = frame.index
        try lock.withLock {
            guard !finished else { throw ExportError(path: directory, frame: index, "the COCO export is finished") }
            guard claimed.insert(index).inserted else {
                throw ExportError(path: directory, frame: index, "frame \(index) was added twice")
            }
        }
        guard frame.width == info.width, frame.height == info.height,
            frame.instanceMap.count == frame.width * frame.height
        else {
            throw ExportError(
                path: directory, frame: index,
                "frame is \(frame.width)x\(frame.height) with \(frame.instanceMap.count) instance ids; "
                    + "the dataset is \(info.width)x\(info.height)")
        }
        let part = split.part(of: index)
        let categoryIDs = Set(categories.map(\.id))
        let kept = frame.labels.objects.filter { filter.keeps($0) && categoryIDs.contains($0.classID) }
        for object in kept where !(1...65535).contains(object.instanceID) || object.bbox.count != 4 {
            throw ExportError(
                path: directory, frame: index, "object \(object.instanceID) has an invalid instance id or box")
        }
        let counts = CocoRLE.counts(
            instanceMap: frame.instanceMap, width: frame.width, height: frame.height,
            ids: Set(kept.map { UInt16($0.instanceID) }))

        let image = try Self.fragment(
            .object([
                "id": .int(index), "file_name": .string(Self.fileName(frame: index, part: part)),
                "width": .int(frame.width), "height": .int(frame.height),
            ]))
        var annotations: [UInt8] = []
        for (i, object) in kept.enumerated() {
            let rle = counts[UInt16(object.instanceID)]!
            let area = stride(from: 1, to: rle.count, by: 2).reduce(0) { $0 + rle[$1] }
            if i > 0 { annotations += Self.separator }
            annotations += try Self.fragment(
                .object([
                    "id": .int(Self.annotationID(frame: index, instanceID: object.instanceID)),
                    "image_id": .int(index),
                    "category_id": .int(object.classID),
                    "segmentation": .object([
                        "size": .array([.int(frame.height), .int(frame.width)]),
                        "counts": .string(CocoRLE.string(counts: rle)),
                    ]),
                    "bbox": .array(Self.cocoBox(inclusive: object.bbox).map { .int($0) }),
                    "area": .int(area),
                    "iscrowd": .int(0),
                ]))
        }

        let imageDirectory = directory + "/images/" + part.rawValue
        if !AtomicFile.exists(imageDirectory) { try AtomicFile.makeDirectories(imageDirectory) }
        try AtomicFile.write(
            frame.rgbPNG, to: directory + "/images/" + Self.fileName(frame: index, part: part), tag: index, sync: false)

        try lock.withLock {
            let images = try fragments(&imageFragments, part: part, kind: "images")
            let annotationFile = try fragments(&annotationFragments, part: part, kind: "annotations")
            let imageOffset = try images.append(image)
            let annotationOffset = try annotationFile.append(annotations)
            entries[index] = FrameEntry(
                part: part, imageOffset: imageOffset, imageLength: image.count, annotationOffset: annotationOffset,
                annotationLength: annotations.count, annotationCount: kept.count)
        }
    }

    /// Frames and annotations written per part (after `finish`, the final counts).
    public var statistics: [DatasetSplit.Part: (frames: Int, annotations: Int)] {
        lock.withLock {
            var out: [DatasetSplit.Part: (frames: Int, annotations: Int)] = [:]
            for entry in entries.values {
                let old = out[entry.part] ?? (0, 0)
                out[entry.part] = (old.frames + 1, old.annotations + entry.annotationCount)
            }
            return out
        }
    }

    public func finish() throws {
        try lock.withLock {
            guard !finished else { throw ExportError(path: directory, "the COCO export is already finished") }
            finished = true
            let byPart = Dictionary(grouping: entries.keys, by: { entries[$0]!.part })
            for part in DatasetSplit.Part.allCases {
                guard let frames = byPart[part]?.sorted() else { continue }
                try writeDocument(part: part, frames: frames)
            }
            for file in imageFragments.values { file.close() }
            for file in annotationFragments.values { file.close() }
            removeScratchDirectory(scratch)
        }
    }

    // MARK: Assembly

    /// Streams `annotations/instances_<part>.json`: keys sorted, two-space indentation, as
    /// `JSONValue.serialized()` would write the whole document.
    private func writeDocument(part: DatasetSplit.Part, frames: [Int]) throws {
        let file = try StreamedFile(path: directory + "/" + Self.annotationsPath(part: part), tag: 0)
        let annotationFile = annotationFragments[part]!
        let imageFile = imageFragments[part]!
        try file.write("{\n  \"annotations\": ")
        try writeArray(file, frames.lazy.filter { self.entries[$0]!.annotationCount > 0 }) { frame in
            let e = self.entries[frame]!
            return try annotationFile.read(offset: e.annotationOffset, count: e.annotationLength)
        }
        try file.write(",\n  \"categories\": ")
        let categoryFragments = try categories.map {
            try Self.fragment(
                .object(["id": .int($0.id), "name": .string($0.name), "supercategory": .string($0.name)]))
        }
        try writeArray(file, categoryFragments) { $0 }
        try file.write(",\n  \"images\": ")
        try writeArray(file, frames) { frame in
            let e = self.entries[frame]!
            return try imageFile.read(offset: e.imageOffset, count: e.imageLength)
        }
        let infoObject = JSONValue.object([
            "description": .string("SceneFarm scene \(info.sceneName), COCO instances, \(part.rawValue) split"),
            "version": .string(info.softwareVersion),
            "scenefarm_seed": .uint(info.seed),
            "split_seed": .uint(split.seed),
        ])
        try file.write(",\n  \"info\": ")
        try file.write(Array(try Self.indented(infoObject, level: 1)))
        try file.write(",\n  \"licenses\": []\n}\n")
        try file.commit()
    }

    /// Writes `[` items `]` at nesting level 1 (`[]` when empty); each item's bytes are already
    /// indented for level 2.
    private func writeArray<S: Sequence>(_ file: StreamedFile, _ items: S, bytes: (S.Element) throws -> [UInt8]) throws
    {
        var first = true
        for item in items {
            try file.write(first ? Array("[\n    ".utf8) : Self.separator)
            try file.write(try bytes(item))
            first = false
        }
        try file.write(first ? "[]" : "\n  ]")
    }

    private func fragments(
        _ files: inout [DatasetSplit.Part: FragmentFile], part: DatasetSplit.Part, kind: String
    )
        throws
        -> FragmentFile
    {
        if let file = files[part] { return file }
        let file = try FragmentFile(path: scratch + "/\(kind)-\(part.rawValue)")
        files[part] = file
        return file
    }

    /// Between two items of an array at level 1.
    private static let separator = Array(",\n    ".utf8)

    /// An array item at nesting level 2, as `JSONValue` serializes it there (no trailing newline).
    private static func fragment(_ value: JSONValue) throws -> [UInt8] { try indented(value, level: 2) }

    /// `value` serialized as if nested `level` deep: every line after the first indented by
    /// 2 × level spaces. JSON strings escape newlines, so every raw newline is structure.
    static func indented(_ value: JSONValue, level: Int) throws -> [UInt8] {
        var bytes = try value.serialized()
        bytes.removeLast()  // the trailing newline
        let pad = [UInt8](repeating: UInt8(ascii: " "), count: 2 * level)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out += pad }
        }
        return out
    }
}

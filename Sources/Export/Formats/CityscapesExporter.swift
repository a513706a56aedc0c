import Foundation
import ImageCodec

/// Cityscapes-style semantic and instance labels (docs/formats/CITYSCAPES.md):
///
/// ```
/// OUT/
/// ├── classes.json                                               id → name, color (written by finish)
/// ├── gtFine/<part>/<scene>/<scene>_000042_gtFine_labelIds.png     8-bit class id
/// ├── gtFine/<part>/<scene>/<scene>_000042_gtFine_instanceIds.png  16-bit, below
/// └── leftImg8bit/<part>/<scene>/<scene>_000042_leftImg8bit.png    rgb/N.png, byte for byte
/// ```
///
/// `instanceIds`: a pixel of a kept object holds `classID * 1000 + k`, k = 1, 2, … numbering the
/// frame's kept objects in instance-id order; every other pixel holds its class id (as Cityscapes
/// does for "stuff" and for objects without an instance). Class ids are the scene's class table
/// ids, not Cityscapes' label ids or trainIds — `classes.json` maps them. An object whose class id
/// is 66 or more, or a frame with more than 999 kept objects, cannot be written in 16 bits this
/// way: `add` throws naming the frame.
///
/// Every file is written under a temporary name and renamed into place. Thread-safe.
public final class CityscapesExporter: ConcurrentDatasetExporter, @unchecked Sendable {
    public let directory: String
    public let info: DatasetInfo
    public let filter: ExportFilter
    public let split: DatasetSplit
    /// The scene's name made safe for a folder and file name (`-` for anything but letters,
    /// digits and `-`), "scene" when nothing is left.
    public let sceneName: String

    private let lock = NSLock()
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
        sceneName = Self.safeName(info.sceneName)
        try AtomicFile.makeDirectories(directory)
    }

    static func safeName(_ name: String) -> String {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "-" })
        return safe.isEmpty ? "scene" : safe
    }

    /// A frame's files, relative to the export directory: labelIds, instanceIds, leftImg8bit.
    public func relativePaths(frame: Int) -> (labelIds: String, instanceIds: String, image: String) {
        let part = split.part(of: frame).rawValue
        let stem = "\(sceneName)/\(sceneName)_\(DatasetFile.frameName(frame))"
        return (
            "gtFine/\(part)/\(stem)_gtFine_labelIds.png", "gtFine/\(part)/\(stem)_gtFine_instanceIds.png",
            "leftImg8bit/\(part)/\(stem)_leftImg8bit.png"
        )
    }

    /// The `instanceIds` map of a frame: `classID * 1000 + k` on kept objects, the class id elsewhere.
    public static func instanceIDs(
        instanceMap: [UInt16], semanticMap: [UInt8], objects: [FrameLabelRecord.ObjectRecord], filter: ExportFilter,
        frame: Int
    ) throws -> [UInt16] {
        let kept = objects.filter(filter.keeps).sorted { $0.instanceID < $1.instanceID }
        guard kept.count <= 999 else {
            throw ExportError(
                frame: frame, "\(kept.count) objects kept; Cityscapes instance ids allow at most 999 a frame")
        }
        var value = [UInt16: UInt16]()
        for (k, object) in kept.enumerated() {
            let id = object.classID * 1000 + k + 1
            guard object.classID > 0, id <= 65535 else {
                throw ExportError(
                    frame: frame,
                    "object \(object.instanceID) has class id \(object.classID); Cityscapes instance ids "
                        + "(class id × 1000 + k, 16 bit) need a class id from 1 to 65")
            }
            value[UInt16(object.instanceID)] = UInt16(id)
        }
        var out = [UInt16](repeating: 0, count: instanceMap.count)
        for p in instanceMap.indices {
            let instance = instanceMap[p]
            out[p] = instance != 0 ? value[instance] ?? UInt16(semanticMap[p]) : UInt16(semanticMap[p])
        }
        return out
    }

    public func add(_ frame: ExportFrame) throws {
        let index = frame.index
        try lock.withLock {
            guard !finished else {
                throw ExportError(path: directory, frame: index, "the Cityscapes export is finished")
            }
            guard claimed.insert(index).inserted else {
                throw ExportError(path: directory, frame: index, "frame \(index) was added twice")
            }
        }
        let count = info.width * info.height
        guard frame.width == info.width, frame.height == info.height, frame.instanceMap.count == count,
            frame.semanticMap.count == count
        else {
            throw ExportError(
                path: directory, frame: index,
                "frame is \(frame.width)x\(frame.height); the dataset is \(info.width)x\(info.height)")
        }
        var instanceIDs: [UInt16]
        do {
            instanceIDs = try Self.instanceIDs(
                instanceMap: frame.instanceMap, semanticMap: frame.semanticMap, objects: frame.labels.objects,
                filter: filter, frame: index)
        } catch var error as ExportError {
            error.path = directory
            throw error
        }
        let labelPNG = try PNGEncoder.encodeGray8(frame.semanticMap, width: frame.width, height: frame.height)
        let instancePNG = try PNGEncoder.encodeGray16(
            instanceIDs, width: frame.width, height: frame.height, compression: .instanceIDs)
        instanceIDs = []
        let paths = relativePaths(frame: index)
        for (relative, bytes) in [
            (paths.image, frame.rgbPNG), (paths.labelIds, labelPNG), (paths.instanceIds, instancePNG),
        ] {
            let path = directory + "/" + relative
            let folder = String(path[..<path.lastIndex(of: "/")!])
            if !AtomicFile.exists(folder) { try AtomicFile.makeDirectories(folder) }
            try AtomicFile.write(bytes, to: path, tag: index, sync: false)
        }
    }

    /// Writes `classes.json`: the class table (id, name, color) the ids in the label images refer to.
    public func finish() throws {
        try lock.withLock {
            guard !finished else { throw ExportError(path: directory, "the Cityscapes export is already finished") }
            finished = true
        }
        let table = JSONValue.object([
            "format": .string("scenefarm-cityscapes"),
            "scene": .string(info.sceneName),
            "note": .string(
                "labelIds and instanceIds // 1000 are these class ids (the scene's class table), "
                    + "not Cityscapes label ids or trainIds; 0 = unlabelled"
            ),
            "classes": .array(
                info.classes.sorted { $0.id < $1.id }.map {
                    .object([
                        "id": .int($0.id), "name": .string($0.name), "color": .array($0.color.map { .int($0) }),
                    ])
                }),
        ])
        try AtomicFile.write(try table.serialized(), to: directory + "/classes.json", tag: 0, sync: false)
    }
}

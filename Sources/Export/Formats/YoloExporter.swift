// YOLO (Ultralytics layout) export: detection boxes or segmentation polygons, one text file per
// image, and a data.yaml naming the parts and classes. Format, box convention and class mapping:
// docs/formats/YOLO.md.
//
//     OUT/
//     ├── data.yaml                 written by finish()
//     ├── images/train/000042.png   rgb/000042.png, byte for byte
//     └── labels/train/000042.txt   "class cx cy w h" (detect) or "class x1 y1 x2 y2 …" (segment)
//
// Non-goals: no image re-encoding or resizing, no hole or multi-part polygons (segment mode keeps
// each object's largest 8-connected component, holes filled; `Statistics` counts what that costs).
import Foundation
import SceneCore

/// What the label files describe.
public enum YoloTask: String, CaseIterable, Sendable {
    /// `class cx cy w h`: one axis-aligned box per object.
    case detect
    /// `class x1 y1 x2 y2 …`: one polygon per object, the outline of its mask.
    case segment
}

/// Writes a YOLO dataset in the Ultralytics layout. `add` may be called from several threads at
/// once; it keeps nothing per frame but which parts (train/val/test) have frames.
public final class YoloExporter: ConcurrentDatasetExporter, @unchecked Sendable {
    /// Counts over the frames added so far.
    public struct Statistics: Hashable, Sendable {
        public var frames = 0
        /// Label lines written (objects kept).
        public var objects = 0
        /// Objects left out by the filter.
        public var filteredObjects = 0
        /// Objects of class 0 (unlabelled), which have no YOLO class and are left out.
        public var unlabelledObjects = 0
        /// Segment mode: pixels of kept objects outside their largest component, covered by no
        /// polygon.
        public var droppedComponentPixels = 0
        /// Segment mode: pixels inside polygons that are not the object's (its filled holes).
        public var filledHolePixels = 0
        /// Segment mode: all pixels of kept objects.
        public var objectPixels = 0
    }

    public let directory: String
    public let info: DatasetInfo
    public let filter: ExportFilter
    public let split: DatasetSplit
    public let task: YoloTask
    /// Class id → YOLO class index: the class table sorted by id, numbered 0, 1, 2, …
    public let classIndex: [Int: Int]
    /// YOLO class index → class name.
    public let classNames: [String]

    private let lock = NSLock()
    private var partsWithFrames: Set<DatasetSplit.Part> = []
    private var temporaryTag = 0
    private var counts = Statistics()
    private var finished = false

    /// Creates `images/{train,val}` and `labels/{train,val}` under `directory` (test folders when
    /// the first test frame arrives). Throws an `ExportError` naming the path when a folder cannot
    /// be created, or when the class table lists an id twice or an id outside 1…255.
    public init(
        directory: String, info: DatasetInfo, filter: ExportFilter, split: DatasetSplit, task: YoloTask = .detect
    ) throws {
        let sorted = info.classes.sorted { $0.id < $1.id }
        var index: [Int: Int] = [:]
        for (i, semanticClass) in sorted.enumerated() {
            guard (1...255).contains(semanticClass.id), index[semanticClass.id] == nil else {
                throw ExportError(
                    path: directory,
                    "class table: id \(semanticClass.id) (\(semanticClass.name)) is out of range or listed twice")
            }
            index[semanticClass.id] = i
        }
        self.directory = directory
        self.info = info
        self.filter = filter
        self.split = split
        self.task = task
        self.classIndex = index
        self.classNames = sorted.map(\.name)
        for part in [DatasetSplit.Part.train, .val] {
            try AtomicFile.makeDirectories(directory + "/images/" + part.rawValue)
            try AtomicFile.makeDirectories(directory + "/labels/" + part.rawValue)
        }
    }

    /// Counts over the frames added so far.
    public var statistics: Statistics { lock.withLock { counts } }

    /// Writes `images/<part>/N.png` and then `labels/<part>/N.txt` (present, maybe empty, for every
    /// frame). Thread-safe.
    public func add(_ frame: ExportFrame) throws {
        let part = split.part(of: frame.index)
        let tag: Int = try lock.withLock {
            guard !finished else { throw ExportError(path: directory, frame: frame.index, "the exporter is finished") }
            if !partsWithFrames.contains(part) {
                try AtomicFile.makeDirectories(directory + "/images/" + part.rawValue)
                try AtomicFile.makeDirectories(directory + "/labels/" + part.rawValue)
                partsWithFrames.insert(part)
            }
            temporaryTag += 1
            return temporaryTag
        }
        var frameCounts = Statistics()
        frameCounts.frames = 1
        let text = try labelText(frame, counts: &frameCounts)
        let name = DatasetFile.frameName(frame.index)
        do {
            try AtomicFile.write(
                frame.rgbPNG, to: "\(directory)/images/\(part.rawValue)/\(name).png", tag: tag, sync: false)
            try AtomicFile.write(
                Array(text.utf8), to: "\(directory)/labels/\(part.rawValue)/\(name).txt", tag: tag, sync: false)
        } catch var error as ExportError {
            error.frame = frame.index
            throw error
        }
        lock.withLock {
            counts.frames += frameCounts.frames
            counts.objects += frameCounts.objects
            counts.filteredObjects += frameCounts.filteredObjects
            counts.unlabelledObjects += frameCounts.unlabelledObjects
            counts.droppedComponentPixels += frameCounts.droppedComponentPixels
            counts.filledHolePixels += frameCounts.filledHolePixels
            counts.objectPixels += frameCounts.objectPixels
        }
    }

    /// Writes `data.yaml` (temporary name, then renamed into place). Later calls to `add` throw.
    public func finish() throws {
        let (parts, tag): (Set<DatasetSplit.Part>, Int) = try lock.withLock {
            guard !finished else { throw ExportError(path: directory, "the exporter is already finished") }
            finished = true
            temporaryTag += 1
            return (partsWithFrames, temporaryTag)
        }
        try AtomicFile.write(Array(dataYAML(parts: parts).utf8), to: directory + "/data.yaml", tag: tag, sync: false)
    }

    // MARK: - Label files

    /// The frame's label file: one line per kept object, in the labels' order (by instance id).
    func labelText(_ frame: ExportFrame, counts: inout Statistics) throws -> String {
        let width = frame.width
        let height = frame.height
        guard width > 0, height > 0, frame.instanceMap.count == width * height else {
            throw ExportError(
                frame: frame.index,
                "instance map has \(frame.instanceMap.count) ids for a \(width)x\(height) image")
        }
        let decimals = Self.decimals(width: width, height: height)
        var text = ""
        for object in frame.labels.objects {
            guard filter.keeps(object) else {
                counts.filteredObjects += 1
                continue
            }
            if object.classID == 0 {
                counts.unlabelledObjects += 1
                continue
            }
            guard let classIndex = classIndex[object.classID] else {
                throw ExportError(
                    frame: frame.index,
                    "instance \(object.instanceID): class id \(object.classID) (\(object.className))"
                        + " is not in the class table")
            }
            let box = object.bbox
            guard box.count == 4, 0 <= box[0], box[0] <= box[2], box[2] < width, 0 <= box[1], box[1] <= box[3],
                box[3] < height
            else {
                throw ExportError(
                    frame: frame.index,
                    "instance \(object.instanceID): bbox \(box) is not inside the \(width)x\(height) image")
            }
            var line = String(classIndex)
            switch task {
            case .detect:
                // Inclusive pixel indices → pixel edges: the box spans x in [xmin, xmax + 1).
                line += " " + Self.fixed(box[0] + box[2] + 1, over: 2 * width, decimals: decimals)
                line += " " + Self.fixed(box[1] + box[3] + 1, over: 2 * height, decimals: decimals)
                line += " " + Self.fixed(box[2] - box[0] + 1, over: width, decimals: decimals)
                line += " " + Self.fixed(box[3] - box[1] + 1, over: height, decimals: decimals)
            case .segment:
                for corner in try outline(of: object, in: frame, counts: &counts) {
                    line += " " + Self.fixed(corner.x, over: width, decimals: decimals)
                    line += " " + Self.fixed(corner.y, over: height, decimals: decimals)
                }
            }
            text += line + "\n"
            counts.objects += 1
        }
        return text
    }

    /// The outer outline of the object's largest component, in image pixel-corner coordinates.
    private func outline(
        of object: FrameLabelRecord.ObjectRecord, in frame: ExportFrame, counts: inout Statistics
    ) throws -> [MaskContours.Corner] {
        let (x0, y0) = (object.bbox[0], object.bbox[1])
        let cropWidth = object.bbox[2] - x0 + 1
        let cropHeight = object.bbox[3] - y0 + 1
        var mask = [Bool](repeating: false, count: cropWidth * cropHeight)
        var pixels = 0
        for y in 0..<cropHeight {
            let row = (y0 + y) * frame.width + x0
            for x in 0..<cropWidth where Int(frame.instanceMap[row + x]) == object.instanceID {
                mask[y * cropWidth + x] = true
                pixels += 1
            }
        }
        guard let largest = MaskContours.largestComponent(of: mask, width: cropWidth, height: cropHeight) else {
            throw ExportError(
                frame: frame.index, "instance \(object.instanceID) has no pixels inside its bbox \(object.bbox)")
        }
        let outline = MaskContours.outerOutline(
            of: mask, width: cropWidth, height: cropHeight, firstPixel: largest.firstPixel)
        counts.objectPixels += pixels
        counts.droppedComponentPixels += pixels - largest.pixelCount
        counts.filledHolePixels += MaskContours.doubledArea(outline) / 2 - largest.pixelCount
        return outline.map { MaskContours.Corner($0.x + x0, $0.y + y0) }
    }

    // MARK: - data.yaml

    /// data.yaml: absolute dataset path, the parts, and the class names by YOLO index.
    func dataYAML(parts: Set<DatasetSplit.Part>) -> String {
        var lines = [
            "# YOLO (Ultralytics) \(task.rawValue) dataset exported by SceneFarm \(SceneFarmVersion.string)",
            "# from scene \(Self.yamlScalar(info.sceneName)), seed \(info.seed). Format: docs/formats/YOLO.md",
            "# Class indices are the class table sorted by id, numbered from 0 (id in the comment).",
            "path: " + Self.yamlScalar(Self.absolutePath(directory)),
            "train: images/train",
            "val: images/val",
        ]
        if parts.contains(.test) { lines.append("test: images/test") }
        lines.append("nc: \(classNames.count)")
        lines.append(classNames.isEmpty ? "names: {}" : "names:")
        let ids = classIndex.sorted { $0.value < $1.value }.map(\.key)
        for (i, name) in classNames.enumerated() {
            lines.append("  \(i): \(Self.yamlScalar(name))  # class id \(ids[i])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Formatting

    /// Decimal places for normalized coordinates: 6 plus the digits of the larger image side, so
    /// multiplying a value back by the image size lands within 5e-7 pixels of the exact edge.
    static func decimals(width: Int, height: Int) -> Int { 6 + String(max(width, height)).count }

    /// `numerator / denominator` (both ≥ 0, denominator > 0) with `decimals` places, halves
    /// rounded up, computed in integers: the same bytes on every machine.
    static func fixed(_ numerator: Int, over denominator: Int, decimals: Int) -> String {
        precondition(numerator >= 0 && denominator > 0 && (0...12).contains(decimals))
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (2 * numerator * scale + denominator) / (2 * denominator)
        let fraction = String(scaled % scale)
        guard decimals > 0 else { return String(scaled) }
        return "\(scaled / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// A YAML scalar that reads back as the same string: plain when that is unambiguous, else
    /// double-quoted (YAML 1.1 readers such as PyYAML would take `no`, `on`, `null`, `1e3` as
    /// other types).
    static func yamlScalar(_ text: String) -> String {
        let plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./"
        let reserved: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"]
        if let first = text.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "/",
            text.allSatisfy({ plain.contains($0) }), !reserved.contains(text.lowercased())
        {
            return text
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The directory as an absolute path, symbolic links resolved where it exists.
    static func absolutePath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}

import ImageCodec

/// One thing wrong with a dataset.
public struct VerificationProblem: Hashable, Sendable, CustomStringConvertible {
    /// The frame concerned; nil for dataset-wide problems (leftover temporary files, ...).
    public var frame: Int?
    /// Relative to the dataset directory: "instance/000042.png".
    public var file: String
    public var detail: String

    public init(frame: Int?, file: String, detail: String) {
        self.frame = frame
        self.file = file
        self.detail = detail
    }

    public var description: String {
        (frame.map { "frame \($0): " } ?? "") + "\(file): \(detail)"
    }
}

/// What `DatasetVerifier.verify` found.
public struct VerificationReport: Sendable, CustomStringConvertible {
    public var directory: String
    public var info: DatasetInfo
    public var framesChecked: Int
    public var problems: [VerificationProblem]

    public var isClean: Bool { problems.isEmpty }

    public var description: String {
        var lines = ["\(directory): \(framesChecked) frames checked, \(problems.count) problem(s)"]
        lines += problems.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// Checks a native dataset against its contract by decoding every file back:
///
/// - every frame 0..<frame_count has all five files, each a decodable PNG/JSON of the expected
///   channels, bit depth and the size in `dataset.json`;
/// - every object record's bbox is the exact extent of its mask in `instance/N.png`, and its pixel
///   count matches; every nonzero id in the instance map has an object record, and vice versa;
/// - `semantic/N.png` holds the object's class at every pixel of the object, and the class exists
///   in the class table under the recorded name;
/// - no temporary files are left, and no frames lie beyond frame_count.
public enum DatasetVerifier {
    /// Throws only when `dataset.json` cannot be read; everything else is a problem in the report.
    public static func verify(directory: String) throws -> VerificationReport {
        let reader = try NativeDatasetReader(directory: directory)
        let info = reader.info
        var problems: [VerificationProblem] = []
        var classNames: [Int: String] = [:]
        for c in info.classes {
            if let name = classNames[c.id] {
                problems.append(
                    .init(
                        frame: nil, file: "dataset.json",
                        detail: "class id \(c.id) is listed twice (\(name), \(c.name))"))
            }
            classNames[c.id] = c.name
        }
        for frame in 0..<max(0, info.frameCount) {
            problems += verifyFrame(frame, reader: reader, classNames: classNames)
        }
        problems += verifyFolders(reader)
        return VerificationReport(
            directory: directory, info: info, framesChecked: max(0, info.frameCount), problems: problems)
    }

    private struct Extent {
        var pixels = 0
        var xmin = Int.max, ymin = Int.max, xmax = -1, ymax = -1
    }

    static func verifyFrame(
        _ frame: Int, reader: NativeDatasetReader, classNames: [Int: String]
    ) -> [VerificationProblem] {
        let info = reader.info
        var problems: [VerificationProblem] = []
        func problem(_ file: DatasetFile, _ detail: String) {
            problems.append(.init(frame: frame, file: file.relativePath(frame: frame), detail: detail))
        }
        func load(_ file: DatasetFile, channels: Int, bitDepth: Int) -> DecodedPNG? {
            guard AtomicFile.exists(reader.path(file, frame: frame)) else {
                problem(file, "missing")
                return nil
            }
            do {
                let png = try reader.image(file, frame: frame)
                guard png.width == info.width, png.height == info.height else {
                    problem(file, "image is \(png.width)x\(png.height), dataset.json says \(info.width)x\(info.height)")
                    return nil
                }
                guard png.channels == channels, png.bitDepth == bitDepth else {
                    problem(
                        file,
                        "\(png.channels) channel(s) at \(png.bitDepth) bit, expected \(channels) at \(bitDepth) bit")
                    return nil
                }
                return png
            } catch {
                problem(file, "\(error)")
                return nil
            }
        }
        _ = load(.rgb, channels: 3, bitDepth: 8)
        let instance = load(.instance, channels: 1, bitDepth: 16)
        let semantic = load(.semantic, channels: 1, bitDepth: 8)
        _ = load(.depth, channels: 1, bitDepth: 16)

        var record: FrameLabelRecord?
        if !AtomicFile.exists(reader.path(.labels, frame: frame)) {
            problem(.labels, "missing")
        } else {
            do {
                record = try reader.labels(frame: frame)
            } catch let error as ExportError {
                problem(.labels, error.detail)
            } catch {
                problem(.labels, "\(error)")
            }
        }
        guard let record else { return problems }

        // The record on its own.
        if record.frame != frame { problem(.labels, "\"frame\" is \(record.frame), expected \(frame)") }
        if record.width != info.width || record.height != info.height {
            problem(.labels, "size is \(record.width)x\(record.height), dataset.json says \(info.width)x\(info.height)")
        }
        if record.camera.K.count != 3 || record.camera.K.contains(where: { $0.count != 3 }) {
            problem(.labels, "camera K is not 3x3")
        }
        if record.camera.worldFromCamera.count != 4 || record.camera.worldFromCamera.contains(where: { $0.count != 4 })
        {
            problem(.labels, "camera world_from_camera is not 4x4")
        }
        var recordOf = [Int](repeating: -1, count: 65536)  // instance id -> index in record.objects
        var previousID = 0
        for (k, object) in record.objects.enumerated() {
            let id = object.instanceID
            guard (1...65535).contains(id) else {
                problem(.labels, "object \(k) has instance id \(id), outside 1...65535")
                continue
            }
            if id <= previousID { problem(.labels, "objects are not sorted by unique instance id at instance \(id)") }
            previousID = max(previousID, id)
            if recordOf[id] < 0 { recordOf[id] = k }
            if object.bbox.count != 4 {
                problem(.labels, "instance \(id): bbox has \(object.bbox.count) values, expected 4")
            }
            // Amodal labels: the unoccluded silhouette contains the visible mask.
            if let a = object.amodalBBox, a.count == 4, object.bbox.count == 4 {
                if a[0] > object.bbox[0] || a[1] > object.bbox[1] || a[2] < object.bbox[2] || a[3] < object.bbox[3] {
                    problem(.labels, "instance \(id): amodal_bbox \(a) does not contain bbox \(object.bbox)")
                }
            }
            if let n = object.amodalPixels {
                if n < object.pixels {
                    problem(.labels, "instance \(id): amodal_pixels \(n) < pixels \(object.pixels)")
                }
                if let v = object.visibility, abs(v - Double(object.pixels) / Double(max(n, 1))) > 1e-9 {
                    problem(.labels, "instance \(id): visibility \(v) is not pixels / amodal_pixels")
                }
            }
            if let name = classNames[object.classID] {
                if name != object.className {
                    problem(
                        .labels,
                        "instance \(id): class \(object.classID) is \"\(name)\" in dataset.json, not \"\(object.className)\""
                    )
                }
            } else if object.classID != 0 {
                problem(.labels, "instance \(id): class id \(object.classID) is not in the class table")
            }
        }
        guard let instance else { return problems }

        // One pass over the instance map: each id's pixel count and extent, and its class.
        var extents = [Extent](repeating: Extent(), count: 65536)
        var semanticMismatches = [Int](repeating: 0, count: record.objects.count)
        var firstMismatch = [(x: Int, y: Int, value: Int)?](repeating: nil, count: record.objects.count)
        let width = info.width
        instance.samples16.withUnsafeBufferPointer { ids in
            for y in 0..<info.height {
                for x in 0..<width {
                    let p = y * width + x
                    let id = Int(ids[p])
                    guard id != 0 else { continue }
                    extents[id].pixels += 1
                    extents[id].xmin = min(extents[id].xmin, x)
                    extents[id].xmax = max(extents[id].xmax, x)
                    extents[id].ymin = min(extents[id].ymin, y)
                    extents[id].ymax = max(extents[id].ymax, y)
                    let k = recordOf[id]
                    if k >= 0, let semantic, Int(semantic.samples8[p]) != record.objects[k].classID {
                        semanticMismatches[k] += 1
                        if firstMismatch[k] == nil { firstMismatch[k] = (x, y, Int(semantic.samples8[p])) }
                    }
                }
            }
        }
        for (k, object) in record.objects.enumerated()
        where (1...65535).contains(object.instanceID) && recordOf[object.instanceID] == k {
            let e = extents[object.instanceID]
            guard e.pixels > 0 else {
                problem(
                    .instance, "instance \(object.instanceID) has an object record but no pixels in the instance map")
                continue
            }
            let extent = [e.xmin, e.ymin, e.xmax, e.ymax]
            if object.bbox != extent {
                problem(
                    .labels,
                    "instance \(object.instanceID): bbox \(object.bbox) is not the extent of its mask \(extent)")
            }
            if object.pixels != e.pixels {
                problem(.labels, "instance \(object.instanceID): pixels is \(object.pixels), its mask has \(e.pixels)")
            }
            if let m = firstMismatch[k] {
                problem(
                    .semantic,
                    "instance \(object.instanceID) (class \(object.classID)): \(semanticMismatches[k]) pixel(s) of another "
                        + "class, first at (\(m.x), \(m.y)) = \(m.value)")
            }
        }
        for id in 1..<65536 where extents[id].pixels > 0 && recordOf[id] < 0 {
            let e = extents[id]
            problem(
                .instance,
                "instance id \(id) has \(e.pixels) pixel(s) in [\(e.xmin), \(e.ymin), \(e.xmax), \(e.ymax)] but no object record"
            )
        }
        return problems
    }

    /// Leftover temporary files, and frames beyond frame_count.
    static func verifyFolders(_ reader: NativeDatasetReader) -> [VerificationProblem] {
        var problems: [VerificationProblem] = []
        for name in AtomicFile.list(reader.directory) where name.contains(".tmp") {
            problems.append(.init(frame: nil, file: name, detail: "leftover temporary file"))
        }
        for file in DatasetFile.allCases {
            for name in AtomicFile.list(reader.directory + "/" + file.folder) {
                if name.contains(".tmp") {
                    problems.append(
                        .init(frame: nil, file: file.folder + "/" + name, detail: "leftover temporary file"))
                } else if let index = DatasetFile.frameIndex(fileName: name, fileExtension: file.fileExtension),
                    index >= reader.info.frameCount
                {
                    problems.append(
                        .init(
                            frame: index, file: file.folder + "/" + name,
                            detail: "frame \(index) is beyond frame_count \(reader.info.frameCount) in dataset.json"))
                }
            }
        }
        return problems
    }
}

import Export
import Foundation
import SceneCore
import XCTest

/// Hand-made frames for the YOLO exporter: objects painted into an instance map, their labels
/// (bbox, pixel count) derived from the map, so labels and masks agree as in a native dataset.
private struct PaintedFrame {
    /// Class table listed out of id order, ids not contiguous: YOLO indices are road 0, car 1,
    /// pedestrian 2, sign 3.
    static let classes = [
        SemanticClass(id: 7, name: "pedestrian", color: [220, 20, 60]),
        SemanticClass(id: 2, name: "car", color: [0, 0, 142]),
        SemanticClass(id: 1, name: "road", color: [128, 64, 128]),
        SemanticClass(id: 12, name: "sign", color: [220, 220, 0]),
    ]
    static let classNames = Dictionary(uniqueKeysWithValues: classes.map { ($0.id, $0.name) })

    var width: Int
    var height: Int
    var instance: [UInt16]
    var semantic: [UInt8]
    var classOf: [Int: Int] = [:]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        instance = [UInt16](repeating: 0, count: width * height)
        semantic = [UInt8](repeating: 0, count: width * height)
    }

    /// Paints pixels [x0, x1] x [y0, y1] (inclusive) with an instance of a class.
    mutating func paint(_ id: Int, classID: Int, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
        for y in y0...y1 {
            for x in x0...x1 {
                instance[y * width + x] = UInt16(id)
                semantic[y * width + x] = UInt8(classID)
            }
        }
        classOf[id] = classID
    }

    mutating func paintPixels(_ id: Int, classID: Int, _ pixels: [(Int, Int)]) {
        for (x, y) in pixels { paint(id, classID: classID, x, y, x, y) }
    }

    func frame(_ index: Int) -> ExportFrame {
        var boxes: [Int: [Int]] = [:]
        var counts: [Int: Int] = [:]
        for y in 0..<height {
            for x in 0..<width where instance[y * width + x] != 0 {
                let id = Int(instance[y * width + x])
                let b = boxes[id] ?? [x, y, x, y]
                boxes[id] = [min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y)]
                counts[id, default: 0] += 1
            }
        }
        let objects = boxes.keys.sorted().map { id in
            FrameLabelRecord.ObjectRecord(
                instanceID: id, classID: classOf[id]!, className: Self.classNames[classOf[id]!] ?? "unlabelled",
                bbox: boxes[id]!, pixels: counts[id]!)
        }
        let identity = [[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]]
        let labels = try! JSONDecoder().decode(
            FrameLabelRecord.self,
            from: JSONSerialization.data(withJSONObject: [
                "frame": index, "width": width, "height": height,
                "camera": ["K": [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]], "world_from_camera": identity],
                "objects": [] as [Any],
            ]))
        var record = labels
        record.objects = objects
        // Stand-in PNG bytes: the exporter copies them without decoding.
        let rgb = Array("not really a png, frame \(index)".utf8)
        return ExportFrame(index: index, labels: record, instanceMap: instance, semanticMap: semantic, rgbPNG: rgb)
    }

    static func info(frames: Int, width: Int, height: Int) -> DatasetInfo {
        DatasetInfo(sceneName: "yolo-test", seed: 3, frameCount: frames, classes: classes, width: width, height: height)
    }

    /// A frame whose objects move with the index: a car, a pedestrian and a one-pixel sign.
    static func moving(_ index: Int, width: Int = 40, height: Int = 30) -> ExportFrame {
        var painted = PaintedFrame(width: width, height: height)
        painted.paint(3, classID: 2, 2 + index % 10, 4, 12 + index % 10, 9)
        painted.paint(5, classID: 7, 30, 10 + index % 5, 32, 25)
        painted.paint(9, classID: 12, index % width, 0, index % width, 0)
        return painted.frame(index)
    }
}

/// One parsed label line.
private struct LabelLine {
    var classIndex: Int
    var values: [Double]
}

private func readLabels(_ path: String) throws -> [LabelLine] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
        let fields = line.split(separator: " ")
        return LabelLine(classIndex: Int(fields[0])!, values: fields.dropFirst().map { Double($0)! })
    }
}

final class YoloExporterTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: temporaryBase)
        super.tearDown()
    }

    @discardableResult
    private func export(
        _ frames: [ExportFrame], to dir: String, width: Int = 40, height: Int = 30,
        filter: ExportFilter = ExportFilter(),
        split: DatasetSplit = DatasetSplit(valFraction: 0), task: YoloTask = .detect
    ) throws -> YoloExporter {
        let exporter = try YoloExporter(
            directory: dir, info: PaintedFrame.info(frames: frames.count, width: width, height: height), filter: filter,
            split: split, task: task)
        for frame in frames { try exporter.add(frame) }
        try exporter.finish()
        return exporter
    }

    func testBoxesMultiplyBackToTheInclusivePixelBoxExactly() throws {
        for (width, height) in [(40, 30), (1280, 720), (7, 3)] {
            var painted = PaintedFrame(width: width, height: height)
            var random = SplitMix64(seed: UInt64(width))
            painted.paint(1, classID: 2, 0, 0, 0, 0)  // one pixel in the corner
            painted.paint(2, classID: 7, width - 1, height - 1, width - 1, height - 1)  // and the other corner
            for id in 3..<12 {
                let x0 = Int(random.next() % UInt64(width))
                let y0 = Int(random.next() % UInt64(height))
                let x1 = x0 + Int(random.next() % UInt64(width - x0))
                let y1 = y0 + Int(random.next() % UInt64(height - y0))
                painted.paint(id, classID: 2, x0, y0, x1, y1)
            }
            let frame = painted.frame(0)
            let dir = try makeTemporaryDirectory()
            try export([frame], to: dir, width: width, height: height)
            let lines = try readLabels(dir + "/labels/train/000000.txt")
            XCTAssertEqual(lines.count, frame.labels.objects.count)
            for (line, object) in zip(lines, frame.labels.objects) {
                XCTAssertEqual(line.classIndex, object.classID == 2 ? 1 : 2)
                XCTAssertEqual(line.values.count, 4)
                let (cx, cy, w, h) = (line.values[0], line.values[1], line.values[2], line.values[3])
                let W = Double(width)
                let H = Double(height)
                XCTAssertEqual(
                    cx * W - w * W / 2, Double(object.bbox[0]), accuracy: 1e-6, "\(width)x\(height) \(object)")
                XCTAssertEqual(cy * H - h * H / 2, Double(object.bbox[1]), accuracy: 1e-6)
                XCTAssertEqual(cx * W + w * W / 2, Double(object.bbox[2] + 1), accuracy: 1e-6)
                XCTAssertEqual(cy * H + h * H / 2, Double(object.bbox[3] + 1), accuracy: 1e-6)
                XCTAssertTrue(line.values.allSatisfy { (0...1).contains($0) })
            }
        }
    }

    func testLabelLinesAreFixedDecimalText() throws {
        var painted = PaintedFrame(width: 64, height: 48)
        painted.paint(6, classID: 12, 0, 0, 63, 47)  // the whole image, under the pixel below
        painted.paint(4, classID: 2, 3, 5, 3, 5)  // one pixel at column 3, row 5
        let dir = try makeTemporaryDirectory()
        try export([painted.frame(0)], to: dir, width: 64, height: 48)
        // 64 has 2 digits: 8 decimals. cx = 7/128, cy = 11/96 = 0.114583333… → 0.11458333.
        XCTAssertEqual(
            try String(contentsOfFile: dir + "/labels/train/000000.txt", encoding: .utf8),
            "1 0.05468750 0.11458333 0.01562500 0.02083333\n3 0.50000000 0.50000000 1.00000000 1.00000000\n")
    }

    func testClassIndexMappingAndDataYAML() throws {
        let dir = try makeTemporaryDirectory()
        let frames = (0..<30).map { PaintedFrame.moving($0) }
        let split = DatasetSplit(valFraction: 0.3, testFraction: 0.2, seed: 11)
        XCTAssertEqual(
            Set(frames.map { split.part(of: $0.index) }), [.train, .val, .test], "the split must hit every part")
        let exporter = try export(frames, to: dir, split: split)
        XCTAssertEqual(exporter.classIndex, [1: 0, 2: 1, 7: 2, 12: 3])
        XCTAssertEqual(exporter.classNames, ["road", "car", "pedestrian", "sign"])
        let yaml = try String(contentsOfFile: dir + "/data.yaml", encoding: .utf8)
        let absolute = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        XCTAssertEqual(
            yaml,
            """
            # YOLO (Ultralytics) detect dataset exported by SceneFarm \(SceneFarmVersion.string)
            # from scene yolo-test, seed 3. Format: docs/formats/YOLO.md
            # Class indices are the class table sorted by id, numbered from 0 (id in the comment).
            path: \(absolute)
            train: images/train
            val: images/val
            test: images/test
            nc: 4
            names:
              0: road  # class id 1
              1: car  # class id 2
              2: pedestrian  # class id 7
              3: sign  # class id 12

            """)
        // Car (id 2) → 1, pedestrian (id 7) → 2, sign (id 12) → 3, in instance order.
        let part = split.part(of: 4).rawValue
        XCTAssertEqual(try readLabels("\(dir)/labels/\(part)/000004.txt").map(\.classIndex), [1, 2, 3])

        // Without test frames there is no test line and no test folder.
        let noTest = try makeTemporaryDirectory()
        try export(frames, to: noTest, split: DatasetSplit(valFraction: 0.3))
        let noTestYAML = try String(contentsOfFile: noTest + "/data.yaml", encoding: .utf8)
        XCTAssertFalse(noTestYAML.contains("test:"))
        XCTAssertTrue(noTestYAML.contains("val: images/val\nnc: 4\n"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: noTest + "/images/test"))
    }

    func testYAMLQuotesNamesThatWouldReadAsOtherTypes() throws {
        var info = PaintedFrame.info(frames: 0, width: 4, height: 4)
        info.classes = [
            SemanticClass(id: 1, name: "no", color: [0, 0, 0]),
            SemanticClass(id: 2, name: "traffic light", color: [0, 0, 0]),
            SemanticClass(id: 3, name: "say \"hi\"", color: [0, 0, 0]),
            SemanticClass(id: 4, name: "1e3", color: [0, 0, 0]),
            SemanticClass(id: 5, name: "rider", color: [0, 0, 0]),
        ]
        let dir = try makeTemporaryDirectory()
        let exporter = try YoloExporter(directory: dir, info: info, filter: ExportFilter(), split: DatasetSplit())
        try exporter.finish()
        let yaml = try String(contentsOfFile: dir + "/data.yaml", encoding: .utf8)
        XCTAssertTrue(
            yaml.hasSuffix(
                """
                nc: 5
                names:
                  0: "no"  # class id 1
                  1: "traffic light"  # class id 2
                  2: "say \\"hi\\""  # class id 3
                  3: "1e3"  # class id 4
                  4: rider  # class id 5

                """), yaml)
    }

    func testOutputDoesNotDependOnAddOrderOrThreads() throws {
        let frames = (0..<16).map { PaintedFrame.moving($0) }
        let split = DatasetSplit(valFraction: 0.25, testFraction: 0.1, seed: 5)
        for task in YoloTask.allCases {
            let forward = try makeTemporaryDirectory()
            try export(frames, to: forward, split: split, task: task)
            let backward = try makeTemporaryDirectory()
            try export(frames.reversed(), to: backward, split: split, task: task)
            let parallel = try makeTemporaryDirectory()
            let exporter = try YoloExporter(
                directory: parallel, info: PaintedFrame.info(frames: 16, width: 40, height: 30), filter: ExportFilter(),
                split: split, task: task)
            let errors = NSLock()
            var failures: [Error] = []
            DispatchQueue.concurrentPerform(iterations: frames.count) { i in
                do { try exporter.add(frames[(i * 7) % frames.count]) } catch {
                    errors.withLock { failures.append(error) }
                }
            }
            XCTAssertTrue(failures.isEmpty, "\(failures)")
            try exporter.finish()
            XCTAssertEqual(exporter.statistics.frames, 16)

            func comparable(_ dir: String) throws -> [String: [UInt8]] {
                var files = try allFiles(dir)
                let absolute = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
                let yaml = String(decoding: try XCTUnwrap(files["data.yaml"]), as: UTF8.self)
                XCTAssertTrue(yaml.contains("path: \(absolute)\n"))
                files["data.yaml"] = Array(yaml.replacingOccurrences(of: absolute, with: "ROOT").utf8)
                return files
            }
            let reference = try comparable(forward)
            XCTAssertEqual(reference.count, 1 + 2 * 16, "data.yaml and an image and a label file per frame")
            XCTAssertEqual(try comparable(backward), reference, "\(task)")
            XCTAssertEqual(try comparable(parallel), reference, "\(task)")
        }
    }

    func testFrameWithoutKeptObjectsGetsAnEmptyLabelFile() throws {
        let dir = try makeTemporaryDirectory()
        var withObjects = PaintedFrame(width: 40, height: 30)
        withObjects.paint(1, classID: 2, 1, 1, 2, 2)
        try export(
            [PaintedFrame(width: 40, height: 30).frame(0), withObjects.frame(1)], to: dir,
            filter: ExportFilter(minVisiblePixels: 5))
        for i in 0..<2 {
            let path = "\(dir)/labels/train/00000\(i).txt"
            XCTAssertTrue(FileManager.default.fileExists(atPath: path))
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 0, "frame \(i): nothing kept")
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/images/train/00000\(i).png"))
        }
    }

    func testFilterByClassAndMinimumPixels() throws {
        var painted = PaintedFrame(width: 40, height: 30)
        painted.paint(1, classID: 2, 0, 0, 9, 9)  // car, 100 px
        painted.paint(2, classID: 2, 20, 0, 21, 1)  // car, 4 px
        painted.paint(3, classID: 7, 30, 0, 39, 29)  // pedestrian, 300 px
        painted.paint(4, classID: 12, 0, 20, 0, 20)  // sign, 1 px
        let frame = painted.frame(0)
        func classes(_ filter: ExportFilter) throws -> ([Int], YoloExporter.Statistics) {
            let dir = try makeTemporaryDirectory()
            let exporter = try export([frame], to: dir, filter: filter)
            return (try readLabels(dir + "/labels/train/000000.txt").map(\.classIndex), exporter.statistics)
        }
        XCTAssertEqual(try classes(ExportFilter()).0, [1, 1, 2, 3])
        XCTAssertEqual(try classes(ExportFilter(minVisiblePixels: 5)).0, [1, 2])
        XCTAssertEqual(try classes(ExportFilter(classes: ["car", "sign"])).0, [1, 1, 3])
        let (kept, statistics) = try classes(ExportFilter(classes: ["car"], minVisiblePixels: 50))
        XCTAssertEqual(kept, [1])
        XCTAssertEqual(statistics.objects, 1)
        XCTAssertEqual(statistics.filteredObjects, 3)
    }

    func testFramesGoToTheirSplitPartWithImagesCopiedByteForByte() throws {
        let dir = try makeTemporaryDirectory()
        let frames = (0..<40).map { PaintedFrame.moving($0) }
        let split = DatasetSplit(valFraction: 0.2, testFraction: 0.2, seed: 99)
        try export(frames, to: dir, split: split)
        let files = try allFiles(dir)
        var seen: [DatasetSplit.Part: Int] = [:]
        for frame in frames {
            let name = DatasetFile.frameName(frame.index)
            for part in DatasetSplit.Part.allCases {
                let inPart = part == split.part(of: frame.index)
                XCTAssertEqual(files["images/\(part.rawValue)/\(name).png"], inPart ? frame.rgbPNG : nil)
                XCTAssertEqual(files["labels/\(part.rawValue)/\(name).txt"] != nil, inPart)
            }
            seen[split.part(of: frame.index), default: 0] += 1
        }
        XCTAssertEqual(Set(seen.keys), [.train, .val, .test])
        XCTAssertEqual(files.count, 1 + 2 * 40)
        XCTAssertFalse(files.keys.contains { $0.contains(".tmp-") }, "no temporary files left")
    }

    func testSegmentPolygonsTraceTheLargestComponentOnPixelEdges() throws {
        var painted = PaintedFrame(width: 20, height: 10)
        // Instance 1: an L (6 corners) plus a separate 2-pixel piece that is dropped.
        painted.paint(1, classID: 2, 2, 2, 4, 2)
        painted.paint(1, classID: 2, 2, 3, 2, 5)
        painted.paint(1, classID: 2, 8, 8, 9, 8)
        // Instance 2: a 4x3 ring with a 2-pixel hole, which the polygon fills.
        painted.paint(2, classID: 7, 12, 1, 15, 3)
        painted.paint(0, classID: 0, 13, 2, 14, 2)
        painted.classOf[0] = nil
        // Instance 3: a diagonal pair, one polygon pinched at the shared corner.
        painted.paintPixels(3, classID: 12, [(18, 7), (19, 8)])
        let dir = try makeTemporaryDirectory()
        let exporter = try export([painted.frame(0)], to: dir, width: 20, height: 10, task: .segment)
        let lines = try readLabels(dir + "/labels/train/000000.txt")
        func corners(_ line: LabelLine) -> [[Double]] {
            stride(from: 0, to: line.values.count, by: 2).map { [line.values[$0] * 20, line.values[$0 + 1] * 10] }
        }
        XCTAssertEqual(lines.map(\.classIndex), [1, 2, 3])
        let expected: [[[Double]]] = [
            [[2, 2], [5, 2], [5, 3], [3, 3], [3, 6], [2, 6]],
            [[12, 1], [16, 1], [16, 4], [12, 4]],
            [[18, 7], [19, 7], [19, 8], [20, 8], [20, 9], [19, 9], [19, 8], [18, 8]],
        ]
        for (line, want) in zip(lines, expected) {
            let got = corners(line)
            XCTAssertEqual(got.count, want.count, "\(got)")
            for (g, w) in zip(got, want) {
                XCTAssertEqual(g[0], w[0], accuracy: 1e-6, "\(got)")
                XCTAssertEqual(g[1], w[1], accuracy: 1e-6, "\(got)")
            }
        }
        let statistics = exporter.statistics
        XCTAssertEqual(statistics.objectPixels, 6 + 2 + 10 + 2)
        XCTAssertEqual(statistics.droppedComponentPixels, 2)
        XCTAssertEqual(statistics.filledHolePixels, 2)
        XCTAssertEqual(statistics.objects, 3)
    }

    func testExportsFramesReadFromANativeDataset() throws {
        let native = try makeTemporaryDirectory()
        try writeDataset(to: native, frames: 3)
        let reader = try NativeDatasetReader(directory: native)
        let dir = try makeTemporaryDirectory()
        let exporter = try YoloExporter(
            directory: dir, info: reader.info, filter: ExportFilter(), split: DatasetSplit(valFraction: 0))
        for i in 0..<3 { try exporter.add(try ExportFrame(reading: reader, frame: i)) }
        try exporter.finish()
        for i in 0..<3 {
            let name = DatasetFile.frameName(i)
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: "\(dir)/images/train/\(name).png")),
                try Data(contentsOf: URL(fileURLWithPath: "\(native)/rgb/\(name).png")))
            let lines = try readLabels("\(dir)/labels/train/\(name).txt")
            // car (id 2) → 1 with bbox [10+i, 11, 30+i, 30]; pedestrian (id 3) → 2 with [61, 5, 63, 47].
            XCTAssertEqual(lines.map(\.classIndex), [1, 2])
            XCTAssertEqual(lines[0].values[0] * 64 - lines[0].values[2] * 32, Double(10 + i), accuracy: 1e-6)
            XCTAssertEqual(lines[1].values[3] * 48, 43, accuracy: 1e-6)
        }
    }

    func testAddAfterFinishAndUnknownClassesThrow() throws {
        let dir = try makeTemporaryDirectory()
        let exporter = try YoloExporter(
            directory: dir, info: PaintedFrame.info(frames: 1, width: 40, height: 30), filter: ExportFilter(),
            split: DatasetSplit())
        var painted = PaintedFrame(width: 40, height: 30)
        painted.paint(1, classID: 99, 0, 0, 1, 1)
        XCTAssertThrowsError(try exporter.add(painted.frame(0))) { error in
            XCTAssertEqual((error as? ExportError)?.frame, 0)
            XCTAssertTrue("\(error)".contains("class id 99"), "\(error)")
        }
        var unlabelled = PaintedFrame(width: 40, height: 30)
        unlabelled.paint(1, classID: 0, 0, 0, 1, 1)
        try exporter.add(unlabelled.frame(1))
        XCTAssertEqual(exporter.statistics.unlabelledObjects, 1)
        try exporter.finish()
        XCTAssertThrowsError(try exporter.add(PaintedFrame.moving(2)))
        XCTAssertThrowsError(try exporter.finish())
    }
}

import Export
import Foundation
import SceneCore
import XCTest

/// The COCO exporter over hand-made datasets (no renderer): every annotation decodes back to the
/// native instance mask exactly, output bytes do not depend on add order, files are atomic.
final class CocoExporterTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: temporaryBase)
        super.tearDown()
    }

    private func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    private func export(
        _ native: String, filter: ExportFilter = ExportFilter(), split: DatasetSplit = DatasetSplit(valFraction: 0.4),
        order: [Int]? = nil
    ) throws -> String {
        let out = try makeTemporaryDirectory("coco")
        let reader = try NativeDatasetReader(directory: native)
        let exporter = try CocoExporter(directory: out, info: reader.info, filter: filter, split: split)
        if let order {
            for i in order { try exporter.add(try ExportFrame(reading: reader, frame: i)) }
            try exporter.finish()
        } else {
            try ExportRunner.run(dataset: native, exporter: exporter, workers: 3)
        }
        return out
    }

    func testBoxConversionAndIDs() {
        // A one-pixel object at column 3, row 5 is [3, 5, 3, 5] natively, [3, 5, 1, 1] in COCO.
        XCTAssertEqual(CocoExporter.cocoBox(inclusive: [3, 5, 3, 5]), [3, 5, 1, 1])
        XCTAssertEqual(CocoExporter.cocoBox(inclusive: [10, 15, 30, 30]), [10, 15, 21, 16])
        XCTAssertEqual(CocoExporter.annotationID(frame: 2, instanceID: 7), 2 * 65536 + 7)
        XCTAssertEqual(CocoExporter.fileName(frame: 42, part: .val), "val/000042.png")
        XCTAssertEqual(CocoExporter.annotationsPath(part: .train), "annotations/instances_train.json")
    }

    /// Decode every annotation back (RLE string → counts → mask) and compare with instance/N.png.
    func testAnnotationsDecodeToTheInstanceMapsExactly() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 6)
        let split = DatasetSplit(valFraction: 0.4, seed: 3)
        let out = try export(native, split: split)
        let reader = try NativeDatasetReader(directory: native)
        let parts = Set((0..<6).map { split.part(of: $0) })
        XCTAssertGreaterThan(parts.count, 1, "the test wants more than one part")
        var imagesSeen = 0
        var annotationsSeen = 0
        for part in DatasetSplit.Part.allCases {
            let path = out + "/" + CocoExporter.annotationsPath(part: part)
            guard parts.contains(part) else {
                XCTAssertFalse(FileManager.default.fileExists(atPath: path), "no file for the empty part \(part)")
                continue
            }
            let doc = try json(path)
            let categories = try XCTUnwrap(doc["categories"] as? [[String: Any]])
            XCTAssertEqual(categories.map { $0["id"] as? Int }, [1, 2, 3])
            XCTAssertEqual(categories.map { $0["name"] as? String }, ["road", "car", "pedestrian"])
            let images = try XCTUnwrap(doc["images"] as? [[String: Any]])
            XCTAssertEqual(images.map { $0["id"] as! Int }, (0..<6).filter { split.part(of: $0) == part })
            for image in images {
                let id = image["id"] as! Int
                XCTAssertEqual(image["file_name"] as? String, "\(part.rawValue)/\(DatasetFile.frameName(id)).png")
                XCTAssertEqual(image["width"] as? Int, 64)
                XCTAssertEqual(image["height"] as? Int, 48)
                let copied = try Data(
                    contentsOf: URL(fileURLWithPath: out + "/images/" + (image["file_name"] as! String)))
                let original = try Data(contentsOf: URL(fileURLWithPath: reader.path(.rgb, frame: id)))
                XCTAssertEqual(copied, original, "image \(id) is copied byte for byte")
                imagesSeen += 1
            }
            let annotations = try XCTUnwrap(doc["annotations"] as? [[String: Any]])
            for annotation in annotations {
                let frame = annotation["image_id"] as! Int
                let labels = try reader.labels(frame: frame)
                let instanceMap = try reader.instanceMap(frame: frame).samples16
                let instanceID = (annotation["id"] as! Int) - frame * 65536
                let object = try XCTUnwrap(labels.objects.first { $0.instanceID == instanceID })
                XCTAssertEqual(annotation["category_id"] as? Int, object.classID)
                XCTAssertEqual(annotation["iscrowd"] as? Int, 0)
                XCTAssertEqual(annotation["area"] as? Int, object.pixels)
                XCTAssertEqual(annotation["bbox"] as? [Int], CocoExporter.cocoBox(inclusive: object.bbox))
                let segmentation = try XCTUnwrap(annotation["segmentation"] as? [String: Any])
                XCTAssertEqual(segmentation["size"] as? [Int], [48, 64])
                let counts = try CocoRLE.counts(string: try XCTUnwrap(segmentation["counts"] as? String))
                let mask = try CocoRLE.mask(counts: counts, width: 64, height: 48)
                XCTAssertEqual(mask, instanceMap.map { Int($0) == instanceID }, "frame \(frame) instance \(instanceID)")
                annotationsSeen += 1
            }
            // Every visible object of the part's frames has an annotation, in frame then instance order.
            let expected = images.flatMap { image -> [Int] in
                let frame = image["id"] as! Int
                return try! reader.labels(frame: frame).objects.map {
                    CocoExporter.annotationID(frame: frame, instanceID: $0.instanceID)
                }
            }
            XCTAssertEqual(annotations.map { $0["id"] as! Int }, expected)
        }
        XCTAssertEqual(imagesSeen, 6)
        XCTAssertEqual(annotationsSeen, 6 * 2, "a car and a pedestrian per frame; the hidden car has no pixels")
    }

    func testOutputDoesNotDependOnAddOrder() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 7)
        let inOrder = try allFiles(try export(native, order: Array(0..<7)))
        let reversed = try allFiles(try export(native, order: Array((0..<7).reversed())))
        let shuffled = try allFiles(try export(native, order: [3, 0, 6, 1, 5, 2, 4]))
        let parallel = try allFiles(try export(native))
        XCTAssertEqual(inOrder, reversed)
        XCTAssertEqual(inOrder, shuffled)
        XCTAssertEqual(inOrder, parallel)
        XCTAssertEqual(inOrder.keys.filter { $0.hasPrefix("images/") }.count, 7)
    }

    func testClassAndPixelFilters() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 3)
        let noSplit = DatasetSplit(valFraction: 0)
        let cars = try json(
            try export(native, filter: ExportFilter(classes: ["car"]), split: noSplit)
                + "/annotations/instances_train.json")
        XCTAssertEqual((cars["categories"] as! [[String: Any]]).map { $0["name"] as! String }, ["car"])
        let carAnnotations = cars["annotations"] as! [[String: Any]]
        XCTAssertEqual(carAnnotations.count, 3)
        XCTAssertTrue(carAnnotations.allSatisfy { $0["category_id"] as? Int == 2 })

        // The pedestrian strip is 3 x 43 = 129 pixels; the car is larger.
        let big = try json(
            try export(native, filter: ExportFilter(minVisiblePixels: 130), split: noSplit)
                + "/annotations/instances_train.json")
        XCTAssertEqual((big["annotations"] as! [[String: Any]]).map { $0["category_id"] as! Int }, [2, 2, 2])
        let none = try json(
            try export(native, filter: ExportFilter(minVisiblePixels: 1_000_000), split: noSplit)
                + "/annotations/instances_train.json")
        XCTAssertEqual((none["annotations"] as! [[String: Any]]).count, 0)
        XCTAssertEqual((none["images"] as! [[String: Any]]).count, 3, "frames stay even when no object is kept")
    }

    func testSplitIsReproducible() throws {
        let a = DatasetSplit(valFraction: 0.2, testFraction: 0.1, seed: 9)
        let parts = (0..<500).map { a.part(of: $0) }
        XCTAssertEqual(parts, (0..<500).map { DatasetSplit(valFraction: 0.2, testFraction: 0.1, seed: 9).part(of: $0) })
        XCTAssertNotEqual(
            parts, (0..<500).map { DatasetSplit(valFraction: 0.2, testFraction: 0.1, seed: 10).part(of: $0) })
        let val = parts.filter { $0 == .val }.count
        let test = parts.filter { $0 == .test }.count
        XCTAssertTrue((70...130).contains(val), "val \(val) of 500")
        XCTAssertTrue((25...75).contains(test), "test \(test) of 500")

        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 8)
        let split = DatasetSplit(valFraction: 0.3, testFraction: 0.2, seed: 1)
        let files = try allFiles(try export(native, split: split))
        for i in 0..<8 {
            XCTAssertNotNil(files["images/" + CocoExporter.fileName(frame: i, part: split.part(of: i))], "frame \(i)")
        }
    }

    func testNoTemporaryOrScratchFilesAreLeft() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 4)
        let out = try export(native)
        let names = FileManager.default.enumerator(atPath: out)!.allObjects as! [String]
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let last = (name as NSString).lastPathComponent
            XCTAssertFalse(last.hasPrefix(".") || last.contains(".tmp"), "left over: \(name)")
        }
    }

    /// Entries go to scratch files on disk as frames arrive (memory does not hold them); `finish`
    /// assembles the document from them and removes the scratch folder.
    func testEntriesAreKeptOnDiskUntilFinish() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 3)
        let reader = try NativeDatasetReader(directory: native)
        let out = try makeTemporaryDirectory("coco")
        let exporter = try CocoExporter(
            directory: out, info: reader.info, filter: ExportFilter(), split: DatasetSplit(valFraction: 0))
        for i in 0..<3 { try exporter.add(try ExportFrame(reading: reader, frame: i)) }
        let scratch = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".coco-scratch-") }
        XCTAssertEqual(scratch.count, 1)
        let sizes = try FileManager.default.contentsOfDirectory(atPath: out + "/" + scratch[0]).sorted().map {
            (try FileManager.default.attributesOfItem(atPath: out + "/" + scratch[0] + "/" + $0)[.size] as! Int)
        }
        XCTAssertEqual(sizes.count, 2, "images-train and annotations-train")
        XCTAssertTrue(sizes.allSatisfy { $0 > 100 }, "\(sizes)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/annotations/instances_train.json"))
        try exporter.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/annotations/instances_train.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/" + scratch[0]))
        XCTAssertEqual(exporter.statistics[.train]?.frames, 3)
        XCTAssertEqual(exporter.statistics[.train]?.annotations, 6)
    }

    /// An export that fails (a missing frame) or is never finished writes no annotations file and
    /// leaves no scratch folder.
    func testFailedExportLeavesNoAnnotations() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 4)
        try FileManager.default.removeItem(atPath: native + "/labels/000002.json")
        let out = try makeTemporaryDirectory("coco")
        let info = try NativeDatasetReader(directory: native).info
        do {
            let exporter = try CocoExporter(directory: out, info: info, filter: ExportFilter(), split: DatasetSplit())
            XCTAssertThrowsError(try ExportRunner.run(dataset: native, exporter: exporter)) { error in
                XCTAssertTrue("\(error)".contains("labels/000002.json"), "\(error)")
            }
        }
        do {
            let exporter = try CocoExporter(directory: out, info: info, filter: ExportFilter(), split: DatasetSplit())
            try exporter.add(try ExportFrame(reading: NativeDatasetReader(directory: native), frame: 0))
            XCTAssertThrowsError(
                try exporter.add(try ExportFrame(reading: NativeDatasetReader(directory: native), frame: 0)))
        }
        let names = FileManager.default.enumerator(atPath: out)!.allObjects as! [String]
        XCTAssertFalse(names.contains { $0.hasPrefix("annotations/instances") }, "\(names)")
        XCTAssertFalse(names.contains { $0.hasPrefix(".") }, "scratch removed: \(names)")
        XCTAssertThrowsError(
            try ExportRunner.run(
                dataset: native + "/nope",
                exporter: CocoExporter(
                    directory: out, info: info, filter: ExportFilter(), split: DatasetSplit()))
        ) { error in
            XCTAssertTrue("\(error)".contains(native + "/nope/dataset.json"), "\(error)")
        }
    }

    /// The streamed document is the bytes `JSONValue` would write for the whole document at once.
    func testStreamedDocumentEqualsWholeDocumentSerialization() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 3)
        let out = try export(native, split: DatasetSplit(valFraction: 0))
        let reader = try NativeDatasetReader(directory: native)
        var images: [JSONValue] = []
        var annotations: [JSONValue] = []
        for i in 0..<3 {
            images.append(
                .object([
                    "id": .int(i), "file_name": .string("train/00000\(i).png"), "width": .int(64), "height": .int(48),
                ]))
            let map = try reader.instanceMap(frame: i).samples16
            for object in try reader.labels(frame: i).objects {
                let counts = CocoRLE.counts(mask: map.map { Int($0) == object.instanceID }, width: 64, height: 48)
                annotations.append(
                    .object([
                        "id": .int(i * 65536 + object.instanceID), "image_id": .int(i),
                        "category_id": .int(object.classID),
                        "segmentation": .object([
                            "size": .array([.int(48), .int(64)]), "counts": .string(CocoRLE.string(counts: counts)),
                        ]),
                        "bbox": .array(CocoExporter.cocoBox(inclusive: object.bbox).map { .int($0) }),
                        "area": .int(object.pixels), "iscrowd": .int(0),
                    ]))
            }
        }
        let whole = JSONValue.object([
            "annotations": .array(annotations),
            "categories": .array(
                TestFrame.classes.map {
                    .object(["id": .int($0.id), "name": .string($0.name), "supercategory": .string($0.name)])
                }),
            "images": .array(images),
            "info": .object([
                "description": .string("SceneFarm scene unit-test, COCO instances, train split"),
                "version": .string(reader.info.softwareVersion), "scenefarm_seed": .uint(42), "split_seed": .uint(0),
            ]),
            "licenses": .array([]),
        ])
        let written = try Data(contentsOf: URL(fileURLWithPath: out + "/annotations/instances_train.json"))
        XCTAssertEqual(
            String(decoding: written, as: UTF8.self), String(decoding: try whole.serialized(), as: UTF8.self))
    }
}

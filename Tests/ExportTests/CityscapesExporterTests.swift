import Export
import Foundation
import ImageCodec
import XCTest

/// The Cityscapes-style exporter: label images decoded back match the native maps exactly.
final class CityscapesExporterTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: temporaryBase)
        super.tearDown()
    }

    private func export(
        _ native: String, filter: ExportFilter = ExportFilter(), order: [Int]? = nil
    ) throws
        -> (String, CityscapesExporter)
    {
        let out = try makeTemporaryDirectory("cityscapes")
        let reader = try NativeDatasetReader(directory: native)
        let exporter = try CityscapesExporter(
            directory: out, info: reader.info, filter: filter, split: DatasetSplit(valFraction: 0.5, seed: 2))
        if let order {
            for i in order { try exporter.add(try ExportFrame(reading: reader, frame: i)) }
            try exporter.finish()
        } else {
            try ExportRunner.run(dataset: native, exporter: exporter, workers: 3)
        }
        return (out, exporter)
    }

    func testLabelImagesDecodeBackExactly() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 4)
        let reader = try NativeDatasetReader(directory: native)
        let (out, exporter) = try export(native)
        XCTAssertEqual(exporter.sceneName, "unit-test")
        for i in 0..<4 {
            let paths = exporter.relativePaths(frame: i)
            let part = DatasetSplit(valFraction: 0.5, seed: 2).part(of: i).rawValue
            XCTAssertEqual(paths.labelIds, "gtFine/\(part)/unit-test/unit-test_00000\(i)_gtFine_labelIds.png")
            let labelIds = try PNGDecoder.decode(contentsOf: out + "/" + paths.labelIds)
            XCTAssertEqual(labelIds.bitDepth, 8)
            XCTAssertEqual(labelIds.channels, 1)
            let semantic = try reader.semanticMap(frame: i).samples8
            XCTAssertEqual(labelIds.samples8, semantic)

            let instanceIds = try PNGDecoder.decode(contentsOf: out + "/" + paths.instanceIds)
            XCTAssertEqual(instanceIds.bitDepth, 16)
            let instance = try reader.instanceMap(frame: i).samples16
            // Car (class 2, instance 3) is the first kept object, the pedestrian (class 3, instance 7) the second.
            let expected = instance.indices.map { p -> UInt16 in
                switch instance[p] {
                case 3: return 2001
                case 7: return 3002
                default: return UInt16(semantic[p])
                }
            }
            XCTAssertEqual(instanceIds.samples16, expected, "frame \(i)")
            XCTAssertTrue(instanceIds.samples16.contains(1), "road pixels keep their class id")

            let image = try Data(contentsOf: URL(fileURLWithPath: out + "/" + paths.image))
            XCTAssertEqual(image, try Data(contentsOf: URL(fileURLWithPath: reader.path(.rgb, frame: i))))
        }
        let classes = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/classes.json")))
        let table = try XCTUnwrap((classes as? [String: Any])?["classes"] as? [[String: Any]])
        XCTAssertEqual(table.map { $0["name"] as? String }, ["road", "car", "pedestrian"])
    }

    func testFilteredObjectsKeepOnlyTheirClassID() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 2)
        let reader = try NativeDatasetReader(directory: native)
        let (out, exporter) = try export(native, filter: ExportFilter(classes: ["pedestrian"]))
        for i in 0..<2 {
            let decoded = try PNGDecoder.decode(contentsOf: out + "/" + exporter.relativePaths(frame: i).instanceIds)
            let instance = try reader.instanceMap(frame: i).samples16
            let semantic = try reader.semanticMap(frame: i).samples8
            let expected = instance.indices.map { instance[$0] == 7 ? UInt16(3001) : UInt16(semantic[$0]) }
            XCTAssertEqual(decoded.samples16, expected)
        }
    }

    func testOutputDoesNotDependOnAddOrderAndLeavesNoTemporaryFiles() throws {
        let native = try makeTemporaryDirectory("native")
        try writeDataset(to: native, frames: 5)
        let a = try allFiles(try export(native, order: Array(0..<5)).0)
        let b = try allFiles(try export(native, order: [4, 2, 0, 3, 1]).0)
        let c = try allFiles(try export(native).0)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, c)
        XCTAssertEqual(a.count, 5 * 3 + 1)
        XCTAssertFalse(a.keys.contains { ($0 as NSString).lastPathComponent.hasPrefix(".") || $0.contains(".tmp") })
    }

    func testInstanceIDsThatDoNotFitSixteenBitsThrow() {
        let object = FrameLabelRecord.ObjectRecord(
            instanceID: 1, classID: 66, className: "x", bbox: [0, 0, 0, 0], pixels: 1)
        XCTAssertThrowsError(
            try CityscapesExporter.instanceIDs(
                instanceMap: [1], semanticMap: [66], objects: [object], filter: ExportFilter(), frame: 5)
        ) { error in
            XCTAssertTrue("\(error)".contains("frame 5"), "\(error)")
        }
        var ok = object
        ok.classID = 65
        XCTAssertEqual(
            try CityscapesExporter.instanceIDs(
                instanceMap: [1, 0], semanticMap: [65, 1], objects: [ok], filter: ExportFilter(), frame: 5),
            [65001, 1])
    }
}

import Export
import Foundation
import ImageCodec
import XCTest

final class DatasetVerifierTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try makeTemporaryDirectory(name)
        try writeDataset(to: dir, frames: 3)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func replace(_ relativePath: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + relativePath))
    }

    private func problems() throws -> [VerificationProblem] {
        try DatasetVerifier.verify(directory: dir).problems
    }

    func testGoodDatasetIsClean() throws {
        let report = try DatasetVerifier.verify(directory: dir)
        XCTAssertTrue(report.isClean, report.description)
        XCTAssertEqual(report.framesChecked, 3)
        XCTAssertTrue(report.description.contains("3 frames checked, 0 problem(s)"), report.description)
    }

    func testEditedBoxIsReportedWithFrameAndFile() throws {
        let reader = try NativeDatasetReader(directory: dir)
        var record = try reader.labels(frame: 1)
        record.objects[0].bbox[2] += 1
        try replace("labels/000001.json", with: try record.json.serialized())
        let found = try problems()
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.frame, 1)
        XCTAssertEqual(found.first?.file, "labels/000001.json")
        XCTAssertEqual(
            found.first?.description,
            "frame 1: labels/000001.json: instance 3: bbox [11, 11, 32, 30] is not the extent of its mask [11, 11, 31, 30]"
        )
    }

    func testWrongPixelCountIsReported() throws {
        let reader = try NativeDatasetReader(directory: dir)
        var record = try reader.labels(frame: 0)
        record.objects[1].pixels -= 1
        try replace("labels/000000.json", with: try record.json.serialized())
        XCTAssertEqual(
            try problems().map(\.description),
            ["frame 0: labels/000000.json: instance 7: pixels is 128, its mask has 129"])
    }

    func testMissingFileIsReported() throws {
        try FileManager.default.removeItem(atPath: dir + "/depth/000002.png")
        XCTAssertEqual(try problems().map(\.description), ["frame 2: depth/000002.png: missing"])
        try FileManager.default.removeItem(atPath: dir + "/labels/000000.json")
        XCTAssertEqual(
            try problems().map(\.description),
            ["frame 0: labels/000000.json: missing", "frame 2: depth/000002.png: missing"])
    }

    func testExtraInstanceIDIsReported() throws {
        var ids = try NativeDatasetReader(directory: dir).instanceMap(frame: 0).samples16
        ids[2 * 64 + 5] = 99
        try replace("instance/000000.png", with: try PNGEncoder.encodeGray16(ids, width: 64, height: 48))
        XCTAssertEqual(
            try problems().map(\.description),
            ["frame 0: instance/000000.png: instance id 99 has 1 pixel(s) in [5, 2, 5, 2] but no object record"])
    }

    func testSemanticMismatchAndRemovedInstanceAreReported() throws {
        var classes = try NativeDatasetReader(directory: dir).semanticMap(frame: 2).samples8
        classes[20 * 64 + 20] = 3  // inside the car (class 2)
        try replace("semantic/000002.png", with: try PNGEncoder.encodeGray8(classes, width: 64, height: 48))
        var ids = try NativeDatasetReader(directory: dir).instanceMap(frame: 1).samples16
        for p in ids.indices where ids[p] == 7 { ids[p] = 0 }
        try replace("instance/000001.png", with: try PNGEncoder.encodeGray16(ids, width: 64, height: 48))
        XCTAssertEqual(
            try problems().map(\.description),
            [
                "frame 1: instance/000001.png: instance 7 has an object record but no pixels in the instance map",
                "frame 2: semantic/000002.png: instance 3 (class 2): 1 pixel(s) of another class, first at (20, 20) = 3",
            ])
    }

    func testWrongImageSizeAndUndecodableFileAreReported() throws {
        try replace(
            "rgb/000001.png", with: try PNGEncoder.encodeRGB8([UInt8](repeating: 0, count: 3 * 4), width: 2, height: 2))
        try replace("depth/000000.png", with: Array("not a png".utf8))
        try replace("labels/000002.json", with: Array("{\"frame\": 2}".utf8))
        let found = try problems()
        XCTAssertEqual(found.map(\.file), ["depth/000000.png", "rgb/000001.png", "labels/000002.json"], "\(found)")
        XCTAssertEqual(found.map(\.frame), [0, 1, 2])
        XCTAssertEqual(found[1].detail, "image is 2x2, dataset.json says 64x48")
        XCTAssertTrue(found[2].detail.contains("missing key"), found[2].detail)
    }

    func testLeftoverTemporaryFilesAndUncountedFramesAreReported() throws {
        try replace("rgb/.000001.png.tmp-123-4", with: [1, 2, 3])
        try replace("labels/000007.json", with: [])
        XCTAssertEqual(
            try problems().map(\.description),
            [
                "rgb/.000001.png.tmp-123-4: leftover temporary file",
                "frame 7: labels/000007.json: frame 7 is beyond frame_count 3 in dataset.json",
            ])
    }

    func testUnreadableDatasetJSONThrowsNamingThePath() throws {
        try replace("dataset.json", with: Array("{}".utf8))
        XCTAssertThrowsError(try DatasetVerifier.verify(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains(dir + "/dataset.json: not a valid dataset.json: missing key"), "\(error)")
        }
        XCTAssertThrowsError(try DatasetVerifier.verify(directory: dir + "/nowhere")) { error in
            XCTAssertTrue("\(error)".contains(dir + "/nowhere/dataset.json: cannot open"), "\(error)")
        }
    }
}

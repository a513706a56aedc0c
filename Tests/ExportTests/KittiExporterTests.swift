import Foundation
import SceneCore
import XCTest

@testable import Export

final class KittiExporterTests: XCTestCase {
    /// A labels record with one car 10 m ahead and 2 m right, heading along the camera's x axis:
    /// box X → camera x, box Y (left) → camera z, box Z (up) → camera -y.
    func record(visibility: Double?) throws -> FrameLabelRecord {
        let vis =
            visibility.map { ", \"visibility\": \($0), \"amodal_pixels\": 400, \"amodal_bbox\": [10, 20, 40, 40]" }
            ?? ""
        let json = """
            {"frame": 7, "width": 64, "height": 48,
             "camera": {"K": [[50, 0, 31.5], [0, 50, 23.5], [0, 0, 1]],
                        "world_from_camera": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]},
             "objects": [
               {"instance_id": 1, "class_id": 2, "class": "car", "bbox": [10, 20, 30, 40], "pixels": 300,
                "truncation": 0.25\(vis),
                "box3d": {"size": [4, 1.8, 1.5],
                          "world_from_box": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]],
                          "camera_from_box": [[1, 0, 0, 2], [0, 0, -1, 0.5], [0, 1, 0, 10], [0, 0, 0, 1]]}},
               {"instance_id": 2, "class_id": 3, "class": "pole", "bbox": [1, 1, 1, 5], "pixels": 5}
             ]}
            """
        return try JSONDecoder().decode(FrameLabelRecord.self, from: Data(json.utf8))
    }

    func testLabelLineFollowsTheDevkitConventions() throws {
        let r = try record(visibility: 0.75)
        let line = try XCTUnwrap(KittiExporter.labelLine(r.objects[0]))
        let f = line.split(separator: " ").map(String.init)
        XCTAssertEqual(f.count, 15)
        XCTAssertEqual(f[0], "Car")
        XCTAssertEqual(f[1], "0.25")
        XCTAssertEqual(f[2], "1", "visibility 0.75 is partly occluded")
        XCTAssertEqual(Double(f[3])!, -atan2(2, 10), accuracy: 0.006, "alpha = ry - atan2(x, z) with ry = 0")
        XCTAssertEqual(Array(f[4...7]), ["10.00", "20.00", "31.00", "41.00"], "pixel edges of the inclusive box")
        XCTAssertEqual(Array(f[8...10]), ["1.50", "1.80", "4.00"], "h w l")
        // Bottom-face centre: 0.75 m below the centre along camera +y.
        XCTAssertEqual(Array(f[11...13]), ["2.00", "1.25", "10.00"])
        XCTAssertEqual(f[14], "0.00")
        XCTAssertNil(KittiExporter.labelLine(r.objects[1]), "no 3D box, no KITTI label")
        XCTAssertEqual(
            try XCTUnwrap(KittiExporter.labelLine(try record(visibility: nil).objects[0])).split(separator: " ")[2], "3"
        )
    }

    /// Turning the car to face the camera's -z (towards the camera) makes ry = pi/2.
    func testRotationY() {
        XCTAssertEqual(KittiExporter.normalized(3 * .pi), .pi, accuracy: 1e-12)
        let facing = FrameLabelRecord.ObjectRecord(
            instanceID: 1, classID: 1, className: "car", bbox: [0, 0, 1, 1], pixels: 4,
            box3D: .init(
                size: [4, 2, 1.5], worldFromBox: [],
                cameraFromBox: [[0, 1, 0, 0], [0, 0, -1, 0], [-1, 0, 0, 10], [0, 0, 0, 1]]))
        let f = KittiExporter.labelLine(facing)!.split(separator: " ")
        XCTAssertEqual(Double(f[14])!, .pi / 2, accuracy: 0.006)
    }

    func testExportWritesImagesLabelsCalibAndSplits() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kitti-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let info = DatasetInfo(
            sceneName: "t", seed: 1, frameCount: 3, classes: [SemanticClass(id: 2, name: "car", color: [0, 0, 142])],
            width: 64, height: 48)
        let exporter = try KittiExporter(
            directory: out, info: info, filter: ExportFilter(), split: DatasetSplit(valFraction: 0.5, seed: 3))
        let base = try record(visibility: 1)
        for i in [2, 0, 1] {
            var labels = base
            labels.frame = i
            try exporter.add(
                ExportFrame(index: i, labels: labels, instanceMap: [], semanticMap: [], rgbPNG: [1, 2, 3, UInt8(i)]))
        }
        try exporter.finish()
        let image = try Data(contentsOf: URL(fileURLWithPath: "\(out)/training/image_2/000001.png"))
        XCTAssertEqual([UInt8](image), [1, 2, 3, 1])
        let label = try String(contentsOfFile: "\(out)/training/label_2/000002.txt", encoding: .utf8)
        XCTAssertEqual(label.split(separator: "\n").count, 1)
        XCTAssertTrue(label.hasPrefix("Car 0.25 0 "), label)
        let calib = try String(contentsOfFile: "\(out)/training/calib/000000.txt", encoding: .utf8)
        let p2 = calib.split(separator: "\n").first { $0.hasPrefix("P2: ") }!.split(separator: " ").dropFirst().map {
            Double($0)!
        }
        XCTAssertEqual(p2, [50, 0, 31.5, 0, 0, 50, 23.5, 0, 0, 0, 1, 0])
        var listed: [String] = []
        for part in ["train", "val", "test"] {
            listed += try String(contentsOfFile: "\(out)/ImageSets/\(part).txt", encoding: .utf8).split(separator: "\n")
                .map(String.init)
        }
        XCTAssertEqual(listed.sorted(), ["000000", "000001", "000002"])
        let split = DatasetSplit(valFraction: 0.5, seed: 3)
        let val = try String(contentsOfFile: "\(out)/ImageSets/val.txt", encoding: .utf8)
        for i in 0..<3 where split.part(of: i) == .val { XCTAssertTrue(val.contains(DatasetFile.frameName(i))) }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.contains(".tmp") }
        XCTAssertEqual(leftovers, [])
    }
}

import Export
import Foundation
import ImageCodec
import XCTest

/// `scenefarm export` end to end: render a scene with the built binary, export it, read it back.
final class ExportCLITests: XCTestCase {
    private func renderMinimal(_ name: String, frames: Int = 4) throws -> URL {
        let native = try CLI.temporaryDirectory(name)
        let r = try CLI.run(["render", CLI.scene("minimal.yaml"), "--out", native.path, "--frames", "\(frames)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return native
    }

    func testHelp() throws {
        let root = try CLI.run(["--help"])
        XCTAssertTrue(root.stdout.contains("export"), root.stdout)
        let r = try CLI.run(["export", "--help"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("USAGE: scenefarm export"), r.stdout)
        XCTAssertTrue(r.stdout.contains("--format"), r.stdout)
    }

    func testCocoExportOfARenderedScene() throws {
        let native = try renderMinimal("export-native-coco")
        let out = try CLI.temporaryDirectory("export-coco")
        defer {
            try? FileManager.default.removeItem(at: native)
            try? FileManager.default.removeItem(at: out)
        }
        let r = try CLI.run([
            "export", native.path, "--format", "coco", "--out", out.path, "--val", "0.5", "--split-seed", "4",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("exported 4 frames"), r.stdout)

        let reader = try NativeDatasetReader(directory: native.path)
        let split = DatasetSplit(valFraction: 0.5, seed: 4)
        let files = try CLI.files(under: out)
        var annotations = 0
        for part in Set((0..<4).map { split.part(of: $0) }) {
            let data = try XCTUnwrap(files[CocoExporter.annotationsPath(part: part)], "\(part): \(files.keys.sorted())")
            let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            for annotation in try XCTUnwrap(doc["annotations"] as? [[String: Any]]) {
                let frame = annotation["image_id"] as! Int
                let instanceID = (annotation["id"] as! Int) % 65536
                let segmentation = annotation["segmentation"] as! [String: Any]
                let (w, h) = (reader.info.width, reader.info.height)
                let mask = try CocoRLE.mask(
                    counts: CocoRLE.counts(string: segmentation["counts"] as! String), width: w, height: h)
                let instance = try reader.instanceMap(frame: frame).samples16
                XCTAssertEqual(mask, instance.map { Int($0) == instanceID }, "frame \(frame) instance \(instanceID)")
                XCTAssertEqual(annotation["area"] as? Int, mask.filter { $0 }.count)
                annotations += 1
            }
        }
        XCTAssertGreaterThan(annotations, 0)
        for i in 0..<4 {
            XCTAssertEqual(
                files["images/" + CocoExporter.fileName(frame: i, part: split.part(of: i))],
                try Data(contentsOf: URL(fileURLWithPath: reader.path(.rgb, frame: i))))
        }
        XCTAssertFalse(files.keys.contains { $0.contains(".tmp") || ($0 as NSString).lastPathComponent.hasPrefix(".") })
    }

    func testCityscapesExportOfARenderedScene() throws {
        let native = try renderMinimal("export-native-cs", frames: 2)
        let out = try CLI.temporaryDirectory("export-cs")
        defer {
            try? FileManager.default.removeItem(at: native)
            try? FileManager.default.removeItem(at: out)
        }
        let r = try CLI.run(["export", native.path, "--format", "cityscapes", "--out", out.path, "--val", "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let reader = try NativeDatasetReader(directory: native.path)
        let scene = reader.info.sceneName
        let files = try CLI.files(under: out)
        XCTAssertNotNil(files["classes.json"])
        for i in 0..<2 {
            let stem = "train/\(scene)/\(scene)_00000\(i)"
            let labelIds = try PNGDecoder.decode(
                Array(try XCTUnwrap(files["gtFine/\(stem)_gtFine_labelIds.png"], "\(files.keys.sorted())")))
            XCTAssertEqual(labelIds.samples8, try reader.semanticMap(frame: i).samples8)
            let instanceIds = try PNGDecoder.decode(
                Array(try XCTUnwrap(files["gtFine/\(stem)_gtFine_instanceIds.png"])))
            let instance = try reader.instanceMap(frame: i).samples16
            let semantic = try reader.semanticMap(frame: i).samples8
            let objects = try reader.labels(frame: i).objects
            let rank = Dictionary(uniqueKeysWithValues: objects.enumerated().map { (UInt16($1.instanceID), $0 + 1) })
            let expected = instance.indices.map { p in
                rank[instance[p]].map { UInt16(Int(semantic[p]) * 1000 + $0) } ?? UInt16(semantic[p])
            }
            XCTAssertEqual(instanceIds.samples16, expected, "frame \(i)")
            XCTAssertEqual(
                files["leftImg8bit/\(stem)_leftImg8bit.png"],
                try Data(contentsOf: URL(fileURLWithPath: reader.path(.rgb, frame: i))))
        }
    }

    func testBadDatasetAndArguments() throws {
        let out = try CLI.temporaryDirectory("export-bad")
        try FileManager.default.removeItem(at: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let missing = "/nonexistent/scenefarm-dataset"
        let r = try CLI.run(["export", missing, "--format", "coco", "--out", out.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains(missing), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing is created for a bad dataset")

        let native = try renderMinimal("export-native-bad", frames: 1)
        defer { try? FileManager.default.removeItem(at: native) }
        let bad: [([String], String)] = [
            (["--format", "pascal"], "--format"),
            (["--format", "coco", "--val", "1.5"], "--val"),
            (["--format", "coco", "--val", "0.6", "--test", "0.6"], "at most 1"),
            (["--format", "coco", "--min-pixels", "0"], "--min-pixels"),
            (["--format", "coco", "--classes", "car,,person"], "--classes"),
            (["--format", "coco", "--classes", "unicorn"], "unicorn"),
        ]
        for (arguments, message) in bad {
            let r = try CLI.run(["export", native.path, "--out", out.path] + arguments)
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + "/annotations/instances_train.json"))
        }
        try FileManager.default.removeItem(atPath: native.path + "/labels/000000.json")
        let incomplete = try CLI.run(["export", native.path, "--format", "coco", "--out", out.path])
        XCTAssertNotEqual(incomplete.status, 0)
        XCTAssertTrue(incomplete.stderr.contains("labels/000000.json"), incomplete.stderr)
        XCTAssertEqual(try CLI.files(under: out).count, 0, "no file under a final name")
    }

    /// KITTI and YOLO from a rendered scene: one label line per kept object, boxes back to pixels,
    /// and the visibility filter drops hidden objects.
    func testKittiAndYoloExportsOfARenderedScene() throws {
        let native = try CLI.temporaryDirectory("export-native-ky")
        let r = try CLI.run(["render", CLI.scene("driving_street.yaml"), "--out", native.path, "--frames", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let kitti = try CLI.temporaryDirectory("export-kitti"), yolo = try CLI.temporaryDirectory("export-yolo")
        let visible = try CLI.temporaryDirectory("export-kitti-visible")
        defer {
            for u in [native, kitti, yolo, visible] { try? FileManager.default.removeItem(at: u) }
        }
        let labels = try NativeDatasetReader(directory: native.path).labels(frame: 0)
        let withBox = labels.objects.filter { $0.box3D != nil }
        XCTAssertEqual(withBox.count, labels.objects.count, "every rendered object has a 3D box")

        XCTAssertEqual(
            try CLI.run(["export", native.path, "--format", "kitti", "--out", kitti.path, "--val", "0"]).status, 0)
        let lines = try String(contentsOf: kitti.appendingPathComponent("training/label_2/000000.txt"), encoding: .utf8)
            .split(separator: "\n")
        XCTAssertEqual(lines.count, labels.objects.count)
        for (line, object) in zip(lines, labels.objects) {
            let f = line.split(separator: " ")
            XCTAssertEqual(f.count, 15)
            XCTAssertEqual(Double(f[4]), Double(object.bbox[0]))
            XCTAssertEqual(Double(f[7]), Double(object.bbox[3] + 1))
            let expected = object.visibility.map { $0 >= 0.95 ? "0" : $0 >= 0.5 ? "1" : "2" }
            XCTAssertEqual(String(f[2]), expected)
        }
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: kitti.appendingPathComponent("training/calib/000000.txt").path))

        let f = try CLI.run([
            "export", native.path, "--format", "kitti", "--out", visible.path, "--min-visibility", "0.5",
        ])
        XCTAssertEqual(f.status, 0, f.stderr)
        let kept = try String(
            contentsOf: visible.appendingPathComponent("training/label_2/000000.txt"), encoding: .utf8
        )
        .split(separator: "\n").count
        XCTAssertEqual(kept, labels.objects.filter { ($0.visibility ?? 1) >= 0.5 }.count)
        XCTAssertLessThan(kept, labels.objects.count, "the street has objects less than half visible")

        let y = try CLI.run([
            "export", native.path, "--format", "yolo", "--out", yolo.path, "--val", "0", "--task", "segment",
        ])
        XCTAssertEqual(y.status, 0, y.stderr)
        let yoloLines = try String(contentsOf: yolo.appendingPathComponent("labels/train/000000.txt"), encoding: .utf8)
            .split(separator: "\n")
        XCTAssertEqual(yoloLines.count, labels.objects.count)
        XCTAssertTrue(FileManager.default.fileExists(atPath: yolo.appendingPathComponent("data.yaml").path))
    }

    /// `render --format` exports while rendering, and gives the same files as exporting afterwards.
    func testRenderWithFormatEqualsExportAfterwards() throws {
        let native = try CLI.temporaryDirectory("render-format"),
            after = try CLI.temporaryDirectory("render-format-after")
        defer {
            try? FileManager.default.removeItem(at: native)
            try? FileManager.default.removeItem(at: after)
        }
        let r = try CLI.run([
            "render", CLI.scene("minimal.yaml"), "--out", native.path, "--frames", "4", "--format", "coco", "--format",
            "yolo",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.run(["verify", native.path]).status, 0, "exports do not disturb the native dataset")
        let e = try CLI.run(["export", native.path, "--format", "coco", "--out", after.path])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertEqual(try CLI.files(under: native.appendingPathComponent("exports/coco")), try CLI.files(under: after))
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: native.appendingPathComponent("exports/yolo/data.yaml").path))
    }
}

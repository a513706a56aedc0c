import Export
import Foundation
import ImageCodec
import XCTest

/// The built binary, end to end, as a user runs it: real EGL rendering (llvmpipe in CI), real PNGs
/// decoded back, real files.
final class CLITests: XCTestCase {
    func testHelpOnEveryCommand() throws {
        let root = try CLI.run(["--help"])
        XCTAssertEqual(root.status, 0)
        for command in ["render", "bench", "validate", "verify", "sheet", "sample", "devices"] {
            XCTAssertTrue(root.stdout.contains(command), "root help lists \(command)")
            let r = try CLI.run([command, "--help"])
            XCTAssertEqual(r.status, 0, "\(command) --help: \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("USAGE: scenefarm \(command)"), r.stdout)
        }
    }

    func testDevicesNamesTheChosenRenderer() throws {
        let r = try CLI.run(["devices"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("GL renderer:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("GL version:  4."), r.stdout)
    }

    /// The EGL device platform (Mesa enumerates its software device there) and the surfaceless
    /// platform render the same dataset.
    func testDevicePlatformAndSurfacelessAgree() throws {
        let a = try CLI.temporaryDirectory("device"), b = try CLI.temporaryDirectory("surfaceless")
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        let scene = CLI.scene("minimal.yaml")
        let viaDevice = try CLI.run(["render", scene, "--out", a.path, "--frames", "2", "--gpu", "0"])
        XCTAssertEqual(viaDevice.status, 0, viaDevice.stderr)
        XCTAssertTrue(viaDevice.stderr.contains("device 0"), viaDevice.stderr)
        let viaSurfaceless = try CLI.run(["render", scene, "--out", b.path, "--frames", "2", "--cpu"])
        XCTAssertEqual(viaSurfaceless.status, 0, viaSurfaceless.stderr)
        XCTAssertTrue(viaSurfaceless.stderr.contains("surfaceless"), viaSurfaceless.stderr)
        XCTAssertEqual(try CLI.files(under: a), try CLI.files(under: b))
        let missing = try CLI.run(["render", scene, "--out", a.path, "--gpu", "9"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no EGL device 9"), missing.stderr)
    }

    /// Without any EGL vendor library the error says what to install, and nothing is rendered.
    func testMissingEGLDriverSaysWhatToInstall() throws {
        let out = try CLI.temporaryDirectory("nodriver")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(
            ["render", CLI.scene("minimal.yaml"), "--out", out.path, "--frames", "1"],
            environment: ["__EGL_VENDOR_LIBRARY_FILENAMES": "/nonexistent/egl_vendor.json"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("apt-get install"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        XCTAssertEqual(try CLI.files(under: out).count, 0, "no stub dataset is left behind")
    }

    /// The sample driving scene: decode the written PNGs back and check that every box is the exact
    /// extent of its mask, every non-zero id has an object record and the right class in semantic/N.png.
    func testSampleSceneRendersAConsistentDataset() throws {
        let out = try CLI.temporaryDirectory("sample")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["render", CLI.scene("driving_street.yaml"), "--out", out.path, "--frames", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("renderer:"), "the chosen renderer is printed: \(r.stderr)")

        let report = try DatasetVerifier.verify(directory: out.path)
        XCTAssertEqual(report.framesChecked, 3)
        XCTAssertEqual(report.problems, [], "\(report)")

        let files = try CLI.files(under: out)
        for n in ["000000", "000001", "000002"] {
            for path in [
                "rgb/\(n).png", "instance/\(n).png", "semantic/\(n).png", "depth/\(n).png", "labels/\(n).json",
            ] {
                XCTAssertNotNil(files[path], "missing \(path)")
            }
        }
        XCTAssertNotNil(files["dataset.json"])
        XCTAssertTrue(
            files.keys.allSatisfy { !$0.contains(".tmp") }, "no temporary files remain: \(files.keys.sorted())")

        // The frame really shows a driving scene: many objects, road and cars among the classes.
        let rgb = try PNGDecoder.decode(contentsOf: out.appendingPathComponent("rgb/000000.png").path)
        XCTAssertEqual(rgb.channels, 3)
        XCTAssertEqual(rgb.bitDepth, 8)
        let labels = try JSONSerialization.jsonObject(with: files["labels/000000.json"]!) as! [String: Any]
        let objects = labels["objects"] as! [[String: Any]]
        XCTAssertGreaterThan(objects.count, 10, "a street scene shows many objects")
        let classes = Set(objects.compactMap { $0["class"] as? String })
        XCTAssertTrue(classes.contains("car"), "cars are visible: \(classes)")
        let semantic = try PNGDecoder.decode(contentsOf: out.appendingPathComponent("semantic/000000.png").path)
        XCTAssertEqual(semantic.bitDepth, 8)
        XCTAssertGreaterThan(Set(semantic.samples8).count, 4, "road, cars, buildings, ... in the semantic map")
        let depth = try PNGDecoder.decode(contentsOf: out.appendingPathComponent("depth/000000.png").path)
        XCTAssertEqual(depth.bitDepth, 16)
        XCTAssertGreaterThan(depth.samples16.filter { $0 > 0 }.count, depth.samples16.count / 2)
    }

    /// Rendering twice gives byte-identical files; the thread count does not matter.
    func testRenderingTwiceIsByteIdentical() throws {
        let a = try CLI.temporaryDirectory("twice-a"), b = try CLI.temporaryDirectory("twice-b")
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        let scene = CLI.scene("minimal.yaml")
        for (dir, threads) in [(a, "1"), (b, "3")] {
            let run = try CLI.run(["render", scene, "--out", dir.path, "--frames", "4", "--threads", threads])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let fa = try CLI.files(under: a), fb = try CLI.files(under: b)
        XCTAssertEqual(fa.count, 1 + 4 * 5)
        XCTAssertEqual(Set(fa.keys), Set(fb.keys))
        for (path, data) in fa { XCTAssertEqual(data, fb[path], "\(path) differs between runs") }
        // A different seed gives a different dataset.
        let c = try CLI.temporaryDirectory("twice-c")
        defer { try? FileManager.default.removeItem(at: c) }
        let seeded = try CLI.run(["render", scene, "--out", c.path, "--frames", "1", "--seed", "999"])
        XCTAssertEqual(seeded.status, 0, seeded.stderr)
        XCTAssertNotEqual(try CLI.files(under: c)["labels/000000.json"], fa["labels/000000.json"])
    }

    // MARK: - Bad input: a clear error naming file, line and field; non-zero exit; nothing written.

    func assertRejected(
        _ yaml: String?, named name: String, mentions expected: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let dir = try CLI.temporaryDirectory("bad-\(name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenePath = dir.appendingPathComponent("\(name).yaml")
        if let yaml { try yaml.write(to: scenePath, atomically: true, encoding: .utf8) }
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["render", scenePath.path, "--out", out.path])
        XCTAssertNotEqual(r.status, 0, "exit status", file: file, line: line)
        for text in expected {
            XCTAssertTrue(
                r.stderr.contains(text), "stderr should mention \(text):\n\(r.stderr)", file: file, line: line)
        }
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        let written = (try? CLI.files(under: out)) ?? [:]
        XCTAssertEqual(written.count, 0, "nothing is written: \(written.keys.sorted())", file: file, line: line)
        let v = try CLI.run(["validate", scenePath.path])
        XCTAssertNotEqual(v.status, 0, file: file, line: line)
    }

    func testMissingSceneFile() throws {
        try assertRejected(nil, named: "missing", mentions: ["missing.yaml"])
    }

    func testInvalidYAML() throws {
        try assertRejected("format: 1\nname: [unclosed\nseed: 3\n", named: "syntax", mentions: ["syntax.yaml:"])
    }

    func testUnknownFieldAndNegativeResolution() throws {
        var yaml = try String(contentsOfFile: CLI.scene("minimal.yaml"), encoding: .utf8)
        // Misspell the first `seed` key and make the resolution negative.
        yaml = yaml.replacingOccurrences(of: "\nseed:", with: "\nsed:")
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let resolutionLine = lines.firstIndex(where: { $0.contains("resolution:") }) else {
            return XCTFail("minimal.yaml has a camera resolution line")
        }
        var edited = lines
        edited[resolutionLine] = edited[resolutionLine].replacingOccurrences(
            of: #"\[\s*\d+"#, with: "[-320", options: .regularExpression)
        try assertRejected(
            edited.joined(separator: "\n"), named: "fields",
            mentions: ["fields.yaml:\(resolutionLine + 1):", "resolution", "sed", "seed"])
    }

    func testVerifyFindsACorruptedDataset() throws {
        let out = try CLI.temporaryDirectory("corrupt")
        defer { try? FileManager.default.removeItem(at: out) }
        XCTAssertEqual(
            try CLI.run(["render", CLI.scene("minimal.yaml"), "--out", out.path, "--frames", "1"]).status, 0)
        XCTAssertEqual(try CLI.run(["verify", out.path]).status, 0)
        try FileManager.default.removeItem(at: out.appendingPathComponent("semantic/000000.png"))
        let r = try CLI.run(["verify", out.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue((r.stdout + r.stderr).contains("semantic/000000.png"), r.stdout + r.stderr)
    }

    func testSheetDrawsTheFrameAndItsLabels() throws {
        let out = try CLI.temporaryDirectory("sheet")
        defer { try? FileManager.default.removeItem(at: out) }
        XCTAssertEqual(
            try CLI.run(["render", CLI.scene("minimal.yaml"), "--out", out.path, "--frames", "2"]).status, 0)
        let sheet = out.appendingPathComponent("sheet.png").path
        let r = try CLI.run(["sheet", out.path, "--frame", "1", "--out", sheet, "--scale", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let info = try NativeDatasetReader(directory: out.path).info
        let png = try PNGDecoder.decode(contentsOf: sheet)
        XCTAssertEqual(png.width, info.width * 2 + 4)
        XCTAssertEqual(png.height, info.height * 2 + 4)
        // The semantic panel (top right) shows exactly the class colors of semantic/000001.png.
        let semantic = try PNGDecoder.decode(contentsOf: out.appendingPathComponent("semantic/000001.png").path)
        var colors: [Int: [Int]] = [0: [0, 0, 0]]
        for c in info.classes { colors[c.id] = c.color }
        for (x, y) in [
            (0, 0), (info.width / 2, info.height / 2), (info.width - 1, info.height - 1),
            (info.width / 3, info.height * 3 / 4),
        ] {
            let o = (y * png.width + info.width + 4 + x) * 3
            XCTAssertEqual(
                png.samples8[o..<o + 3].map(Int.init), colors[Int(semantic.samples8[y * info.width + x])],
                "(\(x), \(y))")
        }
        let bad = try CLI.run(["sheet", out.path, "--frame", "7", "--out", sheet])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("frame 7"), bad.stderr)
    }

    func testSamplePrintsTheResolvedFrameDeterministically() throws {
        let a = try CLI.run(["sample", CLI.scene("driving_street.yaml"), "--frame", "3"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try CLI.run(["sample", CLI.scene("driving_street.yaml"), "--frame", "3"])
        XCTAssertEqual(a.stdout, b.stdout)
        let other = try CLI.run(["sample", CLI.scene("driving_street.yaml"), "--frame", "4"])
        XCTAssertNotEqual(a.stdout, other.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["frame"] as? Int, 3)
        XCTAssertGreaterThan((json?["instances"] as? [Any])?.count ?? 0, 40)
        XCTAssertGreaterThan((json?["surfaces"] as? [Any])?.count ?? 0, 100)
    }
}

import Foundation
import ImageCodec
import Preview
import XCTest

/// `scenefarm preview A B --png OUT`: one contact sheet of several scenes, as `scripts/gallery.sh`
/// makes the README gallery.
final class PreviewScenesCLITests: XCTestCase {
    func testSeveralScenesMakeOneSheetWithFramesForEach() throws {
        let dir = try CLI.temporaryDirectory("preview-scenes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("sheet.png").path
        let minimal = CLI.scene("minimal.yaml"), sweep = CLI.scene("driving_weather_sweep.yaml")

        // --frames once per scene: one frame of the first, two of the second, two overlays each.
        let r = try CLI.run([
            "preview", minimal, sweep, "--png", out, "--frames", "3", "--frames", "0,11", "--overlays",
            "rgb,semantic", "--size", "160x90", "--scale", "1",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("frames of minimal: 3\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("frames of driving_weather_sweep: 0, 11\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("classes of driving_weather_sweep: 1 road"), r.stdout)
        let png = try PNGDecoder.decode(contentsOf: out)
        XCTAssertEqual(png.width, SheetLayout.gap + 2 * (160 + SheetLayout.gap))
        XCTAssertEqual(png.height, SheetLayout.gap + 3 * (SheetLayout.captionHeight + 90 + SheetLayout.gap))

        // --frames once: the same frames of every scene; one overlay, so one column and a row per scene.
        let once = dir.appendingPathComponent("once.png").path
        let r2 = try CLI.run([
            "preview", minimal, sweep, "--png", once, "--frames", "1,2", "--overlays", "semantic", "--size", "160x90",
            "--scale", "0.5",
        ])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        XCTAssertTrue(r2.stdout.contains("frames of minimal: 1, 2\n"), r2.stdout)
        XCTAssertTrue(r2.stdout.contains("frames of driving_weather_sweep: 1, 2\n"), r2.stdout)
        let sheet = try PNGDecoder.decode(contentsOf: once)
        XCTAssertEqual(sheet.width, SheetLayout.gap + 80 + SheetLayout.gap)
        XCTAssertEqual(sheet.height, SheetLayout.gap + 4 * (SheetLayout.captionHeight + 45 + SheetLayout.gap))

        // Mistakes, each named, and no file written.
        let bad = dir.appendingPathComponent("bad.png").path
        let cases: [([String], String)] = [
            ([minimal, sweep, "--png", bad, "--frames", "5", "--size", "160x90"], "frame 5 is not in \(minimal)"),
            (
                [minimal, sweep, "--png", bad, "--frames", "0", "--frames", "1", "--frames", "2"],
                "3 times for 2 scenes"
            ),
            ([minimal, sweep, "--png", bad, "--frames", "0"], "give one panel size with --size"),
            ([minimal, sweep], "several scenes make a contact sheet with --png"),
        ]
        for (arguments, message) in cases {
            let failed = try CLI.run(["preview"] + arguments)
            XCTAssertNotEqual(failed.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(failed.stderr.contains(message), "\(arguments): \(failed.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad))
    }
}

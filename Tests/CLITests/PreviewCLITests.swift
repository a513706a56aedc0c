import Foundation
import ImageCodec
import Preview
import XCTest

/// `scenefarm preview` as a user runs it: the headless contact sheet, and the window under Xvfb
/// (a virtual X server; Mesa's llvmpipe serves GLX there), driven by its testing switches.
final class PreviewCLITests: XCTestCase {
    func testPNGWritesASheetAndNothingForABadScene() throws {
        let dir = try CLI.temporaryDirectory("preview-png")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("sheet.png").path
        let r = try CLI.run([
            "preview", CLI.scene("minimal.yaml"), "--png", out, "--frames", "0,2", "--overlays", "semantic,boxes",
            "--scale", "0.5",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("wrote \(out)"), r.stdout)
        let png = try PNGDecoder.decode(contentsOf: out)
        XCTAssertEqual(png.width, SheetLayout.gap + 2 * (160 + SheetLayout.gap))
        XCTAssertEqual(png.height, SheetLayout.gap + 2 * (SheetLayout.captionHeight + 120 + SheetLayout.gap))

        // A scene with a mistake: its issue with file:line:column, a failure, and no file at all.
        let bad = dir.appendingPathComponent("bad.yaml")
        let text = try String(contentsOfFile: CLI.scene("minimal.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "fov_deg: 60", with: "fov_deg: wide").write(
            to: bad, atomically: true, encoding: .utf8)
        let badOut = dir.appendingPathComponent("bad.png").path
        let failed = try CLI.run(["preview", bad.path, "--png", badOut])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("\(bad.path):16:"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("fov_deg"), failed.stderr)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["bad.yaml", "sheet.png"])

        let outOfRange = try CLI.run(["preview", CLI.scene("minimal.yaml"), "--png", badOut, "--frames", "1,9"])
        XCTAssertNotEqual(outOfRange.status, 0)
        XCTAssertTrue(outOfRange.stderr.contains("frame 9"), outOfRange.stderr)
        let unknown = try CLI.run(["preview", CLI.scene("minimal.yaml"), "--png", badOut, "--overlays", "rgb,normals"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("normals"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: badOut))

        // Options of the window with --png, and of the sheet without it, are mistakes, not ignored.
        let windowOption = try CLI.run(["preview", CLI.scene("minimal.yaml"), "--png", badOut, "--mode", "depth"])
        XCTAssertNotEqual(windowOption.status, 0)
        XCTAssertTrue(windowOption.stderr.contains("--mode"), windowOption.stderr)
        let sheetOption = try CLI.run(["preview", CLI.scene("minimal.yaml"), "--frames", "0,1"])
        XCTAssertNotEqual(sheetOption.status, 0)
        XCTAssertTrue(sheetOption.stderr.contains("--png"), sheetOption.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: badOut))
    }

    func testHelpListsTheControls() throws {
        let r = try CLI.run(["preview", "--help"])
        XCTAssertEqual(r.status, 0)
        for word in ["orbit", "W A S D", "random frame", "semantic", "amodal", "--png", "--size"] {
            XCTAssertTrue(r.stdout.contains(word), "help lacks \(word): \(r.stdout)")
        }
        XCTAssertFalse(r.stdout.contains("exit-after"), "testing switches stay hidden")
    }

    func testWindowWithoutADisplaySaysWhatToDo() throws {
        let r = try CLI.run(["preview", CLI.scene("minimal.yaml")], environment: ["DISPLAY": ""])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--png"), r.stderr)
        XCTAssertTrue(r.stderr.contains("xvfb-run"), r.stderr)
    }

    // MARK: - The window under Xvfb

    /// `xvfb-run`, which scripts/setup.sh installs; a missing one fails the test (CI runs setup).
    func xvfbRun() throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"]
        where FileManager.default.isExecutableFile(atPath: dir + "/xvfb-run") {
            return dir + "/xvfb-run"
        }
        XCTFail("xvfb-run is not installed: run scripts/setup.sh (it installs xvfb and xauth)")
        throw CLITestFailure()
    }

    func testWindowShowsWhatTheHeadlessSheetShows() throws {
        let xvfb = try xvfbRun()
        let dir = try CLI.temporaryDirectory("preview-window")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = dir.appendingPathComponent("shot.png").path
        let sheetPath = dir.appendingPathComponent("sheet.png").path
        let window = try CLI.runProgram(
            xvfb,
            [
                "-a", CLI.binary.path, "preview", CLI.scene("minimal.yaml"), "--frame", "1", "--boxes", "tight",
                "--exit-after-frames", "3", "--screenshot", shot,
            ])
        XCTAssertEqual(window.status, 0, window.stdout + window.stderr)
        XCTAssertTrue(window.stdout.contains("wrote screenshot"), window.stdout)
        let sheet = try CLI.run([
            "preview", CLI.scene("minimal.yaml"), "--png", sheetPath, "--frames", "1", "--overlays", "boxes",
            "--scale", "1",
        ])
        XCTAssertEqual(sheet.status, 0, sheet.stderr)

        let screenshot = try PNGDecoder.decode(contentsOf: shot)
        let headless = try PNGDecoder.decode(contentsOf: sheetPath)
        XCTAssertEqual(screenshot.width, 320)
        XCTAssertEqual(screenshot.height, 240)
        let layout = SheetLayout(panelWidth: 320, panelHeight: 240, columns: 1, cells: 1)
        let origin = layout.panelOrigin(cell: 0)
        var worst = 0, differing = 0
        for y in 0..<240 {
            for x in 0..<320 {
                for k in 0..<3 {
                    let a = Int(screenshot.samples8[(y * 320 + x) * screenshot.channels + k])
                    let b = Int(
                        headless.samples8[((origin.y + y) * headless.width + origin.x + x) * headless.channels + k])
                    worst = max(worst, abs(a - b))
                    if a != b { differing += 1 }
                }
            }
        }
        // The same renderer (llvmpipe) over GLX and over EGL, and a 1:1 blit: at most rounding apart.
        XCTAssertLessThanOrEqual(worst, 2, "\(differing) channel values differ")
    }

    func testWindowReportsAnErrorAndReloadsWhenTheSceneIsFixed() throws {
        let xvfb = try xvfbRun()
        let dir = try CLI.temporaryDirectory("preview-reload")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scene = dir.appendingPathComponent("scene.yaml")
        let good = try String(contentsOfFile: CLI.scene("minimal.yaml"), encoding: .utf8)
        try good.write(to: scene, atomically: true, encoding: .utf8)

        // --exit-after-frames bounds its life should the test fail half-way (a frame is shown at least every 0.5 s).
        let running = try CLI.start(
            xvfb,
            ["-a", CLI.binary.path, "preview", scene.path, "--exit-after-reloads", "1", "--exit-after-frames", "1200"],
            in: dir)
        defer { running.stop() }
        try running.waitForOutput(containing: "preview: loaded \(scene.path)")

        // A mistake on line 16: reported with its position, and the preview keeps running.
        try good.replacingOccurrences(of: "fov_deg: 60", with: "fov_deg: wide").write(
            to: scene, atomically: true, encoding: .utf8)
        try running.waitForOutput(containing: "\(scene.path):16:")
        XCTAssertTrue(running.isRunning, "the preview exited on a bad scene file:\n\(running.output)")
        XCTAssertTrue(running.output.contains("1 error"), running.output)

        // Fixed again: reloaded, and (with --exit-after-reloads 1) a clean exit.
        try good.write(to: scene, atomically: true, encoding: .utf8)
        let status = try running.waitForExit()
        XCTAssertEqual(status, 0, running.output)
        XCTAssertTrue(running.output.contains("preview: reloaded \(scene.path)"), running.output)
    }
}

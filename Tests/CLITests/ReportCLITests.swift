import Foundation
import XCTest

/// `scenefarm report` end to end: render a scene with the built binary, then make its report.
final class ReportCLITests: XCTestCase {
    func testReportOfARenderedScene() throws {
        let dir = try CLI.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataset = dir.appendingPathComponent("ds").path
        let render = try CLI.run(["render", CLI.scene("minimal.yaml"), "--out", dataset, "--frames", "5"])
        XCTAssertEqual(render.status, 0, render.stderr)

        let out = dir.appendingPathComponent("report.html").path
        let r = try CLI.run(["report", dataset, "--out", out, "--samples", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("wrote \(out)"), r.stdout)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "src=\"data:image/png;base64,iVBORw0KGgo").count - 1, 3)
        XCTAssertTrue(html.contains("<th>Frames</th><td>5</td>"), String(html.prefix(2000)))
        XCTAssertEqual(
            html.components(separatedBy: "<svg").count, html.components(separatedBy: "</svg>").count)
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["ds", "report.html"])
    }

    func testBadDatasetPathFailsNamingIt() throws {
        let dir = try CLI.temporaryDirectory("report-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("no-such-dataset").path
        let out = dir.appendingPathComponent("report.html").path
        let r = try CLI.run(["report", missing, "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains(missing), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testHelpListsReport() throws {
        XCTAssertTrue(try CLI.run(["--help"]).stdout.contains("report"))
        let r = try CLI.run(["report", "--help"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("--samples"), r.stdout)
    }
}

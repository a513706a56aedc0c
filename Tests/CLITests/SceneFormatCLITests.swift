import Foundation
import XCTest

/// `validate` and `sample` on the scene-format features, through the built binary.
final class SceneFormatCLITests: XCTestCase {
    static let broken = CLI.repoRoot.appendingPathComponent("Tests/SceneCoreTests/Fixtures/broken")

    /// A file with six mistakes in different sections: one run reports all six, one a line, then
    /// how many, and exits non-zero.
    func testValidateReportsEveryProblemOfAFileInOneRun() throws {
        let scene = Self.broken.appendingPathComponent("several_errors.yaml").path
        let expected = try String(
            contentsOf: Self.broken.appendingPathComponent("several_errors.expected"), encoding: .utf8
        ).split(separator: "\n").map { Self.broken.path + "/" + $0 }
        XCTAssertEqual(expected.count, 6)
        let r = try CLI.run(["validate", scene])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr.split(separator: "\n").map(String.init), expected + ["\(scene): 6 problems"])
    }

    func testValidateAndSampleASceneMadeOfSeveralFiles() throws {
        let scene = CLI.scene("driving_clones.yaml")
        let v = try CLI.run(["validate", scene])
        XCTAssertEqual(v.status, 0, v.stderr)
        XCTAssertTrue(v.stdout.contains("scene driving_clones"), v.stdout)
        let a = try CLI.run(["sample", scene, "--frame", "10"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(try CLI.run(["sample", scene, "--frame", "10"]).stdout, a.stdout, "the same bytes every run")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        let sweep = try XCTUnwrap(json["sweep"] as? [String: Any])
        XCTAssertEqual(sweep["variant"] as? Int, 1)
        XCTAssertEqual((sweep["values"] as? [String: Any])?["weather"] as? String, "clear")
        XCTAssertEqual((sweep["values"] as? [String: Any])?["camera_yaw_offset_deg"] as? Double, 0)
    }

    /// A scene of three files renders through the farm (which ships the files to its workers), and two
    /// variants of one view differ in color only: frame 3 is frame 0 under overcast instead of clear.
    func testAMultiFileSweptSceneRendersThroughTheFarm() throws {
        let out = try CLI.temporaryDirectory("clones")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["render", CLI.scene("driving_clones.yaml"), "--out", out.path, "--frames", "4", "--cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try CLI.files(under: out)
        for kind in ["instance", "semantic", "depth"] {
            let a = try XCTUnwrap(files["\(kind)/000000.png"]), b = try XCTUnwrap(files["\(kind)/000003.png"])
            XCTAssertEqual(a, b, "\(kind): the same view")
        }
        XCTAssertNotEqual(files["rgb/000000.png"], files["rgb/000003.png"], "another weather")
        XCTAssertNotEqual(files["instance/000000.png"], files["instance/000001.png"], "another camera heading")
    }
}

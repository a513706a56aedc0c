import Foundation
import XCTest

/// docs/scene.schema.json against the scene library and broken scenes, checked by python3's
/// `jsonschema` (draft 2020-12) through scripts/check_scene_schema.py. Without python3, jsonschema or
/// PyYAML the test fails, saying what to install: it never passes without checking.
final class SceneSchemaTests: XCTestCase {
    struct Verdict: Decodable {
        var file: String
        var valid: Bool
        var errors: [String]
    }

    /// Runs the checker on `files`; one verdict per file.
    func check(_ files: [String]) throws -> [Verdict] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", repoRoot.appendingPathComponent("scripts/check_scene_schema.py").path,
                repoRoot.appendingPathComponent("docs/scene.schema.json").path,
            ] + files
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            XCTFail(
                "cannot run python3 (\(error)); the schema test needs python3 with jsonschema and PyYAML: run scripts/setup.sh"
            )
            return []
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: break
        case 3, 127:
            XCTFail("the schema test needs python3 with jsonschema and PyYAML (run scripts/setup.sh): \(problems)")
            return []
        default:
            XCTFail("check_scene_schema.py exited with \(process.terminationStatus): \(problems)")
            return []
        }
        return try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
    }

    func testEverySceneInTheLibraryIsValid() throws {
        let scenes = repoRoot.appendingPathComponent("scenes")
        var files: [String] = []
        let e = FileManager.default.enumerator(atPath: scenes.path)
        while let rel = e?.nextObject() as? String {
            if rel.hasSuffix(".yaml") || rel.hasSuffix(".json") {
                files.append(scenes.appendingPathComponent(rel).path)
            }
        }
        XCTAssertGreaterThanOrEqual(files.count, 4)
        let verdicts = try check(files.sorted())
        XCTAssertEqual(verdicts.count, files.count)
        for v in verdicts { XCTAssertTrue(v.valid, "\(v.file): \(v.errors)") }
    }

    /// Broken scenes whose mistake is one of structure or range, which the schema can see.
    func testBrokenScenesAreRejected() throws {
        let broken = BrokenSceneCorpusTests.corpus
        let names = [
            "format_unsupported", "unknown_top_level_key", "misspelled_camera_key", "wrong_type_seed",
            "wrong_type_frames", "resolution_out_of_range", "fov_out_of_range", "color_channel_out_of_range",
            "bad_hex_color", "elevation_out_of_range", "class_id_zero", "normal_negative_std",
            "normal_on_bounded_field", "choice_negative_weight", "choice_value_out_of_range", "steps_zero_step",
            "distribution_misspelled", "distribution_two_kinds", "weights_without_choice", "sweep_unknown_axis",
            "sweep_empty_axis", "sweep_duplicate_value", "sweep_unknown_condition",
            "sweep_pitch_out_of_range", "palette_without_palettes", "include_wrong_type", "several_errors",
        ]
        let files =
            names.map { broken.appendingPathComponent("\($0).yaml").path } + [
                broken.appendingPathComponent("include_absolute_path/scene.yaml").path,
                broken.appendingPathComponent("error_in_included_file/common/road.yaml").path,
                broken.appendingPathComponent("palette_bad_color.yaml").path,
            ]
        let verdicts = try check(files)
        XCTAssertEqual(verdicts.count, files.count)
        for v in verdicts { XCTAssertFalse(v.valid, "\(v.file) should not validate against the schema") }
    }
}

import Foundation
import XCTest

@testable import SceneCore

/// The repository root, found from this file's path (Tests/SceneCoreTests/TestSupport.swift).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func scenePath(_ name: String) -> String { repoRoot.appendingPathComponent("scenes/\(name)").path }

/// A small valid scene; tests splice mistakes into it.
let minimalValidYAML = """
    format: 1
    classes:
      - {id: 1, name: road}
      - {id: 2, name: car}
    camera:
      resolution: [64, 48]
    """

/// The issues loading `yaml` produces (fails the test when it loads).
func loadIssues(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [SceneIssue] {
    do {
        _ = try SceneLoader.load(yaml: yaml, file: "test.yaml")
        XCTFail("expected the scene to be rejected", file: file, line: line)
        return []
    } catch let e as SceneLoadError {
        XCTAssertFalse(e.issues.isEmpty, file: file, line: line)
        return e.issues
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return []
    }
}

/// Asserts exactly one issue at `path`, at line/column, whose message contains every fragment.
func assertSingleIssue(
    _ yaml: String, path: String, line: Int, column: Int, _ fragments: String...,
    file: StaticString = #filePath, testLine: UInt = #line
) {
    let issues = loadIssues(yaml, file: file, line: testLine)
    XCTAssertEqual(issues.count, 1, "issues: \(issues.map(\.description))", file: file, line: testLine)
    guard let issue = issues.first else { return }
    XCTAssertEqual(issue.path, path, "\(issue)", file: file, line: testLine)
    XCTAssertEqual(issue.line, line, "\(issue)", file: file, line: testLine)
    XCTAssertEqual(issue.column, column, "\(issue)", file: file, line: testLine)
    XCTAssertEqual(issue.file, "test.yaml", file: file, line: testLine)
    for f in fragments {
        XCTAssertTrue(issue.message.contains(f), "`\(issue.message)` should contain `\(f)`", file: file, line: testLine)
    }
}

import Foundation
import XCTest

@testable import SceneCore

/// The corpus of broken scenes in Fixtures/broken: each case is `NAME.yaml` with `NAME.expected`, or a
/// folder `NAME/` with `scene.yaml`, the files it includes and `expected`. An expected file holds
/// every issue of the case, one a line, exactly as `SceneIssue.description` prints it
/// (`file:line:column: field.path: message`), with file names relative to Fixtures/broken.
final class BrokenSceneCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/broken")

    struct Case {
        var name: String
        var scene: URL
        var expected: URL
    }

    static func cases() throws -> [Case] {
        let fm = FileManager.default
        var out: [Case] = []
        for entry in try fm.contentsOfDirectory(atPath: corpus.path).sorted() {
            let url = corpus.appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                out.append(
                    Case(
                        name: entry, scene: url.appendingPathComponent("scene.yaml"),
                        expected: url.appendingPathComponent("expected")))
            } else if entry.hasSuffix(".yaml") {
                let name = String(entry.dropLast(5))
                out.append(Case(name: name, scene: url, expected: corpus.appendingPathComponent("\(name).expected")))
            }
        }
        return out
    }

    func testTheCorpusCoversAtLeastFortyCases() throws {
        XCTAssertGreaterThanOrEqual(try Self.cases().count, 40)
    }

    func testEveryBrokenSceneReportsExactlyItsExpectedIssues() throws {
        let prefix = Self.corpus.path + "/"
        for c in try Self.cases() {
            let expected = try String(contentsOf: c.expected, encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            XCTAssertFalse(expected.isEmpty, "\(c.name): the expected file lists no issue")
            do {
                _ = try SceneLoader.load(path: c.scene.path)
                XCTFail("\(c.name): loaded, but should report \(expected)")
            } catch let error as SceneLoadError {
                let found = error.issues.map { $0.description.replacingOccurrences(of: prefix, with: "") }
                XCTAssertEqual(
                    found, expected,
                    "\(c.name):\nfound:\n\(found.joined(separator: "\n"))\nexpected:\n\(expected.joined(separator: "\n"))"
                )
            } catch {
                XCTFail("\(c.name): unexpected error \(error)")
            }
        }
    }

    /// Loading from the bundle of files read gives the same issues as loading from disk: a worker
    /// that receives a broken bundle reports what `validate` reports.
    func testIssuesInIncludedFilesNameThoseFilesFromABundleToo() throws {
        let dir = Self.corpus.appendingPathComponent("error_in_included_file")
        let files = SceneFiles(scenePath: dir.appendingPathComponent("scene.yaml").path)
        XCTAssertThrowsError(try SceneLoader.load(files: files))
        let bundle = files.bundle
        XCTAssertEqual(bundle.files.keys.sorted(), ["common/road.yaml", "scene.yaml"])
        XCTAssertThrowsError(try SceneLoader.load(files: SceneFiles(bundle: bundle, displayName: "job 7"))) { error in
            let issues = (error as? SceneLoadError)?.issues ?? []
            XCTAssertEqual(issues.map(\.file), ["common/road.yaml"])
            XCTAssertEqual(issues.map(\.line), [3])
            XCTAssertEqual(issues.map(\.path), ["road.lanes"])
        }
    }
}

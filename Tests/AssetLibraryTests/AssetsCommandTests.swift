import Foundation
import XCTest

/// `scenefarm assets build` and `scenefarm assets list`, run as a user would.
final class AssetsCommandTests: XCTestCase {
    var binary: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("scenefarm"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("scenefarm"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Library.repoRoot
        let out = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenefarm-assets-command-output-\(getpid())")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8))
    }

    func testBuildWritesTheLibraryAndIsIdempotent() throws {
        let dir = try Library.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try run(["assets", "build", "--out", dir.path])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("\(Library.assets.count + 1) files written"), first.output)
        XCTAssertEqual(
            Library.files(under: dir),
            Library.files(under: Library.root).filter { $0.hasSuffix(".glb") || $0.hasSuffix(".json") })
        let second = try run(["assets", "build", "--out", dir.path])
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("0 files written"), second.output)
    }

    func testBuildIntoAFileFailsWithItsPath() throws {
        let dir = try Library.temporaryDirectory("cli-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("not-a-folder")
        try Data([0]).write(to: file)
        let result = try run(["assets", "build", "--out", file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("error:") && result.output.contains(file.path), result.output)
    }

    func testListPrintsEveryAsset() throws {
        let result = try run(["assets", "list"])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n")
        XCTAssertEqual(lines.count, Library.assets.count + 1)
        for asset in Library.assets {
            let line = try XCTUnwrap(lines.first { $0.hasPrefix(asset.name + " ") }, asset.name)
            XCTAssertTrue(line.contains(asset.category.rawValue) && line.contains(asset.defaultClass), String(line))
            XCTAssertTrue(line.hasSuffix(" \(asset.triangleCount)"), String(line))
        }
    }
}

import AssetLibrary
import Foundation
import XCTest

/// The committed assets/ folder against a fresh generation, and the writer's bookkeeping.
final class LibraryFilesTests: XCTestCase {
    func testCommittedAssetsAreByteIdenticalToAFreshGeneration() throws {
        let dir = try Library.temporaryDirectory("fresh")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try ProceduralLibrary.write(to: dir.path)
        XCTAssertEqual(report.written.count, Library.assets.count + 1)
        XCTAssertEqual(report.stale, [])
        let generated = Library.files(under: dir)
        let committed = Library.files(under: Library.root).filter { $0.hasSuffix(".glb") || $0.hasSuffix(".json") }
        XCTAssertEqual(committed, generated, "assets/ holds other files than the library makes; \(Library.regenerate)")
        for path in generated {
            let fresh = FileManager.default.contents(atPath: dir.appendingPathComponent(path).path)
            let old = FileManager.default.contents(atPath: Library.root.appendingPathComponent(path).path)
            XCTAssertNotNil(fresh, path)
            XCTAssertEqual(old, fresh, "assets/\(path) differs from the generated file; \(Library.regenerate)")
        }
    }

    func testGenerationIsDeterministicWithinAProcess() {
        let a = ProceduralLibrary.files(), b = ProceduralLibrary.files()
        XCTAssertEqual(a.map(\.path), b.map(\.path))
        for (x, y) in zip(a, b) { XCTAssertEqual(x.bytes, y.bytes, x.path) }
    }

    func testRewriteKeepsUpToDateFilesRepairsChangedOnesAndReportsStrays() throws {
        let dir = try Library.temporaryDirectory("rewrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ProceduralLibrary.write(to: dir.path)
        let tampered = dir.appendingPathComponent("robotics/mug.glb")
        try Data([1, 2, 3]).write(to: tampered)
        let stray = dir.appendingPathComponent("driving/old_car.glb")
        try Data([0]).write(to: stray)
        let report = try ProceduralLibrary.write(to: dir.path)
        XCTAssertEqual(report.written, ["robotics/mug.glb"])
        XCTAssertEqual(report.unchanged.count, Library.assets.count)
        XCTAssertEqual(report.stale, ["driving/old_car.glb"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: stray.path), "stray files are reported, never deleted")
        let mug = try XCTUnwrap(Library.assets.first { $0.name == "mug" })
        XCTAssertEqual(FileManager.default.contents(atPath: tampered.path).map { [UInt8]($0) }, GLBWriter.encode(mug))
    }

    func testWritingIntoAFileIsAClearError() throws {
        let dir = try Library.temporaryDirectory("blocked")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("root")
        try Data([0]).write(to: blocker)
        XCTAssertThrowsError(try ProceduralLibrary.write(to: blocker.path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(blocker.path), text)
        }
    }

    func testFilesStaySmall() throws {
        var total = 0
        for asset in Library.assets {
            let size = try XCTUnwrap(
                (try? FileManager.default.attributesOfItem(atPath: Library.root.appendingPathComponent(asset.file).path))?[
                    .size] as? Int, asset.file)
            XCTAssertLessThan(size, 200_000, "\(asset.file) is \(size) bytes")
            total += size
        }
        XCTAssertLessThan(total, 3_000_000)
    }
}

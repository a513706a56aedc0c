import AssetLibrary
import Foundation
import XCTest

enum Library {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// The committed library.
    static let root = repoRoot.appendingPathComponent("assets")

    static let regenerate = "regenerate it with `swift run scenefarm assets build` from the repository root"

    /// Every asset the library makes, built once.
    static let assets = ProceduralLibrary.assets()

    /// The committed .glb of every asset, checked; fails the test on a broken file.
    static func committed(
        _ asset: LibraryAsset, file: StaticString = #filePath, line: UInt = #line
    ) throws -> CheckedGLB {
        let url = root.appendingPathComponent(asset.file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail("\(url.path) is missing; \(regenerate)", file: file, line: line)
            throw GLBCheckFailure(description: "missing \(url.path)")
        }
        return try GLBChecker.check([UInt8](data), file: asset.file)
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-assets-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// All files under `dir`, relative paths, sorted.
    static func files(under dir: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(path).path, isDirectory: &isDir),
                !isDir.boolValue
            {
                out.append(path)
            }
        }
        return out.sorted()
    }
}

import AssetLibrary
import Foundation
import SceneCore
import XCTest

/// Every committed library file goes through the scene's own glTF importer and comes back as the
/// asset the library built: the same parts, classes, materials and world-space vertices.
final class LibraryImportTests: XCTestCase {
    func testEveryCommittedAssetImportsAsTheLibraryBuiltIt() throws {
        XCTAssertGreaterThanOrEqual(Library.assets.count, 29)
        for built in Library.assets {
            let url = Library.root.appendingPathComponent(built.file)
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: url.path), "\(built.file) missing")
            let imported = try AssetImporter.load(
                bytes: [UInt8](bytes), key: "@library/\(built.file)", name: built.name,
                options: AssetImportOptions(), resolve: { uri in throw SceneFileError("unexpected file \(uri)") })
            let expected = built.asset(source: built.file)
            XCTAssertEqual(imported.defaultClass, built.defaultClass, built.name)
            XCTAssertEqual(imported.parts.map(\.name), expected.parts.map(\.name), built.name)
            XCTAssertEqual(imported.triangleCount, expected.triangleCount, built.name)
            for (a, b) in zip(imported.parts, expected.parts) {
                XCTAssertEqual(
                    a.classHint ?? built.defaultClass, b.classHint ?? built.defaultClass, "\(built.name).\(a.name)")
                XCTAssertEqual(
                    a.material.baseColor.x, b.material.baseColor.x, accuracy: 1e-4, "\(built.name).\(a.name)")
                XCTAssertEqual(a.material.roughness, b.material.roughness, accuracy: 1e-4)
                XCTAssertEqual(a.material.metallic, b.material.metallic, accuracy: 1e-4)
                // World-space (asset frame) vertices agree: the importer's axis conversion undoes the writer's.
                let pa = worldPositions(a), pb = worldPositions(b)
                XCTAssertEqual(pa.count, pb.count, "\(built.name).\(a.name)")
                let worst = zip(pa, pb).map { ($0 - $1).length }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5, "\(built.name).\(a.name): vertices differ by \(worst) m")
            }
            let (lo, hi) = imported.bounds
            XCTAssertEqual(lo.z, 0, accuracy: 1e-4, "\(built.name) stands on z = 0")
            XCTAssertEqual((lo.x + hi.x) / 2, 0, accuracy: 1e-3, "\(built.name) footprint centred in x")
            XCTAssertEqual((lo.y + hi.y) / 2, 0, accuracy: 1e-3, "\(built.name) footprint centred in y")
        }
    }

    private func worldPositions(_ part: AssetPart) -> [Vec3] {
        let m = part.mesh.mesh
        return (0..<m.vertexCount).map { v in
            part.assetFromPart.transformPoint(
                Vec3(Double(m.positions[3 * v]), Double(m.positions[3 * v + 1]), Double(m.positions[3 * v + 2])))
        }
    }
}

import Foundation
import XCTest

@testable import SceneCore

/// Scenes using the committed asset library (assets/) through the real glTF importer: classes from
/// the files' hints, support heights from the shelving's scene extras, names suggested from the
/// library's listing.
final class LibraryAssetSceneTests: XCTestCase {
    /// Loads `yaml` as a scene file in a temporary folder with the repository's asset library.
    func load(_ yaml: String) throws -> SceneDescription {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-library-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("scene.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try SceneLoader.load(
            files: SceneFiles(scenePath: file.path, libraryRoots: [repoRoot.appendingPathComponent("assets").path]))
    }

    static let header = """
        format: 1
        classes:
          - {id: 1, name: pole}
          - {id: 2, name: traffic_light}
          - {id: 3, name: shelf}
          - {id: 4, name: box}
        camera: {resolution: [64, 48]}

        """

    func testTheTrafficLightsPoleIsAPoleInstance() throws {
        let frame = try load(
            Self.header + """
                groups:
                  - {name: lights, asset: traffic_light, count: 3, placement: {region: area, x: [0, 30], y: [0, 30]}}
                """
        ).frame(0)
        XCTAssertEqual(frame.instances.map(\.classID), [2, 1, 2, 1, 2, 1])
        XCTAssertEqual(
            frame.instances.map(\.name),
            ["lights_0", "lights_0.pole", "lights_1", "lights_1.pole", "lights_2", "lights_2.pole"])
        for inst in frame.instances {
            let parts = frame.surfaces.filter { $0.instanceID == inst.instanceID }.map {
                $0.name.split(separator: "/").last!
            }
            if inst.classID == 1 {
                XCTAssertEqual(Set(parts), ["pole", "bracket"])
            } else {
                XCTAssertTrue(parts.contains("housing") && !parts.contains("pole"), "\(parts)")
                XCTAssertGreaterThan(inst.boxMin.z, 1, "the head's box starts high up the pole")
            }
        }
        // Resting on the ground: the lowest part of each light at z = 0.
        for i in 0..<3 {
            let own = frame.surfaces.filter { $0.name.hasPrefix("lights_\(i)/") }
            let lowest = own.compactMap(worldCorners).flatMap { $0.map(\.z) }.min()!
            XCTAssertEqual(lowest, 0, accuracy: 1e-6)
        }
    }

    func testLibraryShelvingBringsItsBoardHeights() throws {
        let scene = try load(
            Self.header + """
                environment:
                  shelving: [{name: rack, class: shelf, asset: shelving, position: [0, 0]}]
                groups:
                  - {name: boxes, shape: box, class: box, size: [0.3, 0.2, 0.2], count: 3, placement: {region: shelf, levels: [2]}}
                """)
        let rack = try XCTUnwrap(scene.environment?.pieces.first)
        let expected = [0.15, 0.7, 1.25, 1.8]
        XCTAssertEqual(rack.supportHeights.count, expected.count)
        for (got, want) in zip(rack.supportHeights, expected) { XCTAssertEqual(got, want, accuracy: 1e-5) }
        XCTAssertEqual(rack.size.z, 2, accuracy: 1e-5)
        let frame = try scene.frame(0)
        for b in groupInstances(frame, "boxes") {
            XCTAssertEqual(verticalExtent(frame, instance: b.instanceID).bottom, rack.supportHeights[2], accuracy: 1e-9)
        }
        XCTAssertEqual(groupInstances(frame, "boxes").count, 3)
    }

    func testUnknownLibraryNamesSuggestTheClosest() {
        XCTAssertThrowsError(try load(Self.header + "assets:\n  l: {library: trafic_light}\n")) { error in
            let issues = (error as? SceneLoadError)?.issues ?? []
            XCTAssertEqual(issues.count, 1, "\(issues)")
            XCTAssertEqual(issues.first?.path, "assets.l.library")
            XCTAssertTrue(issues.first?.message.contains("did you mean `traffic_light`?") == true, "\(issues)")
            XCTAssertTrue(issues.first?.message.contains("sedan") == true, "lists the library: \(issues)")
        }
    }
}

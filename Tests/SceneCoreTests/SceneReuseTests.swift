import Foundation
import XCTest

@testable import SceneCore

/// `extends`, `include` and the named blocks, on real files in a temporary directory.
final class SceneReuseTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scenefarm-reuse-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes the files (path relative to the directory → text) and returns the path of `scene.yaml`.
    func write(_ files: [String: String]) throws -> String {
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return directory.appendingPathComponent("scene.yaml").path
    }

    func issues(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> [SceneIssue] {
        do {
            _ = try SceneLoader.load(path: path)
            XCTFail("expected the scene to be rejected", file: file, line: line)
        } catch let e as SceneLoadError {
            return e.issues
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return []
    }

    static let base = """
        format: 1
        name: base
        seed: 5
        classes:
          - {id: 1, name: road}
          - {id: 2, name: car}
        camera:
          resolution: [64, 48]
          fov_deg: 60
          position: [0, 0, 2]
        groups:
          - {name: a, shape: sphere, radius: 1, class: car, count: 1, placement: {x: [0, 9], y: [0, 9]}}
        weather: {condition: fog, fog_density: 0.02}
        """

    func testExtendsDeepMergesMappingsReplacesListsAndAppends() throws {
        let path = try write([
            "base.yaml": Self.base,
            "scene.yaml": """
            format: 1
            extends: base.yaml
            name: derived
            camera: {fov_deg: 90}
            classes: {append: [{id: 3, name: tree}]}
            groups:
              - {name: b, shape: box, size: [1, 1, 1], class: tree, count: 2, placement: {x: [0, 9], y: [0, 9]}}
            weather: {condition: null, sweep: [clear, night]}
            """,
        ])
        let scene = try SceneLoader.load(path: path)
        XCTAssertEqual(scene.name, "derived")
        XCTAssertEqual(scene.seed, 5, "inherited")
        XCTAssertEqual(scene.camera.lens, .horizontalFOV(degrees: 90), "overridden inside the merged mapping")
        XCTAssertEqual(scene.camera.position, Vec3(0, 0, 2), "kept from the base's camera")
        XCTAssertEqual(scene.classes.map(\.name), ["road", "car", "tree"], "appended")
        XCTAssertEqual(scene.groups.map(\.name), ["b"], "a list replaces the base's")
        XCTAssertEqual(scene.weather?.selection, .sweep([.clear, .night]), "`condition: null` removed the base's")
        XCTAssertEqual(scene.weather?.fogDensity, .fixed(0.02))
        XCTAssertEqual(scene.bundle.files.keys.sorted(), ["base.yaml", "scene.yaml"])
        XCTAssertEqual(scene.bundle.root, "scene.yaml")
    }

    func testIncludeTakesSectionsAndTheFileOverridesAClash() throws {
        let path = try write([
            "common/classes.yaml": "format: 1\nclasses: [{id: 1, name: road}, {id: 2, name: car}]\n",
            "common/camera.yaml": "format: 1\ncamera: {resolution: [32, 24]}\nseed: 9\n",
            "common/other_camera.yaml": "format: 1\ncamera: {resolution: [16, 16]}\n",
            "scene.yaml": """
            format: 1
            include: [common/classes.yaml, common/camera.yaml, common/other_camera.yaml]
            camera: {resolution: [8, 8]}
            """,
        ])
        let scene = try SceneLoader.load(path: path)
        XCTAssertEqual(scene.classes.count, 2)
        XCTAssertEqual(scene.seed, 9)
        XCTAssertEqual(scene.camera.width, 8, "the file's own camera chooses between the two included ones")
    }

    func testASharedIncludeReachedTwiceIsNoClash() throws {
        let path = try write([
            "common/classes.yaml": "format: 1\nclasses: [{id: 1, name: road}, {id: 2, name: car}]\n",
            "a.yaml": "format: 1\ninclude: common/classes.yaml\nseed: 1\n",
            "b.yaml": "format: 1\ninclude: common/classes.yaml\nframes: 3\n",
            "scene.yaml": "format: 1\ninclude: [a.yaml, b.yaml]\ncamera: {resolution: [8, 8]}\n",
        ])
        let scene = try SceneLoader.load(path: path)
        XCTAssertEqual(scene.classes.map(\.id), [1, 2])
        XCTAssertEqual(scene.frameCount, 3)
    }

    func testPathsAreRelativeToTheFileThatNamesThem() throws {
        let path = try write([
            "parts/classes.yaml": "format: 1\nclasses: [{id: 1, name: road}]\n",
            "parts/camera.yaml": "format: 1\ninclude: classes.yaml\ncamera: {resolution: [8, 8]}\n",
            "scene.yaml": "format: 1\ninclude: parts/camera.yaml\n",
        ])
        let scene = try SceneLoader.load(path: path)
        XCTAssertEqual(scene.classes.map(\.name), ["road"])
        XCTAssertEqual(scene.bundle.files.keys.sorted(), ["parts/camera.yaml", "parts/classes.yaml", "scene.yaml"])
    }

    func testNestingDeeperThanTheLimitIsAnError() throws {
        var files: [String: String] = ["scene.yaml": "format: 1\nextends: f1.yaml\n"]
        for i in 1...20 { files["f\(i).yaml"] = "format: 1\nextends: f\(i + 1).yaml\n" }
        files["f21.yaml"] = Self.base
        let found = issues(try write(files))
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.path, "extends")
        XCTAssertTrue(found.first?.message.hasPrefix("files nest more than 16 deep") ?? false, "\(found)")
        XCTAssertEqual(found.first?.file, directory.appendingPathComponent("f15.yaml").path)
    }

    func testASymbolicLinkMayNotLeadOutOfTheSceneDirectory() throws {
        let outside = directory.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "format: 1\nseed: 1\n".write(
            to: outside.appendingPathComponent("secret.yaml"), atomically: true, encoding: .utf8)
        _ = try write(["scenes/scene.yaml": Self.base + "\ninclude: link.yaml\n"])
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("scenes/link.yaml").path,
            withDestinationPath: outside.appendingPathComponent("secret.yaml").path)
        let found = issues(directory.appendingPathComponent("scenes/scene.yaml").path)
        XCTAssertEqual(found.map(\.path), ["include"])
        XCTAssertTrue(found.first?.message.contains("leads outside the scene's directory") ?? false, "\(found)")
    }

    func testASceneFromTextCannotReachOtherFiles() {
        let issues = loadIssues(minimalValidYAML + "\ninclude: common.yaml\n")
        XCTAssertEqual(issues.map(\.path), ["include"])
        XCTAssertTrue(issues.first?.message.contains("is not in the scene bundle") ?? false, "\(issues)")
    }

    func testTheBundleLoadsToTheSameSceneWithoutTheDirectory() throws {
        let path = try write([
            "base.yaml": Self.base,
            "blocks.yaml": "format: 1\npalettes: {paint: [[1, 2, 3], [4, 5, 6]]}\n",
            "scene.yaml": """
            format: 1
            extends: base.yaml
            include: blocks.yaml
            groups: {append: [{name: c, shape: box, size: [1, 1, 1], class: car, colors: paint, count: 1, placement: {x: [0, 9], y: [20, 29]}}]}
            """,
        ])
        let fromDisk = try SceneLoader.load(path: path)
        try FileManager.default.removeItem(at: directory)
        let fromBundle = try SceneLoader.load(files: SceneFiles(bundle: fromDisk.bundle, displayName: path))
        XCTAssertEqual(fromBundle, fromDisk)
        XCTAssertEqual(try fromBundle.frame(0), try fromDisk.frame(0))
    }

    func testPalettesRigsAndPopulationsAreSubstituted() throws {
        let path = try write([
            "blocks.yaml": """
            format: 1
            palettes:
              paint: [[255, 0, 0], "#00ff00"]
            camera_rigs:
              front: {resolution: [32, 24], fov_deg: 50, position: [1, 2, 3], yaw_deg: 10}
            populations:
              balls: {shape: sphere, radius: 0.5, class: car, colors: paint, count: 2, placement: {x: [0, 9], y: [0, 9]}}
            """,
            "base.yaml": Self.base,
            "scene.yaml": """
            format: 1
            extends: base.yaml
            include: blocks.yaml
            camera: {rig: front, pitch_deg: -5}
            groups:
              - {use: balls, name: left, placement: {y: [-9, 0]}}
              - {use: balls, name: right, count: 3}
            objects:
              - {name: o, shape: box, size: [1, 1, 1], class: road, colors: paint, position: [0, 0, 0]}
            """,
        ])
        let scene = try SceneLoader.load(path: path)
        XCTAssertEqual(scene.camera.width, 32)
        XCTAssertEqual(scene.camera.lens, .horizontalFOV(degrees: 50), "the rig, not the base's camera")
        XCTAssertEqual(scene.camera.position, Vec3(1, 2, 3))
        XCTAssertEqual(scene.camera.pitchDeg, -5)
        XCTAssertEqual(scene.groups.map(\.name), ["left", "right"])
        XCTAssertEqual(scene.groups.map(\.count.max), [2, 3])
        guard case .region(_, _, let minY, let maxY, _) = scene.groups[0].placement else {
            return XCTFail("a region placement")
        }
        XCTAssertEqual([minY, maxY], [-9, 0], "merged into the population's placement")
        let paint = [linearRGB([255, 0, 0]), linearRGB([0, 255, 0])]
        XCTAssertEqual(scene.groups[1].template.colors, paint)
        XCTAssertEqual(scene.objects[0].template.colors, paint)
    }

    func testAProblemInsideAPopulationIsReportedAtItsDefinitionWithTheUsesPath() throws {
        let path = try write([
            "blocks.yaml": """
            format: 1
            populations:
              balls: {shape: sphere, radius: -1, class: car, count: 2, placement: {x: [0, 9], y: [0, 9]}}
            """,
            "scene.yaml": minimalValidYAML + "\ninclude: blocks.yaml\ngroups: [{use: balls}]\n",
        ])
        let found = issues(path)
        XCTAssertEqual(
            found.map(\.description),
            [
                directory.appendingPathComponent("blocks.yaml").path
                    + ":3:34: groups[0].radius: expected a number greater than 0, found -1"
            ])
    }

    /// Line breaks of every kind keep each file's lines its own (CRLF, CR, and a file that ends
    /// without one).
    func testLinesStayInTheirFileWhateverTheLineBreaks() throws {
        let path = try write([
            "crlf.yaml": "format: 1\r\n# a comment\r\nseed: -1\r\n",
            "cr.yaml": "format: 1\r\rframes: 0",
            "scene.yaml": minimalValidYAML + "\ninclude: [crlf.yaml, cr.yaml]\nresample_every: 0\n",
        ])
        let found = issues(path).map { "\(($0.file as NSString).lastPathComponent):\($0.line):\($0.column) \($0.path)" }
        XCTAssertEqual(found, ["scene.yaml:8:17 resample_every", "crlf.yaml:3:7 seed", "cr.yaml:3:9 frames"])
    }

    func testSortedByFileThenPosition() throws {
        let path = try write([
            "a.yaml": "format: 1\nseed: -1\n",
            "scene.yaml":
                "format: 1\ninclude: a.yaml\nframes: 0\nclasses: [{id: 1, name: a}]\ncamera: {resolution: [8, 8]}\n",
        ])
        let found = issues(path)
        XCTAssertEqual(found.map(\.path), ["frames", "seed"], "the scene file first, then the files it read")
        XCTAssertEqual(found.map(\.line), [3, 2])
    }
}

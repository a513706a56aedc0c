import Foundation
import XCTest

@testable import SceneCore

/// Assets in scenes: the `assets` block, `asset:` in objects, groups and environment pieces, per-part
/// classes, fitting, recoloring, and every error at its scene field. The importer is a stand-in that
/// hands out assets built in memory (the glTF/OBJ importers have their own tests); files come from a
/// scene bundle, so the loader's reading and caching are the real ones.
final class AssetSceneTests: XCTestCase {
    /// Imports by file name from a fixed table, counting calls; `broken.glb` fails as a bad file does.
    final class StandInImporter: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [String] = []
        let assets: [String: Asset]

        init(_ assets: [String: Asset]) { self.assets = assets }

        var callCount: [String: Int] {
            lock.lock()
            defer { lock.unlock() }
            return calls.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        }

        func load(
            bytes: [UInt8], key: String, name: String, options: AssetImportOptions, resolve: (String) throws -> [UInt8]
        ) throws -> Asset {
            lock.lock()
            calls.append(key)
            lock.unlock()
            let file = (key as NSString).lastPathComponent
            if file == "broken.glb" {
                throw AssetImportError(
                    file: key, element: "meshes[0].primitives[0].indices", message: "index 9 is past the 3 vertices")
            }
            if file == "needs_buffer.gltf" { _ = try resolve("missing.bin") }
            guard var asset = assets[file] else {
                throw AssetImportError(file: key, element: "", message: "not a test asset")
            }
            asset.name = name
            asset.source = key
            // Units as an importer applies them: scale the asset frame.
            for i in asset.parts.indices {
                asset.parts[i].assetFromPart =
                    Mat4.scale(Vec3(repeating: options.unitScale)) * asset.parts[i].assetFromPart
            }
            asset.supportHeights = asset.supportHeights.map { $0 * options.unitScale }
            return asset
        }
    }

    static let cube = MeshRef(key: "test#unit-box", mesh: UnitMesh.box.mesh)

    static func part(_ name: String, size: Vec3, at: Vec3, color: [Int], hint: String? = nil) -> AssetPart {
        AssetPart(
            name: name, mesh: cube, assetFromPart: Mat4.translation(at) * Mat4.scale(size),
            material: Material(baseColor: linearRGB(color), roughness: 0.4, metallic: 0.2, name: name), classHint: hint)
    }

    /// A traffic light: a 3 m pole and a 0.9 m head on top; the file calls the pole `pole`.
    static let light = Asset(
        name: "light", source: "",
        parts: [
            part("pole", size: Vec3(0.1, 0.1, 3), at: .zero, color: [90, 90, 90], hint: "pole"),
            part("head", size: Vec3(0.3, 0.3, 0.9), at: Vec3(0, 0, 3), color: [20, 20, 20], hint: "traffic_light"),
        ], defaultClass: "traffic_light")

    /// A library car whose wheels the file classes as `wheel`.
    static let sedan = Asset(
        name: "sedan", source: "",
        parts: [
            part("body", size: Vec3(4.4, 1.8, 1.2), at: Vec3(0, 0, 0.3), color: [200, 0, 0], hint: "car"),
            part("wheel_fl", size: Vec3(0.6, 0.2, 0.6), at: Vec3(1.4, 0.8, 0), color: [20, 20, 20], hint: "wheel"),
        ], defaultClass: "car")

    /// A library shelving unit, 2 x 0.5 x 1.5 m, whose file gives board heights 0.3 and 1.2 m.
    static let shelving = Asset(
        name: "shelving", source: "",
        parts: [part("frame", size: Vec3(2, 0.5, 1.5), at: .zero, color: [60, 60, 80])], defaultClass: "shelf",
        supportHeights: [0.3, 1.2])

    let importer = StandInImporter([
        "light.glb": AssetSceneTests.light, "sedan.glb": AssetSceneTests.sedan,
        "shelving.glb": AssetSceneTests.shelving,
        "nameless.glb": Asset(
            name: "nameless", source: "",
            parts: AssetSceneTests.light.parts.map { p in
                var q = p
                q.classHint = nil
                return q
            }),
    ])

    static let header = """
        format: 1
        classes:
          - {id: 1, name: pole}
          - {id: 2, name: traffic_light}
          - {id: 3, name: car}
          - {id: 4, name: shelf}
          - {id: 5, name: box}
        camera: {resolution: [64, 48]}

        """

    func files(_ yaml: String) -> SceneFiles {
        SceneFiles(
            bundle: SceneBundle(
                root: "scene.yaml",
                files: [
                    "scene.yaml": Array(yaml.utf8), "models/light.glb": [1], "models/broken.glb": [1],
                    "models/needs_buffer.gltf": [1], "models/nameless.glb": [1], "@library/driving/sedan.glb": [1],
                    "@library/robotics/shelving.glb": [1],
                ]))
    }

    func load(_ body: String) throws -> SceneDescription {
        let yaml = Self.header + body
        return try SceneLoader.load(
            files: files(yaml),
            assets: AssetLoader { [importer] in
                try importer.load(bytes: $0, key: $1, name: $2, options: $3, resolve: $4)
            })
    }

    /// The issues of a scene that must not load.
    func issues(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> [SceneIssue] {
        do {
            _ = try load(body)
            XCTFail("expected the scene to be rejected", file: file, line: line)
        } catch let e as SceneLoadError {
            return e.issues
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return []
    }

    /// Asserts one issue at `path`, at the line and column where `marker` starts, containing `fragments`.
    func assertIssue(
        _ body: String, at marker: String, path: String, _ fragments: String..., file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let found = issues(body, file: file, line: line)
        XCTAssertEqual(found.count, 1, "\(found.map(\.description))", file: file, line: line)
        guard let issue = found.first else { return }
        let text = Self.header + body
        let (l, c) = position(of: marker, in: text)
        XCTAssertEqual(issue.file, "scene.yaml", file: file, line: line)
        XCTAssertEqual(issue.path, path, "\(issue)", file: file, line: line)
        XCTAssertEqual([issue.line, issue.column], [l, c], "\(issue)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(issue.message.contains(f), "`\(issue.message)` lacks `\(f)`", file: file, line: line)
        }
    }

    func testPartsWithAnotherClassBecomeInstancesOfTheirOwn() throws {
        let scene = try load(
            """
            assets:
              light: {file: models/light.glb, class: traffic_light, parts: {pole: {class: pole}}}
            objects:
              - {name: tl, asset: light, position: [2, 3, 0]}
            """)
        let frame = try scene.frame(0)
        XCTAssertEqual(frame.instances.map(\.name), ["tl", "tl.pole"])
        let head = frame.instances[0], pole = frame.instances[1]
        XCTAssertEqual(head.classID, 2)
        XCTAssertEqual(pole.classID, 1)
        // Each box covers its own parts only: the head from 3 to 3.9 m, the pole from 0 to 3 m.
        XCTAssertEqual(head.boxMin.z, 3, accuracy: 1e-12)
        XCTAssertEqual(head.boxMax.z, 3.9, accuracy: 1e-12)
        XCTAssertEqual(pole.boxMin.z, 0, accuracy: 1e-12)
        XCTAssertEqual(pole.boxMax.z, 3, accuracy: 1e-12)
        XCTAssertEqual(head.worldFromObject, pole.worldFromObject, "one object, one pose")
        let surfaces = frame.surfaces.filter { $0.name.hasPrefix("tl/") }
        XCTAssertEqual(surfaces.map(\.name), ["tl/pole", "tl/head"])
        XCTAssertEqual(surfaces.map(\.classID), [1, 2])
        XCTAssertEqual(surfaces.map(\.instanceID), [pole.instanceID, head.instanceID])
        for s in surfaces {
            guard case .mesh(let m, let k) = s.shape else { return XCTFail("a mesh part") }
            XCTAssertEqual(m, Self.cube)
            XCTAssertEqual(k, Vec3(1, 1, 1))
        }
        // Colors and finishes come from the materials.
        XCTAssertEqual(surfaces[0].color, linearRGB([90, 90, 90]))
        XCTAssertEqual(surfaces[1].finish.roughness, 0.4)
        XCTAssertEqual(surfaces[1].finish.metallic, 0.2)
        XCTAssertEqual(scene.maxInstanceCount, 2)
    }

    func testTheFilesClassHintsApplyUnlessTurnedOff() throws {
        // Without overrides the file's hint makes the pole a `pole` (the hint equal to the file's default
        // class follows the object's class).
        let hinted = try load(
            """
            assets:
              light: {file: models/light.glb}
            groups:
              - {name: lights, asset: light, class: traffic_light, count: 3, placement: {region: area, x: [0, 20], y: [0, 20]}}
            """
        ).frame(0)
        XCTAssertEqual(hinted.instances.map(\.classID), [2, 1, 2, 1, 2, 1])
        // `class_hints: false`: one instance per object, of the object's class.
        let plain = try load(
            """
            assets:
              light: {file: models/light.glb, class: traffic_light, class_hints: false}
            groups:
              - {name: lights, asset: light, count: 3, placement: {region: area, x: [0, 20], y: [0, 20]}}
            """
        ).frame(0)
        XCTAssertEqual(plain.instances.map(\.classID), [2, 2, 2])
        XCTAssertEqual(plain.instances[0].boxMax.z - plain.instances[0].boxMin.z, 3.9, accuracy: 1e-12)
    }

    func testEachAssetIsImportedOnceAndFitsItsSize() throws {
        let scene = try load(
            """
            assets:
              light: {file: models/light.glb, class: traffic_light, class_hints: false}
              small: {file: models/light.glb, class: traffic_light, class_hints: false, units: cm}
            groups:
              - {name: big, asset: light, count: 2, placement: {region: area, x: [0, 10], y: [0, 10]}}
              - {name: half, asset: light, size: [1, 1, 1.95], count: 2, placement: {region: area, x: [20, 30], y: [0, 10]}}
              - {name: tiny, asset: small, count: 1, placement: {region: area, x: [40, 50], y: [0, 10]}}
            """)
        // One import per file and units; `light` used by two groups is imported once.
        XCTAssertEqual(importer.callCount["models/light.glb"], 2)
        let frame = try scene.frame(0)
        func height(_ group: String) -> Double {
            let i = groupInstances(frame, group)[0]
            return i.boxMax.z - i.boxMin.z
        }
        XCTAssertEqual(height("big"), 3.9, accuracy: 1e-12)
        XCTAssertEqual(height("half"), 1.95, accuracy: 1e-12, "scaled by 0.5 to fit 1 x 1 x 1.95, proportions kept")
        XCTAssertEqual(height("tiny"), 0.039, accuracy: 1e-12, "centimetres")
        for i in frame.instances {
            XCTAssertEqual(verticalExtent(frame, instance: i.instanceID).bottom, 0, accuracy: 1e-12, "rests on z = 0")
        }
        let half = frame.surfaces.first { $0.name.hasPrefix("half_0/") }
        guard case .mesh(_, let k)? = half?.shape else { return XCTFail("a mesh") }
        XCTAssertEqual(k, Vec3(0.5, 0.5, 0.5))
    }

    func testColorsTintTheRecoloredPartsOnly() throws {
        let frame = try load(
            """
            assets:
              light: {file: models/light.glb, class: traffic_light, recolor: [head]}
            objects:
              - {name: tl, asset: light, color: [255, 0, 0], roughness: 0.9, position: [0, 0, 0]}
            """
        ).frame(0)
        let pole = try XCTUnwrap(frame.surfaces.first { $0.name == "tl/pole" })
        let head = try XCTUnwrap(frame.surfaces.first { $0.name == "tl/head" })
        XCTAssertEqual(head.color, linearRGB([255, 0, 0]))
        XCTAssertEqual(pole.color, linearRGB([90, 90, 90]), "the material's color")
        XCTAssertEqual(head.finish.roughness, 0.9)
        XCTAssertEqual(pole.finish.roughness, 0.9)
        XCTAssertEqual(pole.finish.metallic, 0.2, "the material's")
    }

    func testLibraryShelvingGivesItsOwnBoardHeights() throws {
        let scene = try load(
            """
            environment:
              shelving:
                - {name: rack, class: shelf, asset: shelving, position: [0, 0], size: [4, 1, 3]}
            groups:
              - {name: boxes, shape: box, class: box, size: [0.3, 0.3, 0.3], count: 6, placement: {region: shelf, levels: [1]}}
            """)
        let piece = try XCTUnwrap(scene.environment?.pieces.first)
        XCTAssertEqual(piece.supportHeights, [0.6, 2.4], "the asset's 0.3 and 1.2 m, fitted twice as large")
        XCTAssertEqual(piece.size, Vec3(4, 1, 3))
        let frame = try scene.frame(0)
        for b in groupInstances(frame, "boxes") {
            XCTAssertEqual(verticalExtent(frame, instance: b.instanceID).bottom, 2.4, accuracy: 1e-9)
        }
        let drawn = frame.surfaces.filter { $0.name.hasPrefix("rack/") }
        XCTAssertEqual(drawn.map(\.name), ["rack/frame"], "the asset is drawn, the boards are its own")
    }

    func testAssetErrorsNameTheSceneField() {
        assertIssue(
            "assets:\n  a: {file: models/none.glb}\n", at: "models/none.glb", path: "assets.a.file",
            "`models/none.glb` is not in the scene bundle")
        assertIssue(
            "assets:\n  a: {file: models/broken.glb}\n", at: "models/broken.glb", path: "assets.a.file",
            "cannot import the asset: models/broken.glb: meshes[0].primitives[0].indices: index 9 is past the 3 vertices"
        )
        assertIssue(
            "assets:\n  a: {file: models/needs_buffer.gltf}\n", at: "models/needs_buffer.gltf", path: "assets.a.file",
            "missing.bin")
        assertIssue(
            "assets:\n  a: {library: sedna}\n", at: "sedna", path: "assets.a.library", "unknown library asset `sedna`",
            "did you mean `sedan`?", "shelving")
        assertIssue(
            "assets:\n  a: {file: models/light.glb, parts: {pol: {class: pole}}}\n", at: "pol:",
            path: "assets.a.parts.pol",
            "has no part `pol`; did you mean `pole`?", "parts: pole, head")
        assertIssue(
            "assets:\n  a: {file: models/light.glb, recolor: [haed]}\n", at: "haed", path: "assets.a.recolor[0]",
            "did you mean `head`?")
        assertIssue(
            "assets:\n  a: {file: models/light.glb, units: inch}\n", at: "inch", path: "assets.a.units",
            "expected m, cm, mm or metres per file unit")
        assertIssue(
            "assets:\n  a: {file: models/light.glb, library: sedan}\n", at: "library", path: "assets.a.library",
            "either `file` or `library`")
        assertIssue(
            "assets:\n  a: {units: cm}\n", at: "{units", path: "assets.a.file", "missing field `file` or `library`")
        assertIssue(
            "assets:\n  a: {file: models/light.txt}\n", at: "models/light.txt", path: "assets.a.file",
            ".gltf, .glb, .obj")
        // A library asset named directly whose file classes parts as something the scene lacks.
        assertIssue(
            "objects:\n  - {asset: sedan, position: [0, 0, 0]}\n", at: "sedan", path: "objects[0].asset",
            "`wheel_fl` (wheel)", "class_hints: false")
        assertIssue(
            "assets:\n  a: {file: models/light.glb}\nobjects:\n  - {asset: a, shape: box, position: [0, 0, 0]}\n",
            at: "shape", path: "objects[0].shape", "does not apply with `asset`")
        // The asset has no class of its own (neither its entry nor its file), and the object gives none.
        assertIssue(
            "assets:\n  a: {file: models/nameless.glb}\nobjects:\n  - {asset: a, position: [0, 0, 0]}\n",
            at: "{asset: a", path: "objects[0].class", "has no class of its own")
    }

    func testAnAssetFileTravelsInTheScenesBundle() throws {
        // On disk: the scene's bundle holds the scene file and the asset it names, nothing else.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-asset-bundle-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
        let body = "assets:\n  a: {file: models/light.glb, class: traffic_light}\n"
        try (Self.header + body).write(to: dir.appendingPathComponent("scene.yaml"), atomically: true, encoding: .utf8)
        for file in ["models/light.glb", "models/broken.glb"] {
            try Data([1]).write(to: dir.appendingPathComponent(file))
        }
        let standIn = AssetLoader { [importer] in
            try importer.load(bytes: $0, key: $1, name: $2, options: $3, resolve: $4)
        }
        let scene = try SceneLoader.load(
            files: SceneFiles(scenePath: dir.appendingPathComponent("scene.yaml").path, libraryRoots: []),
            assets: standIn)
        XCTAssertEqual(scene.bundle.files.keys.sorted(), ["models/light.glb", "scene.yaml"])
        let again = try SceneLoader.load(files: SceneFiles(bundle: scene.bundle), assets: standIn)
        XCTAssertEqual(try again.frame(0), try scene.frame(0), "loads from its bundle alone")
        // Text alone is a bundle of one file: the asset is not in it.
        XCTAssertThrowsError(try SceneLoader.load(yaml: Self.header + body, file: "scene.yaml")) { error in
            let issues = (error as? SceneLoadError)?.issues ?? []
            XCTAssertEqual(issues.count, 1)
            XCTAssertEqual(issues.first?.path, "assets.a.file")
            XCTAssertTrue(issues.first?.message.contains("is not in the scene bundle") == true, "\(issues)")
        }
    }
}

/// The 1-based line and column (in Unicode scalars) where `needle` first occurs in `text`.
func position(of needle: String, in text: String) -> (Int, Int) {
    guard let r = text.range(of: needle) else { return (0, 0) }
    let before = text[..<r.lowerBound]
    let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    let lastLine = before.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
    return (line, lastLine.unicodeScalars.count + 1)
}

extension Vec3 {
    init(repeating v: Double) { self.init(v, v, v) }
}

import AssetLibrary
import Foundation
import SceneCore
import XCTest

/// The writer on small hand-made assets: axes, classes, shared meshes, wide indices.
final class GLBWriterTests: XCTestCase {
    func part(_ name: String, _ shape: MeshBuilder, at p: Vec3 = .zero, class c: String? = nil) -> LibraryPart {
        LibraryPart(
            name: name, position: p, mesh: shape.mesh, material: Material(baseColor: Vec3(0.5, 0.25, 1), name: "m"),
            semanticClass: c)
    }

    func testAxesClassesAndTranslationsSurviveTheRoundTrip() throws {
        // A tall thin post at x = 2 and a long low slab at x = -2. The footprint spans x from -3 to 2.1,
        // so centring moves both by +0.45: the post's node is at (2.45, 0, 0) in SceneFarm axes, which
        // glTF writes as [0, 0, 2.45].
        let asset = LibraryAsset(
            name: "probe", category: .robotics, defaultClass: "thing",
            parts: [
                part("post", .box(Vec3(0.2, 0.2, 3)), at: Vec3(2, 0, 0), class: "pole"),
                part("slab", .box(Vec3(2, 1, 0.1)), at: Vec3(-2, 0, 0), class: "thing"),
            ], supportHeights: [0.1])
        let glb = try GLBChecker.check(GLBWriter.encode(asset), file: "probe.glb")
        let nodes = try XCTUnwrap(glb.json["nodes"] as? [[String: Any]])
        let t = try XCTUnwrap(nodes[0]["translation"] as? [Double])
        XCTAssertEqual(t[0], 0)
        XCTAssertEqual(t[1], 0)
        XCTAssertEqual(t[2], 2.45, accuracy: 1e-4)
        let post = try XCTUnwrap(glb.node("post")), slab = try XCTUnwrap(glb.node("slab"))
        XCTAssertEqual(post.positions.map(\.z).max(), 3, "Z up in SceneFarm is Y up in glTF")
        XCTAssertEqual(slab.positions.map(\.x).max(), 1, "the slab is long along X")
        XCTAssertEqual(slab.positions.map(\.y).max(), 0.5)
        XCTAssertEqual(post.classHint, "pole")
        XCTAssertNil(slab.classHint, "a part of the default class carries no class of its own")
        XCTAssertEqual(glb.sceneClass, "thing")
        XCTAssertEqual(glb.support.count, 1)
        XCTAssertEqual(glb.support.first ?? 0, 0.1, accuracy: 1e-4)
        let materials = try XCTUnwrap(glb.json["materials"] as? [[String: Any]])
        XCTAssertEqual(materials.count, 1, "equal materials are written once")
    }

    func testEqualPartsShareAMesh() throws {
        let wheel = MeshBuilder.cylinder(radius: 0.3, height: 0.2, segments: 12)
        let asset = LibraryAsset(
            name: "cart", category: .driving, defaultClass: "cart",
            parts: [
                part("a", wheel, at: Vec3(1, 0, 0)), part("b", wheel, at: Vec3(-1, 0, 0)),
                part("c", .box(Vec3(1, 1, 1))),
            ])
        let glb = try GLBChecker.check(GLBWriter.encode(asset), file: "cart.glb")
        XCTAssertEqual((glb.json["meshes"] as? [Any])?.count, 2)
        XCTAssertEqual(glb.nodes.count, 3)
    }

    func testLargeMeshesUseUnsignedIntIndices() throws {
        let big = MeshBuilder.sphere(radius: 1, segments: 400, rings: 200)
        XCTAssertGreaterThan(big.mesh.vertexCount, 65535)
        let asset = LibraryAsset(name: "ball", category: .robotics, defaultClass: "ball", parts: [part("ball", big)])
        let glb = try GLBChecker.check(GLBWriter.encode(asset), file: "ball.glb")
        let accessors = try XCTUnwrap(glb.json["accessors"] as? [[String: Any]])
        XCTAssertEqual(accessors.last?["componentType"] as? Int, 5125)
        XCTAssertEqual(glb.nodes[0].indices.max(), glb.nodes[0].positions.count - 1)
    }

    func testHeaderAndChunksAreLaidOutAsTheSpecSays() throws {
        let asset = LibraryAsset(
            name: "cube", category: .robotics, defaultClass: "box", parts: [part("cube", .box(Vec3(1, 1, 1)))])
        let bytes = GLBWriter.encode(asset)
        XCTAssertEqual(Array(bytes[0..<4]), Array("glTF".utf8))
        XCTAssertEqual(Array(bytes[16..<20]), Array("JSON".utf8))
        XCTAssertEqual(bytes.count % 4, 0)
        let text = String(decoding: bytes[20..<(20 + Int(bytes[12]) + Int(bytes[13]) << 8)], as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"asset":{"generator":"#), text)
        XCTAssertTrue(
            text.contains(#""scenes":[{"name":"cube","nodes":[0],"extras":{"scenefarm_class":"box"}}]"#), text)
        XCTAssertEqual(GLBWriter.encode(asset), bytes)
    }
}

import Foundation
import XCTest

@testable import SceneCore

final class AssetImportOBJTests: XCTestCase {
    let mtl = """
        # two materials
        newmtl paint
        Kd 0.8 0.1 0.1
        Ns 250
        Ka 1 1 1
        illum 2
        map_Kd -s 1 1 1 -bm 0.5 tex/paint.png

        newmtl glass
        Kd 0.2 0.3 0.4
        Pr 0.1
        Pm 0.5
        """

    /// Lines (CRLF) of a model with two groups, a group split by material, a quad, a pentagon,
    /// negative indices, every face-vertex form, comments and a continued line.
    let obj = [
        "# a test model",  // 1
        "mtllib materials/car.mtl",  // 2
        "o body",  // 3
        "v 0 0 0", "v 1 0 0", "v 1 1 0", "v 0 1 0", "v 0.5 1.5 0",  // 4-8
        "vt 0 0", "vt 1 0", "vt 1 1", "vt 0 1",  // 9-12
        "vn 0 0 1",  // 13
        "usemtl paint",  // 14
        "f 1/1/1 2/2/1 3/3/1 4/4/1   # a quad",  // 15
        "f -5/1/1 -3/3/1 -1/4/1",  // 16: vertices 1, 3, 5
        "usemtl glass",  // 17
        "f 4//1 3//1 \\",  // 18, continued
        "  5//1",  // 19
        "g wheel",  // 20
        "s off",  // 21
        "v 0 0 2", "v 1 0 2", "v 1.5 0.5 2", "v 1 1 2", "v 0 1 2",  // 22-26
        "f 6 7 8 9 10",  // 27: a pentagon, no normals: flat
        "g body",  // 28
        "usemtl paint",  // 29
        "f 3/3 2/2 5/4",  // 30: continues body_paint, no normal: flat
    ].joined(separator: "\r\n")

    func load(
        _ obj: String, key: String = "models/car.obj", files: [String: [UInt8]] = [:],
        options: AssetImportOptions = .init()
    )
        throws -> Asset
    {
        try importAsset(Array(obj.utf8), key: key, files: files, options: options)
    }

    var files: [String: [UInt8]] {
        ["models/materials/car.mtl": Array(mtl.utf8), "models/materials/tex/paint.png": pngBytes]
    }

    func testGroupsMaterialsQuadsAndNegativeIndices() throws {
        let asset = try load(obj, files: files)
        XCTAssertEqual(asset.source, "models/car.obj")
        XCTAssertNil(asset.defaultClass)
        XCTAssertEqual(asset.parts.map(\.name), ["body_paint", "body_glass", "wheel"])
        XCTAssertEqual(
            asset.parts.map(\.mesh.key),
            ["models/car.obj#body_paint", "models/car.obj#body_glass", "models/car.obj#wheel"])
        XCTAssertEqual(asset.parts.map(\.mesh.mesh.triangleCount), [4, 1, 3])

        // body_paint: the quad's 4 corners, then the negative-index face shares two of them and adds
        // vertex 5; the last face (no normals, flat) gets 3 vertices of its own.
        let paint = asset.parts[0].mesh.mesh
        XCTAssertEqual(paint.vertexCount, 8)
        XCTAssertEqual(Array(paint.indices.prefix(9)), [0, 1, 2, 0, 2, 3, 0, 2, 4])
        assertClose(paint.position(4), Vec3(0.5, 1.5, 0))
        // Texture coordinates flipped to a top-left origin: vt (1, 1) -> (1, 0), vt (0, 1) -> (0, 0).
        XCTAssertEqual(paint.uvs.count, 16)
        XCTAssertEqual(paint.uv(2).0, 1)
        XCTAssertEqual(paint.uv(2).1, 0)
        XCTAssertEqual(paint.uv(4).1, 0)
        XCTAssertEqual(paint.uv(0).1, 1)
        for v in 0..<5 { assertClose(paint.normal(v), Vec3(0, 0, 1)) }
        // Face 3-2-5 winds clockwise seen from +Z: its flat normal is -Z.
        for v in 5..<8 { assertClose(paint.normal(v), Vec3(0, 0, -1)) }

        let glass = asset.parts[1].mesh.mesh
        XCTAssertEqual(glass.indices, [0, 1, 2])
        XCTAssertTrue(glass.uvs.isEmpty)
        assertClose(glass.position(2), Vec3(0.5, 1.5, 0))

        // The pentagon, fan-triangulated, flat normal +Z; usemtl glass carries over into the group.
        let wheel = asset.parts[2].mesh.mesh
        XCTAssertEqual(wheel.vertexCount, 5)
        XCTAssertEqual(wheel.indices, [0, 1, 2, 0, 2, 3, 0, 3, 4])
        for v in 0..<5 { assertClose(wheel.normal(v), Vec3(0, 0, 1)) }

        // Materials: Kd linear, Ns 250 -> roughness 1 - sqrt(0.25), Pr/Pm, map_Kd relative to the MTL.
        let m0 = asset.parts[0].material, m1 = asset.parts[1].material
        XCTAssertEqual(m0.name, "paint")
        XCTAssertEqual(m0.baseColor, RGB(0.8, 0.1, 0.1))
        XCTAssertEqual(m0.roughness, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m0.metallic, 0)
        XCTAssertEqual(m0.baseColorTexture?.key, "models/car.obj#materials/tex/paint.png")
        XCTAssertEqual(m0.baseColorTexture?.bytes, pngBytes)
        XCTAssertEqual(m0.baseColorTexture?.format, .png)
        XCTAssertEqual(m1.name, "glass")
        XCTAssertEqual(m1.baseColor, RGB(0.2, 0.3, 0.4))
        XCTAssertEqual(m1.roughness, 0.1)
        XCTAssertEqual(m1.metallic, 0.5)
        XCTAssertNil(m1.baseColorTexture)
        XCTAssertEqual(asset.parts[2].material, m1)

        // Y-up by default, converted like glTF: file (x, y, z) -> SceneFarm (z, x, y).
        for part in asset.parts {
            assertClose(part.assetFromPart.transformPoint(Vec3(1, 2, 3)), Vec3(3, 1, 2))
        }
        let zUp = try load(obj, files: files, options: .init(unitScale: 0.01, upAxis: .z))
        assertClose(zUp.parts[0].assetFromPart.transformPoint(Vec3(1, 2, 3)), Vec3(0.01, 0.02, 0.03))
    }

    /// Vertices without normals take them from their smoothing group: averaged across the faces of
    /// group `s 1`, flat with `s off`.
    func testSmoothingGroups() throws {
        func roof(_ smoothing: String) -> String {
            """
            v 0 0 0
            v 1 0 0
            v 1 1 1
            v 0 1 1
            v 1 2 0
            v 0 2 0
            s \(smoothing)
            f 1 2 3 4
            f 4 3 5 6
            """
        }
        let s = 0.5.squareRoot()
        let smooth = try load(roof("1")).parts[0].mesh.mesh
        XCTAssertEqual(smooth.vertexCount, 6, "corners on the ridge are shared")
        XCTAssertEqual(smooth.triangleCount, 4)
        assertClose(smooth.normal(0), Vec3(0, -s, s))
        assertClose(smooth.normal(2), Vec3(0, 0, 1))
        assertClose(smooth.normal(3), Vec3(0, 0, 1))
        assertClose(smooth.normal(4), Vec3(0, s, s))
        let flat = try load(roof("off")).parts[0].mesh.mesh
        XCTAssertEqual(flat.vertexCount, 8)
        for v in 0..<4 { assertClose(flat.normal(v), Vec3(0, -s, s)) }
        for v in 4..<8 { assertClose(flat.normal(v), Vec3(0, s, s)) }
        XCTAssertEqual(flat.indices, [0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7])
    }

    func testDefaultsWithoutMaterials() throws {
        let asset = try load("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", key: "plain.obj")
        XCTAssertEqual(asset.parts.map(\.name), ["default"])
        XCTAssertEqual(asset.parts[0].material, Material.plain(RGB(0.8, 0.8, 0.8)))
        // MTL defaults: no Kd -> 0.8 grey (white under a texture), no Ns -> roughness 0.6.
        let lib = "newmtl a\nnewmtl b\nmap_Kd t.jpg\n"
        let textured = try load(
            "mtllib m.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nusemtl a\nf 1 2 3\nusemtl b\nf 1/1 2/1 3/1\n",
            key: "d.obj",
            files: ["m.mtl": Array(lib.utf8), "t.jpg": jpegBytes])
        XCTAssertEqual(textured.parts.map(\.name), ["default_a", "default_b"])
        XCTAssertEqual(textured.parts[0].material, Material(baseColor: RGB(0.8, 0.8, 0.8), roughness: 0.6, name: "a"))
        XCTAssertEqual(textured.parts[1].material.baseColor, RGB(1, 1, 1))
        XCTAssertEqual(textured.parts[1].material.baseColorTexture?.format, .jpeg)
    }

    func testErrorsNameTheLine() {
        let quad = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"
        assertImportError(
            Array("mtllib nope.mtl\n".utf8), key: "a.obj", element: "line 1", "mtllib: cannot read `nope.mtl`",
            "not in the scene bundle")
        assertImportError(
            Array("mtllib ../up.mtl\n".utf8), key: "a.obj", element: "line 1", "leaves the scene's directory")
        assertImportError(Array("mtllib /etc/x.mtl\n".utf8), key: "a.obj", element: "line 1", "not a relative path")
        assertImportError(
            Array((quad + "f 1 2 9\n").utf8), key: "a.obj", element: "line 5",
            "vertex index 9 refers to a missing vertex (4 defined so far)")
        assertImportError(
            Array((quad + "f -5 1 2\n").utf8), key: "a.obj", element: "line 5",
            "vertex index -5 refers to a missing vertex")
        assertImportError(
            Array((quad + "f 0 1 2\n").utf8), key: "a.obj", element: "line 5", "`0` is not a valid vertex index")
        assertImportError(
            Array((quad + "f 1/3 2/3 3/3\n").utf8), key: "a.obj", element: "line 5",
            "texture coordinate index 3 refers to a missing texture coordinate (0 defined so far)")
        assertImportError(
            Array((quad + "f 1//1 2//1 3//1\n").utf8), key: "a.obj", element: "line 5",
            "normal index 1 refers to a missing normal")
        assertImportError(
            Array((quad + "f 1/2/3/4 2 3\n").utf8), key: "a.obj", element: "line 5", "is not v, v/vt, v//vn or v/vt/vn")
        assertImportError(Array((quad + "f 1/ 2 3\n").utf8), key: "a.obj", element: "line 5", "is not v, v/vt")
        assertImportError(
            Array((quad + "f 1 2\n").utf8), key: "a.obj", element: "line 5", "at least 3 vertices, found 2")
        // A continued line is reported at the line it starts on.
        assertImportError(Array((quad + "f 1 2 \\\r\n 7\r\n").utf8), key: "a.obj", element: "line 5", "vertex index 7")
        assertImportError(
            Array((quad + "usemtl red\n").utf8), key: "a.obj", element: "line 5",
            "usemtl `red`: no mtllib was given before it")
        assertImportError(
            Array(("mtllib materials/car.mtl\n" + quad + "usemtl red\n").utf8), key: "models/a.obj", files: files,
            element: "line 6", "usemtl `red`: no such material in materials/car.mtl")
        assertImportError(Array("v 1 2\n".utf8), key: "a.obj", element: "line 1", "v needs x y z")
        assertImportError(
            Array("\n\nv nan 0 0\n".utf8), key: "a.obj", element: "line 3", "`nan` is not a finite number")
        assertImportError(
            Array("v 1e999 0 0\n".utf8), key: "a.obj", element: "line 1", "`1e999` is not a finite number")
        // Finite as a Double, infinite as the mesh's Float.
        assertImportError(Array("v 0 1e39 0\n".utf8), key: "a.obj", element: "line 1", "`1e39` is not a finite number")
        assertImportError(Array("foo 1 2\n".utf8), key: "a.obj", element: "line 1", "unknown statement `foo`")
        assertImportError(Array("cstype bspline\n".utf8), key: "a.obj", element: "line 1", "free-form")
        assertImportError(Array("s maybe\n".utf8), key: "a.obj", element: "line 1", "`off`")
        assertImportError(Array((quad + "l 1 2\n# only lines\n").utf8), key: "a.obj", element: "", "no faces")
        // A textured material needs texture coordinates.
        assertImportError(
            Array(("mtllib materials/car.mtl\n" + quad + "usemtl paint\nf 1 2 3\n").utf8), key: "models/a.obj",
            files: files, element: "line 6", "map_Kd texture", "no texture coordinates (vt)")
    }

    func testMTLErrorsNameTheLibraryAndLine() {
        let obj = Array("mtllib lib/m.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".utf8)
        func lib(_ text: String, _ extra: [String: [UInt8]] = [:]) -> [String: [UInt8]] {
            extra.merging(["lib/m.mtl": Array(text.utf8)]) { a, _ in a }
        }
        assertImportError(
            obj, key: "a.obj", files: lib("Kd 1 1 1\n"), element: "lib/m.mtl line 1", "Kd before any newmtl")
        assertImportError(
            obj, key: "a.obj", files: lib("newmtl x\nKd 1.5 0 0\n"), element: "lib/m.mtl line 2", "1.5 is outside 0...1"
        )
        assertImportError(
            obj, key: "a.obj", files: lib("newmtl x\nKd spectral file.rfl\n"), element: "lib/m.mtl line 2", "spectral")
        assertImportError(
            obj, key: "a.obj", files: lib("newmtl x\nNs\n"), element: "lib/m.mtl line 2", "Ns needs one number")
        assertImportError(
            obj, key: "a.obj", files: lib("newmtl x\nmap_Kd t.gif\n", ["lib/t.gif": Array("GIF89a".utf8)]),
            element: "lib/m.mtl line 2", "`lib/t.gif` is not a PNG or JPEG image")
        assertImportError(
            obj, key: "a.obj", files: lib("newmtl x\n\nmap_Kd missing.png\n"), element: "lib/m.mtl line 3",
            "map_Kd: cannot read `lib/missing.png`")
        assertImportError(
            obj, key: "a.obj", files: lib("newmtl x\nmap_Kd -s 1 1\n"), element: "lib/m.mtl line 2",
            "needs a relative image file name")
    }
}

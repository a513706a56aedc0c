import Foundation
import XCTest

@testable import SceneCore

final class AssetImportGLTFTests: XCTestCase {
    /// The same triangle read from .gltf + .bin, .glb and both kinds of embedded base64.
    func testGLTFWithBinGLBAndEmbeddedBuffersAgree() throws {
        let b = GLTFBuilder.triangle()
        let external = try importAsset(
            b.jsonBytes(bufferURI: "data/tri%20angle.bin"), key: "models/tri.gltf",
            files: ["models/data/tri angle.bin": b.bin])
        let binary = try importAsset(b.glb(), key: "tri.glb")
        let octet = try importAsset(b.embedded(), key: "a.gltf")
        let gltfBuffer = try importAsset(b.embedded(mediaType: "application/gltf-buffer"), key: "b.gltf")

        XCTAssertEqual(external.name, "test")
        XCTAssertEqual(external.source, "models/tri.gltf")
        XCTAssertEqual(external.parts.count, 1)
        let part = external.parts[0]
        XCTAssertEqual(part.name, "body")
        XCTAssertEqual(part.mesh.key, "models/tri.gltf#meshes[0].primitives[0]")
        XCTAssertEqual(part.mesh.mesh.positions, [0, 0, 0, 1, 0, 0, 0, 1, 0])
        XCTAssertEqual(part.mesh.mesh.normals, [0, 0, 1, 0, 0, 1, 0, 0, 1])
        XCTAssertEqual(part.mesh.mesh.uvs, [0, 0, 1, 0, 0, 1])
        XCTAssertEqual(part.mesh.mesh.indices, [0, 1, 2])
        XCTAssertNil(part.classHint)
        for other in [binary, octet, gltfBuffer] {
            XCTAssertEqual(other.parts.map(\.mesh.mesh), external.parts.map(\.mesh.mesh))
            XCTAssertEqual(other.parts.map(\.assetFromPart), external.parts.map(\.assetFromPart))
        }
    }

    /// glTF (x left, y up, z forward) becomes SceneFarm (x forward, y left, z up); unit scale applies;
    /// a Z-up file only scales.
    func testAxisAndUnitConversion() throws {
        let b = GLTFBuilder.triangle()
        let metres = try importAsset(b.glb(), key: "a.glb").parts[0].assetFromPart
        // glTF +X (left) -> SceneFarm +Y, +Y (up) -> +Z, +Z (forward) -> +X.
        assertClose(metres.transformPoint(Vec3(1, 0, 0)), Vec3(0, 1, 0))
        assertClose(metres.transformPoint(Vec3(0, 1, 0)), Vec3(0, 0, 1))
        assertClose(metres.transformPoint(Vec3(0, 0, 1)), Vec3(1, 0, 0))
        let centimetres = try importAsset(b.glb(), key: "a.glb", options: .init(unitScale: 0.01)).parts[0]
        assertClose(centimetres.assetFromPart.transformPoint(Vec3(1, 2, 3)), Vec3(0.03, 0.01, 0.02))
        let zUp = try importAsset(b.glb(), key: "a.glb", options: .init(unitScale: 2, upAxis: .z)).parts[0]
        assertClose(zUp.assetFromPart.transformPoint(Vec3(1, 2, 3)), Vec3(2, 4, 6))
        // The conversion keeps handedness: the triangle's +Z (glTF forward) normal becomes +X.
        let n = centimetres.assetFromPart.transformDirection(Vec3(0, 0, 1)).normalized
        assertClose(n, Vec3(1, 0, 0))
    }

    /// A vertex of a child node lands where the analytic transform puts it: parent TRS (quaternion)
    /// then child matrix, then the axis conversion.
    func testNodeHierarchyWithTRSAndMatrix() throws {
        var b = GLTFBuilder.triangle()
        let s = 0.5.squareRoot()
        b["nodes"] = [
            // Parent: translate (1, 2, 3), rotate +90° about Y, scale 2.
            [
                "name": "parent", "translation": [1, 2, 3], "rotation": [0, s, 0, s], "scale": [2, 2, 2],
                "children": [1],
            ],
            // Child: a column-major matrix translating by (0, 0, 5), with the mesh.
            ["name": "child", "mesh": 0, "matrix": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 5, 1]],
        ]
        b["scenes"] = [["nodes": [0]]]
        let part = try importAsset(b.glb(), key: "h.glb").parts[0]
        XCTAssertEqual(part.name, "child")
        // Mesh vertex (1, 0, 0): child -> (1, 0, 5); scale -> (2, 0, 10); +90° about Y maps (x, y, z)
        // to (z, y, -x) -> (10, 0, -2); translate -> (11, 2, 1). In SceneFarm axes (z, x, y): (1, 11, 2).
        assertClose(part.assetFromPart.transformPoint(part.mesh.mesh.position(1)), Vec3(1, 11, 2))
        // Vertex (0, 0, 0): (0, 0, 5) -> (0, 0, 10) -> (10, 0, 0) -> (11, 2, 3) -> (3, 11, 2).
        assertClose(part.assetFromPart.transformPoint(part.mesh.mesh.position(0)), Vec3(3, 11, 2))
    }

    func testSceneChoice() throws {
        var b = GLTFBuilder.triangle()
        b["nodes"] = [["name": "a", "mesh": 0], ["name": "b", "mesh": 0], ["name": "c", "mesh": 0, "children": [0]]]
        b["scenes"] = [["nodes": [0]], ["nodes": [1, 2]]]
        b["scene"] = 1
        XCTAssertEqual(try importAsset(b.glb(), key: "s.glb").parts.map(\.name), ["b", "c", "a"])
        b["scene"] = nil
        XCTAssertEqual(try importAsset(b.glb(), key: "s.glb").parts.map(\.name), ["a"])
        // No scenes at all: every root node, in file order, children after their parent.
        b["scenes"] = nil
        XCTAssertEqual(try importAsset(b.glb(), key: "s.glb").parts.map(\.name), ["b", "c", "a"])
    }

    /// Identical primitives instanced by several nodes share one MeshRef; names are made unique and
    /// fall back to the mesh name, then "node<i>".
    func testInstancingAndPartNames() throws {
        var b = GLTFBuilder.triangle()
        b["meshes"] = [
            [
                "name": "tri",
                "primitives": [
                    ["attributes": ["POSITION": 0, "NORMAL": 1], "indices": 3],
                    ["attributes": ["POSITION": 0], "indices": 3],
                ],
            ],
            ["primitives": [["attributes": ["POSITION": 0, "NORMAL": 1]]]],
        ]
        b["nodes"] = [
            ["name": "wheel", "mesh": 0, "translation": [1, 0, 0]],
            ["name": "wheel", "mesh": 0, "translation": [-1, 0, 0]],
            ["mesh": 0],
            ["mesh": 1],
            ["name": "wheel_1"],
        ]
        b["scenes"] = [["nodes": [0, 1, 2, 3, 4]]]
        let asset = try importAsset(b.glb(), key: "car.glb")
        XCTAssertEqual(
            asset.parts.map(\.name), ["wheel", "wheel_1", "wheel_2", "wheel_3", "tri", "tri_1", "node3"])
        XCTAssertTrue(asset.parts[0].mesh === asset.parts[2].mesh)
        XCTAssertTrue(asset.parts[0].mesh === asset.parts[4].mesh)
        XCTAssertTrue(asset.parts[1].mesh === asset.parts[3].mesh)
        XCTAssertFalse(asset.parts[0].mesh === asset.parts[1].mesh)
        XCTAssertEqual(asset.parts[1].mesh.key, "car.glb#meshes[0].primitives[1]")
        XCTAssertEqual(asset.parts[6].mesh.key, "car.glb#meshes[1].primitives[0]")
        assertClose(asset.parts[0].assetFromPart.translation, Vec3(0, 1, 0))
        assertClose(asset.parts[2].assetFromPart.translation, Vec3(0, -1, 0))
    }

    func testPartNamerSkipsNamesTaken() {
        var namer = PartNamer()
        XCTAssertEqual(
            ["wheel_1", "wheel", "wheel", "wheel", "wheel_2"].map { namer.unique($0) },
            ["wheel_1", "wheel", "wheel_2", "wheel_3", "wheel_2_1"])
    }

    /// Every component type: BYTE/UBYTE/SHORT/USHORT positions plain and normalized, normalized
    /// UBYTE/USHORT texture coordinates, UBYTE/USHORT/UINT indices.
    func testEveryComponentType() throws {
        var b = GLTFBuilder()
        // Three vertices per accessor; four bytes per element where it needs padding for alignment.
        let bytePositions: [Int8] = [-128, 0, 127, 64, -64, 0, 1, 2, 3]
        let shortPositions: [Int16] = [-32768, 0, 32767, 16384, -16384, 0, 1, 2, 3]
        let ubyte = b.accessor(
            view: b.view(bytePositions.map { UInt8(bitPattern: $0) } + [0, 0, 0]), componentType: 5121, type: "VEC3",
            count: 3)
        let byteNormalized = b.accessor(
            view: b.view(bytePositions.map { UInt8(bitPattern: $0) }), componentType: 5120, type: "VEC3", count: 3,
            normalized: true)
        let byte = b.accessor(
            view: b.view(bytePositions.map { UInt8(bitPattern: $0) }), componentType: 5120, type: "VEC3", count: 3)
        let short = b.accessor(
            view: b.view(shortPositions.flatMap { littleEndian($0) }), componentType: 5122, type: "VEC3", count: 3,
            normalized: true)
        let ushort = b.accessor(
            view: b.view(shortPositions.flatMap { littleEndian(UInt16(bitPattern: $0)) }), componentType: 5123,
            type: "VEC3", count: 3)
        let uvUbyte = b.accessor(
            view: b.view([0, 51, 255, 102, 0, 0]), componentType: 5121, type: "VEC2", count: 3, normalized: true)
        let uvUshort = b.accessor(
            view: b.view([0, 65535, 13107, 32768, 65535, 0].flatMap { littleEndian(UInt16($0)) }),
            componentType: 5123, type: "VEC2", count: 3, normalized: true)
        let iUbyte = b.accessor(view: b.view([2, 1, 0]), componentType: 5121, type: "SCALAR", count: 3)
        let iUshort = b.accessor(
            view: b.view([1, 2, 0].flatMap { littleEndian(UInt16($0)) }), componentType: 5123, type: "SCALAR", count: 3)
        let iUint = b.accessor(
            view: b.view([0, 2, 1].flatMap { littleEndian(UInt32($0)) }), componentType: 5125, type: "SCALAR", count: 3)
        func prim(_ p: Int, _ i: Int, uv: Int? = nil) -> [String: Any] {
            var attributes: [String: Any] = ["POSITION": p]
            if let uv { attributes["TEXCOORD_0"] = uv }
            return ["attributes": attributes, "indices": i]
        }
        b["meshes"] = [
            [
                "primitives": [
                    prim(ubyte, iUbyte, uv: uvUbyte), prim(byteNormalized, iUshort, uv: uvUshort), prim(byte, iUint),
                    prim(short, iUbyte), prim(ushort, iUbyte),
                ]
            ]
        ]
        b["nodes"] = [["mesh": 0]]
        b["extensionsUsed"] = ["KHR_mesh_quantization"]
        b["extensionsRequired"] = ["KHR_mesh_quantization"]
        let meshes = try importAsset(b.glb(), key: "q.glb").parts.map(\.mesh.mesh)
        XCTAssertEqual(meshes.count, 5)

        // No normals given: flat shading expands to three vertices per triangle, in index order.
        XCTAssertEqual(meshes[0].indices, [0, 1, 2])
        XCTAssertEqual(meshes[0].positions, [1, 2, 3, 64, 192, 0, 128, 0, 127])
        XCTAssertEqual(meshes[0].uvs, [0, 0, 1, 0.4, 0, 0.2])
        // Signed normalized: c / 127 (c / 32767), the most negative value clamped to -1.
        let byteScaled: [Float] = [64, -64, 0, 1, 2, 3].map { $0 / 127 }
        XCTAssertEqual(meshes[1].positions, byteScaled + [-1, 0, 1])
        let u = meshes[1].uvs
        XCTAssertEqual(u.count, 6)
        let half: Float = 32768 / 65535
        for (value, expected) in zip(u, [0.2, half, 1, 0, 0, 1] as [Float]) {
            XCTAssertEqual(value, expected, accuracy: 1e-7)
        }
        XCTAssertEqual(meshes[2].positions, [-128, 0, 127, 1, 2, 3, 64, -64, 0])
        let shortScaled: [Float] = [1, 2, 3, 16384, -16384, 0].map { $0 / 32767 }
        XCTAssertEqual(meshes[3].positions, shortScaled + [-1, 0, 1])
        XCTAssertEqual(meshes[4].positions, [1, 2, 3, 16384, 49152, 0, 32768, 0, 32767])
    }

    /// One buffer view interleaving position, normal and uv (32-byte stride), accessors at offsets.
    func testInterleavedStridedBuffer() throws {
        var b = GLTFBuilder()
        var interleaved: [Float] = []
        let positions: [[Float]] = [[0, 0, 0], [2, 0, 0], [0, 2, 0], [2, 2, 0]]
        for (k, p) in positions.enumerated() {
            interleaved += p + [0, 0, 1] + [Float(k) / 4, 1 - Float(k) / 4]
        }
        let v = b.view(littleEndian(interleaved), stride: 32)
        let p = b.accessor(view: v, componentType: 5126, type: "VEC3", count: 4)
        let n = b.accessor(view: v, componentType: 5126, type: "VEC3", count: 4, byteOffset: 12)
        let t = b.accessor(view: v, componentType: 5126, type: "VEC2", count: 4, byteOffset: 24)
        let i = b.indices16([0, 1, 2, 2, 1, 3])
        b["meshes"] = [["primitives": [["attributes": ["POSITION": p, "NORMAL": n, "TEXCOORD_0": t], "indices": i]]]]
        b["nodes"] = [["mesh": 0]]
        let mesh = try importAsset(b.glb(), key: "i.glb").parts[0].mesh.mesh
        XCTAssertEqual(mesh.positions, positions.flatMap { $0 })
        XCTAssertEqual(mesh.normals, Array([[Float]](repeating: [0, 0, 1], count: 4).joined()))
        XCTAssertEqual(mesh.uvs, [0, 1, 0.25, 0.75, 0.5, 0.5, 0.75, 0.25])
        XCTAssertEqual(mesh.indices, [0, 1, 2, 2, 1, 3])
    }

    /// Strips and fans become triangle lists that keep the first triangle's winding.
    func testTriangleStripAndFan() throws {
        var b = GLTFBuilder()
        // A planar strip zig-zagging along +X and a fan around the origin, all in the XY plane.
        let strip = b.floats([0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 2, 0, 0], type: "VEC3")
        let fan = b.floats([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, -1, 1, 0], type: "VEC3")
        b["meshes"] = [
            [
                "primitives": [
                    ["attributes": ["POSITION": strip], "mode": 5],
                    ["attributes": ["POSITION": fan], "mode": 6],
                ]
            ]
        ]
        b["nodes"] = [["mesh": 0, "name": "m"]]
        let parts = try importAsset(b.glb(), key: "sf.glb").parts
        let stripMesh = parts[0].mesh.mesh, fanMesh = parts[1].mesh.mesh
        XCTAssertEqual(stripMesh.triangleCount, 3)
        XCTAssertEqual(fanMesh.triangleCount, 3)
        // Flat normals, one per triangle corner; the strip's first triangle (0,0)-(0,1)-(1,0) faces -Z,
        // and every other triangle must face the same way.
        for (mesh, expected) in [(stripMesh, Vec3(0, 0, -1)), (fanMesh, Vec3(0, 0, 1))] {
            XCTAssertEqual(mesh.vertexCount, 9)
            for t in 0..<mesh.triangleCount {
                let a = mesh.position(3 * t), b = mesh.position(3 * t + 1), c = mesh.position(3 * t + 2)
                assertClose((b - a).cross(c - a).normalized, expected)
                for k in 0..<3 { assertClose(mesh.normal(3 * t + k), expected) }
            }
        }
        // Fan triangle i is (v[i+1], v[i+2], v[0]): the last one is (0,1)-(-1,1)-(0,0).
        assertClose(fanMesh.position(6), Vec3(0, 1, 0))
        assertClose(fanMesh.position(7), Vec3(-1, 1, 0))
        assertClose(fanMesh.position(8), .zero)
        // Strip triangle 1 is (v1, v3, v2): (0,1)-(1,1)-(1,0).
        assertClose(stripMesh.position(3), Vec3(0, 1, 0))
        assertClose(stripMesh.position(4), Vec3(1, 1, 0))
        assertClose(stripMesh.position(5), Vec3(1, 0, 0))
    }

    /// Without NORMAL, glTF asks for flat normals: each triangle gets its own, agreeing with its winding.
    func testMissingNormalsAreFlatAndAgreeWithWinding() throws {
        var b = GLTFBuilder()
        // A zig-zag of two creased quads along X, each split into two triangles.
        let p = b.floats([0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 2, 1, 0, 2], type: "VEC3")
        let uv = b.floats([0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0], type: "VEC2")
        let i = b.indices16([0, 1, 2, 2, 1, 3, 2, 3, 4, 4, 3, 5])
        b["meshes"] = [["primitives": [["attributes": ["POSITION": p, "TEXCOORD_0": uv], "indices": i]]]]
        b["nodes"] = [["mesh": 0]]
        let mesh = try importAsset(b.glb(), key: "t.glb").parts[0].mesh.mesh
        XCTAssertEqual(mesh.vertexCount, 12)
        XCTAssertEqual(mesh.uvs.count, 24)
        XCTAssertEqual(mesh.indices, (0..<12).map { UInt32($0) })
        let s = 0.5.squareRoot()
        let expected = [Vec3(0, -s, s), Vec3(0, -s, s), Vec3(0, -s, -s), Vec3(0, -s, -s)]
        for t in 0..<4 {
            for k in 0..<3 { assertClose(mesh.normal(3 * t + k), expected[t]) }
        }
        // uvs follow their vertices: corner 2 of triangle 1 is vertex 3.
        XCTAssertEqual(mesh.uv(5).0, 1)
        XCTAssertEqual(mesh.uv(5).1, 1)
    }

    /// A mirrored node keeps its transform (negative determinant); the renderer's normal matrix
    /// (inverse transpose) still turns the mesh's normals outward.
    func testMirroredNodeKeepsOutwardNormals() throws {
        var b = GLTFBuilder()
        // A closed tetrahedron without normals, centred near (0.25, 0.25, 0.25).
        let p = b.floats([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], type: "VEC3")
        let i = b.indices16([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3])
        b["meshes"] = [["primitives": [["attributes": ["POSITION": p], "indices": i]]]]
        b["nodes"] = [["mesh": 0, "name": "plain"], ["mesh": 0, "name": "mirror", "scale": [-1, 1, 1]]]
        let parts = try importAsset(b.glb(), key: "m.glb").parts
        XCTAssertTrue(parts[0].mesh === parts[1].mesh)
        for part in parts {
            let m = part.assetFromPart
            let det =
                m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0])
            XCTAssertEqual(det < 0, part.name == "mirror")
            let nm = m.normalMatrix
            let centre = m.transformPoint(Vec3(0.25, 0.25, 0.25))
            let mesh = part.mesh.mesh
            for v in 0..<mesh.vertexCount {
                let n = mesh.normal(v)
                let world = Vec3(
                    nm[0] * n.x + nm[3] * n.y + nm[6] * n.z, nm[1] * n.x + nm[4] * n.y + nm[7] * n.z,
                    nm[2] * n.x + nm[5] * n.y + nm[8] * n.z)
                XCTAssertGreaterThan(
                    world.dot(m.transformPoint(mesh.position(v)) - centre), 0, "\(part.name) vertex \(v)")
            }
        }
    }

    func testSparseAccessors() throws {
        var b = GLTFBuilder()
        let base = b.view(littleEndian([0, 0, 0, 1, 0, 0, 0, 1, 0] as [Float]))
        let sparseIndices = b.view([1, 2, 0, 0])
        let sparseValues = b.view(littleEndian([5, 0, 0, 0, 5, 0] as [Float]))
        let sparse: [String: Any] = [
            "count": 2, "indices": ["bufferView": sparseIndices, "componentType": 5121],
            "values": ["bufferView": sparseValues],
        ]
        let withBase = b.accessor(view: base, componentType: 5126, type: "VEC3", count: 3, extra: ["sparse": sparse])
        let withoutBase = b.accessor(view: nil, componentType: 5126, type: "VEC3", count: 3, extra: ["sparse": sparse])
        b["meshes"] = [
            ["primitives": [["attributes": ["POSITION": withBase]], ["attributes": ["POSITION": withoutBase]]]]
        ]
        b["nodes"] = [["mesh": 0]]
        let parts = try importAsset(b.glb(), key: "sp.glb").parts
        XCTAssertEqual(parts[0].mesh.mesh.positions, [0, 0, 0, 5, 0, 0, 0, 5, 0])
        XCTAssertEqual(parts[1].mesh.mesh.positions, [0, 0, 0, 5, 0, 0, 0, 5, 0])
    }

    /// Materials: factors as given (linear), textures from a buffer view and from data URIs, kept
    /// encoded, shared between materials that use the same image.
    func testMaterialsAndTextures() throws {
        var b = GLTFBuilder.triangle()
        let pngView = b.view(pngBytes)
        b["images"] = [
            ["bufferView": pngView, "mimeType": "image/png"],
            ["uri": "data:image/jpeg;base64," + Data(jpegBytes).base64EncodedString()],
            ["uri": "tex/wood%20grain.jpg"],
        ]
        b["textures"] = [["source": 0], ["source": 1], ["source": 2], ["source": 0]]
        b["materials"] = [
            [
                "name": "paint",
                "pbrMetallicRoughness": [
                    "baseColorFactor": [0.5, 0.25, 0.125, 1], "metallicFactor": 0.75, "roughnessFactor": 0.2,
                    "baseColorTexture": ["index": 0],
                ],
            ],
            ["name": "decal", "pbrMetallicRoughness": ["baseColorTexture": ["index": 1]]],
            ["pbrMetallicRoughness": ["baseColorTexture": ["index": 2]]],
            ["name": "paint_again", "pbrMetallicRoughness": ["baseColorTexture": ["index": 3]]],
        ]
        let primitive: ([String: Any]) -> [String: Any] = { extra in
            var p: [String: Any] = ["attributes": ["POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2], "indices": 3]
            p.merge(extra) { _, new in new }
            return p
        }
        b["meshes"] = [
            [
                "primitives": [
                    primitive(["material": 0]), primitive(["material": 1]), primitive(["material": 2]),
                    primitive(["material": 3]), primitive([:]),
                ]
            ]
        ]
        let asset = try importAsset(
            b.glb(), key: "lib/box.glb", files: ["lib/tex/wood grain.jpg": jpegBytes + [1, 2, 3]])
        let materials = asset.parts.map(\.material)
        XCTAssertEqual(materials[0].name, "paint")
        XCTAssertEqual(materials[0].baseColor, RGB(0.5, 0.25, 0.125))
        XCTAssertEqual(materials[0].metallic, 0.75)
        XCTAssertEqual(materials[0].roughness, 0.2)
        XCTAssertEqual(materials[0].baseColorTexture?.format, .png)
        XCTAssertEqual(materials[0].baseColorTexture?.bytes, pngBytes)
        XCTAssertEqual(materials[0].baseColorTexture?.key, "lib/box.glb#images[0]")
        XCTAssertEqual(materials[1].baseColor, RGB(1, 1, 1))
        XCTAssertEqual(materials[1].metallic, 1)
        XCTAssertEqual(materials[1].roughness, 1)
        XCTAssertEqual(materials[1].baseColorTexture?.format, .jpeg)
        XCTAssertEqual(materials[1].baseColorTexture?.bytes, jpegBytes)
        XCTAssertEqual(materials[2].baseColorTexture?.bytes, jpegBytes + [1, 2, 3])
        XCTAssertEqual(materials[2].name, "")
        XCTAssertTrue(materials[3].baseColorTexture === materials[0].baseColorTexture)
        // No material: glTF's default (white, metallic 1, roughness 1), no texture.
        XCTAssertEqual(materials[4], Material(baseColor: RGB(1, 1, 1), roughness: 1, metallic: 1))
        XCTAssertEqual(materials[0].finish.texture, materials[0].baseColorTexture)
    }

    /// `extras.scenefarm_class`: the scene's (or a lone root node's) is the asset's default; a node's
    /// applies to its parts and its descendants'.
    func testClassExtras() throws {
        var b = GLTFBuilder.triangle()
        b["nodes"] = [
            ["name": "car", "mesh": 0, "children": [1, 2], "extras": ["scenefarm_class": "car"]],
            ["name": "wheel", "mesh": 0, "children": [3], "extras": ["scenefarm_class": "wheel", "other": 1]],
            ["name": "door", "mesh": 0],
            ["name": "hub", "mesh": 0],
        ]
        b["scenes"] = [["nodes": [0]]]
        var asset = try importAsset(b.glb(), key: "c.glb")
        XCTAssertEqual(asset.defaultClass, "car")
        XCTAssertEqual(asset.parts.map(\.name), ["car", "wheel", "hub", "door"])
        XCTAssertEqual(asset.parts.map(\.classHint), [nil, "wheel", "wheel", nil])

        b["scenes"] = [["nodes": [0], "extras": ["scenefarm_class": "vehicle"]]]
        asset = try importAsset(b.glb(), key: "c.glb")
        XCTAssertEqual(asset.defaultClass, "vehicle")
        XCTAssertEqual(asset.parts.map(\.classHint), ["car", "wheel", "wheel", "car"])

        b["scenes"] = [["nodes": [2, 3]]]
        asset = try importAsset(b.glb(), key: "c.glb")
        XCTAssertNil(asset.defaultClass)
        XCTAssertEqual(asset.parts.map(\.classHint), [nil, nil])
    }
}

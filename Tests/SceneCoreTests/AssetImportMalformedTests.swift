import Foundation
import XCTest

@testable import SceneCore

/// Broken and hostile asset files: each must fail with an AssetImportError naming the file, the
/// element and what is wrong, never crash and never read outside the bytes it was given.
final class AssetImportMalformedTests: XCTestCase {
    /// The valid triangle, changed by `edit`, as a GLB.
    func glb(_ edit: (inout GLTFBuilder) -> Void) -> [UInt8] {
        var b = GLTFBuilder.triangle()
        edit(&b)
        return b.glb()
    }

    /// Overwrites the uint32 at `offset` (little-endian).
    func patch(_ bytes: [UInt8], at offset: Int, _ value: UInt32) -> [UInt8] {
        var out = bytes
        out.replaceSubrange(offset..<offset + 4, with: littleEndian(value))
        return out
    }

    // MARK: - GLB container

    func testGLBContainer() {
        let valid = GLTFBuilder.triangle().glb()
        let jsonLength = Int(valid[12]) | Int(valid[13]) << 8 | Int(valid[14]) << 16
        let binHeader = 20 + jsonLength

        assertImportError(Array(valid.dropLast(10)), element: "GLB header", "truncated", "\(valid.count)")
        assertImportError(Array(valid.prefix(8)), element: "GLB header", "shorter than the 12-byte GLB header")
        assertImportError(patch(valid, at: 0, 0x5854_6C67), element: "GLB header", "not a binary glTF")
        assertImportError(
            GLTFBuilder.triangle().embedded(), element: "GLB header", "not a binary glTF", "looks like JSON")
        assertImportError(patch(valid, at: 4, 1), element: "GLB header", "version 1")
        assertImportError(valid + [0, 0, 0, 0], element: "GLB header", "header says \(valid.count) bytes")
        assertImportError(
            patch(valid, at: binHeader, UInt32(valid.count - binHeader)), element: "GLB chunk 1",
            "runs past the end of the file")
        assertImportError(patch(valid, at: 16, 0x004E_4942), element: "GLB chunk 0", "the first chunk must be JSON")
        assertImportError(
            patch(valid, at: binHeader + 4, 0x4E4F_534A), element: "GLB chunk 1", "a second JSON chunk")

        // A chunk length that is not a multiple of 4.
        let odd = Array("{}\n  ".utf8)
        let unaligned =
            littleEndian(UInt32(0x4654_6C67)) + littleEndian(UInt32(2)) + littleEndian(UInt32(12 + 8 + odd.count))
            + littleEndian(UInt32(odd.count)) + littleEndian(UInt32(0x4E4F_534A)) + odd
        assertImportError(unaligned, element: "GLB chunk 0", "not a multiple of 4")
        // A trailing chunk header cut short.
        var shortChunk = valid + [1, 2, 3, 4]
        shortChunk = patch(shortChunk, at: 8, UInt32(shortChunk.count))
        assertImportError(shortChunk, element: "GLB chunk 2", "too few for a chunk header")
        // Buffer 0 of a GLB without a BIN chunk.
        let noBin = GLTFBuilder.glb(json: GLTFBuilder.triangle().jsonBytes(bufferURI: nil), bin: nil)
        assertImportError(noBin, element: "buffers[0]", "no GLB BIN chunk")
    }

    // MARK: - JSON

    func testBadJSONNamesLineAndColumn() {
        let text = "{\n  \"asset\": {\"version\": \"2.0\"},\n  \"nodes\": [1,, 2]\n}"
        assertImportError(
            Array(text.utf8), key: "bad.gltf", element: "line 3, column 15", "invalid JSON", "expected a value")
        let glbText = GLTFBuilder.glb(json: Array("{\"asset\": {\"version\": \"2.0\"}".utf8), bin: nil)
        assertImportError(glbText, element: "JSON chunk line 1, column 29", "expected `,` or `}`")
        assertImportError(
            Array("{\"a\": 1, \"a\": 2}".utf8), key: "d.gltf", element: "line 1, column 10", "duplicate key \"a\"")
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        assertImportError(Array(deep.utf8), key: "deep.gltf", element: "line 1, column 65", "nested deeper")
        assertImportError(
            Array("{\"s\": \"\u{01}\"}".utf8), key: "c.gltf", element: "line 1, column 8", "control character")
        assertImportError(Array("[1, 2]".utf8), key: "a.gltf", element: "", "must be an object, found an array")
        assertImportError(Array("{\"x\": 1e999}".utf8), key: "n.gltf", element: "line 1, column 7", "out of range")
        assertImportError(
            Array("{\"s\": \"\\ud800\"}".utf8), key: "u.gltf", element: "line 1, column 14", "unpaired UTF-16 surrogate"
        )
        assertImportError(
            [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], key: "v.gltf", element: "line 1, column 2", "UTF-8")
    }

    // MARK: - document structure

    func testVersionExtensionsAndScenes() {
        assertImportError(
            glb { $0["asset"] = ["version": "1.0"] }, element: "asset.version", "glTF 1.0 is not supported")
        assertImportError(glb { $0["asset"] = nil }, element: "", "missing required field `asset`")
        assertImportError(
            glb { $0["asset"] = ["version": "2.0", "minVersion": "2.1"] }, element: "asset.minVersion", "2.1")
        assertImportError(
            glb {
                $0["extensionsUsed"] = ["KHR_draco_mesh_compression"]
                $0["extensionsRequired"] = ["KHR_draco_mesh_compression"]
            }, element: "extensionsRequired[0]", "KHR_draco_mesh_compression", "does not support")
        assertImportError(glb { $0["scene"] = 3 }, element: "scene", "index 3 is out of range (the file has 1 scenes)")
        assertImportError(glb { $0["scenes"] = [["nodes": [0, 4]]] }, element: "scenes[0].nodes[1]", "below 1")
        assertImportError(
            glb {
                $0["nodes"] = [["mesh": 0, "children": [1]], ["children": [0]]]
            }, element: "nodes[0]", "reached twice")
        assertImportError(glb { $0["nodes"] = [["name": "empty"]] }, element: "", "no meshes")
        assertImportError(
            glb { $0["nodes"] = [["mesh": 0, "matrix": Array(repeating: 1, count: 16)]] }, element: "nodes[0].matrix",
            "last row must be 0, 0, 0, 1")
        assertImportError(
            glb {
                $0["nodes"] = [
                    ["mesh": 0, "matrix": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], "scale": [1, 1, 1]]
                ]
            },
            element: "nodes[0].matrix", "not both")
        assertImportError(
            glb { $0["nodes"] = [["mesh": 0, "rotation": [0, 0, 0, 0]]] }, element: "nodes[0].rotation", "zero")
        assertImportError(
            glb { $0["nodes"] = [["mesh": 0, "translation": [0, 0]]] }, element: "nodes[0].translation",
            "array of 3 numbers")
        assertImportError(
            glb { $0["nodes"] = [["mesh": 1.5]] }, element: "nodes[0].mesh", "expected an integer, found 1.5")
        assertImportError(glb { $0["nodes"] = [["mesh": -1]] }, element: "nodes[0].mesh", "must not be negative")
        assertImportError(
            glb { $0["nodes"] = [["mesh": 0, "extras": ["scenefarm_class": 7]]] },
            element: "nodes[0].extras.scenefarm_class",
            "expected a class name")
        assertImportError(glb { $0["meshes"] = [["primitives": []]] }, element: "meshes[0].primitives", "at least one")
        // Instancing multiplies nodes by primitives: 101 nodes of 1000 primitives pass the parts cap.
        assertImportError(
            glb {
                $0["meshes"] = [["primitives": Array(repeating: ["attributes": ["POSITION": 0]], count: 1000)]]
                $0["nodes"] = Array(repeating: ["mesh": 0], count: 101)
                $0["scenes"] = [["nodes": Array(0..<101)]]
            }, element: "nodes[100].mesh", "more than 100000 parts")
    }

    // MARK: - buffers and URIs

    func testBuffersAndURIs() {
        let b = GLTFBuilder.triangle()
        assertImportError(
            b.jsonBytes(bufferURI: "../x.bin"), key: "tri.gltf", files: ["x.bin": b.bin], element: "buffers[0].uri",
            "cannot read `../x.bin`", "leaves the scene's directory")
        assertImportError(
            b.jsonBytes(bufferURI: "missing.bin"), key: "m/tri.gltf", element: "buffers[0].uri",
            "cannot read `missing.bin`", "not in the scene bundle")
        assertImportError(
            b.jsonBytes(bufferURI: "http://example.com/x.bin"), key: "tri.gltf", element: "buffers[0].uri",
            "not a relative path")
        assertImportError(
            b.jsonBytes(bufferURI: "/etc/passwd"), key: "tri.gltf", element: "buffers[0].uri", "absolute path")
        assertImportError(
            b.jsonBytes(bufferURI: "a%zz.bin"), key: "tri.gltf", element: "buffers[0].uri", "percent-encoding")
        assertImportError(
            b.jsonBytes(bufferURI: "data:application/octet-stream,abc"), key: "tri.gltf", element: "buffers[0].uri",
            "not base64")
        assertImportError(
            b.jsonBytes(bufferURI: "data:text/plain;base64,AAAA"), key: "tri.gltf", element: "buffers[0].uri",
            "`text/plain`")
        assertImportError(
            b.jsonBytes(bufferURI: nil), key: "tri.gltf", element: "buffers[0]", "has no `uri`")
        // Declared longer than the data.
        assertImportError(
            b.jsonBytes(bufferURI: "short.bin"), key: "tri.gltf", files: ["short.bin": Array(b.bin.prefix(20))],
            element: "buffers[0].byteLength", "only 20 bytes")
        assertImportError(
            glb { $0.bufferViews[0]["byteOffset"] = 1000 }, element: "bufferViews[0].byteLength",
            "runs past the end of buffers[0]")
        assertImportError(
            glb { $0.bufferViews[0]["byteStride"] = 2 }, element: "bufferViews[0].byteStride", "outside 4...252")
        assertImportError(
            glb { $0.bufferViews[0]["byteOffset"] = Int(UInt32.max) * 65536 }, element: "bufferViews[0].byteLength",
            "runs past the end")
    }

    // MARK: - accessors

    func testAccessors() {
        assertImportError(
            glb { $0.accessors[0]["count"] = 4 }, element: "accessors[0].count", "run past the end of bufferViews[0]")
        assertImportError(
            glb { $0.accessors[0]["count"] = 3_000_000_000_000 }, element: "accessors[0].count", "more than")
        assertImportError(
            glb { $0.accessors[0]["byteOffset"] = 36 }, element: "accessors[0].byteOffset", "past the end")
        assertImportError(
            glb { $0.accessors[0]["byteOffset"] = 4 }, element: "accessors[0].count",
            "from byteOffset 4 run past the end")
        assertImportError(
            glb { $0.bufferViews[0]["byteStride"] = 8 }, element: "accessors[0]",
            "bufferViews[0].byteStride 8 is smaller than one VEC3 of FLOAT (12 bytes)")
        assertImportError(glb { $0.accessors[0]["type"] = "VEC2" }, element: "accessors[0].type", "needs VEC3")
        assertImportError(
            glb { $0.accessors[0]["type"] = "VEC7" }, element: "accessors[0].type", "not an accessor type")
        assertImportError(
            glb { $0.accessors[0]["componentType"] = 5125 }, element: "accessors[0].componentType", "UNSIGNED_INT")
        assertImportError(
            glb { $0.accessors[0]["componentType"] = 5130 }, element: "accessors[0].componentType", "5130")
        assertImportError(glb { $0.accessors[0]["normalized"] = true }, element: "accessors[0].normalized", "FLOAT")
        assertImportError(glb { $0.accessors[0]["count"] = 0 }, element: "accessors[0].count", "at least 1")
        assertImportError(glb { $0.accessors[0]["bufferView"] = nil }, element: "accessors[0]", "neither a bufferView")
        assertImportError(
            glb { $0.accessors[3]["componentType"] = 5126 }, element: "accessors[3].componentType", "FLOAT")
        assertImportError(
            glb { $0.accessors[1]["count"] = 2 }, element: "meshes[0].primitives[0].attributes.NORMAL",
            "has 2 elements but POSITION has 3")
        assertImportError(
            glb {
                let v = $0.view([1, 0])
                $0.accessors[0]["sparse"] = [
                    "count": 2, "indices": ["bufferView": v, "componentType": 5121], "values": ["bufferView": 0],
                ]
            }, element: "accessors[0].sparse.indices", "increase strictly")
        assertImportError(
            glb {
                let v = $0.view([0, 1])
                $0.accessors[0]["sparse"] = [
                    "count": 2, "indices": ["bufferView": v, "componentType": 5121, "byteOffset": 1],
                    "values": ["bufferView": 0],
                ]
            }, element: "accessors[0].sparse.indices.byteOffset", "run past the end")
    }

    // MARK: - primitives

    func testPrimitives() {
        assertImportError(
            glb { b in b.accessors[3]["bufferView"] = b.view([0, 0, 1, 0, 7, 0, 0, 0]) },
            element: "meshes[0].primitives[0].indices", "index 2 is 7, not below the vertex count 3")
        func withPrimitive(_ extra: [String: Any]) -> [UInt8] {
            glb {
                var p: [String: Any] = ["attributes": ["POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2], "indices": 3]
                p.merge(extra) { _, new in new }
                $0["meshes"] = [["primitives": [p]]]
            }
        }
        assertImportError(
            withPrimitive(["mode": 0]), element: "meshes[0].primitives[0].mode", "mode 0 (POINTS) is not supported")
        assertImportError(withPrimitive(["mode": 3]), element: "meshes[0].primitives[0].mode", "LINE_STRIP")
        assertImportError(withPrimitive(["mode": 9]), element: "meshes[0].primitives[0].mode", "mode 9")
        assertImportError(
            withPrimitive(["attributes": ["NORMAL": 1]]), element: "meshes[0].primitives[0].attributes",
            "missing required field `POSITION`")
        assertImportError(
            withPrimitive(["attributes": ["POSITION": 9]]), element: "meshes[0].primitives[0].attributes.POSITION",
            "index 9 is out of range (the file has 4 accessors)")
        assertImportError(withPrimitive(["material": 0]), element: "meshes[0].primitives[0].material", "out of range")
        assertImportError(
            glb {
                let v = $0.view([0, 0, 1, 0])
                $0.accessors[3]["bufferView"] = v
                $0.accessors[3]["count"] = 2
            }, element: "meshes[0].primitives[0].indices", "multiple of 3 vertices, found 2")
        for bad in [Float.nan, .infinity] {
            var b = GLTFBuilder()
            let p = b.floats([0, 0, 0, 1, 0, 0, 0, bad, 0], type: "VEC3")
            b["meshes"] = [["primitives": [["attributes": ["POSITION": p]]]]]
            b["nodes"] = [["mesh": 0]]
            assertImportError(
                b.glb(), element: "meshes[0].primitives[0].attributes.POSITION",
                "element 2 has a non-finite value (\(bad))")
        }
        // A texture without texture coordinates.
        assertImportError(
            glb {
                $0["images"] = [["bufferView": $0.view(pngBytes)]]
                $0["textures"] = [["source": 0]]
                $0["materials"] = [["pbrMetallicRoughness": ["baseColorTexture": ["index": 0, "texCoord": 1]]]]
                $0["meshes"] = [["primitives": [["attributes": ["POSITION": 0, "TEXCOORD_0": 2], "material": 0]]]]
            }, element: "meshes[0].primitives[0].attributes", "TEXCOORD_1, which the primitive lacks")
    }

    // MARK: - materials and images

    func testMaterialsAndImages() {
        func withMaterial(
            _ material: [String: Any], images: [[String: Any]] = [], edit: (inout GLTFBuilder) -> Void = { _ in }
        )
            -> [UInt8]
        {
            glb {
                edit(&$0)
                $0["materials"] = [material]
                if !images.isEmpty {
                    $0["images"] = images
                    $0["textures"] = images.indices.map { ["source": $0] }
                }
                $0["meshes"] = [
                    [
                        "primitives": [
                            ["attributes": ["POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2], "indices": 3, "material": 0]
                        ]
                    ]
                ]
            }
        }
        assertImportError(
            withMaterial(["pbrMetallicRoughness": ["baseColorFactor": [1, 2, 0, 1]]]),
            element: "materials[0].pbrMetallicRoughness.baseColorFactor[1]", "outside 0...1")
        assertImportError(
            withMaterial(["pbrMetallicRoughness": ["roughnessFactor": -0.5]]),
            element: "materials[0].pbrMetallicRoughness.roughnessFactor", "outside 0...1")
        assertImportError(
            withMaterial(["pbrMetallicRoughness": ["baseColorTexture": ["index": 4]]]),
            element: "materials[0].pbrMetallicRoughness.baseColorTexture.index", "out of range")
        let gif: [UInt8] = Array("GIF89a".utf8) + [1, 0, 1, 0]
        assertImportError(
            withMaterial(
                ["pbrMetallicRoughness": ["baseColorTexture": ["index": 0]]],
                images: [["uri": "data:image/png;base64," + Data(gif).base64EncodedString()]]),
            element: "images[0]", "not a PNG or JPEG image (it starts with 47 49 46 38 39 61 01 00)")
        assertImportError(
            withMaterial(
                ["pbrMetallicRoughness": ["baseColorTexture": ["index": 0]]],
                images: [["uri": "data:image/webp;base64,AAAA"]]),
            element: "images[0].uri", "`image/webp`")
        assertImportError(
            withMaterial(["pbrMetallicRoughness": ["baseColorTexture": ["index": 0]]], images: [["name": "x"]]),
            element: "images[0]", "neither a `uri` nor a `bufferView`")
        assertImportError(
            glb {
                $0["textures"] = [["extensions": ["KHR_texture_basisu": ["source": 0]]]]
                $0["materials"] = [["pbrMetallicRoughness": ["baseColorTexture": ["index": 0]]]]
                $0["meshes"] = [["primitives": [["attributes": ["POSITION": 0, "TEXCOORD_0": 2], "material": 0]]]]
            }, element: "textures[0]", "no `source`", "KHR_texture_basisu")
    }

    // MARK: - the entry point

    func testEntryPoint() {
        let valid = GLTFBuilder.triangle().glb()
        assertImportError(valid, key: "car.fbx", element: "", "`.fbx` is not an asset format", ".gltf, .glb, .obj")
        assertImportError(valid, key: "car", element: "", "no extension")
        assertImportError(valid, options: .init(unitScale: 0), element: "unit_scale", "positive")
        assertImportError(valid, options: .init(unitScale: .nan), element: "unit_scale", "positive")
        XCTAssertNoThrow(try importAsset(valid, key: "UPPER.GLB"))
    }
}

import Foundation
import XCTest

@testable import SceneCore

/// Random mutations of valid files (fixed seeds): every case either imports into a consistent
/// asset or throws an AssetImportError; nothing crashes, hangs or throws anything else.
final class AssetImportFuzzTests: XCTestCase {
    /// SplitMix64: a fixed, platform-independent sequence for a given seed.
    struct Mix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A GLB using most of what the importer reads: indices, normals, uvs, a strided view, a sparse
    /// accessor, a strip, a node hierarchy with TRS and matrix, a material with an embedded texture.
    func richGLB() -> [UInt8] {
        var b = GLTFBuilder.triangle()
        var interleaved: [Float] = []
        for k in 0..<5 { interleaved += [Float(k), Float(k % 2), 0, 0, 0, 1] }
        let v = b.view(littleEndian(interleaved), stride: 24)
        let p = b.accessor(view: v, componentType: 5126, type: "VEC3", count: 5)
        let n = b.accessor(view: v, componentType: 5126, type: "VEC3", count: 5, byteOffset: 12)
        let uv = b.accessor(
            view: b.view([0, 0, 255, 0, 0, 255, 255, 255, 128, 128]), componentType: 5121, type: "VEC2", count: 5,
            normalized: true)
        let sparse = b.accessor(
            view: v, componentType: 5126, type: "VEC3", count: 5,
            extra: [
                "sparse": [
                    "count": 1, "indices": ["bufferView": b.view([3]), "componentType": 5121],
                    "values": ["bufferView": b.view(littleEndian([9, 9, 9] as [Float]))],
                ]
            ])
        let image = b.view(pngBytes)
        b["images"] = [["bufferView": image, "mimeType": "image/png"]]
        b["textures"] = [["source": 0]]
        b["materials"] = [
            ["pbrMetallicRoughness": ["baseColorFactor": [0.5, 0.5, 0.5, 1], "baseColorTexture": ["index": 0]]]
        ]
        b["meshes"] = [
            [
                "primitives": [
                    ["attributes": ["POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2], "indices": 3, "material": 0]
                ]
            ],
            [
                "primitives": [
                    ["attributes": ["POSITION": p, "NORMAL": n, "TEXCOORD_0": uv], "mode": 5, "material": 0],
                    ["attributes": ["POSITION": sparse], "mode": 6],
                ]
            ],
        ]
        b["nodes"] = [
            ["name": "root", "mesh": 0, "children": [1], "translation": [1, 2, 3], "rotation": [0, 0, 0.6, 0.8]],
            [
                "mesh": 1, "matrix": [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 1, 1, 1, 1],
                "extras": ["scenefarm_class": "x"],
            ],
        ]
        return b.glb()
    }

    /// Checks what an import that succeeded must satisfy.
    func assertConsistent(_ asset: Asset, _ label: String) {
        for part in asset.parts {
            let m = part.mesh.mesh
            XCTAssertEqual(m.positions.count % 3, 0, label)
            XCTAssertEqual(m.normals.count, m.positions.count, label)
            XCTAssertTrue(m.uvs.isEmpty || m.uvs.count == 2 * m.vertexCount, label)
            XCTAssertEqual(m.indices.count % 3, 0, label)
            XCTAssertTrue(m.indices.allSatisfy { Int($0) < m.vertexCount }, "\(label): index out of range")
            XCTAssertTrue(m.positions.allSatisfy(\.isFinite), "\(label): non-finite position")
            XCTAssertTrue(part.assetFromPart.m.allSatisfy(\.isFinite), "\(label): non-finite transform")
        }
    }

    func testMutatedGLBNeverCrashes() throws {
        let valid = richGLB()
        let reference = try importAsset(valid, key: "f.glb")
        XCTAssertEqual(reference.parts.count, 3)
        let jsonLength = Int(valid[12]) | Int(valid[13]) << 8 | Int(valid[14]) << 16
        let digits = (20..<20 + jsonLength).filter { valid[$0] >= 0x30 && valid[$0] <= 0x39 }
        var rng = Mix64(state: 0x5CE7_EFA2)
        var imported = 0, rejected = 0
        for c in 0..<2000 {
            var bytes = valid
            switch rng.below(6) {
            case 0:  // a few random bytes anywhere
                for _ in 0..<(1 + rng.below(4)) { bytes[rng.below(bytes.count)] = UInt8(rng.below(256)) }
            case 1:  // truncation
                bytes = Array(bytes.prefix(rng.below(bytes.count)))
            case 2:  // an extreme 32-bit value over an aligned word (lengths, counts, chunk types)
                let extremes: [UInt32] = [0, 1, 3, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, UInt32(bytes.count)]
                let at = 4 * rng.below(bytes.count / 4)
                bytes.replaceSubrange(at..<at + 4, with: littleEndian(extremes[rng.below(extremes.count)]))
            case 3, 4:  // digits in the JSON: indices, counts, offsets, strides, modes, factors
                for _ in 0..<(1 + rng.below(3)) {
                    bytes[digits[rng.below(digits.count)]] = [0x30, 0x31, 0x32, 0x35, 0x39, 0x2D][rng.below(6)]
                }
            default:  // bytes of the BIN chunk: vertex data, indices, image
                let start = 20 + jsonLength + 8
                for _ in 0..<(1 + rng.below(8)) {
                    bytes[start + rng.below(bytes.count - start)] =
                        [0, 0xFF, 0x7F, 0x80, UInt8(rng.below(256))][rng.below(5)]
                }
            }
            do {
                let asset = try importAsset(bytes, key: "f.glb")
                assertConsistent(asset, "case \(c)")
                imported += 1
            } catch let e as AssetImportError {
                XCTAssertEqual(e.file, "f.glb")
                XCTAssertFalse(e.message.isEmpty)
                rejected += 1
            } catch {
                XCTFail("case \(c): unexpected error \(error)")
            }
        }
        // Both outcomes must be exercised, or the mutations test nothing.
        print("mutated GLB: \(imported) imported, \(rejected) rejected")
        XCTAssertGreaterThan(imported, 100)
        XCTAssertGreaterThan(rejected, 500)
    }

    func testMutatedOBJNeverCrashes() throws {
        let obj = Array(
            """
            mtllib m.mtl
            o a
            v 0 0 0
            v 1 0 0
            v 1 1 0
            v 0 1 0
            vt 0 0
            vt 1 1
            vn 0 0 1
            usemtl red
            f 1/1/1 2/2/1 3/1/1 4/2/1
            s 1
            g b
            f -4/1 -3/2 -2/1
            f 1//1 3/2/1 4//1
            """.utf8)
        let mtl = Array("newmtl red\nKd 1 0 0\nNs 100\nmap_Kd t.png\n".utf8)
        let files = ["m.mtl": mtl, "t.png": pngBytes]
        XCTAssertEqual(try importAsset(obj, key: "f.obj", files: files).parts.count, 2)
        var rng = Mix64(state: 0x0B1E)
        var imported = 0, rejected = 0
        let alphabet = Array("0123456789-/ .\\\n#fvsg".utf8)
        for c in 0..<1000 {
            var bytes = obj
            for _ in 0..<(1 + rng.below(3)) {
                let at = rng.below(bytes.count)
                switch rng.below(3) {
                case 0: bytes[at] = alphabet[rng.below(alphabet.count)]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[rng.below(alphabet.count)], at: at)
                }
            }
            do {
                assertConsistent(try importAsset(bytes, key: "f.obj", files: files), "case \(c)")
                imported += 1
            } catch let e as AssetImportError {
                XCTAssertEqual(e.file, "f.obj")
                rejected += 1
            } catch {
                XCTFail("case \(c): unexpected error \(error)")
            }
        }
        print("mutated OBJ: \(imported) imported, \(rejected) rejected")
        XCTAssertGreaterThan(imported, 30)
        XCTAssertGreaterThan(rejected, 500)
    }
}

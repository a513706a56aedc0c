import Foundation
import XCTest

@testable import SceneCore

// Builders for the asset files the import tests write: glTF documents with their binary data
// (as .gltf + .bin, .glb or embedded base64), and a resolver over real SceneFiles.

func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    withUnsafeBytes(of: v.littleEndian) { Array($0) }
}

func littleEndian(_ values: [Float]) -> [UInt8] { values.flatMap { littleEndian($0.bitPattern) } }

/// PNG and JPEG signatures followed by filler: the importer keeps images encoded and only sniffs them.
let pngBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
let jpegBytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0]

/// A glTF document under construction: binary data goes into one buffer, JSON into `json`.
struct GLTFBuilder {
    var bin: [UInt8] = []
    var json: [String: Any] = ["asset": ["version": "2.0"]]
    var bufferViews: [[String: Any]] = []
    var accessors: [[String: Any]] = []

    /// Appends `bytes` (4-byte aligned) as a new buffer view; returns its index.
    mutating func view(_ bytes: [UInt8], stride: Int? = nil) -> Int {
        while bin.count % 4 != 0 { bin.append(0) }
        var v: [String: Any] = ["buffer": 0, "byteOffset": bin.count, "byteLength": bytes.count]
        if let stride { v["byteStride"] = stride }
        bin += bytes
        bufferViews.append(v)
        return bufferViews.count - 1
    }

    mutating func accessor(
        view: Int?, componentType: Int, type: String, count: Int, byteOffset: Int = 0, normalized: Bool = false,
        extra: [String: Any] = [:]
    ) -> Int {
        var a: [String: Any] = ["componentType": componentType, "type": type, "count": count]
        if let view {
            a["bufferView"] = view
            if byteOffset != 0 { a["byteOffset"] = byteOffset }
        }
        if normalized { a["normalized"] = true }
        a.merge(extra) { _, new in new }
        accessors.append(a)
        return accessors.count - 1
    }

    /// A FLOAT accessor over its own view.
    mutating func floats(_ values: [Float], type: String) -> Int {
        let width = ["SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4][type] ?? 1
        return accessor(view: view(littleEndian(values)), componentType: 5126, type: type, count: values.count / width)
    }

    mutating func indices16(_ values: [UInt16]) -> Int {
        accessor(
            view: view(values.flatMap { littleEndian($0) }), componentType: 5123, type: "SCALAR", count: values.count)
    }

    /// Sets `json[key]`.
    subscript(key: String) -> Any? {
        get { json[key] }
        set { json[key] = newValue }
    }

    /// The JSON with the buffer given by `uri` (nil: the GLB's BIN chunk).
    func jsonBytes(bufferURI: String?) -> [UInt8] {
        var doc = json
        var buffer: [String: Any] = ["byteLength": bin.count]
        if let bufferURI { buffer["uri"] = bufferURI }
        if !bin.isEmpty { doc["buffers"] = [buffer] }
        if !bufferViews.isEmpty { doc["bufferViews"] = bufferViews }
        if !accessors.isEmpty { doc["accessors"] = accessors }
        let data = try! JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
        return [UInt8](data)
    }

    /// A .gltf with its buffer embedded as base64.
    func embedded(mediaType: String = "application/octet-stream") -> [UInt8] {
        jsonBytes(bufferURI: "data:\(mediaType);base64," + Data(bin).base64EncodedString())
    }

    /// A .glb: header, JSON chunk padded with spaces, BIN chunk padded with zeros.
    func glb() -> [UInt8] {
        Self.glb(json: jsonBytes(bufferURI: nil), bin: bin.isEmpty ? nil : bin)
    }

    static func glb(json: [UInt8], bin: [UInt8]?) -> [UInt8] {
        var j = json
        while j.count % 4 != 0 { j.append(0x20) }
        var chunks = littleEndian(UInt32(j.count)) + littleEndian(UInt32(0x4E4F_534A)) + j
        if var b = bin {
            while b.count % 4 != 0 { b.append(0) }
            chunks += littleEndian(UInt32(b.count)) + littleEndian(UInt32(0x004E_4942)) + b
        }
        return littleEndian(UInt32(0x4654_6C67)) + littleEndian(UInt32(2)) + littleEndian(UInt32(12 + chunks.count))
            + chunks
    }

    /// One triangle in the XY plane facing +Z (glTF), with normals and texture coordinates, as mesh 0
    /// of node 0 of scene 0.
    static func triangle() -> GLTFBuilder {
        var b = GLTFBuilder()
        let p = b.floats([0, 0, 0, 1, 0, 0, 0, 1, 0], type: "VEC3")
        let n = b.floats([0, 0, 1, 0, 0, 1, 0, 0, 1], type: "VEC3")
        let t = b.floats([0, 0, 1, 0, 0, 1], type: "VEC2")
        let i = b.indices16([0, 1, 2])
        b["meshes"] = [
            [
                "name": "tri",
                "primitives": [["attributes": ["POSITION": p, "NORMAL": n, "TEXCOORD_0": t], "indices": i]],
            ]
        ]
        b["nodes"] = [["mesh": 0, "name": "body"]]
        b["scenes"] = [["nodes": [0]]]
        b["scene"] = 0
        return b
    }
}

/// Imports `bytes` as the file `key` inside a scene bundle holding `files` (keys relative to the
/// scene directory), resolving referenced files with the real SceneFiles rules.
func importAsset(
    _ bytes: [UInt8], key: String, files: [String: [UInt8]] = [:], options: AssetImportOptions = .init()
) throws -> Asset {
    var all = files
    all["scene.yaml"] = Array("format: 1\n".utf8)
    all[key] = bytes
    let sceneFiles = SceneFiles(bundle: SceneBundle(root: "scene.yaml", files: all))
    return try AssetImporter.load(bytes: bytes, key: key, name: "test", options: options) { path in
        try sceneFiles.read(path, from: key).bytes
    }
}

/// Asserts that importing fails with an AssetImportError for `key` at `element` whose message
/// contains every fragment.
func assertImportError(
    _ bytes: [UInt8], key: String = "asset.glb", files: [String: [UInt8]] = [:], options: AssetImportOptions = .init(),
    element: String, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let asset = try importAsset(bytes, key: key, files: files, options: options)
        XCTFail("expected an error, imported \(asset.parts.count) parts", file: file, line: line)
    } catch let e as AssetImportError {
        XCTAssertEqual(e.file, key, "\(e)", file: file, line: line)
        XCTAssertEqual(e.element, element, "\(e)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(e.message.contains(f), "`\(e.message)` should contain `\(f)`", file: file, line: line)
        }
    } catch {
        XCTFail("expected an AssetImportError, got \(error)", file: file, line: line)
    }
}

extension Mesh {
    func position(_ i: Int) -> Vec3 {
        Vec3(Double(positions[3 * i]), Double(positions[3 * i + 1]), Double(positions[3 * i + 2]))
    }
    func normal(_ i: Int) -> Vec3 {
        Vec3(Double(normals[3 * i]), Double(normals[3 * i + 1]), Double(normals[3 * i + 2]))
    }
    func uv(_ i: Int) -> (Double, Double) { (Double(uvs[2 * i]), Double(uvs[2 * i + 1])) }
}

func assertClose(_ a: Vec3, _ b: Vec3, _ tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertLessThan((a - b).length, tolerance, "\(a) != \(b)", file: file, line: line)
}

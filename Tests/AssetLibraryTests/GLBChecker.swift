import Foundation

/// An independent reader of the library's .glb files, written from the glTF 2.0 specification and
/// sharing no code with the writer: it checks the container and every accessor and hands back the
/// geometry in SceneFarm axes, so tests can look at what a file really holds.
struct CheckedGLB {
    struct Node {
        var name: String
        /// The node's translation, SceneFarm axes.
        var translation: SIMD3<Double>
        /// Positions and normals, SceneFarm axes, in the node's frame.
        var positions: [SIMD3<Double>]
        var normals: [SIMD3<Double>]
        var indices: [Int]
        var classHint: String?
        var materialName: String
        var roughness: Double
        var metallic: Double
    }

    var nodes: [Node]
    var sceneClass: String?
    var support: [Double]
    var json: [String: Any]

    func node(_ name: String) -> Node? { nodes.first { $0.name == name } }

    /// Bounds of every node's positions moved by its translation.
    var bounds: (min: SIMD3<Double>, max: SIMD3<Double>) {
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for n in nodes {
            for p in n.positions {
                lo = pointwiseMin(lo, p + n.translation)
                hi = pointwiseMax(hi, p + n.translation)
            }
        }
        return (lo, hi)
    }
}

struct GLBCheckFailure: Error, CustomStringConvertible {
    var description: String
}

enum GLBChecker {
    /// glTF (x, y, z) = SceneFarm (y, z, x), so SceneFarm (x, y, z) = glTF (z, x, y).
    static func sceneFarm(_ v: [Double]) -> SIMD3<Double> { SIMD3(v[2], v[0], v[1]) }

    static func check(_ bytes: [UInt8], file: String) throws -> CheckedGLB {
        func fail(_ message: String) -> GLBCheckFailure { GLBCheckFailure(description: "\(file): \(message)") }
        func u32(_ offset: Int) throws -> Int {
            guard offset + 4 <= bytes.count else { throw fail("read past the end at byte \(offset)") }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16
                | Int(bytes[offset + 3]) << 24
        }
        guard try u32(0) == 0x4654_6C67 else { throw fail("bad magic") }
        guard try u32(4) == 2 else { throw fail("version is not 2") }
        guard try u32(8) == bytes.count else { throw fail("header length \(try u32(8)) != file size \(bytes.count)") }
        let jsonLength = try u32(12)
        guard try u32(16) == 0x4E4F_534A else { throw fail("first chunk is not JSON") }
        guard jsonLength % 4 == 0 else { throw fail("JSON chunk length not a multiple of 4") }
        let binHeader = 20 + jsonLength
        let binLength = try u32(binHeader)
        guard try u32(binHeader + 4) == 0x004E_4942 else { throw fail("second chunk is not BIN") }
        guard binLength % 4 == 0 else { throw fail("BIN chunk length not a multiple of 4") }
        guard binHeader + 8 + binLength == bytes.count else { throw fail("chunks do not end at the end of the file") }
        let bin = Array(bytes[(binHeader + 8)..<(binHeader + 8 + binLength)])
        guard
            let json = try JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + jsonLength)])) as? [String: Any]
        else { throw fail("JSON is not an object") }

        guard let asset = json["asset"] as? [String: Any], asset["version"] as? String == "2.0" else {
            throw fail("asset.version is not 2.0")
        }
        guard let buffers = json["buffers"] as? [[String: Any]], buffers.count == 1,
            let bufferLength = buffers[0]["byteLength"] as? Int, bufferLength <= binLength,
            bufferLength + 3 >= binLength
        else { throw fail("expected one buffer filling the BIN chunk") }
        let views = json["bufferViews"] as? [[String: Any]] ?? []
        for (i, v) in views.enumerated() {
            let offset = v["byteOffset"] as? Int ?? 0, length = v["byteLength"] as? Int ?? -1
            guard v["buffer"] as? Int == 0, length > 0, offset >= 0, offset + length <= bufferLength else {
                throw fail("bufferViews[\(i)] outside the buffer")
            }
            guard offset % 4 == 0 else { throw fail("bufferViews[\(i)] not 4-byte aligned") }
        }
        let accessors = json["accessors"] as? [[String: Any]] ?? []

        /// Reads accessor `index` as doubles (floats) or integers, checking its range and bounds.
        func read(_ index: Int, expectType: String, components: Int, name: String) throws -> [Double] {
            guard index >= 0, index < accessors.count else { throw fail("\(name): accessor \(index) missing") }
            let a = accessors[index]
            guard a["type"] as? String == expectType else { throw fail("\(name): type is not \(expectType)") }
            guard let viewIndex = a["bufferView"] as? Int, viewIndex < views.count,
                let count = a["count"] as? Int, count > 0, let componentType = a["componentType"] as? Int
            else { throw fail("\(name): incomplete accessor") }
            let size: Int
            switch componentType {
            case 5126, 5125: size = 4
            case 5123: size = 2
            default: throw fail("\(name): component type \(componentType) not expected")
            }
            let view = views[viewIndex]
            let start = (view["byteOffset"] as? Int ?? 0) + (a["byteOffset"] as? Int ?? 0)
            guard start % size == 0 else { throw fail("\(name): misaligned") }
            guard (a["byteOffset"] as? Int ?? 0) + count * components * size <= view["byteLength"] as? Int ?? 0 else {
                throw fail("\(name): accessor runs past its buffer view")
            }
            var out: [Double] = []
            out.reserveCapacity(count * components)
            for k in 0..<(count * components) {
                let o = start + k * size
                switch componentType {
                case 5126:
                    let bits =
                        UInt32(bin[o]) | UInt32(bin[o + 1]) << 8 | UInt32(bin[o + 2]) << 16 | UInt32(bin[o + 3]) << 24
                    out.append(Double(Float(bitPattern: bits)))
                case 5125:
                    out.append(
                        Double(
                            UInt32(bin[o]) | UInt32(bin[o + 1]) << 8 | UInt32(bin[o + 2]) << 16 | UInt32(bin[o + 3])
                                << 24))
                default:
                    out.append(Double(UInt16(bin[o]) | UInt16(bin[o + 1]) << 8))
                }
            }
            if componentType == 5126 && !out.allSatisfy(\.isFinite) { throw fail("\(name): not finite") }
            if let lo = a["min"] as? [Double], let hi = a["max"] as? [Double] {
                for c in 0..<components {
                    let values = stride(from: c, to: out.count, by: components).map { out[$0] }
                    // The JSON holds the shortest decimal of each Float: compare as Float.
                    guard let vmin = values.min(), let vmax = values.max(), Float(vmin) == Float(lo[c]),
                        Float(vmax) == Float(hi[c])
                    else {
                        throw fail("\(name): min/max do not match the data in component \(c)")
                    }
                }
            } else if name.hasSuffix("POSITION") {
                throw fail("\(name): POSITION needs min and max")
            }
            return out
        }

        let materials = json["materials"] as? [[String: Any]] ?? []
        for (i, m) in materials.enumerated() {
            guard let pbr = m["pbrMetallicRoughness"] as? [String: Any],
                let color = pbr["baseColorFactor"] as? [Double],
                color.count == 4, color.allSatisfy({ (0...1).contains($0) }),
                let metal = pbr["metallicFactor"] as? Double, (0...1).contains(metal),
                let rough = pbr["roughnessFactor"] as? Double, (0...1).contains(rough)
            else { throw fail("materials[\(i)] is not a valid metallic-roughness material") }
        }
        let meshes = json["meshes"] as? [[String: Any]] ?? []
        let nodesJSON = json["nodes"] as? [[String: Any]] ?? []
        guard let scenes = json["scenes"] as? [[String: Any]], let sceneIndex = json["scene"] as? Int,
            sceneIndex < scenes.count, let sceneNodes = scenes[sceneIndex]["nodes"] as? [Int]
        else { throw fail("no default scene") }
        guard Set(sceneNodes).count == sceneNodes.count, Set(sceneNodes) == Set(nodesJSON.indices) else {
            throw fail("the scene does not list every node once")
        }
        var nodes: [CheckedGLB.Node] = []
        for (i, n) in nodesJSON.enumerated() {
            guard let name = n["name"] as? String, !name.isEmpty else { throw fail("nodes[\(i)] has no name") }
            guard n["children"] == nil, n["matrix"] == nil, n["rotation"] == nil, n["scale"] == nil else {
                throw fail("nodes[\(i)] (\(name)): expected a translation only")
            }
            guard let meshIndex = n["mesh"] as? Int, meshIndex < meshes.count,
                let primitives = meshes[meshIndex]["primitives"] as? [[String: Any]], primitives.count == 1
            else { throw fail("nodes[\(i)] (\(name)): expected one mesh with one primitive") }
            let p = primitives[0]
            guard p["mode"] as? Int ?? 4 == 4, let attributes = p["attributes"] as? [String: Int],
                let positionIndex = attributes["POSITION"], let normalIndex = attributes["NORMAL"],
                let uvIndex = attributes["TEXCOORD_0"], let indexAccessor = p["indices"] as? Int,
                let materialIndex = p["material"] as? Int, materialIndex < materials.count
            else { throw fail("nodes[\(i)] (\(name)): incomplete primitive") }
            let where_ = "meshes[\(meshIndex)]"
            let positions = try read(positionIndex, expectType: "VEC3", components: 3, name: "\(where_).POSITION")
            let normals = try read(normalIndex, expectType: "VEC3", components: 3, name: "\(where_).NORMAL")
            let uvs = try read(uvIndex, expectType: "VEC2", components: 2, name: "\(where_).TEXCOORD_0")
            let indices = try read(indexAccessor, expectType: "SCALAR", components: 1, name: "\(where_).indices").map {
                Int($0)
            }
            let vertexCount = positions.count / 3
            guard normals.count == positions.count, uvs.count == 2 * vertexCount else {
                throw fail("\(where_): attribute counts differ")
            }
            guard indices.count % 3 == 0, indices.allSatisfy({ $0 < vertexCount }) else {
                throw fail("\(where_): indices out of range or not whole triangles")
            }
            let indexType = accessors[indexAccessor]["componentType"] as? Int
            guard indexType == (vertexCount <= 65535 ? 5123 : 5125) else {
                throw fail("\(where_): index type \(indexType ?? -1) for \(vertexCount) vertices")
            }
            var pts: [SIMD3<Double>] = [], nrm: [SIMD3<Double>] = []
            for v in 0..<vertexCount {
                pts.append(sceneFarm(Array(positions[(3 * v)..<(3 * v + 3)])))
                let n = sceneFarm(Array(normals[(3 * v)..<(3 * v + 3)]))
                guard abs((n * n).sum().squareRoot() - 1) < 1e-4 else {
                    throw fail("\(where_): normal \(v) not unit length")
                }
                nrm.append(n)
            }
            let t = (n["translation"] as? [Double]).map(sceneFarm) ?? .zero
            let material = materials[materialIndex], pbr = material["pbrMetallicRoughness"] as? [String: Any] ?? [:]
            nodes.append(
                .init(
                    name: name, translation: t, positions: pts, normals: nrm, indices: indices,
                    classHint: (n["extras"] as? [String: Any])?["scenefarm_class"] as? String,
                    materialName: material["name"] as? String ?? "", roughness: pbr["roughnessFactor"] as? Double ?? 1,
                    metallic: pbr["metallicFactor"] as? Double ?? 1))
        }
        guard Set(nodes.map(\.name)).count == nodes.count else { throw fail("node names are not unique") }
        let extras = scenes[sceneIndex]["extras"] as? [String: Any] ?? [:]
        return CheckedGLB(
            nodes: nodes, sceneClass: extras["scenefarm_class"] as? String,
            support: extras["scenefarm_support"] as? [Double] ?? [], json: json)
    }
}

/// Geometry checks on indexed triangle soups.
enum SolidCheck {
    /// Vertices merged by position (exactly equal coordinates), then: every edge is shared by exactly
    /// two triangles which use it in opposite directions. Returns a description of the first problem.
    static func watertightProblem(positions: [SIMD3<Double>], indices: [Int]) -> String? {
        var ids: [SIMD3<Double>: Int] = [:]
        let canonical = positions.map { p -> Int in
            if let id = ids[p] { return id }
            ids[p] = ids.count
            return ids.count - 1
        }
        struct Edge: Hashable {
            var a: Int
            var b: Int
        }
        var directed: [Edge: Int] = [:]
        for t in stride(from: 0, to: indices.count, by: 3) {
            let v = [canonical[indices[t]], canonical[indices[t + 1]], canonical[indices[t + 2]]]
            for k in 0..<3 { directed[Edge(a: v[k], b: v[(k + 1) % 3]), default: 0] += 1 }
        }
        for (edge, count) in directed {
            if count != 1 { return "edge \(edge.a)-\(edge.b) used \(count) times in the same direction" }
            if directed[Edge(a: edge.b, b: edge.a)] != 1 {
                return "edge \(edge.a)-\(edge.b) has no twin (open surface)"
            }
        }
        return nil
    }

    /// The signed volume (divergence theorem): positive when the faces look outwards.
    static func signedVolume(positions: [SIMD3<Double>], indices: [Int]) -> Double {
        var v = 0.0
        for t in stride(from: 0, to: indices.count, by: 3) {
            let a = positions[indices[t]], b = positions[indices[t + 1]], c = positions[indices[t + 2]]
            v += (a.x * (b.y * c.z - b.z * c.y) - a.y * (b.x * c.z - b.z * c.x) + a.z * (b.x * c.y - b.y * c.x)) / 6
        }
        return v
    }
}

import XCTest

@testable import SceneCore

final class MeshTests: XCTestCase {
    func vertex(_ m: Mesh, _ i: UInt32) -> Vec3 {
        let k = Int(i) * 3
        return Vec3(Double(m.positions[k]), Double(m.positions[k + 1]), Double(m.positions[k + 2]))
    }

    func normal(_ m: Mesh, _ i: UInt32) -> Vec3 {
        let k = Int(i) * 3
        return Vec3(Double(m.normals[k]), Double(m.normals[k + 1]), Double(m.normals[k + 2]))
    }

    func testBounds() {
        let expected: [UnitMesh: (Vec3, Vec3)] = [
            .box: (Vec3(-0.5, -0.5, 0), Vec3(0.5, 0.5, 1)),
            .cylinder: (Vec3(-1, -1, 0), Vec3(1, 1, 1)),
            .sphere: (Vec3(-1, -1, 0), Vec3(1, 1, 2)),
            .plane: (Vec3(-0.5, -0.5, 0), Vec3(0.5, 0.5, 0)),
        ]
        for u in UnitMesh.allCases {
            let b = u.mesh.bounds, e = expected[u]!
            XCTAssertEqual((b.min - e.0).length, 0, accuracy: 1e-6, "\(u)")
            XCTAssertEqual((b.max - e.1).length, 0, accuracy: 1e-6, "\(u)")
        }
    }

    func testNormalsAreUnitAndOutwardAndWindingAgrees() {
        // Interior reference points: outward normals point away from them.
        let centre: [UnitMesh: Vec3] = [.box: Vec3(0, 0, 0.5), .cylinder: Vec3(0, 0, 0.5), .sphere: Vec3(0, 0, 1)]
        for u in UnitMesh.allCases {
            let m = u.mesh
            XCTAssertEqual(m.positions.count, m.normals.count)
            XCTAssertEqual(m.indices.count % 3, 0)
            XCTAssertGreaterThan(m.triangleCount, 0)
            XCTAssertTrue(m.indices.allSatisfy { Int($0) < m.vertexCount }, "\(u): index out of range")
            for i in 0..<m.vertexCount {
                XCTAssertEqual(normal(m, UInt32(i)).length, 1, accuracy: 1e-5, "\(u) vertex \(i)")
            }
            for t in 0..<m.triangleCount {
                let ia = m.indices[3 * t], ib = m.indices[3 * t + 1], ic = m.indices[3 * t + 2]
                let a = vertex(m, ia), b = vertex(m, ib), c = vertex(m, ic)
                let face = (b - a).cross(c - a)
                XCTAssertGreaterThan(face.length, 1e-9, "\(u) triangle \(t) is degenerate")
                let n = normal(m, ia) + normal(m, ib) + normal(m, ic)
                XCTAssertGreaterThan(face.dot(n), 0, "\(u) triangle \(t): winding disagrees with normals")
                if let o = centre[u] {
                    let mid = (a + b + c) / 3
                    XCTAssertGreaterThan(n.dot(mid - o), 0, "\(u) triangle \(t): normal points inwards")
                } else {
                    XCTAssertGreaterThan(n.z, 0, "plane faces +Z")
                }
            }
        }
    }

    func testIndexCounts() {
        XCTAssertEqual(UnitMesh.box.mesh.triangleCount, 12)
        XCTAssertEqual(UnitMesh.plane.mesh.triangleCount, 2)
        let n = UnitMesh.roundSegments, r = UnitMesh.sphereRings
        XCTAssertEqual(UnitMesh.cylinder.mesh.triangleCount, 4 * n)
        XCTAssertEqual(UnitMesh.sphere.mesh.triangleCount, 2 * n * (r - 1))
    }

    func testShapeScaleMatchesTheFormat() {
        XCTAssertEqual(Shape.cylinder(radius: 0.5, height: 2).scale, Vec3(0.5, 0.5, 2))
        XCTAssertEqual(Shape.sphere(radius: 0.3).scale, Vec3(0.3, 0.3, 0.3))
        XCTAssertEqual(Shape.box(size: Vec3(1, 2, 3)).scale, Vec3(1, 2, 3))
    }
}

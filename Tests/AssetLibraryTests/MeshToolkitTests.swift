import AssetLibrary
import Foundation
import SceneCore
import XCTest

/// The shape builders: closed, outward, the right volume, welded where smooth.
final class MeshToolkitTests: XCTestCase {
    func solid(_ m: Mesh) -> (positions: [SIMD3<Double>], indices: [Int]) {
        let p = stride(from: 0, to: m.positions.count, by: 3).map {
            SIMD3(Double(m.positions[$0]), Double(m.positions[$0 + 1]), Double(m.positions[$0 + 2]))
        }
        return (p, m.indices.map { Int($0) })
    }

    func assertClosedSolid(
        _ m: Mesh, volume expected: Double, tolerance: Double, _ name: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let (p, i) = solid(m)
        XCTAssertNil(SolidCheck.watertightProblem(positions: p, indices: i), name, file: file, line: line)
        let v = SolidCheck.signedVolume(positions: p, indices: i)
        XCTAssertEqual(v, expected, accuracy: tolerance * expected, "\(name) volume", file: file, line: line)
        XCTAssertEqual(m.normals.count, m.positions.count, file: file, line: line)
        XCTAssertEqual(m.uvs.count / 2, m.vertexCount, file: file, line: line)
    }

    func testBoxesSharpAndChamfered() {
        let sharp = MeshBuilder.box(Vec3(2, 3, 4)).mesh
        assertClosedSolid(sharp, volume: 24, tolerance: 1e-9, "box")
        XCTAssertEqual(sharp.vertexCount, 24, "flat faces keep their own vertices")
        XCTAssertEqual(sharp.bounds.min.z, 0)
        // Chamfering cuts a prism of cross-section b²/2 along each edge (its length less 2b) and, at each
        // corner, all of the b³ cube but the tetrahedron u + v + w ≤ b.
        let b = 0.1
        let chamfered = MeshBuilder.box(Vec3(2, 3, 4), bevel: b).mesh
        let expected = 24 - 4 * (b * b / 2) * (2 + 3 + 4 - 6 * b) - 8 * (b * b * b - b * b * b / 6)
        assertClosedSolid(chamfered, volume: expected, tolerance: 1e-6, "chamfered box")
        XCTAssertEqual(chamfered.triangleCount, 6 * 2 + 12 * 2 + 8)
    }

    func testCylinderIsAnExactPrismOverItsPolygon() {
        let n = 20, r = 0.5, h = 2.0
        let m = MeshBuilder.cylinder(radius: r, height: h, segments: n).mesh
        let polygonArea = Double(n) / 2 * r * r * sin(2 * Double.pi / Double(n))
        assertClosedSolid(m, volume: polygonArea * h, tolerance: 1e-4, "cylinder")
        let cone = MeshBuilder.cylinder(radius: r, topRadius: 0, height: h, segments: n).mesh
        assertClosedSolid(cone, volume: polygonArea * h / 3, tolerance: 1e-4, "cone")
    }

    func testSphereCapsuleAndTorusVolumes() {
        let sphere = MeshBuilder.sphere(radius: 1, segments: 48, rings: 24).mesh
        assertClosedSolid(sphere, volume: 4 / 3 * Double.pi, tolerance: 0.02, "sphere")
        XCTAssertEqual(sphere.bounds.max.z, 1, accuracy: 1e-6)
        let capsule = MeshBuilder.capsule(radius: 0.5, length: 3, segments: 48, capRings: 12).mesh
        assertClosedSolid(capsule, volume: Double.pi * 0.25 * 2 + 4 / 3 * Double.pi * 0.125, tolerance: 0.02, "capsule")
        let torus = MeshBuilder.torus(majorRadius: 2, minorRadius: 0.5, segments: 64, sides: 32).mesh
        assertClosedSolid(torus, volume: 2 * Double.pi * Double.pi * 2 * 0.25, tolerance: 0.02, "torus")
        // A half torus is closed by its end caps.
        let half = MeshBuilder.torus(majorRadius: 2, minorRadius: 0.5, segments: 32, sides: 32, sweep: 0...Double.pi)
            .mesh
        assertClosedSolid(half, volume: Double.pi * Double.pi * 2 * 0.25, tolerance: 0.02, "half torus")
    }

    func testSmoothSurfacesAreWeldedAndCreasesKept() {
        let sphere = MeshBuilder.sphere(radius: 1, segments: 16, rings: 8)
        let welded = sphere.mesh
        // One row of vertices per ring (plus the texture seam), not two per segment.
        // 7 smooth rings of 17 (the seam doubled for u = 0 and 1); each pole keeps the 16 vertices its
        // triangles use.
        XCTAssertEqual(welded.vertexCount, 7 * 17 + 2 * 16)
        // A can's rim is a crease: two normals at the same position.
        let can = MeshBuilder.cylinder(radius: 1, height: 1, segments: 8).mesh
        let (p, _) = solid(can)
        let rim = p.indices.filter { p[$0].z == 1 && abs((p[$0] * p[$0]).sum() - 2) < 1e-3 }
        let normals = Set(rim.map { k in [can.normals[3 * k], can.normals[3 * k + 1], can.normals[3 * k + 2]] })
        XCTAssertTrue(normals.contains([0, 0, 1]), "the lid's normals look up")
        XCTAssertTrue(normals.contains { $0[2] == 0 }, "the side's normals are horizontal")
    }

    func testExtrusionOfANonConvexOutline() {
        // An L: 2 × 2 with a 1 × 1 corner missing, area 3.
        let l = [Vec2(0, 0), Vec2(2, 0), Vec2(2, 1), Vec2(1, 1), Vec2(1, 2), Vec2(0, 2)]
        assertClosedSolid(MeshBuilder.extrusion(l, depth: 0.5).mesh, volume: 1.5, tolerance: 1e-9, "L")
        // Either winding gives the same solid.
        assertClosedSolid(
            MeshBuilder.extrusion(l.reversed(), depth: 0.5).mesh, volume: 1.5, tolerance: 1e-9, "L reversed")
        // A bevel trims the rims: a little less volume, still closed.
        let bevelled = MeshBuilder.extrusion(l, depth: 0.5, bevel: 0.05).mesh
        let (p, i) = solid(bevelled)
        XCTAssertNil(SolidCheck.watertightProblem(positions: p, indices: i))
        let v = SolidCheck.signedVolume(positions: p, indices: i)
        XCTAssertLessThan(v, 1.5)
        XCTAssertGreaterThan(v, 1.5 - 0.05 * 0.05 * 12)
        // Side, front and plan extrusions put the depth along Y, X and Z.
        let side = MeshBuilder.sideExtrusion(l, width: 0.5).mesh.bounds
        XCTAssertEqual(side.max.y - side.min.y, 0.5, accuracy: 1e-6)
        XCTAssertEqual(side.max.z - side.min.z, 2, accuracy: 1e-6)
        let front = MeshBuilder.frontExtrusion(l, length: 0.5).mesh.bounds
        XCTAssertEqual(front.max.x - front.min.x, 0.5, accuracy: 1e-6)
        let plan = MeshBuilder.planExtrusion(l, height: 0.5).mesh.bounds
        XCTAssertEqual(plan.min.z, 0)
        XCTAssertEqual(plan.max.z, 0.5)
    }

    func testTriangulationCoversACombExactly() {
        var comb: [Vec2] = [Vec2(0, 0), Vec2(5, 0)]
        for k in stride(from: 4, through: 0, by: -1) {
            comb += [Vec2(Double(k) + 1, 3), Vec2(Double(k) + 0.5, 3), Vec2(Double(k) + 0.5, 1), Vec2(Double(k), 1)]
        }
        let m = MeshBuilder.extrusion(comb, depth: 1).mesh
        XCTAssertEqual(Profile.signedArea2(comb) / 2, 10, accuracy: 1e-12)
        assertClosedSolid(m, volume: 10, tolerance: 1e-9, "comb")
    }

    func testTrayIsAClosedOpenTopContainer() {
        let m = MeshBuilder.tray(bottom: Vec2(1, 1), top: Vec2(1, 1), height: 1, wall: 0.1, floor: 0.1).mesh
        assertClosedSolid(m, volume: 1 - 0.8 * 0.8 * 0.9, tolerance: 1e-4, "tray")
    }

    func testTransformsKeepSolidsOutwardEvenWhenMirrored() {
        let box = MeshBuilder.box(Vec3(1, 2, 3), bevel: 0.1)
        for t in [
            Mat4.scale(Vec3(-1, 1, 1)), Mat4.scale(Vec3(2, 0.5, 1)), Mat4.rotationX(0.7) * Mat4.scale(Vec3(1, -2, 1)),
        ] {
            let m = box.transformed(t).mesh
            let (p, i) = solid(m)
            XCTAssertNil(SolidCheck.watertightProblem(positions: p, indices: i))
            XCTAssertGreaterThan(SolidCheck.signedVolume(positions: p, indices: i), 0)
            for v in 0..<m.vertexCount {
                let n = SIMD3(Double(m.normals[3 * v]), Double(m.normals[3 * v + 1]), Double(m.normals[3 * v + 2]))
                XCTAssertEqual((n * n).sum().squareRoot(), 1, accuracy: 1e-5)
            }
        }
    }

    func testCoordinatesAreSnappedToTheGrid() {
        let m = MeshBuilder.sphere(radius: 0.123, segments: 13, rings: 7).transformed(.translation(Vec3(1.1, 2.2, 3.3)))
            .mesh
        for v in m.positions { XCTAssertEqual(Double(v) * 65536, (Double(v) * 65536).rounded()) }
        for v in m.normals { XCTAssertEqual(Double(v) * 1_048_576, (Double(v) * 1_048_576).rounded()) }
        XCTAssertFalse(m.positions.contains { $0.sign == .minus && $0 == 0 }, "no negative zero")
    }
}

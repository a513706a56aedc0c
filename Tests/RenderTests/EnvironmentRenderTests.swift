import Labels
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// A generated robotics cell (room, bench, tote, shelving, placed objects — all primitives) rendered
/// on a real EGL context: the ID buffer holds exactly the scene's instances, each pixel with its
/// instance's class, every piece of the environment in view, and each object's mask inside the
/// projection of its 3D box.
final class EnvironmentRenderTests: XCTestCase {
    static let scene = """
        format: 1
        seed: 4
        frames: 3
        resample_every: 1
        classes:
          - {id: 1, name: floor}
          - {id: 2, name: wall}
          - {id: 3, name: table}
          - {id: 4, name: bin}
          - {id: 5, name: shelf}
          - {id: 6, name: box}
          - {id: 7, name: can}
        camera: {resolution: [320, 240], fov_deg: 70, position: [0.2, -1.6, 2.0], look_at: [0.2, 0.1, 0.7]}
        environment:
          room: {size: [5, 4], floor: {class: floor}, walls: {class: wall}}
          tables: [{name: bench, class: table, position: [0, 0], size: [1.4, 0.8, 0.75]}]
          bins: [{name: tote, class: bin, stands_on: bench, position: [0.2, 0.05], size: [0.5, 0.36, 0.18]}]
          shelving: [{name: rack, class: shelf, position: [0.3, 1.5], size: [2, 0.5, 1.8], levels: 4}]
        groups:
          - {name: picks, shape: box, class: box, size: [[0.05, 0.1], [0.04, 0.08], [0.03, 0.06]], count: 8, placement: {region: bin}}
          - {name: cans, shape: cylinder, radius: 0.03, height: 0.1, class: can, count: 6, placement: {region: table_top, stack: true}}
          - {name: stock, shape: box, class: box, size: [0.3, 0.25, 0.25], count: 6, placement: {region: shelf, levels: [1, 2]}}
        """

    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func testTheIDBufferHoldsTheScenesInstances() throws {
        let renderer = try Self.fixture.makeRenderer()
        let scene = try SceneLoader.load(yaml: Self.scene, file: "cell.yaml")
        for index in 0..<3 {
            let spec = try scene.frame(index)
            let labels = try LabelDeriver.derive(try renderer.render(spec), spec: spec)
            let byID = Dictionary(uniqueKeysWithValues: spec.instances.map { ($0.instanceID, $0) })
            let seen = Set(labels.instanceMap.map(Int.init)).subtracting([0])
            XCTAssertTrue(seen.isSubset(of: Set(byID.keys)), "frame \(index): ids \(seen.subtracting(byID.keys))")
            // Each pixel's class is its instance's.
            for (k, id) in labels.instanceMap.enumerated() where id != 0 {
                guard let inst = byID[Int(id)] else { continue }
                if Int(labels.semanticMap[k]) != inst.classID {
                    XCTFail("frame \(index): pixel \(k) of \(inst.name) has class \(labels.semanticMap[k])")
                    break
                }
            }
            // The environment in view: the bench, the tote and the rack are instances on screen; floor and
            // walls are stuff (class without instance).
            for name in ["bench", "tote", "rack"] {
                let inst = try XCTUnwrap(spec.instances.first { $0.name == name }, name)
                XCTAssertGreaterThan(labels.objects.first { $0.instanceID == inst.instanceID }?.pixels ?? 0, 500, name)
            }
            for stuff in [1, 2] {
                let pixels = zip(labels.semanticMap, labels.instanceMap).filter { Int($0.0) == stuff && $0.1 == 0 }
                XCTAssertGreaterThan(pixels.count, 100, "class \(stuff) drawn as stuff")
            }
            // Placed objects are seen, and each mask lies inside the projection of its own 3D box.
            let placed = spec.instances.filter { ["picks_", "cans_", "stock_"].contains(where: $0.name.hasPrefix) }
            XCTAssertEqual(placed.count, 20)
            let visible = labels.objects.filter { o in placed.contains { $0.instanceID == o.instanceID } }
            XCTAssertGreaterThanOrEqual(visible.count, 12, "frame \(index): most placed objects are in view")
            for o in visible {
                let inst = try XCTUnwrap(byID[o.instanceID])
                let corners = (0..<8).map { i in
                    inst.worldFromObject.transformPoint(
                        Vec3(
                            i & 1 == 0 ? inst.boxMin.x : inst.boxMax.x, i & 2 == 0 ? inst.boxMin.y : inst.boxMax.y,
                            i & 4 == 0 ? inst.boxMin.z : inst.boxMax.z))
                }
                let projected = corners.compactMap { spec.camera.project($0) }
                XCTAssertEqual(projected.count, 8, "\(inst.name) in front of the camera")
                let u0 = projected.map(\.u).min()!, u1 = projected.map(\.u).max()!
                let v0 = projected.map(\.v).min()!, v1 = projected.map(\.v).max()!
                XCTAssertGreaterThanOrEqual(Double(o.bbox.xmin), u0.rounded(.down) - 1, inst.name)
                XCTAssertLessThanOrEqual(Double(o.bbox.xmax), u1.rounded(.up) + 1, inst.name)
                XCTAssertGreaterThanOrEqual(Double(o.bbox.ymin), v0.rounded(.down) - 1, inst.name)
                XCTAssertLessThanOrEqual(Double(o.bbox.ymax), v1.rounded(.up) + 1, inst.name)
            }
        }
    }
}

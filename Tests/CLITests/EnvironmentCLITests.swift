import Foundation
import SceneCore
import XCTest

/// The environment scenes through the built binary: `sample` prints the same frame in separate
/// processes and the same frame this process samples; `validate` reports new fields' mistakes with
/// their position.
final class EnvironmentCLITests: XCTestCase {
    func testEnvironmentScenesSampleIdenticallyInEveryProcess() throws {
        for name in ["robotics_bin_picking.yaml", "robotics_warehouse.yaml", "driving_intersection.yaml"] {
            let a = try CLI.run(["sample", CLI.scene(name), "--frame", "5"])
            let b = try CLI.run(["sample", CLI.scene(name), "--frame", "5"])
            XCTAssertEqual(a.status, 0, a.stderr)
            XCTAssertFalse(a.stdout.isEmpty)
            XCTAssertEqual(a.stdout, b.stdout, "\(name): two processes")
            // The printed frame is the one this process samples: the same instances, names and poses.
            let printed = try XCTUnwrap(
                try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any], name)
            let instances = try XCTUnwrap(printed["instances"] as? [[String: Any]], name)
            let here = try SceneLoader.load(path: CLI.scene(name)).frame(5)
            XCTAssertEqual(instances.map { $0["name"] as? String }, here.instances.map(\.name), name)
            for (printedInstance, inst) in zip(instances, here.instances) {
                let m = try XCTUnwrap(printedInstance["world_from_object"] as? [[Double]], name)
                for r in 0..<4 {
                    for c in 0..<4 { XCTAssertEqual(m[r][c], inst.worldFromObject[r, c], accuracy: 1e-9, inst.name) }
                }
            }
            XCTAssertGreaterThan(instances.count, 10, name)
            let other = try CLI.run(["sample", CLI.scene(name), "--frame", "5", "--seed", "99"])
            XCTAssertNotEqual(other.stdout, a.stdout, "\(name): another seed, another layout")
        }
    }

    func testValidateNamesTheEnvironmentFieldAndItsPosition() throws {
        let dir = try CLI.temporaryDirectory("environment-validate")
        let file = dir.appendingPathComponent("cell.yaml")
        try """
        format: 1
        classes: [{id: 1, name: floor}, {id: 2, name: box}]
        camera: {resolution: [64, 48]}
        environment:
          room: {floor: {class: floor}, walls: {class: floor}, door: {wall: nort}}
        groups:
          - {name: g, shape: box, size: [1, 1, 1], class: box, count: 1, placement: {region: flor}}
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", file.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stderr.contains("cell.yaml:5:69: environment.room.door.wall: expected one of south, north, west, east"),
            r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean `north`?"), r.stderr)
        XCTAssertTrue(
            r.stderr.contains("cell.yaml:7:86: groups[0].placement.region: expected one of lane"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean `floor`?"), r.stderr)
    }
}

import Foundation
import XCTest

@testable import SceneCore

/// The JSON `scenefarm sample` prints (docs/SCENE_FORMAT.md, "The sample JSON").
final class SampleJSONTests: XCTestCase {
    func object(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testTheDocumentedShapeInTheDocumentedOrder() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_street.yaml"))
        let frame = try scene.frame(3)
        let text = frame.sampleJSON(scene: scene, seed: scene.seed)
        XCTAssertEqual(text, try scene.frame(3).sampleJSON(scene: scene, seed: scene.seed), "the same bytes every time")

        let json = try object(text)
        XCTAssertEqual(json["scene"] as? String, "driving_street")
        XCTAssertEqual(json["seed"] as? Int, 42)
        XCTAssertEqual(json["frame"] as? Int, 3)
        XCTAssertEqual(json["view"] as? Int, 3)
        XCTAssertTrue(json["sweep"] is NSNull)
        // Top-level keys in the documented order, one a line at the first indentation.
        let topKeys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map {
            String($0.dropFirst(3).prefix { $0 != "\"" })
        }
        XCTAssertEqual(
            topKeys,
            [
                "scene", "seed", "frame", "view", "sweep", "camera", "cameras", "lighting", "classes", "instances",
                "surfaces",
            ]
        )

        let camera = try XCTUnwrap(json["camera"] as? [String: Any])
        XCTAssertEqual(camera["width"] as? Int, 1280)
        let pose = try XCTUnwrap(camera["world_from_camera"] as? [[Double]])
        XCTAssertEqual(pose.count, 4)
        XCTAssertEqual(pose[3], [0, 0, 0, 1])
        for (a, b) in zip(pose.flatMap { $0 }, frame.camera.worldFromCamera.rows.flatMap { $0 }) {
            // Foundation's JSON parser on Linux is not correctly rounded; the text itself is exact (below).
            XCTAssertEqual(a, b, accuracy: 1e-15)
        }
        for v in frame.camera.worldFromCamera.m + [0.1, 1e-7, -0.0, 1e300, Double.leastNonzeroMagnitude] {
            XCTAssertEqual(Double(PrintedJSON.number(v).text()), v, "printed so that it reads back exactly")
        }

        let surfaces = try XCTUnwrap(json["surfaces"] as? [[String: Any]])
        XCTAssertEqual(surfaces.count, frame.surfaces.count)
        let types = Set(surfaces.compactMap { ($0["shape"] as? [String: Any])?["type"] as? String })
        XCTAssertEqual(types, ["plane", "box", "cylinder", "sphere"])
        let instances = try XCTUnwrap(json["instances"] as? [[String: Any]])
        XCTAssertEqual(instances.map { $0["instance_id"] as? Int }, frame.instances.map(\.instanceID))
        let boxMin = try XCTUnwrap(instances.first?["box_min"] as? [Double])
        let first = try XCTUnwrap(frame.instances.first)
        for (a, b) in zip(boxMin, [first.boxMin.x, first.boxMin.y, first.boxMin.z]) {
            XCTAssertEqual(a, b, accuracy: 1e-12)
        }

        // snake_case only: no key has a capital letter.
        let keys = try NSRegularExpression(pattern: "\"([A-Za-z_]+)\":").matches(
            in: text, range: NSRange(text.startIndex..., in: text)
        ).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
        XCTAssertFalse(keys.isEmpty)
        XCTAssertEqual(keys.filter { $0 != $0.lowercased() }, [])
    }

    func testASweptFrameShowsItsVariant() throws {
        let scene = try SceneLoader.load(path: scenePath("driving_clones.yaml"))
        let text = try scene.frame(13).sampleJSON(scene: scene, seed: 5)
        let json = try object(text)
        XCTAssertEqual(json["seed"] as? Int, 5)
        XCTAssertEqual(json["view"] as? Int, 1)
        let sweep = try XCTUnwrap(json["sweep"] as? [String: Any])
        XCTAssertEqual(sweep["variant"] as? Int, 4)
        XCTAssertEqual(sweep["variants"] as? Int, 9)
        let values = try XCTUnwrap(sweep["values"] as? [String: Any])
        XCTAssertEqual(values["weather"] as? String, "overcast")
        XCTAssertEqual(values["camera_yaw_offset_deg"] as? Double, 0)
        let lighting = try XCTUnwrap(json["lighting"] as? [String: Any])
        XCTAssertEqual((lighting["weather"] as? [String: Any])?["condition"] as? String, "overcast")
    }

    func testStringsAreEscaped() {
        let value = PrintedJSON.object([("a\"b", .string("line\nbreak\u{1}\\"))])
        XCTAssertEqual(value.text(), "{\n  \"a\\\"b\": \"line\\nbreak\\u0001\\\\\"\n}")
    }
}

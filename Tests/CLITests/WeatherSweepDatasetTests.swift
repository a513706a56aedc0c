import Foundation
import ImageCodec
import XCTest

/// The weather sweep rendered through the embedded farm as a user runs it: one view under each
/// condition changes the color image only, and the farm writes the same bytes however many
/// workers share the frames.
final class WeatherSweepDatasetTests: XCTestCase {
    /// `scenes/driving_weather_sweep.yaml` sweeps these, so frames 0...5 are view 0 under each.
    static let conditions = ["clear", "overcast", "fog", "rain", "snow", "night"]
    static let width = 160, height = 90

    /// A copy of the sweep at 160x90 in `directory`: `render` has no size option, so the copy's
    /// `camera.resolution` is smaller. The scene names no other file (no `include`, `extends` or
    /// asset `file`), so the copy loads alone from another folder.
    func smallSweep(in directory: URL) throws -> String {
        let text = try String(contentsOfFile: CLI.scene("driving_weather_sweep.yaml"), encoding: .utf8)
        for word in ["include:", "extends:", "file:"] {
            XCTAssertFalse(text.contains(word), "the sweep now refers to other files (`\(word)`): copy them too")
        }
        let original = "resolution: [1280, 720]"
        XCTAssertEqual(text.components(separatedBy: original).count, 2, "the sweep's resolution line changed")
        let small = text.replacingOccurrences(of: original, with: "resolution: [\(Self.width), \(Self.height)]")
        let path = directory.appendingPathComponent("driving_weather_sweep.yaml").path
        try small.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func render(_ scene: String, into out: URL, workers: Int) throws {
        let r = try CLI.run([
            "render", scene, "--out", out.path, "--frames", "\(Self.conditions.count)", "--workers", "\(workers)",
            "--shard-size", "1",
        ])
        XCTAssertEqual(r.status, 0, "render with \(workers) workers: \(r.stderr)")
    }

    func name(_ frame: Int) -> String { String(format: "%06d", frame) }

    /// The parsed `labels/N.json` of `dataset`.
    func labels(_ dataset: URL, frame: Int) throws -> [String: Any] {
        let data = try Data(contentsOf: dataset.appendingPathComponent("labels/\(name(frame)).json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testOneViewUnderEachConditionChangesOnlyColorAndWorkersDoNotChangeBytes() throws {
        let dir = try CLI.temporaryDirectory("weather-sweep-dataset")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scene = try smallSweep(in: dir)
        let one = dir.appendingPathComponent("one"), two = dir.appendingPathComponent("two")
        try render(scene, into: one, workers: 1)
        try render(scene, into: two, workers: 2)
        let verified = try CLI.run(["verify", one.path])
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)

        // Label maps and depth: the same bytes under every condition, and a street worth comparing
        // (road, cars and people in the semantic map; instances and surfaces at a range of depths).
        let frames = Array(Self.conditions.indices)
        for kind in ["instance", "semantic", "depth"] {
            let files = try frames.map { try Data(contentsOf: one.appendingPathComponent("\(kind)/\(name($0)).png")) }
            for (frame, file) in zip(frames, files).dropFirst() {
                XCTAssertEqual(file, files[0], "\(kind) of \(Self.conditions[frame]) differs from clear")
            }
            let png = try PNGDecoder.decode(contentsOf: one.appendingPathComponent("\(kind)/\(name(0)).png").path)
            XCTAssertEqual([png.width, png.height, png.channels], [Self.width, Self.height, 1], kind)
        }
        let semantic = try PNGDecoder.decode(contentsOf: one.appendingPathComponent("semantic/\(name(0)).png").path)
        let classes = Set(semantic.samples8)
        for (id, what) in [(1, "road"), (9, "car"), (8, "person")] {
            XCTAssertTrue(classes.contains(UInt8(id)), "view 0 shows no \(what): \(classes.sorted())")
        }
        let instance = try PNGDecoder.decode(contentsOf: one.appendingPathComponent("instance/\(name(0)).png").path)
        XCTAssertGreaterThan(Set(instance.samples16).count, 5, "view 0 shows few objects")
        let depth = try PNGDecoder.decode(contentsOf: one.appendingPathComponent("depth/\(name(0)).png").path)
        XCTAssertGreaterThan(Set(depth.samples16).count, 100, "depth is nearly flat")

        // Labels: everything but the frame index and the lighting is the same; the lighting names
        // the condition the frame was drawn under.
        let clear = try labels(one, frame: 0)
        XCTAssertFalse(try XCTUnwrap(clear["objects"] as? [Any]).isEmpty)
        for frame in frames {
            var record = try labels(one, frame: frame)
            XCTAssertEqual(record["frame"] as? Int, frame)
            let lighting = try XCTUnwrap(record["lighting"] as? [String: Any], "frame \(frame): no lighting")
            let weather = try XCTUnwrap(lighting["weather"] as? [String: Any], "frame \(frame): no weather")
            XCTAssertEqual(weather["condition"] as? String, Self.conditions[frame])
            var reference = clear
            for key in ["frame", "lighting"] {
                record[key] = nil
                reference[key] = nil
            }
            XCTAssertTrue(
                NSDictionary(dictionary: record).isEqual(to: reference),
                "labels of \(Self.conditions[frame]) differ from clear beyond frame and lighting")
        }

        // Color: decoded, every condition's image differs from every other's.
        let colors = try frames.map {
            try PNGDecoder.decode(contentsOf: one.appendingPathComponent("rgb/\(name($0)).png").path)
        }
        for a in frames {
            XCTAssertEqual([colors[a].width, colors[a].height, colors[a].channels], [Self.width, Self.height, 3])
            for b in frames where b > a {
                XCTAssertNotEqual(
                    colors[a].samples8, colors[b].samples8,
                    "\(Self.conditions[a]) and \(Self.conditions[b]) have the same color image")
            }
        }

        // The farm: two workers taking one-frame shards write what one worker writes, file for file.
        let filesOne = try CLI.files(under: one), filesTwo = try CLI.files(under: two)
        XCTAssertEqual(filesOne.keys.sorted(), filesTwo.keys.sorted())
        XCTAssertGreaterThanOrEqual(filesOne.count, 1 + 5 * frames.count)
        for (path, bytes) in filesOne where filesTwo[path] != bytes {
            XCTFail("\(path) differs between --workers 1 and --workers 2")
        }
    }
}

import Foundation
import XCTest

/// `scenefarm sample` on the weather sweep shows the rain, snow and local lights of a frame.
final class WeatherCLITests: XCTestCase {
    func lighting(frame: Int) throws -> [String: Any] {
        let r = try CLI.run(["sample", CLI.scene("driving_weather_sweep.yaml"), "--frame", "\(frame)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(json?["lighting"] as? [String: Any])
    }

    func testSampleShowsRainSnowAndLights() throws {
        // The sweep is [clear, overcast, fog, rain, snow, night].
        let rain = try XCTUnwrap(try lighting(frame: 3)["weather"] as? [String: Any])
        XCTAssertEqual(rain["condition"] as? String, "rain")
        let drops = try XCTUnwrap(rain["precipitation"] as? [String: Any])
        XCTAssertEqual(drops["kind"] as? String, "rain")
        let intensity = try XCTUnwrap(drops["intensity"] as? Double)
        XCTAssertTrue((0.5...0.9).contains(intensity), "\(intensity)")
        XCTAssertNotNil(drops["particle_seed"] as? Int)
        XCTAssertNotNil(rain["wetness"] as? Double)

        let snow = try XCTUnwrap(try lighting(frame: 4)["weather"] as? [String: Any])
        XCTAssertEqual((snow["precipitation"] as? [String: Any])?["kind"] as? String, "snow")
        XCTAssertNotNil(snow["snow_cover"] as? Double)

        let night = try lighting(frame: 5)
        let lights = try XCTUnwrap(night["lights"] as? [[String: Any]])
        XCTAssertFalse(lights.isEmpty)
        XCTAssertTrue(lights.allSatisfy { ($0["intensity"] as? Double ?? 0) > 0 && $0["position"] != nil })
        XCTAssertTrue(lights.contains { $0["emitter"] != nil }, "street lamps")
        XCTAssertNil(try lighting(frame: 0)["lights"], "no lights by day")
    }
}

import Foundation
import XCTest

@testable import SceneCore

/// Rain, snow, wet roads and local lights: loading, sampling in their streams, encoding, errors.
final class PrecipitationAndLightsTests: XCTestCase {
    func streetScene(_ extra: String = "") throws -> SceneDescription {
        let text = try String(contentsOfFile: scenePath("driving_street.yaml"), encoding: .utf8)
        return try SceneLoader.load(yaml: text + "\n" + extra, file: "street.yaml")
    }

    static let sweepYAML = """
        weather:
          sweep: [clear, overcast, fog, rain, snow, night]
          fog_density: [0.01, 0.03]
          rain_intensity: [0.5, 0.8]
          snow_intensity: 0.6
        """

    // MARK: sampling

    /// Rain and snow frames carry their particles, wetness, snow cover and fog; the other conditions
    /// of the sweep see none of it, and all six share the layout, camera and sun.
    func testRainAndSnowInASweep() throws {
        let scene = try streetScene(Self.sweepYAML)
        let frames = try (0..<6).map { try scene.frame($0) }
        XCTAssertEqual(
            frames.map { $0.lighting.weather?.condition }, [.clear, .overcast, .fog, .rain, .snow, .night])
        for f in frames.dropFirst() {
            XCTAssertEqual(f.surfaces, frames[0].surfaces)
            XCTAssertEqual(f.camera, frames[0].camera)
        }
        let rain = try XCTUnwrap(frames[3].lighting.weather), snow = try XCTUnwrap(frames[4].lighting.weather)
        let drops = try XCTUnwrap(rain.precipitation)
        XCTAssertEqual(drops.kind, .rain)
        XCTAssertTrue((0.5...0.8).contains(drops.intensity))
        XCTAssertEqual(try XCTUnwrap(rain.wetness), 0.5 + 0.5 * drops.intensity, accuracy: 1e-12)
        XCTAssertNotNil(rain.puddles, "puddles by default on a wet road")
        XCTAssertEqual(
            try XCTUnwrap(rain.fog).density, PrecipitationModel.rainDensity(drops.intensity), accuracy: 1e-12)
        XCTAssertFalse(frames[3].lighting.shadows, "rain clouds: no sun shadows")
        XCTAssertEqual(snow.precipitation?.kind, .snow)
        XCTAssertEqual(snow.precipitation?.intensity, 0.6)
        XCTAssertEqual(try XCTUnwrap(snow.snowCover), 0.4 + 0.6 * 0.6, accuracy: 1e-12)
        XCTAssertNil(snow.wetness)
        XCTAssertGreaterThan(
            luminance(frames[4].lighting.groundColor), luminance(frames[1].lighting.groundColor),
            "snow on the ground bounces light up")
        for f in [frames[0], frames[1], frames[2], frames[5]] {
            let w = try XCTUnwrap(f.lighting.weather)
            XCTAssertNil(w.precipitation)
            XCTAssertNil(w.wetness)
            XCTAssertNil(w.snowCover)
        }
        // Deterministic, and the particles of the next view's rain frame differ.
        XCTAssertEqual(try scene.frame(3), frames[3])
        let nextRain = try XCTUnwrap(try scene.frame(9).lighting.weather?.precipitation)
        XCTAssertNotEqual(nextRain.particleSeed, drops.particleSeed)
    }

    /// The new values are drawn after the old ones: a file's fog and cloud cover keep their numbers.
    func testPrecipitationDrawsLeaveTheOtherWeatherValuesBe() throws {
        let before = try streetScene("weather:\n  sweep: [clear, fog]\n  fog_density: [0.01, 0.03]\n")
        let after = try streetScene(
            "weather:\n  sweep: [clear, fog]\n  fog_density: [0.01, 0.03]\n  rain_intensity: 0.3\n  wet_road: true\n")
        for i in 0..<6 {
            let a = try before.frame(i).lighting.weather, b = try after.frame(i).lighting.weather
            XCTAssertEqual(a?.fog, b?.fog)
            XCTAssertEqual(a?.cloudCover, b?.cloudCover)
        }
    }

    /// `wet_road` wets other conditions with its probability; `puddles: false` keeps them dry of pools.
    func testWetRoadWithoutRain() throws {
        let always = try streetScene("weather:\n  condition: overcast\n  wet_road: true\n  puddles: false\n")
        let never = try streetScene("weather:\n  condition: overcast\n")
        let half = try streetScene("resample_every: 1\nweather:\n  condition: clear\n  wet_road: 0.5\n")
        let w = try XCTUnwrap(always.frame(0).lighting.weather)
        XCTAssertEqual(w.wetness, PrecipitationModel.wetRoadWetness)
        XCTAssertNil(w.puddles)
        XCTAssertNil(w.precipitation)
        XCTAssertNil(try never.frame(0).lighting.weather?.wetness)
        let wet = try (0..<40).filter { try half.frame($0).lighting.weather?.wetness != nil }.count
        XCTAssertGreaterThan(wet, 8)
        XCTAssertLessThan(wet, 32)
    }

    // MARK: local lights

    /// At night every street lamp in reach of the view lights up from its lamp head, and the cars in
    /// traffic get head and tail lights; parked cars stay dark, and by day nothing is lit.
    func testNightLightsLampsAndTraffic() throws {
        let scene = try streetScene("weather:\n  sweep: [clear, night]\n")
        let day = try scene.frame(0), night = try scene.frame(1)
        XCTAssertTrue(day.lighting.lights.isEmpty)
        let lights = night.lighting.lights
        XCTAssertFalse(lights.isEmpty)
        XCTAssertLessThanOrEqual(lights.count, LocalLight.maxPerFrame)
        let lampSurfaces = night.surfaces.indices.filter { night.surfaces[$0].name.hasSuffix("/lamp") }
        let lamps = lights.filter { $0.emitter != nil }
        XCTAssertFalse(lamps.isEmpty)
        for l in lamps {
            let emitter = try XCTUnwrap(l.emitter)
            XCTAssertTrue(lampSurfaces.contains(emitter))
            XCTAssertEqual(l.kind, .spot)
            XCTAssertEqual(l.direction, Vec3(0, 0, -1))
            // Just under the lamp head.
            let head = night.surfaces[emitter].worldFromObject.translation
            XCTAssertEqual(l.position.z, head.z - 0.02, accuracy: 1e-9)
        }
        // Vehicle lights: only cars of the lane groups, never the parked (curb) ones.
        let carLights = lights.filter { $0.emitter == nil }
        XCTAssertFalse(carLights.isEmpty)
        let parked = night.instances.filter { $0.name.hasPrefix("parked_cars_") }
        XCTAssertFalse(parked.isEmpty)
        for l in carLights {
            // Not on (within 10 cm of the box of) any parked car.
            let onParked = parked.contains { car in
                let q = car.worldFromObject.rigidInverse.transformPoint(l.position)
                return q.x > car.boxMin.x - 0.1 && q.x < car.boxMax.x + 0.1 && q.y > car.boxMin.y - 0.1
                    && q.y < car.boxMax.y + 0.1
            }
            XCTAssertFalse(onParked, "a light at \(l.position) sits on a parked car")
            XCTAssertEqual(l.kind, .spot)
        }
        XCTAssertTrue(carLights.contains { $0.color.x > 3 * $0.color.y }, "red tail lights")
        XCTAssertTrue(carLights.contains { abs($0.color.x - $0.color.z) < 0.5 }, "white head lights")
        XCTAssertEqual(try scene.frame(1), night, "deterministic")
    }

    /// The street scene with its `lighting` block replaced by `block` (lines under `lighting:`).
    func streetScene(lighting block: String, _ extra: String = "") throws -> SceneDescription {
        let text = try String(contentsOfFile: scenePath("driving_street.yaml"), encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "\nlighting:\n"))
        let end = try XCTUnwrap(text.range(of: "\n\n", range: start.upperBound..<text.endIndex))
        let replaced = text.replacingCharacters(in: start.upperBound..<end.lowerBound, with: block)
        return try SceneLoader.load(yaml: replaced + "\n" + extra, file: "street.yaml")
    }

    func testLocalLightsModes() throws {
        let on = try streetScene(lighting: "  local_lights: on")
        XCTAssertFalse(try on.frame(0).lighting.lights.isEmpty, "on: lit even by day without weather")
        let off = try streetScene(lighting: "  local_lights: off", "weather:\n  condition: night\n")
        XCTAssertTrue(try off.frame(0).lighting.lights.isEmpty)
        let dusk = try streetScene(lighting: "  time_of_day: 20.5\n  latitude_deg: 48\n  day_of_year: 172")
        let sun = try dusk.frame(0).lighting.sunDirection
        XCTAssertLessThan(asin(sun.z) * 180 / .pi, LocalLightsMode.autoSunElevationDeg)
        XCTAssertFalse(try dusk.frame(0).lighting.lights.isEmpty, "auto: lit at dusk")
        let noon = try streetScene(lighting: "  time_of_day: 12\n  latitude_deg: 48\n  day_of_year: 172")
        XCTAssertTrue(try noon.frame(0).lighting.lights.isEmpty, "auto: dark by day")
        // A scene without weather or time_of_day renders as before, whatever its sun.
        let low = try streetScene(lighting: "  sun_elevation_deg: -5")
        XCTAssertTrue(try low.frame(0).lighting.lights.isEmpty)
    }

    /// The file's own lights: in every frame, position and intensity drawn per layout, colors from
    /// the color temperature, range from the intensity when not given.
    func testFileLights() throws {
        let yaml =
            minimalValidYAML + """

                lighting:
                  lights:
                    - {position: [0, 0, 3], temperature_k: 2700, intensity: [500, 900], size: 0.6}
                    - {type: spot, position: [4, 0, 3], direction: [0, 0, -2], cone_deg: 30, color: [255, 0, 0],
                       intensity: 2000, range: 12}
                """
        let scene = try SceneLoader.load(yaml: yaml, file: "t.yaml")
        let lights = try scene.frame(0).lighting.lights
        XCTAssertEqual(lights.count, 2)
        let point = lights[0], spot = lights[1]
        XCTAssertEqual(point.kind, .point)
        XCTAssertTrue((500...900).contains(point.intensity))
        XCTAssertEqual(point.range, LocalLight.defaultRange(intensity: point.intensity))
        XCTAssertEqual(point.size, 0.6)
        XCTAssertEqual(point.color, ColorTemperature.linearRGB(kelvin: 2700))
        XCTAssertEqual(spot.kind, .spot)
        XCTAssertEqual(spot.direction, Vec3(0, 0, -1))
        XCTAssertEqual(spot.outerConeDeg, 30)
        XCTAssertEqual(spot.innerConeDeg, 21, accuracy: 1e-12)
        XCTAssertEqual(spot.range, 12)
        XCTAssertEqual(luminance(spot.color), 1, accuracy: 1e-12)
        XCTAssertEqual(spot.color.y, 0)
        XCTAssertEqual(try scene.frame(5).lighting.lights, lights, "one layout, the same lights")
    }

    func testColorTemperature() {
        let d65 = ColorTemperature.linearRGB(kelvin: 6504)
        for c in [d65.x, d65.y, d65.z] { XCTAssertEqual(c, 1, accuracy: 0.05, "\(d65)") }
        let warm = ColorTemperature.linearRGB(kelvin: 2700)
        XCTAssertGreaterThan(warm.x, warm.y)
        XCTAssertGreaterThan(warm.y, warm.z)
        XCTAssertEqual(luminance(warm), 1, accuracy: 1e-12)
        let cold = ColorTemperature.linearRGB(kelvin: 12000)
        XCTAssertGreaterThan(cold.z, cold.x)
    }

    /// Frames without lights or precipitation encode no new keys; frames with them encode and
    /// decode them (the JSON `scenefarm sample` prints).
    func testEncoding() throws {
        let plain = try streetScene("weather:\n  condition: clear\n").frame(0)
        let json = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        for key in ["lights", "precipitation", "wetness", "puddles", "snowCover"] {
            XCTAssertFalse(json.contains("\"\(key)\""), key)
        }
        let scene = try streetScene(Self.sweepYAML)
        for i in [3, 4, 5] {
            let f = try scene.frame(i)
            let data = try JSONEncoder().encode(f)
            XCTAssertEqual(try JSONDecoder().decode(FrameSpec.self, from: data), f)
        }
        let text = String(decoding: try JSONEncoder().encode(try scene.frame(5)), as: UTF8.self)
        XCTAssertTrue(text.contains("\"lights\""))
        XCTAssertTrue(text.contains("\"emitter\""))
        let rain = String(decoding: try JSONEncoder().encode(try scene.frame(3)), as: UTF8.self)
        for key in ["precipitation", "particleSeed", "wetness"] { XCTAssertTrue(rain.contains("\"\(key)\""), key) }
    }

    // MARK: errors

    func testPrecipitationErrors() {
        let base = minimalValidYAML + "\nweather:\n"
        assertSingleIssue(
            base + "  rain_intensity: 1.5\n", path: "weather.rain_intensity", line: 8, column: 19, "from 0 to 1")
        assertSingleIssue(
            base + "  snow_intensity: [0.8, 0.2]\n", path: "weather.snow_intensity", line: 8, column: 19, "min <= max")
        assertSingleIssue(
            base + "  wet_road: maybe\n", path: "weather.wet_road", line: 8, column: 13, "true, false or a probability")
        assertSingleIssue(base + "  puddles: 2\n", path: "weather.puddles", line: 8, column: 12, "from 0 to 1")
        assertSingleIssue(
            base + "  rain_intensty: 0.5\n", path: "weather.rain_intensty", line: 8, column: 3,
            "did you mean `rain_intensity`?")
        assertSingleIssue(
            base + "  condition: snwo\n", path: "weather.condition", line: 8, column: 14, "did you mean `snow`?")
        assertSingleIssue(
            base + "  sweep: [clear, rian]\n", path: "weather.sweep[1]", line: 8, column: 18, "did you mean `rain`?")
    }

    func testLightErrors() {
        let base = minimalValidYAML + "\nlighting:\n"
        assertSingleIssue(
            base + "  local_lights: autoo\n", path: "lighting.local_lights", line: 8, column: 17, "did you mean `auto`?"
        )
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3]}\n", path: "lighting.lights[0].intensity", line: 9,
            column: 7, "missing required field `intensity`")
        assertSingleIssue(
            base + "  lights:\n    - {type: spott, position: [0, 0, 3], intensity: 10}\n",
            path: "lighting.lights[0].type", line: 9, column: 14, "did you mean `spot`?")
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: 10, cone_deg: 30}\n",
            path: "lighting.lights[0].cone_deg", line: 9, column: 44, "spot lights only")
        assertSingleIssue(
            base + "  lights:\n    - {type: spot, position: [0, 0, 3], intensity: 10, cone_deg: 95}\n",
            path: "lighting.lights[0].cone_deg", line: 9, column: 66, "strictly between 0 and 90")
        assertSingleIssue(
            base
                + "  lights:\n    - {type: spot, position: [0, 0, 3], intensity: 10, cone_deg: 20, inner_cone_deg: 30}\n",
            path: "lighting.lights[0].inner_cone_deg", line: 9, column: 86, "no wider than `cone_deg`")
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: 10, temperature_k: 3000, color: [255, 0, 0]}\n",
            path: "lighting.lights[0].color", line: 9, column: 65, "either `temperature_k` or `color`")
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: -1}\n", path: "lighting.lights[0].intensity",
            line: 9, column: 40, "at least 0")
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: 10, temperature_k: 500}\n",
            path: "lighting.lights[0].temperature_k", line: 9, column: 59, "from 1000 to 40000")
        assertSingleIssue(
            base + "  lights:\n    - {type: spot, position: [0, 0, 3], intensity: 10, direction: [0, 0, 0]}\n",
            path: "lighting.lights[0].direction", line: 9, column: 67, "zero vector")
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: 10, sise: 1}\n", path: "lighting.lights[0].sise",
            line: 9, column: 44, "did you mean `size`?")
    }
}

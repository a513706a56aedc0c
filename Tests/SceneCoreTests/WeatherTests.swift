import Foundation
import XCTest

@testable import SceneCore

/// The `weather` block and `lighting.time_of_day`: solar position, sampling in its own stream,
/// sweeps over one layout, and the loader's errors.
final class WeatherTests: XCTestCase {
    // MARK: solar position and daylight

    func testSolarNoonAtTheEquinoxStandsAtNinetyMinusTheLatitude() {
        // Day 80 (21 March): declination -0.4°, so noon elevation at 48° N is 41.6°.
        XCTAssertEqual(SolarPosition.declinationDeg(dayOfYear: 80), -0.40, accuracy: 0.05)
        XCTAssertEqual(SolarPosition.elevationDeg(latitudeDeg: 48, dayOfYear: 80, solarHours: 12), 41.6, accuracy: 0.1)
        // Summer solstice (day 172): 90 - 48 + 23.45.
        XCTAssertEqual(
            SolarPosition.elevationDeg(latitudeDeg: 48, dayOfYear: 172, solarHours: 12), 65.4, accuracy: 0.1)
        // At noon the sun stands due south in the northern hemisphere (+Y is north).
        let noon = SolarPosition.direction(latitudeDeg: 48, dayOfYear: 80, solarHours: 12)
        XCTAssertEqual(noon.x, 0, accuracy: 1e-12)
        XCTAssertLessThan(noon.y, 0)
    }

    func testSunriseAndSunsetAtTheEquinoxAreOnTheHorizonEastAndWest() {
        let rise = SolarPosition.direction(latitudeDeg: 48, dayOfYear: 80, solarHours: 6)
        XCTAssertEqual(asin(rise.z) * 180 / .pi, 0, accuracy: 0.5)
        XCTAssertGreaterThan(rise.x, 0.99, "rises in the east (+X)")
        let set = SolarPosition.direction(latitudeDeg: 48, dayOfYear: 80, solarHours: 18)
        XCTAssertLessThan(set.x, -0.99, "sets in the west")
        XCTAssertLessThan(SolarPosition.elevationDeg(latitudeDeg: 48, dayOfYear: 80, solarHours: 0), -40)
    }

    func testSunlightWarmsTowardsTheHorizonAndIsNoneBelowIt() {
        let overhead = DaylightModel.sunTransmittance(elevationDeg: 90)
        XCTAssertEqual(overhead.x, 1, accuracy: 1e-3)
        XCTAssertEqual(overhead.z, 1, accuracy: 1e-3)
        let low = DaylightModel.sunTransmittance(elevationDeg: 4)
        XCTAssertGreaterThan(low.x, low.y)
        XCTAssertGreaterThan(low.y, low.z)
        XCTAssertLessThan(low.z, 0.3)
        XCTAssertEqual(DaylightModel.sunTransmittance(elevationDeg: -1), .zero)
        XCTAssertLessThan(DaylightModel.skyBrightness(elevationDeg: -10), 0.05)
        XCTAssertEqual(DaylightModel.skyBrightness(elevationDeg: 40), 1)
    }

    // MARK: sampling

    static let weatherYAML = """
        weather:
          sweep: [clear, overcast, fog, night]
          fog_density: [0.01, 0.03]
        """

    func streetScene(_ extra: String = "") throws -> SceneDescription {
        let text = try String(contentsOfFile: scenePath("driving_street.yaml"), encoding: .utf8)
        return try SceneLoader.load(yaml: text + "\n" + extra, file: "street.yaml")
    }

    /// A sweep renders view k as frames 4k ..< 4k + 4: each has exactly the surfaces, instances and
    /// camera of frame k of the scene without weather; only the lighting differs.
    func testASweepKeepsTheLayoutAndCameraOfTheSceneWithoutWeather() throws {
        let plain = try streetScene(), swept = try streetScene(Self.weatherYAML)
        for view in 0..<3 {
            let base = try plain.frame(view)
            var lightings: [Lighting] = []
            for j in 0..<4 {
                let f = try swept.frame(4 * view + j)
                XCTAssertEqual(f.index, 4 * view + j)
                XCTAssertEqual(f.surfaces, base.surfaces)
                XCTAssertEqual(f.instances, base.instances)
                XCTAssertEqual(f.camera, base.camera)
                lightings.append(f.lighting)
            }
            XCTAssertEqual(lightings.map { $0.weather?.condition }, [.clear, .overcast, .fog, .night])
            XCTAssertEqual(Set(lightings.map(\.sunDirection)).count, 1, "one sun for the four conditions")
            XCTAssertNil(lightings[0].fog)
            XCTAssertNotNil(lightings[2].fog)
            XCTAssertEqual(lightings[3].sunColor, .zero)
            XCTAssertGreaterThan(lightings[3].exposure, 1)
            XCTAssertTrue(lightings[0].shadows)
            XCTAssertFalse(lightings[1].shadows, "no shadows under overcast")
            XCTAssertFalse(lightings[3].shadows)
        }
    }

    /// Without a weather block the lighting is the issue-2 lighting: no weather, exposure 1, no
    /// shadows, and the encoded frame has no new keys.
    func testScenesWithoutWeatherSampleAsBefore() throws {
        let spec = try streetScene().frame(3)
        XCTAssertNil(spec.lighting.weather)
        XCTAssertEqual(spec.lighting.exposure, 1)
        XCTAssertFalse(spec.lighting.shadows)
        let json = String(decoding: try JSONEncoder().encode(spec.lighting), as: UTF8.self)
        for key in ["weather", "exposure", "shadows"] { XCTAssertFalse(json.contains(key), json) }
        // Old encodings (without the keys) decode to the same value.
        XCTAssertEqual(try JSONDecoder().decode(Lighting.self, from: Data(json.utf8)), spec.lighting)
    }

    /// Exposure meters the sky and sunlit faces too: a low sun no longer burns the horizon and the
    /// faces turned to it white, noon keeps exposure 1 and night its maximum.
    func testLowSunExposureKeepsTheSkyAndSunlitFacesInRange() throws {
        func lighting(_ hours: Double, _ condition: String = "clear") throws -> Lighting {
            let scene = try SceneLoader.load(
                yaml: minimalValidYAML
                    + "\nlighting: {time_of_day: \(hours), latitude_deg: 48, day_of_year: 172}\n"
                    + "weather: {condition: \(condition)}\n",
                file: "exposure.yaml")
            return try scene.frame(0).lighting
        }
        let key = WeatherLighting.exposureKey
        for hours in stride(from: 17.5, through: 20.0, by: 0.25) {
            let l = try lighting(hours)
            guard l.sunDirection.z > 0 else { continue }
            let elevation = l.sunDirection.z
            let sunlitFace = 0.5 * luminance(l.sunColor) * (1 - elevation * elevation).squareRoot()
            XCTAssertLessThanOrEqual(l.exposure * luminance(l.backgroundColor), key + 1e-9, "sky at \(hours) h")
            XCTAssertLessThanOrEqual(
                l.exposure * (luminance(l.skyColor) + sunlitFace), key + 1e-9, "sunlit faces at \(hours) h")
            XCTAssertGreaterThanOrEqual(l.exposure, 1)
        }
        XCTAssertEqual(try lighting(12).exposure, 1, "noon")
        XCTAssertEqual(try lighting(12, "night").exposure, WeatherLighting.maxExposure, "night")
    }

    func testWeatherRoundTripsThroughCodable() throws {
        let spec = try streetScene(Self.weatherYAML).frame(2)
        let data = try JSONEncoder().encode(spec)
        XCTAssertEqual(try JSONDecoder().decode(FrameSpec.self, from: data), spec)
    }

    /// A weighted choice is drawn per layout from its own stream: deterministic, every condition with
    /// a weight appears, and the objects are those of the scene without weather.
    func testWeightedConditionsAreDrawnPerLayoutWithoutMovingObjects() throws {
        let extra = "resample_every: 1\nweather:\n  condition: {clear: 1, fog: 1, night: 2, overcast: 0}\n"
        let plain = try streetScene("resample_every: 1\n"), weather = try streetScene(extra)
        var seen: [WeatherCondition: Int] = [:]
        for i in 0..<40 {
            let a = try weather.frame(i, seed: 7), b = try weather.frame(i, seed: 7)
            XCTAssertEqual(a, b)
            seen[a.lighting.weather!.condition, default: 0] += 1
            if i < 4 { XCTAssertEqual(a.surfaces, try plain.frame(i, seed: 7).surfaces) }
        }
        XCTAssertEqual(Set(seen.keys), [.clear, .fog, .night])
        XCTAssertGreaterThan(seen[.night]!, seen[.clear]!)
    }

    func testTimeOfDayPlacesTheSunAndColorsTheSky() throws {
        let low = try SceneLoader.load(
            yaml: minimalValidYAML + "\nlighting: {time_of_day: 6.5, latitude_deg: 48, day_of_year: 80}\n",
            file: "t.yaml"
        ).frame(0)
        let high = try SceneLoader.load(
            yaml: minimalValidYAML + "\nlighting: {time_of_day: 12, latitude_deg: 48, day_of_year: 80}\n",
            file: "t.yaml"
        ).frame(0)
        let dark = try SceneLoader.load(
            yaml: minimalValidYAML + "\nlighting: {time_of_day: 23, latitude_deg: 48, day_of_year: 80}\n",
            file: "t.yaml"
        ).frame(0)
        XCTAssertEqual(
            asin(high.lighting.sunDirection.z) * 180 / .pi,
            SolarPosition.elevationDeg(latitudeDeg: 48, dayOfYear: 80, solarHours: 12), accuracy: 1e-9)
        let l = low.lighting.sunColor, h = high.lighting.sunColor
        XCTAssertLessThan(l.z / l.x, h.z / h.x, "a low sun is redder")
        XCTAssertLessThan(luminance(l), luminance(h))
        XCTAssertEqual(dark.lighting.sunColor, .zero)
        XCTAssertLessThan(luminance(dark.lighting.skyColor), luminance(high.lighting.skyColor) / 10)
        XCTAssertGreaterThan(dark.lighting.exposure, 1)
        XCTAssertTrue(high.lighting.shadows, "time_of_day turns shadows on by default")
    }

    // MARK: errors

    func testWeatherErrorsNameLineColumnAndSuggest() {
        let base = minimalValidYAML + "\nweather:\n"
        assertSingleIssue(
            base + "  fog_densty: 0.1\n", path: "weather.fog_densty", line: 8, column: 3, "unknown field",
            "did you mean `fog_density`?")
        assertSingleIssue(
            base + "  condition: ovrcast\n", path: "weather.condition", line: 8, column: 14,
            "unknown weather condition `ovrcast`", "did you mean `overcast`?")
        assertSingleIssue(
            base + "  condition: hail\n", path: "weather.condition", line: 8, column: 14,
            "unknown weather condition `hail`", "(conditions: clear, overcast, fog, night, rain, snow)")
        assertSingleIssue(
            base + "  sweep: [clear, nigth]\n", path: "weather.sweep[1]", line: 8, column: 18, "did you mean `night`?")
        assertSingleIssue(
            base + "  condition: fog\n  sweep: [clear]\n", path: "weather.sweep", line: 9, column: 3,
            "either `condition` or `sweep`")
        assertSingleIssue(
            base + "  cloud_cover: 1.5\n", path: "weather.cloud_cover", line: 8, column: 16, "from 0 to 1", "1.5")
        assertSingleIssue(
            base + "  condition: {clear: 0, fog: 0}\n", path: "weather.condition", line: 8, column: 14,
            "weight above 0")
        assertSingleIssue(
            base + "  condition: {clear: -1}\n", path: "weather.condition.clear", line: 8, column: 22, "at least 0")
        assertSingleIssue(base + "  sweep: []\n", path: "weather.sweep", line: 8, column: 10, "at least one")
        assertSingleIssue(
            base + "  fog_density: [0.05, 0.01]\n", path: "weather.fog_density", line: 8, column: 16, "min <= max")
    }

    func testTimeOfDayErrors() {
        let base = minimalValidYAML + "\nlighting:\n"
        assertSingleIssue(
            base + "  time_of_day: 12\n  sun_elevation_deg: 30\n", path: "lighting.sun_elevation_deg", line: 9,
            column: 3, "either `time_of_day`")
        assertSingleIssue(
            base + "  latitude_deg: 48\n", path: "lighting.latitude_deg", line: 8, column: 3, "only with `time_of_day`")
        assertSingleIssue(
            base + "  time_of_day: 25\n", path: "lighting.time_of_day", line: 8, column: 16, "from 0 to 24")
        assertSingleIssue(
            base + "  time_of_day: 12\n  latitude_deg: 95\n", path: "lighting.latitude_deg", line: 9, column: 17,
            "from -90 to 90")
        assertSingleIssue(
            base + "  time_of_dya: 12\n", path: "lighting.time_of_dya", line: 8, column: 3,
            "did you mean `time_of_day`?")
        assertSingleIssue(
            base + "  shadows: yes please\n", path: "lighting.shadows", line: 8, column: 12, "true or false")
    }
}

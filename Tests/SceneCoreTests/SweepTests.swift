import Foundation
import XCTest

@testable import SceneCore

/// Sweeps: frame i shows view i / N under variant i % N, and a variant is exactly the view with the
/// swept values written into the scene.
final class SweepTests: XCTestCase {
    /// A scene with everything a sweep touches drawn at random; `extra` is appended.
    static func scene(
        camera: String = "yaw_deg: 10\n  pitch_deg: -4\n  position: [0, -1.5, 1.5]", lighting: String,
        weather: String, extra: String
    ) -> String {
        """
        format: 1
        seed: 11
        resample_every: 2
        classes:
          - {id: 1, name: road}
          - {id: 2, name: car}
        camera:
          resolution: [64, 48]
          \(camera)
          motion: {velocity: [2, 0, 0], fps: 10}
          jitter: {yaw_deg: 2, pitch_deg: {normal: {mean: 0, std: 0.5}}, height: [0, 0.1]}
        lighting:
          \(lighting)
        weather:
          \(weather)
        groups:
          - {name: g, shape: sphere, radius: [0.3, 1], class: car, count: [2, 5], placement: {x: [0, 30], y: [-5, 5]}}
        \(extra)
        """
    }

    func load(_ yaml: String) throws -> SceneDescription { try SceneLoader.load(yaml: yaml, file: "sweep.yaml") }

    /// Everything of a frame but its index.
    func assertSameFrame(_ a: FrameSpec, _ b: FrameSpec, _ message: String, line: UInt = #line) {
        XCTAssertEqual(a.camera, b.camera, "camera, \(message)", line: line)
        XCTAssertEqual(a.lighting, b.lighting, "lighting, \(message)", line: line)
        XCTAssertEqual(a.surfaces, b.surfaces, "surfaces, \(message)", line: line)
        XCTAssertEqual(a.instances, b.instances, "instances, \(message)", line: line)
    }

    func testEachVariantIsItsViewWithTheSweptValuesWrittenIn() throws {
        let conditions = ["clear", "fog"], yaws = [-15.0, 0, 15], heights = [0.0, 0.5]
        let swept = try load(
            Self.scene(
                lighting: "time_of_day: [8, 16]", weather: "fog_density: [0.01, 0.04]",
                extra: """
                    sweep:
                      weather: [clear, fog]
                      camera_yaw_offset_deg: [-15, 0, 15]
                      camera_height_offset: [0, 0.5]
                    """))
        XCTAssertEqual(swept.sweep?.variantCount, 12)
        // The variants in order: the last axis fastest.
        let variants = conditions.flatMap { c in yaws.flatMap { y in heights.map { (c, y, $0) } } }
        for view in 0..<3 {
            for (v, (c, yaw, height)) in variants.enumerated() {
                let plain = try load(
                    Self.scene(
                        camera: "yaw_deg: \(10 + yaw)\n  pitch_deg: -4\n  position: [0, -1.5, \(1.5 + height)]",
                        lighting: "time_of_day: [8, 16]", weather: "condition: \(c)\n  fog_density: [0.01, 0.04]",
                        extra: ""))
                let frame = try swept.frame(view * 12 + v)
                assertSameFrame(frame, try plain.frame(view), "view \(view), variant \(v): \(c), \(yaw), \(height)")
                XCTAssertEqual(frame.index, view * 12 + v)
                XCTAssertEqual(frame.lighting.weather?.condition.rawValue, c)
            }
        }
    }

    func testTimeOfDayAndFogDensityAxes() throws {
        let swept = try load(
            Self.scene(
                lighting: "time_of_day: [8, 16]\n  day_of_year: [100, 200]", weather: "condition: fog",
                extra: "sweep:\n  time_of_day: [7.5, 12, 18]\n  fog_density: [0.01, 0.05]\n"))
        for (v, (hours, density)) in [7.5, 12, 18].flatMap({ h in [0.01, 0.05].map { (h, $0) } }).enumerated() {
            let plain = try load(
                Self.scene(
                    lighting: "time_of_day: \(hours)\n  day_of_year: [100, 200]",
                    weather: "condition: fog\n  fog_density: \(density)", extra: ""))
            assertSameFrame(try swept.frame(6 * 5 + v), try plain.frame(5), "variant \(v)")
            XCTAssertEqual(try swept.frame(6 * 5 + v).lighting.weather?.fog?.density, density)
        }
        let morning = try swept.frame(0).lighting.sunDirection, evening = try swept.frame(4).lighting.sunDirection
        XCTAssertGreaterThan(morning.x, 0, "the morning sun is in the east (+X)")
        XCTAssertLessThan(evening.x, 0, "the evening sun is in the west")
    }

    /// The scene file's own weather sweep, unchanged: frame 6k + j is frame k of the scene with
    /// condition j, and the top-level sweep adds axes after it.
    func testTheWeatherBlocksSweepIsTheFirstAxis() throws {
        let text = try String(contentsOfFile: scenePath("driving_weather_sweep.yaml"), encoding: .utf8)
        let swept = try load(text)
        XCTAssertEqual(swept.sweep?.dimensions.map(\.axis), [.weather])
        let conditions = ["clear", "overcast", "fog", "rain", "snow", "night"]
        let list = "sweep: [\(conditions.joined(separator: ", "))]"
        XCTAssertTrue(text.contains(list), "the scene sweeps \(conditions)")
        for (j, c) in conditions.enumerated() {
            let plain = try load(text.replacingOccurrences(of: list, with: "condition: \(c)"))
            assertSameFrame(try swept.frame(6 + j), try plain.frame(1), c)
        }

        let more = try load(text + "\nsweep:\n  camera_pitch_offset_deg: [0, 5]\n")
        XCTAssertEqual(more.sweep?.dimensions.map(\.axis), [.weather, .cameraPitchOffsetDeg])
        XCTAssertEqual(
            more.sweepVariant(forFrame: 12 + 3).settings, [.weather(.overcast), .cameraPitchOffsetDeg(5)])
        XCTAssertEqual(more.sweepVariant(forFrame: 12 + 3).view, 1)
    }

    func testVariantsCountLikeNestedLoops() {
        let sweep = SceneSweep(dimensions: [
            SweepDimension(axis: .weather, settings: [.weather(.clear), .weather(.night)]),
            SweepDimension(axis: .cameraYawOffsetDeg, settings: [-1, 0, 1].map { .cameraYawOffsetDeg($0) }),
        ])
        XCTAssertEqual(sweep.variantCount, 6)
        XCTAssertEqual(
            (0..<6).map { sweep.settings(ofVariant: $0) },
            [
                [.weather(.clear), .cameraYawOffsetDeg(-1)], [.weather(.clear), .cameraYawOffsetDeg(0)],
                [.weather(.clear), .cameraYawOffsetDeg(1)], [.weather(.night), .cameraYawOffsetDeg(-1)],
                [.weather(.night), .cameraYawOffsetDeg(0)], [.weather(.night), .cameraYawOffsetDeg(1)],
            ])
    }

    /// Rain and snow intensities sweep like fog density: the view's frame with the intensity fixed.
    func testRainAndSnowIntensitiesAreAxes() throws {
        let swept = try load(
            Self.scene(
                lighting: "time_of_day: 14", weather: "condition: rain",
                extra: "sweep:\n  rain_intensity: [0.2, 0.9]\n"))
        XCTAssertEqual(swept.sweep?.dimensions.map(\.axis), [.rainIntensity])
        for (j, rain) in [0.2, 0.9].enumerated() {
            let plain = try load(
                Self.scene(
                    lighting: "time_of_day: 14", weather: "condition: rain\n  rain_intensity: \(rain)", extra: ""))
            assertSameFrame(try swept.frame(2 * 3 + j), try plain.frame(3), "rain \(rain)")
            let p = try XCTUnwrap(try swept.frame(2 * 3 + j).lighting.weather?.precipitation)
            XCTAssertEqual(p.kind, .rain)
            XCTAssertEqual(p.intensity, rain)
        }
        let snow = try load(
            Self.scene(
                lighting: "time_of_day: 14", weather: "condition: snow",
                extra: "sweep:\n  snow_intensity: [0.1, 0.5, 1]\n"))
        XCTAssertEqual(try snow.frame(5).lighting.weather?.precipitation?.intensity, 1)
        XCTAssertEqual(try snow.frame(5).surfaces, try snow.frame(3).surfaces, "one view, one layout")
    }

    /// Object headings and materials sweep like the rest: the view's objects in the same places,
    /// turned by the offset or refinished, and nothing else changed.
    func testObjectHeadingAndMaterialAxes() throws {
        let plain = try load(Self.scene(lighting: "time_of_day: 14", weather: "condition: clear", extra: ""))
        let swept = try load(
            Self.scene(
                lighting: "time_of_day: 14", weather: "condition: clear",
                extra: "sweep:\n  object_yaw_offset_deg: [0, 90]\n  material_roughness: [0.1, 0.8]\n"))
        XCTAssertEqual(swept.sweep?.variantCount, 4)
        let base = try plain.frame(3)
        for v in 0..<4 {
            let f = try swept.frame(4 * 3 + v)
            XCTAssertEqual(f.camera, base.camera)
            XCTAssertEqual(f.lighting, base.lighting)
            XCTAssertEqual(f.instances.count, base.instances.count)
            XCTAssertGreaterThan(f.instances.count, 0)
            let turn = v / 2 == 1 ? Double.pi / 2 : 0
            for (a, b) in zip(f.instances, base.instances) {
                XCTAssertEqual(a.name, b.name)
                let p = a.worldFromObject.translation, q = b.worldFromObject.translation
                XCTAssertLessThan((p - q).length, 1e-9, "same place, variant \(v)")
                let x = a.worldFromObject.transformDirection(Vec3(1, 0, 0))
                let y = b.worldFromObject.transformDirection(Vec3(1, 0, 0))
                let angle = atan2(x.y, x.x) - atan2(y.y, y.x)
                XCTAssertEqual(remainder(angle - turn, 2 * Double.pi), 0, accuracy: 1e-9, "heading, variant \(v)")
            }
            let roughness = v % 2 == 0 ? 0.1 : 0.8
            for (a, b) in zip(f.surfaces, base.surfaces) {
                XCTAssertEqual(a.finish.roughness, a.instanceID == 0 ? b.finish.roughness : roughness)
                XCTAssertEqual(a.finish.metallic, b.finish.metallic)
                XCTAssertEqual(a.color, b.color)
            }
        }
    }

    func testAWeatherAxisWithoutAWeatherBlockUsesTheDefaults() throws {
        let scene = try load(minimalValidYAML + "\nsweep: {weather: [clear, night], time_of_day: [10, 22]}\n")
        XCTAssertEqual(scene.weather?.fogDensity, WeatherDescription.defaultFogDensity)
        XCTAssertTrue(scene.lighting.shadows, "as with a weather block")
        XCTAssertEqual(scene.lighting.timeOfDay?.latitudeDeg, .fixed(48))
        XCTAssertEqual(try scene.frame(3).lighting.weather?.condition, .night)
        XCTAssertLessThan(try scene.frame(1).lighting.sunDirection.z, 0, "22:00: the sun is down")
        XCTAssertGreaterThan(try scene.frame(0).lighting.sunDirection.z, 0)
    }

    func testTooManyVariantsIsAnError() {
        let values = (0..<101).map { "\($0)" }.joined(separator: ", ")
        let issues = loadIssues(
            minimalValidYAML + "\nsweep: {camera_height_offset: [\(values)], camera_yaw_offset_deg: [\(values)]}\n")
        XCTAssertEqual(issues.map(\.path), ["sweep"])
        XCTAssertTrue(issues.first?.message.contains("10201 variants") ?? false, "\(issues)")
    }
}

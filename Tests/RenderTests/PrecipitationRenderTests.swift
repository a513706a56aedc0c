import Foundation
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Rain, snow and wet roads on a real EGL context (llvmpipe in CI): they change the color image as
/// the models say, and never the IDs or depth.
final class PrecipitationRenderTests: XCTestCase {
    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func makeRenderer() throws -> GLRenderer { try Self.fixture.makeRenderer() }

    static let classes = [
        SemanticClass(id: 1, name: "road", color: [0, 0, 0]), SemanticClass(id: 2, name: "building", color: [0, 0, 0]),
    ]

    /// A road plane (the sampler's road: a plane 1 cm up) and a wall facing the camera, seen from
    /// 1.6 m looking down the road; 160x120.
    func street(_ lighting: Lighting) -> FrameSpec {
        let cam = Camera(
            intrinsics: CameraIntrinsics(width: 160, height: 120, horizontalFOVDegrees: 70),
            worldFromCamera: Camera.lookAt(eye: Vec3(0, 0, 1.6), target: Vec3(8, 0, 0)))
        let road = Surface(
            name: "road", shape: .plane(sizeX: 200, sizeY: 40), worldFromObject: .translation(Vec3(50, 0, 0.01)),
            color: Vec3(0.3, 0.3, 0.3), classID: 1, instanceID: 0)
        let wall = Surface(
            name: "wall", shape: .box(size: Vec3(1, 12, 3)), worldFromObject: .translation(Vec3(14, 3, 0)),
            color: Vec3(0.3, 0.3, 0.3), classID: 2, instanceID: 1)
        return FrameSpec(index: 0, camera: cam, lighting: lighting, classes: Self.classes, surfaces: [road, wall])
    }

    /// Overcast daylight with `weather` (sun from behind the camera, so no glint faces it).
    func lighting(_ weather: WeatherState) -> Lighting {
        var base = Lighting.daylight
        base.sunDirection = Vec3(-0.5, 0.2, 0.8).normalized
        return WeatherLighting.apply(weather, to: base)
    }

    func meanLuma(_ f: RenderedFrame, where keep: (Int) -> Bool) -> Double {
        var sum = 0.0, n = 0
        for i in 0..<(f.width * f.height) where keep(i) {
            sum +=
                0.2126 * Double(f.color[i * 4]) + 0.7152 * Double(f.color[i * 4 + 1])
                + 0.0722 * Double(f.color[i * 4 + 2])
            n += 1
        }
        return sum / Double(max(n, 1))
    }

    /// Snow whitens what faces up (the road) and leaves what faces sideways (the wall) nearly as it
    /// was; the IDs and depth do not move.
    func testSnowWhitensUpwardFacesOnly() throws {
        let renderer = try makeRenderer()
        let bare = try renderer.render(street(lighting(WeatherState(condition: .overcast, cloudCover: 0.85))))
        let snowy = try renderer.render(
            street(lighting(WeatherState(condition: .snow, cloudCover: 0.85, snowCover: 0.9))))
        XCTAssertEqual(snowy.surfaceIDs, bare.surfaceIDs)
        XCTAssertEqual(snowy.depth, bare.depth)
        let ids = bare.surfaceIDs
        let groundBefore = meanLuma(bare) { ids[$0] == 1 }, groundAfter = meanLuma(snowy) { ids[$0] == 1 }
        let wallBefore = meanLuma(bare) { ids[$0] == 2 }, wallAfter = meanLuma(snowy) { ids[$0] == 2 }
        XCTAssertGreaterThan(ids.filter { $0 == 2 }.count, 200, "the wall is in view")
        XCTAssertGreaterThan(groundAfter, groundBefore * 1.5, "the road whitens (\(groundBefore) -> \(groundAfter))")
        XCTAssertGreaterThan(
            groundAfter - groundBefore, 4 * abs(wallAfter - wallBefore),
            "the wall changes far less (\(wallBefore) -> \(wallAfter))")
    }

    /// A wet road is darker where it does not mirror the sky (near the camera, seen steeply).
    func testWetRoadIsDarkerNearTheCamera() throws {
        let renderer = try makeRenderer()
        let dry = try renderer.render(street(lighting(WeatherState(condition: .overcast, cloudCover: 0.9))))
        let wet = try renderer.render(
            street(lighting(WeatherState(condition: .overcast, cloudCover: 0.9, wetness: 1))))
        XCTAssertEqual(wet.surfaceIDs, dry.surfaceIDs)
        XCTAssertEqual(wet.depth, dry.depth)
        // The bottom quarter of the image: road within a few metres.
        let near = { (i: Int) in i / 160 >= 90 && dry.surfaceIDs[i] == 1 }
        let before = meanLuma(dry, where: near), after = meanLuma(wet, where: near)
        XCTAssertLessThan(after, before * 0.85, "wet road darker (\(before) -> \(after))")
    }

    /// Puddles are mirrors of the sky on the road: some road pixels far brighter than the wet road
    /// around them, none on the wall; the IDs do not move.
    func testPuddlesMirrorTheSkyOnTheRoad() throws {
        let renderer = try makeRenderer()
        let wet = try renderer.render(
            street(lighting(WeatherState(condition: .overcast, cloudCover: 0.9, wetness: 1))))
        let puddled = try renderer.render(
            street(lighting(WeatherState(condition: .overcast, cloudCover: 0.9, wetness: 1, puddles: 0.4))))
        XCTAssertEqual(puddled.surfaceIDs, wet.surfaceIDs)
        let ids = wet.surfaceIDs
        func luma(_ f: RenderedFrame, _ i: Int) -> Double {
            0.2126 * Double(f.color[i * 4]) + 0.7152 * Double(f.color[i * 4 + 1]) + 0.0722 * Double(f.color[i * 4 + 2])
        }
        let road = ids.indices.filter { ids[$0] == 1 }, wall = ids.indices.filter { ids[$0] == 2 }
        let brighter = road.filter { luma(puddled, $0) > luma(wet, $0) + 20 }
        XCTAssertGreaterThan(brighter.count, road.count / 50, "puddles on the road")
        XCTAssertLessThan(brighter.count, road.count * 3 / 4, "puddles, not a lake")
        XCTAssertTrue(wall.allSatisfy { luma(puddled, $0) == luma(wet, $0) }, "none on the wall")
    }

    /// Rain streaks: pixels whose color changes while their ID (sky or surface) does not; the same
    /// frame gives the same streaks, another particle seed other ones.
    func testRainStreaksAreColorOnlyAndDeterministic() throws {
        let renderer = try makeRenderer()
        func rainy(_ seed: UInt32?) -> FrameSpec {
            street(
                lighting(
                    WeatherState(
                        condition: .rain, cloudCover: 0.9,
                        precipitation: seed.map { Precipitation(kind: .rain, intensity: 1, particleSeed: $0) },
                        wetness: 1)))
        }
        let without = try renderer.render(rainy(nil))
        let with = try renderer.render(rainy(7)), again = try renderer.render(rainy(7))
        let other = try renderer.render(rainy(8))
        XCTAssertEqual(with.surfaceIDs, without.surfaceIDs, "streaks never enter the ID buffer")
        XCTAssertEqual(with.depth, without.depth, "or the depth")
        XCTAssertEqual(with.color, again.color, "deterministic")
        XCTAssertNotEqual(with.color, other.color, "another seed, other streaks")
        let pixels = with.width * with.height
        let changed = (0..<pixels).filter { (i: Int) -> Bool in
            let a = with.color[(i * 4)..<(i * 4 + 3)], b = without.color[(i * 4)..<(i * 4 + 3)]
            return !a.elementsEqual(b)
        }
        XCTAssertGreaterThan(changed.count, pixels / 200, "streaks are visible")
        XCTAssertLessThan(changed.count, pixels / 2, "streaks, not a veil")
        XCTAssertTrue(changed.contains { with.surfaceIDs[$0] == 0 }, "streaks over the sky, whose ID stays 0")
    }

    /// Snow flakes, like rain streaks, are in the color image only.
    func testSnowFlakesAreColorOnly() throws {
        let renderer = try makeRenderer()
        func snowy(_ intensity: Double?) -> FrameSpec {
            street(
                lighting(
                    WeatherState(
                        condition: .snow, cloudCover: 0.85,
                        precipitation: intensity.map { Precipitation(kind: .snow, intensity: $0, particleSeed: 3) },
                        snowCover: 0.8)))
        }
        let without = try renderer.render(snowy(nil)), with = try renderer.render(snowy(1))
        XCTAssertEqual(with.surfaceIDs, without.surfaceIDs)
        XCTAssertEqual(with.depth, without.depth)
        XCTAssertNotEqual(with.color, without.color)
        // Flakes are white: the sky behind them gets brighter, not darker, on average.
        let sky = { (i: Int) in without.surfaceIDs[i] == 0 }
        XCTAssertGreaterThan(meanLuma(with, where: sky), meanLuma(without, where: sky))
    }
}

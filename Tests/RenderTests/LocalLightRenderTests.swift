import Foundation
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Point and spot lights at night on a real EGL context (llvmpipe in CI): light where the falloff,
/// the range and the cone say, none elsewhere, never in the IDs or depth.
final class LocalLightRenderTests: XCTestCase {
    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func makeRenderer() throws -> GLRenderer { try Self.fixture.makeRenderer() }

    static let width = 160, height = 120

    /// A grey ground plane seen from above and to the side at night, with `lights`.
    func nightGround(_ lights: [LocalLight]) -> FrameSpec {
        let cam = Camera(
            intrinsics: CameraIntrinsics(width: Self.width, height: Self.height, horizontalFOVDegrees: 70),
            worldFromCamera: Camera.lookAt(eye: Vec3(-12, 0, 9), target: Vec3(4, 0, 0)))
        let ground = Surface(
            name: "ground", shape: .plane(sizeX: 200, sizeY: 200), worldFromObject: .identity,
            color: Vec3(0.4, 0.4, 0.4), classID: 1, instanceID: 0)
        var lighting = WeatherLighting.apply(WeatherState(condition: .night, cloudCover: 0), to: .daylight)
        lighting.lights = lights
        return FrameSpec(
            index: 0, camera: cam, lighting: lighting,
            classes: [SemanticClass(id: 1, name: "ground", color: [0, 0, 0])],
            surfaces: [ground])
    }

    func luma(_ f: RenderedFrame, at world: Vec3, _ spec: FrameSpec) throws -> Double {
        let q = try XCTUnwrap(spec.camera.project(world))
        let i = Int(q.v.rounded()) * f.width + Int(q.u.rounded())
        XCTAssertEqual(f.surfaceIDs[i], 1, "\(world) shows the ground")
        return 0.2126 * Double(f.color[i * 4]) + 0.7152 * Double(f.color[i * 4 + 1]) + 0.0722
            * Double(f.color[i * 4 + 2])
    }

    func meanLuma(_ f: RenderedFrame) -> Double {
        var sum = 0.0
        for i in 0..<(f.width * f.height) {
            sum +=
                0.2126 * Double(f.color[i * 4]) + 0.7152 * Double(f.color[i * 4 + 1])
                + 0.0722 * Double(f.color[i * 4 + 2])
        }
        return sum / Double(f.width * f.height)
    }

    /// A point light 3 m up: the ground at its foot is brighter than far away and than the same
    /// frame without it; beyond its range nothing changes; the image stays in a usable range.
    func testPointLightBrightensTheGroundWithinItsRange() throws {
        let renderer = try makeRenderer()
        let lamp = LocalLight(
            kind: .point, position: Vec3(0, 0, 3), color: ColorTemperature.linearRGB(kelvin: 4000), intensity: 1500,
            range: 10)
        let dark = nightGround([]), lit = nightGround([lamp])
        let a = try renderer.render(dark), b = try renderer.render(lit)
        XCTAssertEqual(a.surfaceIDs, b.surfaceIDs)
        XCTAssertEqual(a.depth, b.depth)
        let foot = Vec3(0, 0, 0), edge = Vec3(0, 6, 0), beyond = Vec3(14, 0, 0)
        let footLit = try luma(b, at: foot, lit), footDark = try luma(a, at: foot, dark)
        XCTAssertGreaterThan(footLit, footDark + 40, "the light's foot is lit (\(footDark) -> \(footLit))")
        let edgeLit = try luma(b, at: edge, lit)
        XCTAssertGreaterThan(footLit, edgeLit, "falls off with distance")
        XCTAssertGreaterThan(edgeLit, try luma(a, at: edge, dark), "but still lights 6 m away, inside its range")
        XCTAssertEqual(try luma(b, at: beyond, lit), try luma(a, at: beyond, dark), "nothing beyond its range")
        let mean = meanLuma(b)
        XCTAssertGreaterThan(mean, meanLuma(a))
        XCTAssertGreaterThan(mean, 10, "usable")
        XCTAssertLessThan(mean, 200, "not blown out")
    }

    /// A spot 4 m up pointing down with a 20° cone lights a disc of radius 4 tan 20° = 1.46 m.
    func testSpotLightLightsOnlyInsideItsCone() throws {
        let renderer = try makeRenderer()
        let spot = LocalLight(
            kind: .spot, position: Vec3(0, 0, 4), direction: Vec3(0, 0, -1), innerConeDeg: 15, outerConeDeg: 20,
            color: Vec3(1, 1, 1), intensity: 8000, range: 20)
        let dark = nightGround([]), lit = nightGround([spot])
        let a = try renderer.render(dark), b = try renderer.render(lit)
        XCTAssertGreaterThan(try luma(b, at: .zero, lit), try luma(a, at: .zero, dark) + 40, "inside the cone")
        XCTAssertGreaterThan(try luma(b, at: Vec3(1.0, 0, 0), lit), try luma(a, at: Vec3(1.0, 0, 0), dark) + 20)
        for p in [Vec3(2.5, 0, 0), Vec3(0, 3, 0), Vec3(-3, 0, 0)] {
            XCTAssertEqual(try luma(b, at: p, lit), try luma(a, at: p, dark), "outside the cone at \(p)")
        }
    }

    /// The renderer draws at most 64 lights, the nearest to the camera.
    func testOnlyTheNearestLightsAreDrawn() throws {
        let renderer = try makeRenderer()
        func light(_ x: Double) -> LocalLight {
            LocalLight(kind: .point, position: Vec3(x, 0, 1), color: Vec3(1, 1, 1), intensity: 3000, range: 6)
        }
        // 64 lights far behind the camera's target, then one more close to it, which must be kept.
        var lights = (0..<64).map { light(60 + Double($0)) }
        lights.append(light(0))
        let spec = nightGround(lights)
        XCTAssertEqual(LocalLight.selected(lights, camera: spec.camera).count, 64)
        XCTAssertTrue(LocalLight.selected(lights, camera: spec.camera).contains(light(0)))
        XCTAssertFalse(LocalLight.selected(lights, camera: spec.camera).contains(light(123)))
        let f = try renderer.render(spec), bare = try renderer.render(nightGround([]))
        XCTAssertGreaterThan(try luma(f, at: .zero, spec), try luma(bare, at: .zero, spec) + 40)
    }
}

import Foundation
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Shadows from local lights on a real EGL context (llvmpipe in CI): a spot above a floating box
/// leaves the ground under the box dark when it casts, lit when it does not; the IDs and depth never
/// change; at most 4 lights get maps, the nearest.
final class LocalShadowRenderTests: XCTestCase {
    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func makeRenderer() throws -> GLRenderer { try Self.fixture.makeRenderer() }

    static let width = 160, height = 120

    /// A spot 4 m up pointing down (full light within 40°), and a 0.6 m box floating 1.8...2.2 m up
    /// under it: its shadow on the ground is a square about 1.3 m wide round the origin. The camera
    /// sees the ground under the box past its lower side.
    func scene(casts: Bool, lit: Bool = true, box: Bool = true) -> FrameSpec {
        let cam = Camera(
            intrinsics: CameraIntrinsics(width: Self.width, height: Self.height, horizontalFOVDegrees: 70),
            worldFromCamera: Camera.lookAt(eye: Vec3(-12, 0, 9), target: Vec3(4, 0, 0)))
        var surfaces = [
            Surface(
                name: "ground", shape: .plane(sizeX: 200, sizeY: 200), worldFromObject: .identity,
                color: Vec3(0.4, 0.4, 0.4), classID: 1, instanceID: 0)
        ]
        if box {
            surfaces.append(
                Surface(
                    name: "box", shape: .box(size: Vec3(0.6, 0.6, 0.4)), worldFromObject: .translation(Vec3(0, 0, 1.8)),
                    color: Vec3(0.5, 0.5, 0.5), classID: 2, instanceID: 1))
        }
        var lighting = WeatherLighting.apply(WeatherState(condition: .night, cloudCover: 0), to: .daylight)
        if lit {
            lighting.lights = [
                LocalLight(
                    kind: .spot, position: Vec3(0, 0, 4), direction: Vec3(0, 0, -1), innerConeDeg: 40, outerConeDeg: 45,
                    color: Vec3(1, 1, 1), intensity: 1500, range: 20, castsShadows: casts)
            ]
        }
        return FrameSpec(
            index: 0, camera: cam, lighting: lighting,
            classes: [
                SemanticClass(id: 1, name: "ground", color: [0, 0, 0]),
                SemanticClass(id: 2, name: "box", color: [1, 1, 1]),
            ],
            surfaces: surfaces)
    }

    /// Luma (0...255, sRGB-encoded) of the pixel showing `world`, which must show surface `surface`.
    func luma(_ f: RenderedFrame, at world: Vec3, _ spec: FrameSpec, surface: UInt32 = 1) throws -> Double {
        let q = try XCTUnwrap(spec.camera.project(world))
        let i = Int(q.v.rounded()) * f.width + Int(q.u.rounded())
        XCTAssertEqual(f.surfaceIDs[i], surface, "\(world) shows surface \(surface)")
        return 0.2126 * Double(f.color[i * 4]) + 0.7152 * Double(f.color[i * 4 + 1]) + 0.0722
            * Double(f.color[i * 4 + 2])
    }

    func testTheGroundUnderABoxIsInItsShadow() throws {
        let renderer = try makeRenderer()
        let on = scene(casts: true), off = scene(casts: false), dark = scene(casts: false, lit: false)
        let a = try renderer.render(on), b = try renderer.render(off), c = try renderer.render(dark)
        XCTAssertEqual(a.surfaceIDs, b.surfaceIDs, "IDs do not depend on shadows")
        XCTAssertEqual(a.depth, b.depth, "depth does not depend on shadows")
        XCTAssertEqual(a.surfaceIDs, c.surfaceIDs)
        XCTAssertEqual(a.depth, c.depth)
        let under = [Vec3(0, 0, 0), Vec3(0.25, 0.2, 0), Vec3(-0.25, -0.2, 0)]
        let beside = [Vec3(0, 1.5, 0), Vec3(0, -1.5, 0), Vec3(1.5, 0, 0)]
        for p in under {
            let shadowed = try luma(a, at: p, on), unlit = try luma(c, at: p, dark), lit = try luma(b, at: p, off)
            XCTAssertEqual(shadowed, unlit, accuracy: 2, "\(p): the box keeps all of the spot's light off")
            XCTAssertGreaterThan(lit, unlit + 40, "\(p): without shadows the spot lights it through the box")
            for q in beside {
                XCTAssertGreaterThan(try luma(a, at: q, on), shadowed + 40, "\(q) beside the shadow is lit")
                XCTAssertGreaterThanOrEqual(lit + 1, try luma(b, at: q, off), "without shadows \(p) is as lit as \(q)")
            }
        }
        for q in beside {
            XCTAssertEqual(try luma(a, at: q, on), try luma(b, at: q, off), accuracy: 1, "\(q): no shadow, no acne")
        }
        // The box's top faces the light: it shadows nothing of itself.
        let top = Vec3(0, 0, 2.2)
        XCTAssertEqual(
            try luma(a, at: top, on, surface: 2), try luma(b, at: top, off, surface: 2), accuracy: 2,
            "the caster's lit face is not in its own shadow")
    }

    /// A light that casts with nothing in its way shades exactly as one that does not, and the
    /// renderer's switch turns the maps off.
    func testNothingInTheWayNoShadowAndTheSwitch() throws {
        let renderer = try makeRenderer()
        let a = try renderer.render(scene(casts: true, box: false))
        let b = try renderer.render(scene(casts: false, box: false))
        let diff = zip(a.color, b.color).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(diff, 1, "the open ground is not darkened by its own map")
        renderer.localShadowsEnabled = false
        defer { renderer.localShadowsEnabled = true }
        let on = scene(casts: true)
        let c = try renderer.render(on), d = try renderer.render(scene(casts: false))
        XCTAssertEqual(c.color, d.color, "switched off: the box casts nothing")
    }

    /// Of six casting lights and two that do not, the four nearest casting ones get layers 0...3,
    /// nearest first; the rest carry layer -1 in the light data.
    func testTheNearestFourCastingLightsGetMaps() throws {
        var spec = scene(casts: false, box: false)
        let eye = spec.camera.worldFromCamera.translation
        func light(_ x: Double, casts: Bool) -> LocalLight {
            LocalLight(
                kind: .point, position: Vec3(x, 3 * x, 3), color: Vec3(1, 1, 1), intensity: 1000 + x, range: 8,
                castsShadows: casts)
        }
        let xs = [9.0, 1, 7, 3, 5, 11]
        spec.lighting.lights = xs.map { light($0, casts: true) } + [light(0, casts: false), light(2, casts: false)]
        let grid = LightGrid(spec: spec)
        XCTAssertEqual(grid.shaded.count, 8)
        let byDistance = xs.indices.sorted {
            (grid.shaded[$0].position - eye).length < (grid.shaded[$1].position - eye).length
        }
        XCTAssertEqual(grid.shadowed, Array(byDistance.prefix(4)))
        for (i, _) in grid.shaded.enumerated() {
            let layer = grid.lightData[i * LightGrid.floatsPerLight + 14]
            XCTAssertEqual(Int(layer), grid.shadowed.firstIndex(of: i) ?? -1, "light \(i)")
        }
        // Each cluster's byte 0: the count, and above it the layers of the listed lights.
        var masks = 0
        for cluster in 0..<(grid.clusterTexels.count / 4) {
            let texel = Array(grid.clusterTexels[(4 * cluster)..<(4 * cluster + 4)])
            let bytes = (0..<16).map { Int(texel[$0 / 4] >> (8 * UInt32($0 % 4)) & 0xff) }
            let listed = bytes[1..<(1 + bytes[0] & 0xf)]
            let layers = listed.compactMap { grid.shadowed.firstIndex(of: $0) }
            XCTAssertEqual(bytes[0] >> 4, layers.reduce(0) { $0 | 1 << $1 }, "cluster \(cluster)")
            masks |= bytes[0] >> 4
        }
        XCTAssertEqual(masks, 0b1111, "every map is looked up somewhere")
        XCTAssertEqual(LightGrid(spec: spec, castsShadows: false).shadowed, [])
        // Four maps at once render, and change the color only.
        let renderer = try makeRenderer()
        var bare = spec
        bare.lighting.lights = bare.lighting.lights.map {
            var l = $0
            l.castsShadows = false
            return l
        }
        let a = try renderer.render(spec), b = try renderer.render(bare)
        XCTAssertEqual(a.surfaceIDs, b.surfaceIDs)
        XCTAssertEqual(a.depth, b.depth)
    }
}

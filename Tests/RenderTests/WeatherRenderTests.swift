import Foundation
import Labels
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Weather, fog, night and sun shadows on a real EGL context (llvmpipe in CI): they change the
/// color image as the models say, and never the IDs, depth or labels.
final class WeatherRenderTests: XCTestCase {
    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func makeRenderer() throws -> GLRenderer { try Self.fixture.makeRenderer() }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Mean Rec. 709 luma of the sRGB-encoded color bytes over `pixels` (all when nil), 0...255.
    func meanLuma(_ f: RenderedFrame, _ pixels: [Int]? = nil) -> Double {
        let indices = pixels ?? Array(0..<(f.width * f.height))
        var sum = 0.0
        for i in indices { sum += luma(f, i) }
        return sum / Double(max(indices.count, 1))
    }

    func luma(_ f: RenderedFrame, _ i: Int) -> Double {
        0.2126 * Double(f.color[i * 4]) + 0.7152 * Double(f.color[i * 4 + 1]) + 0.0722 * Double(f.color[i * 4 + 2])
    }

    /// The six frames of one view of the sweep scene: identical IDs, depth and labels; six
    /// different color images; night darker than day, but lit by its street lamps.
    func testLabelsAreIdenticalUnderEveryWeather() throws {
        let renderer = try makeRenderer()
        let scene = try SceneLoader.load(
            path: Self.root.appendingPathComponent("scenes/driving_weather_sweep.yaml").path)
        var frames: [(FrameSpec, RenderedFrame, FrameLabels)] = []
        for i in 0..<6 {
            let spec = try scene.frame(i)
            let frame = try renderer.render(spec)
            frames.append((spec, frame, try LabelDeriver.derive(frame, spec: spec)))
        }
        XCTAssertEqual(
            frames.map { $0.0.lighting.weather?.condition }, [.clear, .overcast, .fog, .rain, .snow, .night])
        let (_, clear, clearLabels) = frames[0]
        for (spec, frame, labels) in frames.dropFirst() {
            let name = spec.lighting.weather!.condition.rawValue
            XCTAssertEqual(frame.surfaceIDs, clear.surfaceIDs, "surface ids under \(name)")
            XCTAssertEqual(frame.depth, clear.depth, "depth under \(name)")
            XCTAssertEqual(frame.coverage, clear.coverage, "hidden pixels under \(name)")
            XCTAssertEqual(labels.objects, clearLabels.objects, "objects and boxes under \(name)")
            XCTAssertNotEqual(frame.color, clear.color, "color under \(name)")
        }
        XCTAssertGreaterThan(clearLabels.objects.count, 10)
        XCTAssertTrue(frames[0].0.lighting.castsSunShadows, "the clear frame has sun shadows")
        let day = meanLuma(clear), night = meanLuma(frames[5].1)
        XCTAssertLessThan(night, day * 0.6, "night lowers mean luminance (day \(day), night \(night))")
        XCTAssertGreaterThan(night, 10, "but keeps the image usable")
        // The street lamps in view glow at night and light the road.
        let (nightSpec, nightFrame, _) = frames[5]
        XCTAssertFalse(nightSpec.lighting.lights.isEmpty)
        let lampIDs = Set(
            nightSpec.surfaces.indices.filter { nightSpec.surfaces[$0].name.hasSuffix("/lamp") }.map {
                FrameSpec.surfaceID(forIndex: $0)
            })
        let lampPixels = nightFrame.surfaceIDs.indices.filter { lampIDs.contains(nightFrame.surfaceIDs[$0]) }
        XCTAssertGreaterThan(lampPixels.count, 0, "a lamp head is in view")
        XCTAssertGreaterThan(meanLuma(nightFrame, lampPixels), 200, "lamp heads glow")
        // Fog pulls the picture towards one grey: less spread between pixels.
        func spread(_ f: RenderedFrame) -> Double {
            let m = meanLuma(f)
            var s = 0.0
            for i in 0..<(f.width * f.height) { s += abs(luma(f, i) - m) }
            return s / Double(f.width * f.height)
        }
        XCTAssertLessThan(spread(frames[2].1), spread(clear))
    }

    /// A camera at `eye` looking at `target`, 96x72, 70° horizontal field of view.
    func camera(eye: Vec3, target: Vec3, width: Int = 96, height: Int = 72) -> Camera {
        Camera(
            intrinsics: CameraIntrinsics(width: width, height: height, horizontalFOVDegrees: 70),
            worldFromCamera: Camera.lookAt(eye: eye, target: target))
    }

    /// Two identical boxes against the sky, one near and one far: fog takes the far one's contrast
    /// against the sky far more than the near one's; without fog both keep theirs.
    func testFogLowersContrastWithDistance() throws {
        let renderer = try makeRenderer()
        let cam = camera(eye: Vec3(0, 0, 1), target: Vec3(10, 0, 1))
        func box(_ x: Double, _ y: Double, _ id: Int, size: Double) -> Surface {
            Surface(
                name: "box\(id)", shape: .box(size: Vec3(size, size, size)),
                worldFromObject: .translation(Vec3(x, y, 1 - size / 2)), color: Vec3(0.05, 0.05, 0.05),
                classID: 1, instanceID: id)
        }
        // Same angular size: the far box is 6 times farther and 6 times larger.
        let surfaces = [box(8, 2.4, 1, size: 1), box(48, -14.4, 2, size: 6)]
        var clear = Lighting.daylight
        clear.weather = WeatherState(condition: .clear, cloudCover: 0)
        var foggy = WeatherLighting.apply(
            WeatherState(
                condition: .fog, cloudCover: 0, fog: FogState(density: 0.03, heightFalloff: 0.05, color: .zero)),
            to: .daylight)
        foggy.shadows = false
        func contrasts(_ lighting: Lighting) throws -> (near: Double, far: Double) {
            let spec = FrameSpec(index: 0, camera: cam, lighting: lighting, classes: [], surfaces: surfaces)
            let f = try renderer.render(spec)
            let ids = f.surfaceIDs
            let sky = meanLuma(f, ids.indices.filter { ids[$0] == 0 })
            let near = meanLuma(f, ids.indices.filter { ids[$0] == 1 })
            let far = meanLuma(f, ids.indices.filter { ids[$0] == 2 })
            XCTAssertGreaterThan(ids.filter { $0 == 2 }.count, 20, "the far box is in view")
            return (abs(sky - near), abs(sky - far))
        }
        let c = try contrasts(clear), fog = try contrasts(foggy)
        XCTAssertEqual(c.far / c.near, 1, accuracy: 0.1, "no fog: contrast does not depend on distance")
        XCTAssertLessThan(fog.near, c.near)
        XCTAssertLessThan(fog.far / fog.near, 0.5, "fog: the far box fades into the sky (\(fog))")
    }

    /// A box on a plane under a known sun: a ground pixel where the geometry puts the shadow of the
    /// box's top is darker than one on the sunny side; without shadows the two are equal.
    func testBoxCastsItsShadowWhereTheSunDirectionSays() throws {
        let renderer = try makeRenderer()
        let cam = camera(eye: Vec3(0, -12, 8), target: .zero, width: 160, height: 120)
        let plane = Surface(
            name: "ground", shape: .plane(sizeX: 40, sizeY: 40), worldFromObject: .identity,
            color: Vec3(0.6, 0.6, 0.6), classID: 1, instanceID: 0)
        let box = Surface(
            name: "box", shape: .box(size: Vec3(1, 1, 2)), worldFromObject: .identity, color: Vec3(0.8, 0.3, 0.2),
            classID: 2, instanceID: 1)
        let sun = Vec3(1, 0.5, 1).normalized
        var lighting = Lighting(
            sunDirection: sun, sunColor: Vec3(1, 1, 1), skyColor: Vec3(0.2, 0.2, 0.25),
            groundColor: Vec3(0.1, 0.1, 0.1), backgroundColor: Vec3(0.5, 0.6, 0.8),
            weather: WeatherState(condition: .clear, cloudCover: 0), shadows: true)
        // The shadow of the top face's centre: along -sun from (0, 0, 2) down to z = 0. Its mirror
        // image through the box is on the side facing the sun.
        let top = Vec3(0, 0, 2)
        let shadowPoint = top - sun * (top.z / sun.z)
        XCTAssertEqual(shadowPoint.x, -2, accuracy: 1e-12)
        XCTAssertEqual(shadowPoint.y, -1, accuracy: 1e-12)
        let sunnyPoint = Vec3(-shadowPoint.x, -shadowPoint.y, 0)
        func pixel(_ p: Vec3) throws -> Int {
            let q = try XCTUnwrap(cam.project(p))
            return Int(q.v.rounded()) * 160 + Int(q.u.rounded())
        }
        let inShadow = try pixel(shadowPoint), inSun = try pixel(sunnyPoint)
        let spec = FrameSpec(
            index: 0, camera: cam, lighting: lighting,
            classes: [
                SemanticClass(id: 1, name: "ground", color: [0, 0, 0]),
                SemanticClass(id: 2, name: "box", color: [0, 0, 0]),
            ],
            surfaces: [plane, box])
        let shaded = try renderer.render(spec)
        XCTAssertEqual(shaded.surfaceIDs[inShadow], 1, "the predicted shadow pixel shows the ground")
        XCTAssertEqual(shaded.surfaceIDs[inSun], 1, "the sunny pixel shows the ground")
        XCTAssertLessThan(luma(shaded, inShadow), luma(shaded, inSun) * 0.75, "shadow is darker")
        // Every ground pixel in the predicted shadow of the whole box top is dark: sample a few.
        for t in [0.25, 0.5, 0.75] {
            let p = Vec3(-0.3, -0.3, 2) * (1 - t) + Vec3(0.3, 0.3, 2) * t
            let g = try pixel(p - sun * (p.z / sun.z))
            if shaded.surfaceIDs[g] == 1 { XCTAssertLessThan(luma(shaded, g), luma(shaded, inSun) * 0.75) }
        }

        lighting.shadows = false
        var plain = spec
        plain.lighting = lighting
        let unshaded = try renderer.render(plain)
        // Equal but for the view-dependent specular of the material shading (a level or two).
        XCTAssertEqual(
            luma(unshaded, inShadow), luma(unshaded, inSun), accuracy: 3, "without shadows the ground is uniform")
        XCTAssertEqual(unshaded.surfaceIDs, shaded.surfaceIDs, "shadows never change the IDs")
        XCTAssertEqual(unshaded.depth, shaded.depth, "or the depth")
    }
}

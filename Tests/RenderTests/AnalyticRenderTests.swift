import Labels
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Renders analytic scenes on a real EGL context (Mesa llvmpipe in CI) and checks pixels exactly.
final class AnalyticRenderTests: XCTestCase {

    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func makeRenderer() throws -> GLRenderer { try Self.fixture.makeRenderer() }

    /// A camera at the origin looking along world +X: camera x = -world y, camera y = -world z.
    func forwardCamera(width: Int, height: Int, f: Double) -> Camera {
        let k = CameraIntrinsics(
            width: width, height: height, fx: f, fy: f, cx: Double(width - 1) / 2, cy: Double(height - 1) / 2)
        return Camera(intrinsics: k, worldFromCamera: Camera.lookAt(eye: .zero, target: Vec3(10, 0, 0)))
    }

    func testContextReportsDriver() throws {
        _ = try makeRenderer()
        let c = try XCTUnwrap(Self.fixture.context)
        XCTAssertFalse(c.glRenderer.isEmpty)
        XCTAssertTrue(c.glVersion.hasPrefix("4."), "expected an OpenGL 4.x core context, got \(c.glVersion)")
    }

    /// One axis-aligned box facing the camera at a known distance: its mask must be exactly the
    /// pixel rectangle predicted by the projection and GL's pixel-centre rule.
    func testBoxMaskIsThePredictedRectangle() throws {
        let renderer = try makeRenderer()
        let W = 64, H = 48, f = 47.3
        let camera = forwardCamera(width: W, height: H, f: f)
        // Front face at world x = 10, y in [-1, 1], z in [-0.3, 0.7].
        let box = Surface(
            name: "box", shape: .box(size: Vec3(0.5, 2, 1)),
            worldFromObject: .translation(Vec3(10.25, 0, -0.3)), color: Vec3(0.8, 0.2, 0.2), classID: 1, instanceID: 1)
        let spec = FrameSpec(
            index: 7, camera: camera, lighting: .daylight,
            classes: [SemanticClass(id: 1, name: "box", color: [255, 0, 0])], surfaces: [box])
        let frame = try renderer.render(spec)
        XCTAssertEqual(frame.index, 7)
        XCTAssertEqual(frame.surfaceIDs.count, W * H)

        // Predicted extent in continuous image coordinates; pixel (i, j) is covered when its centre
        // (u, v) = (i, j) lies inside. None of these edges falls on a pixel centre.
        let corners = [Vec3(10, 1, 0.7), Vec3(10, -1, -0.3)].compactMap { camera.project($0) }
        let u0 = min(corners[0].u, corners[1].u), u1 = max(corners[0].u, corners[1].u)
        let v0 = min(corners[0].v, corners[1].v), v1 = max(corners[0].v, corners[1].v)
        let cols = Int(u0.rounded(.up))...Int(u1.rounded(.down))
        let rows = Int(v0.rounded(.up))...Int(v1.rounded(.down))
        XCTAssertEqual(cols, 27...36)
        XCTAssertEqual(rows, 21...24)
        var mismatches: [String] = []
        for j in 0..<H {
            for i in 0..<W {
                let expected: UInt32 = cols.contains(i) && rows.contains(j) ? 1 : 0
                let got = frame.surfaceIDs[j * W + i]
                if got != expected { mismatches.append("(\(i),\(j)) id \(got) expected \(expected)") }
                let z = frame.depth[j * W + i]
                if expected == 1 {
                    XCTAssertEqual(z, 10, accuracy: 1e-4, "depth at (\(i),\(j))")
                } else {
                    XCTAssertEqual(z, 0, "depth at (\(i),\(j)) where nothing is drawn")
                }
            }
        }
        XCTAssertEqual(mismatches, [], "mask differs from the predicted rectangle")
        // Lit color differs from the background inside the mask.
        let inside = (22 * W + 30) * 4, outside = 0
        XCTAssertNotEqual(Array(frame.color[inside..<inside + 3]), Array(frame.color[outside..<outside + 3]))
    }

    /// Nearer surfaces win the ID buffer exactly, wherever they overlap.
    func testOcclusionAndDepthOrder() throws {
        let renderer = try makeRenderer()
        let W = 80, H = 60
        let camera = forwardCamera(width: W, height: H, f: 60.1)
        let far = Surface(
            name: "far", shape: .box(size: Vec3(1, 8, 6)), worldFromObject: .translation(Vec3(20.5, 0, -3)),
            color: Vec3(0.2, 0.8, 0.2), classID: 1, instanceID: 1)
        let near = Surface(
            name: "near", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .translation(Vec3(8.5, 0, -0.5)),
            color: Vec3(0.2, 0.2, 0.8), classID: 1, instanceID: 2)
        // Draw the near one first: the depth test, not draw order, must decide.
        let spec = FrameSpec(
            index: 0, camera: camera, lighting: .daylight,
            classes: [SemanticClass(id: 1, name: "box", color: [255, 0, 0])], surfaces: [near, far])
        let frame = try renderer.render(spec)
        let centre = (H / 2) * W + W / 2
        XCTAssertEqual(frame.surfaceIDs[centre], 1, "the near box (surface 1) covers the image centre")
        XCTAssertEqual(frame.depth[centre], 8, accuracy: 1e-4)
        let nearCount = frame.surfaceIDs.filter { $0 == 1 }.count
        let farCount = frame.surfaceIDs.filter { $0 == 2 }.count
        XCTAssertGreaterThan(nearCount, 0)
        XCTAssertGreaterThan(farCount, nearCount)
        for (i, id) in frame.surfaceIDs.enumerated() where id == 2 {
            XCTAssertEqual(frame.depth[i], 20, accuracy: 1e-3)
        }
    }

    /// Pipelined frames come back in submission order with their own content.
    func testPipelinedFramesKeepOrder() throws {
        _ = try makeRenderer()
        let renderer = try GLRenderer(maxFramesInFlight: 2, readback: .pixelBuffers)
        let camera = forwardCamera(width: 32, height: 24, f: 30)
        func spec(_ i: Int, y: Double) -> FrameSpec {
            let s = Surface(
                name: "b", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .translation(Vec3(10, y, -0.5)),
                color: Vec3(1, 1, 1), classID: 1, instanceID: 1)
            return FrameSpec(index: i, camera: camera, lighting: .daylight, classes: [], surfaces: [s])
        }
        try renderer.submit(spec(0, y: 2))
        try renderer.submit(spec(1, y: -2))
        XCTAssertThrowsError(try renderer.submit(spec(2, y: 0)), "a third frame exceeds maxFramesInFlight")
        let a = try renderer.receive(), b = try renderer.receive()
        XCTAssertEqual([a.index, b.index], [0, 1])
        // World +y is image left: frame 0's box is left of centre, frame 1's right of centre.
        func meanColumn(_ f: RenderedFrame) -> Double {
            let cols = f.surfaceIDs.enumerated().filter { $0.element == 1 }.map { Double($0.offset % f.width) }
            return cols.reduce(0, +) / Double(max(cols.count, 1))
        }
        XCTAssertLessThan(meanColumn(a), 15.5)
        XCTAssertGreaterThan(meanColumn(b), 15.5)
        XCTAssertThrowsError(try renderer.receive(), "nothing left in flight")
    }

    /// Both readback paths return the same bytes.
    func testDirectAndPixelBufferReadbackAgree() throws {
        _ = try makeRenderer()
        let direct = try GLRenderer(readback: .direct)
        let buffered = try GLRenderer(maxFramesInFlight: 2, readback: .pixelBuffers)
        XCTAssertEqual(direct.maxFramesInFlight, 1)
        let camera = forwardCamera(width: 40, height: 30, f: 35.7)
        let surfaces = [
            Surface(
                name: "sphere", shape: .sphere(radius: 1), worldFromObject: .translation(Vec3(9, 1, -1)),
                color: Vec3(0.9, 0.5, 0.1), classID: 1, instanceID: 1),
            Surface(
                name: "cyl", shape: .cylinder(radius: 0.5, height: 2),
                worldFromObject: .translation(Vec3(12, -1.5, -1)),
                color: Vec3(0.1, 0.5, 0.9), classID: 1, instanceID: 2),
        ]
        let spec = FrameSpec(index: 3, camera: camera, lighting: .daylight, classes: [], surfaces: surfaces)
        let a = try direct.render(spec), b = try buffered.render(spec)
        XCTAssertEqual(a.surfaceIDs, b.surfaceIDs)
        XCTAssertEqual(a.depth, b.depth)
        XCTAssertEqual(a.color, b.color)
        XCTAssertEqual(Set(a.surfaceIDs), [0, 1, 2])
    }

    /// The coverage pass counts what is hidden of each object: visible + hidden pixels are exactly the
    /// mask the object has when drawn alone, and an object nothing hides has no hidden pixels.
    func testCoverageIsTheUnoccludedSilhouette() throws {
        let renderer = try makeRenderer()
        let W = 80, H = 60
        let camera = forwardCamera(width: W, height: H, f: 60.1)
        let far = Surface(
            name: "far", shape: .box(size: Vec3(1, 8, 6)), worldFromObject: .translation(Vec3(20.5, 0, -3)),
            color: Vec3(0.2, 0.8, 0.2), classID: 1, instanceID: 4)
        // Two parts of one near object that overlap each other: their overlap counts once.
        let near = [
            Surface(
                name: "near/a", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .translation(Vec3(8.5, 0, -0.5)),
                color: Vec3(0.2, 0.2, 0.8), classID: 1, instanceID: 9),
            Surface(
                name: "near/b", shape: .sphere(radius: 0.6), worldFromObject: .translation(Vec3(8.2, 0.3, -0.6)),
                color: Vec3(0.2, 0.2, 0.8), classID: 1, instanceID: 9),
        ]
        func ids(_ frame: RenderedFrame, _ surfaceIndices: Set<UInt32>) -> (count: Int, box: [Int]) {
            var n = 0, x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
            for (i, id) in frame.surfaceIDs.enumerated() where surfaceIndices.contains(id) {
                n += 1
                x0 = min(x0, i % W); x1 = max(x1, i % W); y0 = min(y0, i / W); y1 = max(y1, i / W)
            }
            return (n, [x0, y0, x1, y1])
        }
        func spec(_ surfaces: [Surface]) -> FrameSpec {
            FrameSpec(index: 0, camera: camera, lighting: .daylight, classes: [], surfaces: surfaces)
        }
        let both = try renderer.render(spec(near + [far]))
        let farAlone = try renderer.render(spec([far]))
        let nearAlone = try renderer.render(spec(near))
        XCTAssertEqual(both.coverage.map(\.instanceID), [4, 9])
        let farAloneMask = ids(farAlone, [1]), nearAloneMask = ids(nearAlone, [1, 2])
        let farVisible = ids(both, [3])
        XCTAssertLessThan(farVisible.count, farAloneMask.count, "the near object hides part of the far one")
        let c4 = both.coverage[0], c9 = both.coverage[1]
        XCTAssertEqual(farVisible.count + c4.pixels, farAloneMask.count)
        let union = [
            min(farVisible.box[0], c4.xmin), min(farVisible.box[1], c4.ymin),
            max(farVisible.box[2], c4.xmax), max(farVisible.box[3], c4.ymax),
        ]
        XCTAssertEqual(union, farAloneMask.box)
        XCTAssertEqual(
            c9.pixels, 0, "nothing hides the near object (its parts hide each other, which is not occlusion)")
        XCTAssertEqual(ids(both, [1, 2]).count, nearAloneMask.count)
        XCTAssertEqual(farAlone.coverage.first?.pixels, 0)
        // An object outside the view covers nothing.
        let behind = Surface(
            name: "behind", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .translation(Vec3(-5, 0, 0)),
            color: Vec3(1, 1, 1), classID: 1, instanceID: 2)
        let none = try renderer.render(spec([behind]))
        XCTAssertEqual(
            none.coverage, [InstanceCoverage(instanceID: 2, pixels: 0, xmin: 0, ymin: 0, xmax: -1, ymax: -1)])
        // Occluded by the far box's own front face? No: an object hidden only by another part of
        // itself has no hidden pixels; a second object inside the far box is hidden entirely.
        let inside = Surface(
            name: "inside", shape: .box(size: Vec3(0.5, 0.5, 0.5)), worldFromObject: .translation(Vec3(21, 0, 0)),
            color: Vec3(1, 1, 1), classID: 1, instanceID: 5)
        let hidden = try renderer.render(spec([far, inside]))
        let alone = try renderer.render(spec([inside]))
        XCTAssertEqual(ids(hidden, [2]).count, 0)
        XCTAssertEqual(hidden.coverage.last?.pixels, ids(alone, [1]).count)
    }

    /// End to end through the labels: a far box half hidden by a near one gets the visibility and
    /// amodal box of its mask when rendered alone.
    func testVisibilityAndAmodalBoxMatchTheObjectAlone() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 96, height: 64, f: 70.3)
        let classes = [SemanticClass(id: 1, name: "box", color: [255, 0, 0])]
        let far = Surface(
            name: "far", shape: .box(size: Vec3(1, 4, 2)), worldFromObject: .translation(Vec3(20.5, 0, -1)),
            color: Vec3(0.2, 0.8, 0.2), classID: 1, instanceID: 1)
        let near = Surface(
            name: "near", shape: .box(size: Vec3(1, 1, 3)), worldFromObject: .translation(Vec3(8.5, 0.6, -1.5)),
            color: Vec3(0.2, 0.2, 0.8), classID: 1, instanceID: 2)
        let farInstance = InstanceSpec(
            instanceID: 1, classID: 1, name: "far", worldFromObject: far.worldFromObject,
            boxMin: Vec3(-0.5, -2, 0), boxMax: Vec3(0.5, 2, 2))
        let both = FrameSpec(
            index: 0, camera: camera, lighting: .daylight, classes: classes, surfaces: [far, near],
            instances: [farInstance])
        let alone = FrameSpec(
            index: 0, camera: camera, lighting: .daylight, classes: classes, surfaces: [far], instances: [farInstance])
        let labels = try LabelDeriver.derive(try renderer.render(both), spec: both)
        let aloneLabels = try LabelDeriver.derive(try renderer.render(alone), spec: alone)
        let o = try XCTUnwrap(labels.objects.first { $0.instanceID == 1 })
        let full = try XCTUnwrap(aloneLabels.objects.first)
        XCTAssertLessThan(o.pixels, full.pixels)
        XCTAssertEqual(o.amodal?.pixels, full.pixels)
        XCTAssertEqual(o.amodal?.box, full.bbox)
        XCTAssertEqual(o.amodal?.visibility ?? 0, Double(o.pixels) / Double(full.pixels), accuracy: 1e-12)
        XCTAssertEqual(full.amodal?.visibility, 1)
        XCTAssertEqual(o.extent?.truncation, 0, "entirely in view")
        // The projected extent rounds to the mask's box under the pixel-centre rule.
        let e = try XCTUnwrap(full.extent).box
        XCTAssertEqual(
            [Int(e[0].rounded(.up)), Int(e[1].rounded(.up)), Int(e[2].rounded(.down)), Int(e[3].rounded(.down))],
            [full.bbox.xmin, full.bbox.ymin, full.bbox.xmax, full.bbox.ymax])
    }

    /// Rasterizing objects only where something nearer may hide them gives exactly the counts of
    /// rasterizing them over the whole image, on the sample street scene.
    func testOcclusionRegionsDoNotChangeTheCounts() throws {
        _ = try makeRenderer()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let scene = try SceneLoader.load(path: root.appendingPathComponent("scenes/driving_street.yaml").path)
        let fast = try GLRenderer(), full = try GLRenderer()
        full.usesOcclusionRegions = false
        for index in [0, 9] {
            let spec = try scene.frame(index)
            let a = try fast.render(spec), b = try full.render(spec)
            XCTAssertEqual(a.surfaceIDs, b.surfaceIDs)
            XCTAssertEqual(a.coverage, b.coverage, "frame \(index)")
            XCTAssertGreaterThan(a.coverage.filter { $0.pixels > 0 }.count, 10, "the street has occlusion")
        }
    }
}

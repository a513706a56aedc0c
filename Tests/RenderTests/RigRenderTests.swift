import Labels
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// The views of a multi-camera frame on a real EGL context: a stereo pair sees each object shifted
/// by its disparity, and one renderer switches between camera sizes without reallocating.
final class RigRenderTests: XCTestCase {
    static var context: EGLHeadlessContext?
    static var contextError = ""

    override class func setUp() {
        super.setUp()
        do { context = try EGLHeadlessContext(platform: .automatic) } catch { contextError = "\(error)" }
    }

    func makeRenderer(readback: GLRenderer.Readback? = nil) throws -> GLRenderer {
        guard Self.context != nil else {
            XCTFail("no EGL context: \(Self.contextError)")
            throw RenderError("no EGL context")
        }
        return try GLRenderer(readback: readback)
    }

    /// A left camera 1 m above the ground looking along +X, a right one `baseline` metres to its
    /// right, a small wide camera, and two boxes at different distances (no ground: background 0).
    static let baseline = 0.5
    static let yaml = """
        format: 1
        classes: [{id: 1, name: box}]
        camera: {name: left, resolution: [160, 90], intrinsics: {fx: 100, fy: 100}, position: [0, 0, 1]}
        cameras:
          - {name: right, offset: [0, -\(baseline), 0]}
          - {name: thumb, resolution: [40, 30], fov_deg: 90}
        objects:
          - {name: near, shape: box, class: box, size: [0.5, 1.0, 1.0], position: [8.25, 0.33, 0.45]}
          - {name: far, shape: box, class: box, size: [0.5, 2.0, 1.5], position: [20.25, -2.4, 0.3]}
        """

    func testAStereoPairSeesEachObjectShiftedByItsDisparity() throws {
        let renderer = try makeRenderer()
        let scene = try SceneLoader.load(yaml: Self.yaml, file: "stereo.yaml")
        let views = try scene.frameViews(0, seed: 0)
        let left = try renderer.render(views[0]), right = try renderer.render(views[1])
        let leftIDs = try LabelDeriver.derive(left, spec: views[0]).instanceMap
        let rightIDs = try LabelDeriver.derive(right, spec: views[1]).instanceMap
        let k = views[0].camera.intrinsics
        XCTAssertEqual(views[1].camera.intrinsics, k)

        var disparities: [Double] = []
        for instance in [1, 2] {
            var rowsChecked = 0
            for row in 0..<k.height {
                let l = columns(of: instance, row: row, in: leftIDs, width: k.width)
                let r = columns(of: instance, row: row, in: rightIDs, width: k.width)
                XCTAssertEqual(l == nil, r == nil, "instance \(instance) row \(row): in both views or neither")
                guard let l, let r, l.lowerBound > 0, r.lowerBound > 0, l.upperBound < k.width - 1,
                    r.upperBound < k.width - 1
                else { continue }
                // Each edge moves left by the disparity f·B/Z, Z the depth at that edge in the left
                // view; the edge then rounds to a pixel centre on its own.
                for (edge, leftColumn, rightColumn) in [
                    ("left", l.lowerBound, r.lowerBound), ("right", l.upperBound, r.upperBound),
                ] {
                    let z = Double(left.depth[row * k.width + leftColumn])
                    let disparity = k.fx * Self.baseline / z
                    disparities.append(disparity)
                    XCTAssertTrue(
                        [disparity.rounded(.down), disparity.rounded(.up)].contains(Double(leftColumn - rightColumn)),
                        "instance \(instance) row \(row): \(edge) edge \(l) vs \(r), disparity \(disparity) at z \(z)")
                }
                rowsChecked += 1
            }
            XCTAssertGreaterThan(rowsChecked, 5, "instance \(instance)")
        }
        // The boxes are at different depths: the near one shifts several pixels more than the far one.
        XCTAssertGreaterThan((disparities.max() ?? 0) - (disparities.min() ?? 0), 3)
    }

    /// The columns of `instance` in one row, when the object covers a contiguous run there.
    private func columns(of instance: Int, row: Int, in ids: [UInt16], width: Int) -> ClosedRange<Int>? {
        let xs = (0..<width).filter { Int(ids[row * width + $0]) == instance }
        guard let first = xs.first, let last = xs.last else { return nil }
        XCTAssertEqual(xs.count, last - first + 1, "row \(row) of instance \(instance) is contiguous")
        return first...last
    }

    func testAlternatingCameraSizesReuseTheirTargetsAndRenderTheSame() throws {
        for readback in [GLRenderer.Readback.direct, .pixelBuffers] {
            let renderer = try makeRenderer(readback: readback)
            let scene = try SceneLoader.load(yaml: Self.yaml, file: "stereo.yaml")
            // Reference: each view rendered alone by a renderer of its own.
            var reference: [[UInt32]] = []
            for view in 0..<3 {
                reference.append(
                    try makeRenderer(readback: readback).render(try scene.frame(0, seed: 0, view: view)).surfaceIDs)
            }
            let views = try scene.frameViews(0, seed: 0)
            // left (160x90), thumb (40x30), right (160x90), thumb, ... with frames in flight where
            // the renderer keeps several: a size change no longer waits for them.
            let order = [0, 2, 1, 2, 0, 2, 1, 2]
            var received: [Int] = []
            var pending: [Int] = []
            for view in order {
                if pending.count == renderer.maxFramesInFlight {
                    let frame = try renderer.receive()
                    let v = pending.removeFirst()
                    XCTAssertEqual(frame.surfaceIDs, reference[v], "\(readback): view \(v)")
                    XCTAssertEqual(frame.width, views[v].camera.intrinsics.width)
                    received.append(v)
                }
                try renderer.submit(views[view])
                pending.append(view)
            }
            while let v = pending.first {
                pending.removeFirst()
                XCTAssertEqual(try renderer.receive().surfaceIDs, reference[v], "\(readback): view \(v)")
                received.append(v)
            }
            XCTAssertEqual(received, order)
            XCTAssertEqual(renderer.targetAllocations, 2, "\(readback): one set of targets per size")
        }
    }
}

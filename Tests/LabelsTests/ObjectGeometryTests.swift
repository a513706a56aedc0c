import SceneCore
import XCTest

@testable import Labels

/// Amodal boxes, visibility, truncation and 3D boxes, against hand-computed values.
final class ObjectGeometryTests: XCTestCase {
    /// A camera at the origin looking along world +X: camera x = -world y, camera y = -world z.
    let camera = Camera(
        intrinsics: CameraIntrinsics(width: 100, height: 80, fx: 50, fy: 50, cx: 49.5, cy: 39.5),
        worldFromCamera: Camera.lookAt(eye: .zero, target: Vec3(10, 0, 0)))

    func spec(_ surfaces: [Surface], instances: [InstanceSpec]) -> FrameSpec {
        FrameSpec(
            index: 0, camera: camera, lighting: .daylight,
            classes: [SemanticClass(id: 1, name: "car", color: [0, 0, 142])],
            surfaces: surfaces, instances: instances)
    }

    func frame(ids: [UInt32], coverage: [InstanceCoverage]) -> RenderedFrame {
        RenderedFrame(
            index: 0, width: 100, height: 80, color: [UInt8](repeating: 0, count: 100 * 80 * 4), surfaceIDs: ids,
            depth: ids.map { $0 == 0 ? 0 : 10 }, coverage: coverage)
    }

    /// A visible rectangle plus hidden pixels: the amodal box is their union, visibility the ratio.
    func testAmodalBoxAndVisibilityFromHiddenPixels() throws {
        var ids = [UInt32](repeating: 0, count: 100 * 80)
        for y in 10...19 { for x in 20...29 { ids[y * 100 + x] = 1 } }  // 100 visible pixels
        let box = Surface(
            name: "car", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .translation(Vec3(10, 0, 0)),
            color: Vec3(1, 1, 1), classID: 1, instanceID: 3)
        let hidden = InstanceCoverage(instanceID: 3, pixels: 300, xmin: 25, ymin: 15, xmax: 44, ymax: 29)
        let labels = try LabelDeriver.derive(frame(ids: ids, coverage: [hidden]), spec: spec([box], instances: []))
        let o = try XCTUnwrap(labels.objects.first)
        XCTAssertEqual(o.bbox, PixelBox(xmin: 20, ymin: 10, xmax: 29, ymax: 19))
        XCTAssertEqual(o.amodal?.box, PixelBox(xmin: 20, ymin: 10, xmax: 44, ymax: 29))
        XCTAssertEqual(o.amodal?.pixels, 400)
        XCTAssertEqual(o.amodal?.visibility ?? 0, 0.25, accuracy: 1e-12)
        XCTAssertNil(o.extent, "no instance in the spec: no geometry labels")
        XCTAssertNil(o.box3D)

        // Nothing hidden: visibility 1 and the amodal box is the tight box.
        let clear = try LabelDeriver.derive(
            frame(
                ids: ids, coverage: [InstanceCoverage(instanceID: 3, pixels: 0, xmin: 0, ymin: 0, xmax: -1, ymax: -1)]),
            spec: spec([box], instances: []))
        XCTAssertEqual(clear.objects.first?.amodal, AmodalLabel(box: o.bbox, pixels: 100, visibility: 1))
        // A renderer that counts nothing leaves amodal labels out.
        XCTAssertNil(
            try LabelDeriver.derive(frame(ids: ids, coverage: []), spec: spec([box], instances: [])).objects.first?
                .amodal)
    }

    /// A 2 m wide, 1 m tall box face 10 m ahead, straddling the left image border: its projected
    /// extent and truncation follow from u = fx x / z + cx.
    func testProjectedExtentTruncationAnd3DBox() throws {
        // Front face at world x = 10; world y in [y0 - 1, y0 + 1] → camera x in [-y0 - 1, -y0 + 1].
        // Put the face's left edge far out of view: y0 = 10.9 → camera x in [-11.9, -9.9].
        let y0 = 10.9
        let surface = Surface(
            name: "car", shape: .box(size: Vec3(0.5, 2, 1)), worldFromObject: .translation(Vec3(10.25, y0, -0.5)),
            color: Vec3(1, 1, 1), classID: 1, instanceID: 3)
        let instance = InstanceSpec(
            instanceID: 3, classID: 1, name: "car", worldFromObject: .translation(Vec3(10.25, y0, -0.5)),
            boxMin: Vec3(-0.25, -1, 0), boxMax: Vec3(0.25, 1, 1))
        var ids = [UInt32](repeating: 0, count: 100 * 80)
        ids[40 * 100 + 0] = 1
        let labels = try LabelDeriver.derive(
            frame(ids: ids, coverage: []), spec: spec([surface], instances: [instance]))
        let o = try XCTUnwrap(labels.objects.first)
        let e = try XCTUnwrap(o.extent)
        // Left: the near face's outer edge (x = -11.9, z = 10); right: the far face's inner edge
        // (x = -9.9, z = 10.5), which projects closer to the centre.
        let umin = 50 * -11.9 / 10 + 49.5, umax = 50 * -9.9 / 10.5 + 49.5
        XCTAssertEqual(e.box[0], umin, accuracy: 1e-9)
        XCTAssertEqual(e.box[2], umax, accuracy: 1e-9)
        // v spans camera y in [-0.5, 0.5] at z = 10.
        XCTAssertEqual(e.box[1], 50 * -0.5 / 10 + 49.5 - 10, accuracy: 1e-9)
        XCTAssertEqual(e.box[3], 50 * 0.5 / 10 + 39.5, accuracy: 1e-9)
        // Inside the image: u from -0.5 (the image's left edge) to umax.
        XCTAssertEqual(e.truncation, 1 - (umax + 0.5) / (umax - umin), accuracy: 1e-9)
        let b = try XCTUnwrap(o.box3D)
        XCTAssertEqual(b.size, Vec3(0.5, 2, 1))
        // Box centre: world (10.25, 10.9, 0) → camera (-10.9, 0, 10.25).
        XCTAssertEqual(b.cameraFromBox.translation.x, -10.9, accuracy: 1e-9)
        XCTAssertEqual(b.cameraFromBox.translation.y, 0, accuracy: 1e-9)
        XCTAssertEqual(b.cameraFromBox.translation.z, 10.25, accuracy: 1e-9)
        XCTAssertEqual(b.worldFromBox.translation, Vec3(10.25, 10.9, 0))
    }

    /// Geometry behind the camera is cut at the near plane instead of projecting through it.
    func testExtentIsCutAtTheNearPlane() {
        let k = camera.intrinsics
        // A long box from 5 m behind the camera to 5 m ahead, 1 m to the right (camera x = 1..1.5).
        let s = Surface(
            name: "wall", shape: .box(size: Vec3(10, 0.5, 1)), worldFromObject: .translation(Vec3(0, -1.25, -0.5)),
            color: Vec3(1, 1, 1), classID: 1, instanceID: 1)
        let e = ObjectGeometry.projectedExtent([s], cameraFromWorld: camera.cameraFromWorld, k)
        let box = try? XCTUnwrap(e?.box)
        // At the near plane (z = 0.1), camera x = 1 projects to u = 50 * 1 / 0.1 + 49.5 = 549.5.
        XCTAssertEqual(box?[2] ?? 0, 50 * 1.5 / 0.1 + 49.5, accuracy: 1e-6)
        XCTAssertEqual(box?[0] ?? 0, 50 * 1 / 5 + 49.5, accuracy: 1e-6)
        XCTAssertGreaterThan(e?.truncation ?? 0, 0.9)
    }
}

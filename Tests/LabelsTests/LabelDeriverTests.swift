import Labels
import SceneCore
import XCTest

/// A hand-made frame: paints rectangles of surface ids into a buffer, with a depth per surface.
struct FrameBuilder {
    var width: Int
    var height: Int
    var index = 7
    var surfaceIDs: [UInt32]
    var depth: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        surfaceIDs = [UInt32](repeating: 0, count: width * height)
        depth = [Float](repeating: 0, count: width * height)
    }

    /// Paints surface id `id` at depth `z` over columns x0...x1, rows y0...y1 (inclusive).
    mutating func fill(_ id: UInt32, x0: Int, y0: Int, x1: Int, y1: Int, z: Float = 10) {
        for y in y0...y1 {
            for x in x0...x1 {
                surfaceIDs[y * width + x] = id
                depth[y * width + x] = z
            }
        }
    }

    var frame: RenderedFrame {
        RenderedFrame(
            index: index, width: width, height: height,
            color: [UInt8](repeating: 128, count: width * height * 4), surfaceIDs: surfaceIDs, depth: depth)
    }
}

func makeSpec(
    index: Int = 7, width: Int, height: Int, surfaces: [(name: String, classID: Int, instanceID: Int)]
) -> FrameSpec {
    let intrinsics = CameraIntrinsics(width: width, height: height, horizontalFOVDegrees: 90)
    let camera = Camera(
        intrinsics: intrinsics, worldFromCamera: Camera.lookAt(eye: Vec3(0, 0, 1.5), target: Vec3(10, 0, 1)))
    let classes = [
        SemanticClass(id: 1, name: "road", color: [128, 64, 128]),
        SemanticClass(id: 2, name: "car", color: [0, 0, 142]),
        SemanticClass(id: 3, name: "pedestrian", color: [220, 20, 60]),
    ]
    let list = surfaces.map {
        Surface(
            name: $0.name, shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .identity, color: Vec3(0.5, 0.5, 0.5),
            classID: $0.classID, instanceID: $0.instanceID)
    }
    return FrameSpec(index: index, camera: camera, lighting: .daylight, classes: classes, surfaces: list)
}

final class LabelDeriverTests: XCTestCase {
    /// road (stuff), car 5 made of two surfaces, pedestrian 2, and car 9 which is not visible.
    let surfaces: [(name: String, classID: Int, instanceID: Int)] = [
        ("road", 1, 0), ("car_body", 2, 5), ("car_wheel", 2, 5), ("walker", 3, 2), ("hidden_car", 2, 9),
    ]

    func testMapsAndObjectsFromHandMadeBuffer() throws {
        var b = FrameBuilder(width: 16, height: 10)
        b.fill(1, x0: 0, y0: 6, x1: 15, y1: 9, z: 5)  // road along the bottom
        b.fill(2, x0: 3, y0: 2, x1: 8, y1: 6, z: 12)  // car body
        b.fill(3, x0: 9, y0: 6, x1: 10, y1: 7, z: 11.5)  // car wheel, sticking out right and down
        b.fill(4, x0: 12, y0: 1, x1: 12, y1: 4, z: 20)  // a one-pixel-wide pedestrian
        let spec = makeSpec(width: 16, height: 10, surfaces: surfaces)
        let labels = try LabelDeriver.derive(b.frame, spec: spec)

        XCTAssertEqual(labels.frame, 7)
        XCTAssertEqual(labels.width, 16)
        XCTAssertEqual(labels.height, 10)
        XCTAssertEqual(
            labels.objects,
            [
                ObjectLabel(
                    instanceID: 2, classID: 3, className: "pedestrian",
                    bbox: PixelBox(xmin: 12, ymin: 1, xmax: 12, ymax: 4),
                    pixels: 4),
                ObjectLabel(
                    instanceID: 5, classID: 2, className: "car", bbox: PixelBox(xmin: 3, ymin: 2, xmax: 10, ymax: 7),
                    pixels: 6 * 5 + 2 * 2),
            ])
        // Per pixel: instance from the surface table, stuff has no instance, class from the table.
        for p in 0..<(16 * 10) {
            let id = Int(b.surfaceIDs[p])
            let expectedInstance = id == 0 ? 0 : surfaces[id - 1].instanceID
            let expectedClass = id == 0 ? 0 : surfaces[id - 1].classID
            XCTAssertEqual(Int(labels.instanceMap[p]), expectedInstance, "instance at pixel \(p)")
            XCTAssertEqual(Int(labels.semanticMap[p]), expectedClass, "class at pixel \(p)")
            XCTAssertEqual(labels.depthMillimetres[p], id == 0 ? 0 : UInt16((b.depth[p] * 1000).rounded()))
        }
        XCTAssertEqual(labels.depthMillimetres[7 * 16 + 9], 11500)
    }

    func testBoxesTouchingEveryBorder() throws {
        var b = FrameBuilder(width: 5, height: 4)
        b.fill(1, x0: 0, y0: 0, x1: 0, y1: 0)  // top-left corner pixel
        b.fill(2, x0: 4, y0: 3, x1: 4, y1: 3)  // bottom-right corner pixel
        b.fill(3, x0: 0, y0: 3, x1: 3, y1: 3)  // along the bottom row
        b.fill(4, x0: 4, y0: 0, x1: 4, y1: 2)  // down the right column
        let spec = makeSpec(
            width: 5, height: 4,
            surfaces: [("a", 2, 1), ("b", 2, 2), ("c", 3, 3), ("d", 3, 4)])
        let boxes = try LabelDeriver.derive(b.frame, spec: spec).objects.map { [$0.instanceID: $0.bbox] }
        XCTAssertEqual(
            boxes,
            [
                [1: PixelBox(xmin: 0, ymin: 0, xmax: 0, ymax: 0)],
                [2: PixelBox(xmin: 4, ymin: 3, xmax: 4, ymax: 3)],
                [3: PixelBox(xmin: 0, ymin: 3, xmax: 3, ymax: 3)],
                [4: PixelBox(xmin: 4, ymin: 0, xmax: 4, ymax: 2)],
            ])
    }

    func testFullFrameObjectAndNonConvexMask() throws {
        var b = FrameBuilder(width: 6, height: 6)
        b.fill(1, x0: 0, y0: 0, x1: 5, y1: 5)
        b.fill(2, x0: 1, y0: 1, x1: 4, y1: 4)  // a hole of another instance inside
        let spec = makeSpec(width: 6, height: 6, surfaces: [("ring", 2, 3), ("inside", 3, 4)])
        let objects = try LabelDeriver.derive(b.frame, spec: spec).objects
        XCTAssertEqual(
            objects.map(\.bbox),
            [PixelBox(xmin: 0, ymin: 0, xmax: 5, ymax: 5), PixelBox(xmin: 1, ymin: 1, xmax: 4, ymax: 4)])
        XCTAssertEqual(objects.map(\.pixels), [36 - 16, 16])
    }

    func testOneByOneImage() throws {
        var b = FrameBuilder(width: 1, height: 1)
        b.fill(1, x0: 0, y0: 0, x1: 0, y1: 0, z: 0.25)
        let labels = try LabelDeriver.derive(b.frame, spec: makeSpec(width: 1, height: 1, surfaces: [("c", 2, 65535)]))
        XCTAssertEqual(labels.instanceMap, [65535])
        XCTAssertEqual(labels.semanticMap, [2])
        XCTAssertEqual(labels.depthMillimetres, [250])
        XCTAssertEqual(
            labels.objects,
            [
                ObjectLabel(
                    instanceID: 65535, classID: 2, className: "car", bbox: PixelBox(xmin: 0, ymin: 0, xmax: 0, ymax: 0),
                    pixels: 1)
            ])

        let empty = FrameBuilder(width: 1, height: 1)
        let none = try LabelDeriver.derive(empty.frame, spec: makeSpec(width: 1, height: 1, surfaces: []))
        XCTAssertEqual(none.instanceMap, [0])
        XCTAssertEqual(none.semanticMap, [0])
        XCTAssertEqual(none.depthMillimetres, [0])
        XCTAssertEqual(none.objects, [])
    }

    func testDepthRoundingAndSaturation() throws {
        // 0.0625 and 0.1875 m are exact Floats at exactly half a millimetre (62.5, 187.5 mm): halves
        // round up. The Float nearest 1.0005 is 1.000499963..., so it rounds down.
        let depths: [Float] = [
            1.0004, 1.0005, 1.0015, 0.0625, 0.1875, 2.5, 65.5344, 65.535, 65.5356, 100, .infinity, 0.0001, 0.00049,
        ]
        let expected: [UInt16] = [1000, 1000, 1002, 63, 188, 2500, 65534, 65535, 65535, 65535, 65535, 1, 1]
        var b = FrameBuilder(width: depths.count, height: 1)
        for (i, z) in depths.enumerated() { b.fill(1, x0: i, y0: 0, x1: i, y1: 0, z: z) }
        let labels = try LabelDeriver.derive(
            b.frame, spec: makeSpec(width: depths.count, height: 1, surfaces: [("road", 1, 0)]))
        // round(z * 1000) on the exact value of the Float.
        for (i, z) in depths.enumerated() where z.isFinite && Double(z) * 1000 >= 0.5 && Double(z) * 1000 < 65535 {
            XCTAssertEqual(labels.depthMillimetres[i], UInt16((Double(z) * 1000).rounded()), "depth \(z)")
        }
        XCTAssertEqual(labels.depthMillimetres, expected)
        XCTAssertEqual(FrameLabels.maxDepthMetres, 65.535)
        XCTAssertEqual(labels.objects, [], "stuff has no object record")
    }

    func testSurfaceIDBeyondSurfaceCountIsAnError() {
        var b = FrameBuilder(width: 8, height: 4)
        b.fill(1, x0: 0, y0: 0, x1: 7, y1: 3)
        b.fill(3, x0: 5, y0: 2, x1: 5, y1: 2)
        let spec = makeSpec(width: 8, height: 4, surfaces: [("road", 1, 0), ("car", 2, 1)])
        XCTAssertThrowsError(try LabelDeriver.derive(b.frame, spec: spec)) { error in
            guard let e = error as? LabelError else { return XCTFail("not a LabelError: \(error)") }
            XCTAssertEqual(e.kind, .surfaceIDOutOfRange)
            XCTAssertEqual(e.frame, 7)
            XCTAssertTrue(e.description.contains("frame 7"), e.description)
            XCTAssertTrue(e.description.contains("(5, 2)"), e.description)
            XCTAssertTrue(e.description.contains("surface id 3"), e.description)
        }
        // Even the largest id is an error, not a crash.
        b.fill(UInt32.max, x0: 0, y0: 0, x1: 0, y1: 0)
        XCTAssertThrowsError(try LabelDeriver.derive(b.frame, spec: spec)) { error in
            XCTAssertTrue("\(error)".contains("(0, 0)"), "\(error)")
        }
    }

    func testMismatchedBufferSizesAreErrors() {
        let spec = makeSpec(width: 4, height: 3, surfaces: [("road", 1, 0)])
        var b = FrameBuilder(width: 4, height: 3)
        b.surfaceIDs.removeLast()
        XCTAssertThrowsError(try LabelDeriver.derive(b.frame, spec: spec)) { error in
            XCTAssertEqual((error as? LabelError)?.kind, .bufferSizeMismatch)
            XCTAssertTrue("\(error)".contains("surface id buffer has 11 values, expected 4x3 = 12"), "\(error)")
        }
        b = FrameBuilder(width: 4, height: 3)
        b.depth.append(1)
        XCTAssertThrowsError(try LabelDeriver.derive(b.frame, spec: spec)) { error in
            XCTAssertTrue("\(error)".contains("frame 7: buffer size mismatch: depth buffer has 13 values"), "\(error)")
        }
        // Width and height swapped relative to the spec's camera.
        let swapped = FrameBuilder(width: 3, height: 4)
        XCTAssertThrowsError(try LabelDeriver.derive(swapped.frame, spec: spec)) { error in
            XCTAssertTrue("\(error)".contains("frame is 3x4 but its spec's camera is 4x3"), "\(error)")
        }
        var zero = FrameBuilder(width: 0, height: 0).frame
        zero.width = -2
        XCTAssertThrowsError(try LabelDeriver.derive(zero, spec: spec)) { error in
            XCTAssertEqual((error as? LabelError)?.kind, .bufferSizeMismatch)
        }
    }

    func testInstanceWithTwoClassesIsASpecError() {
        let b = FrameBuilder(width: 2, height: 2)
        let spec = makeSpec(width: 2, height: 2, surfaces: [("car_body", 2, 4), ("road", 1, 0), ("car_rider", 3, 4)])
        XCTAssertThrowsError(try LabelDeriver.derive(b.frame, spec: spec)) { error in
            XCTAssertEqual((error as? LabelError)?.kind, .conflictingInstanceClass)
            XCTAssertTrue("\(error)".contains("instance 4"), "\(error)")
            XCTAssertTrue("\(error)".contains("car_rider"), "\(error)")
        }
    }

    func testInvalidSurfaceIDsInSpecAreErrors() {
        let b = FrameBuilder(width: 2, height: 2)
        for bad in [("x", 2, 70000), ("x", 2, -1), ("x", 300, 1), ("x", 42, 1)] {
            XCTAssertThrowsError(try LabelDeriver.derive(b.frame, spec: makeSpec(width: 2, height: 2, surfaces: [bad])))
            { error in
                XCTAssertEqual((error as? LabelError)?.kind, .invalidSpec, "\(bad)")
                XCTAssertTrue("\(error)".contains("surface 0 \"x\""), "\(error)")
            }
        }
    }

    func testZeroOrNaNDepthUnderASurfaceIsAnError() {
        for z: Float in [0, -1, .nan] {
            var b = FrameBuilder(width: 3, height: 2)
            b.fill(1, x0: 0, y0: 0, x1: 2, y1: 1, z: 3)
            b.depth[4] = z
            XCTAssertThrowsError(
                try LabelDeriver.derive(b.frame, spec: makeSpec(width: 3, height: 2, surfaces: [("r", 1, 0)]))
            ) {
                error in
                XCTAssertEqual((error as? LabelError)?.kind, .invalidDepth)
                XCTAssertTrue("\(error)".contains("pixel (1, 1)"), "\(error)")
            }
        }
    }

    func testClassIDZeroInstanceIsNamedUnlabelled() throws {
        var b = FrameBuilder(width: 2, height: 1)
        b.fill(1, x0: 1, y0: 0, x1: 1, y1: 0)
        let labels = try LabelDeriver.derive(b.frame, spec: makeSpec(width: 2, height: 1, surfaces: [("thing", 0, 3)]))
        XCTAssertEqual(labels.objects.map(\.className), ["unlabelled"])
        XCTAssertEqual(labels.semanticMap, [0, 0])
        XCTAssertEqual(labels.instanceMap, [0, 3])
    }
}

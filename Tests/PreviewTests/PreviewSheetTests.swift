import Foundation
import ImageCodec
import Labels
import Overlays
import Preview
import Render
import RenderContext
import SceneCore
import XCTest

/// The headless contact sheet of `scenefarm preview --png`, rendered on a real EGL context (Mesa
/// llvmpipe in CI), written as PNG, decoded back and checked against the labels of the same frames.
final class PreviewSheetTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var context: EGLHeadlessContext?
    static var renderer: GLRenderer?
    static var contextError = ""

    override class func setUp() {
        super.setUp()
        do {
            context = try EGLHeadlessContext(platform: .automatic)
            renderer = try GLRenderer(computesCoverage: true)
        } catch {
            contextError = "\(error)"  // every test then fails with it (never skipped)
        }
    }

    func makeRenderer() throws -> GLRenderer {
        guard let r = Self.renderer else {
            XCTFail("no EGL context: \(Self.contextError)")
            throw PreviewError("no EGL context")
        }
        return r
    }

    func minimalScene() throws -> PreviewScene {
        try PreviewScene.load(path: Self.repoRoot.appendingPathComponent("scenes/minimal.yaml").path)
    }

    /// Writes the sheet as a PNG and decodes it again: what the test checks is what a user opens.
    func roundTrip(_ sheet: PreviewSheet) throws -> DecodedPNG {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-preview-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sheet.png").path
        try PreviewOutput.writePNG(sheet.image, to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["sheet.png"])
        return try PNGDecoder.decode(contentsOf: path)
    }

    func pixel(_ png: DecodedPNG, _ x: Int, _ y: Int) -> [UInt8] {
        let o = (y * png.width + x) * png.channels
        return Array(png.samples8[o..<o + 3])
    }

    /// The panel of cell `cell` as an array of RGB triples, row-major.
    func panel(_ png: DecodedPNG, _ layout: SheetLayout, cell: Int) -> [[UInt8]] {
        let o = layout.panelOrigin(cell: cell)
        var out: [[UInt8]] = []
        for y in 0..<layout.panelHeight { for x in 0..<layout.panelWidth { out.append(pixel(png, o.x + x, o.y + y)) } }
        return out
    }

    func testSheetOfMinimalSceneShowsExactLabels() throws {
        let renderer = try makeRenderer()
        let scene = try minimalScene()
        let overlays: [SheetOverlay] = [.rgb, .semantic, .instance, .depth, .boxes]
        let frames = [0, 3]
        let sheet = try PreviewSheet.render(
            scene: scene, frames: frames, overlays: overlays, scale: 1, renderer: renderer)
        let png = try roundTrip(sheet)

        // One row per frame, one column per overlay, each panel the frame's full 320x240.
        let w = 320, h = 240
        XCTAssertEqual(sheet.layout.columns, 5)
        XCTAssertEqual(sheet.layout.rows, 2)
        XCTAssertEqual(png.width, SheetLayout.gap + 5 * (w + SheetLayout.gap))
        XCTAssertEqual(png.height, SheetLayout.gap + 2 * (SheetLayout.captionHeight + h + SheetLayout.gap))

        // The scene's class colors, straight from the file's class table (id 0: black background).
        var classColor: [Int: [UInt8]] = [0: [0, 0, 0]]
        for c in scene.description.classes { classColor[c.id] = c.color.map { UInt8($0) } }

        for (row, index) in frames.enumerated() {
            let spec = try scene.spec(index)
            let labels = try LabelDeriver.derive(try renderer.render(spec), spec: spec)
            XCTAssertGreaterThan(labels.objects.count, 2, "frame \(index) should show several objects")
            let rgb = panel(png, sheet.layout, cell: row * 5)
            let semantic = panel(png, sheet.layout, cell: row * 5 + 1)
            let instance = panel(png, sheet.layout, cell: row * 5 + 2)
            let boxes = panel(png, sheet.layout, cell: row * 5 + 4)

            // Semantic: every pixel is exactly its class's color from the scene.
            var wrong = 0
            for i in 0..<(w * h) where semantic[i] != classColor[Int(labels.semanticMap[i])] { wrong += 1 }
            XCTAssertEqual(wrong, 0, "frame \(index): semantic pixels not in their class color")
            XCTAssertTrue(
                Set(semantic).isSubset(of: Set(classColor.values)), "frame \(index): a color outside the class table")
            XCTAssertGreaterThanOrEqual(Set(semantic).count, 4, "frame \(index): road, terrain, car and box expected")

            // Instance: same partition as the labels (one color per object, black where no instance),
            // and each instance color lies inside one semantic class.
            var semanticOfInstanceColor: [[UInt8]: [UInt8]] = [:]
            var instanceColorOfID: [UInt16: [UInt8]] = [:]
            for i in 0..<(w * h) {
                let id = labels.instanceMap[i]
                XCTAssertEqual(instance[i] == [0, 0, 0], id == 0, "frame \(index) pixel \(i): instance \(id)")
                if let known = instanceColorOfID[id] {
                    XCTAssertEqual(known, instance[i], "frame \(index): instance \(id) in two colors")
                } else {
                    instanceColorOfID[id] = instance[i]
                }
                guard id != 0 else { continue }
                if let s = semanticOfInstanceColor[instance[i]] {
                    XCTAssertEqual(s, semantic[i], "frame \(index): one instance color over two classes")
                } else {
                    semanticOfInstanceColor[instance[i]] = semantic[i]
                }
            }
            XCTAssertEqual(
                semanticOfInstanceColor.count, labels.objects.count, "frame \(index): distinct instance colors")

            // Boxes: every pixel that differs from the color image lies on the border band of an
            // object's tight box (lines are FramePicture.boxThickness wide at scale 1) and has that
            // object's class color; every box's corners are drawn.
            let t = FramePicture.boxThickness
            func onBorder(_ b: PixelBox, _ x: Int, _ y: Int) -> Bool {
                guard (b.xmin...b.xmax).contains(x), (b.ymin...b.ymax).contains(y) else { return false }
                return x < b.xmin + t || x > b.xmax - t || y < b.ymin + t || y > b.ymax - t
            }
            var drawn = 0
            for y in 0..<h {
                for x in 0..<w where boxes[y * w + x] != rgb[y * w + x] {
                    drawn += 1
                    let owners = labels.objects.filter {
                        onBorder($0.bbox, x, y) && classColor[$0.classID] == boxes[y * w + x]
                    }
                    XCTAssertFalse(owners.isEmpty, "frame \(index): box pixel (\(x), \(y)) on no tight box")
                }
            }
            XCTAssertGreaterThan(drawn, 0)
            for object in labels.objects {
                let b = object.bbox
                for (x, y) in [(b.xmin, b.ymin), (b.xmax, b.ymax)] {
                    // A later box may be drawn over this corner; it must then be on that box's border too.
                    let color = boxes[y * w + x]
                    XCTAssertTrue(
                        labels.objects.contains { onBorder($0.bbox, x, y) && classColor[$0.classID] == color },
                        "frame \(index): corner (\(x), \(y)) of instance \(object.instanceID)")
                }
            }

            // Captions: the band above each panel holds some caption ink.
            let o = sheet.layout.panelOrigin(cell: row * 5)
            var ink = 0
            for y in (o.y - SheetLayout.captionHeight)..<o.y {
                for x in o.x..<(o.x + 60) where pixel(png, x, y) == [230, 230, 230] { ink += 1 }
            }
            XCTAssertGreaterThan(ink, 10, "frame \(index): no caption")
        }
    }

    func testSheetWrapsCellsIntoColumnsAndScalesPanels() throws {
        let renderer = try makeRenderer()
        let scene = try minimalScene()
        let sheet = try PreviewSheet.render(
            scene: scene, frames: [0, 1, 3], overlays: [.semantic], columns: 2, scale: 0.5, renderer: renderer)
        let png = try roundTrip(sheet)
        // Three cells, two per row: two rows of 160x120 panels.
        XCTAssertEqual(sheet.layout.rows, 2)
        XCTAssertEqual(png.width, SheetLayout.gap + 2 * (160 + SheetLayout.gap))
        XCTAssertEqual(png.height, SheetLayout.gap + 2 * (SheetLayout.captionHeight + 120 + SheetLayout.gap))
        // The empty fourth cell is background; panel pixels are class colors only (nearest scaling).
        var palette = Set([[UInt8]([0, 0, 0])])
        for c in scene.description.classes { palette.insert(c.color.map { UInt8($0) }) }
        for cell in 0..<3 { XCTAssertTrue(Set(panel(png, sheet.layout, cell: cell)).isSubset(of: palette)) }
        XCTAssertEqual(Set(panel(png, sheet.layout, cell: 3)), [[24, 24, 24]])
    }

    func testSmallerSizeKeepsTheFieldOfView() throws {
        let renderer = try makeRenderer()
        let scene = try minimalScene()
        let full = try scene.spec(2)
        let small = try scene.spec(2, size: PreviewSize(width: 160, height: 120))
        XCTAssertEqual(small.camera.intrinsics.width, 160)
        // The same world point projects to the same place relative to the image size.
        let point = Vec3(18, 2.4, 1)
        let a = try XCTUnwrap(full.camera.project(point)), b = try XCTUnwrap(small.camera.project(point))
        XCTAssertEqual((a.u + 0.5) / 320, (b.u + 0.5) / 160, accuracy: 1e-9)
        XCTAssertEqual((a.v + 0.5) / 240, (b.v + 0.5) / 120, accuracy: 1e-9)
        // And it renders: the labels of the smaller frame are its own, derived at 160x120.
        let labels = try LabelDeriver.derive(try renderer.render(small), spec: small)
        XCTAssertEqual(labels.width, 160)
        XCTAssertFalse(labels.objects.isEmpty)
    }
}

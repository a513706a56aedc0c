import Foundation
import ImageCodec
import Labels
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Fixed frames of each scene family rendered on llvmpipe and compared with the committed goldens in
/// Tests/RenderTests/Goldens: the instance and semantic maps must match exactly, the color image and
/// the depth within small tolerances (a rasterizer's float rounding may move a shade, never a label).
///
/// After a deliberate change to shading or to one of these scenes, rewrite the goldens with
///
///     SCENEFARM_UPDATE_GOLDENS=1 swift test --filter GoldenImageTests
///
/// (the run fails, saying which files it wrote), look at the new images, and commit them.
final class GoldenImageTests: XCTestCase {
    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
    static let width = 192, height = 108

    /// Color: at most this share of pixels may differ by more than `colorStep` in some channel, and
    /// the mean absolute difference over all channels stays under `colorMeanStep` (0...255 levels).
    static let colorOutlierShare = 0.005
    static let colorStep = 16
    static let colorMeanStep = 1.5
    /// Depth (millimetres): every pixel within this many.
    static let depthStepMillimetres = 2

    struct Case {
        var name: String
        var scene: String
        var frame: Int
    }

    /// One view of the weather sweep under each condition, and a frame of each other scene family.
    static let cases: [Case] = [
        Case(name: "weather_clear", scene: "driving_weather_sweep.yaml", frame: 0),
        Case(name: "weather_overcast", scene: "driving_weather_sweep.yaml", frame: 1),
        Case(name: "weather_fog", scene: "driving_weather_sweep.yaml", frame: 2),
        Case(name: "weather_rain", scene: "driving_weather_sweep.yaml", frame: 3),
        Case(name: "weather_snow", scene: "driving_weather_sweep.yaml", frame: 4),
        Case(name: "weather_night", scene: "driving_weather_sweep.yaml", frame: 5),
        Case(name: "intersection", scene: "driving_intersection.yaml", frame: 0),
        Case(name: "bin_picking", scene: "robotics_bin_picking.yaml", frame: 0),
        Case(name: "warehouse", scene: "robotics_warehouse.yaml", frame: 0),
        Case(name: "highway", scene: "driving_highway.yaml", frame: 0),
        Case(name: "corridor", scene: "robotics_corridor.yaml", frame: 0),
    ]

    struct Images {
        var color: [UInt8]  // RGB
        var instance: [UInt16]
        var semantic: [UInt8]
        var depth: [UInt16]
    }

    func render(_ c: Case) throws -> Images {
        let renderer = try Self.fixture.makeRenderer()
        let scene = try SceneLoader.load(path: Self.root.appendingPathComponent("scenes/\(c.scene)").path)
        var spec = try scene.frame(c.frame)
        spec.camera.intrinsics = spec.camera.intrinsics.resized(width: Self.width, height: Self.height)
        let frame = try renderer.render(spec)
        let labels = try LabelDeriver.derive(frame, spec: spec)
        var rgb: [UInt8] = []
        rgb.reserveCapacity(frame.width * frame.height * 3)
        for i in 0..<(frame.width * frame.height) { rgb += frame.color[(i * 4)..<(i * 4 + 3)] }
        return Images(
            color: rgb, instance: labels.instanceMap, semantic: labels.semanticMap, depth: labels.depthMillimetres)
    }

    func path(_ c: Case, _ kind: String) -> String { Self.goldens.appendingPathComponent("\(c.name).\(kind).png").path }

    func write(_ images: Images, _ c: Case) throws {
        let w = Self.width, h = Self.height
        try FileManager.default.createDirectory(at: Self.goldens, withIntermediateDirectories: true)
        let files: [(String, [UInt8])] = [
            ("color", try PNGEncoder.encodeRGB8(images.color, width: w, height: h)),
            ("instance", try PNGEncoder.encodeGray16(images.instance, width: w, height: h)),
            ("semantic", try PNGEncoder.encodeGray8(images.semantic, width: w, height: h)),
            ("depth", try PNGEncoder.encodeGray16(images.depth, width: w, height: h)),
        ]
        for (kind, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: path(c, kind)), options: .atomic) }
    }

    /// What differs between `images` and the goldens of `c` beyond the tolerances; empty when they match.
    func problems(_ images: Images, _ c: Case) throws -> [String] {
        let color = try PNGDecoder.decode(contentsOf: path(c, "color"))
        let instance = try PNGDecoder.decode(contentsOf: path(c, "instance"))
        let semantic = try PNGDecoder.decode(contentsOf: path(c, "semantic"))
        let depth = try PNGDecoder.decode(contentsOf: path(c, "depth"))
        let pixels = Self.width * Self.height
        for golden in [color, instance, semantic, depth] where golden.width * golden.height != pixels {
            return ["\(c.name): a golden is \(golden.width)x\(golden.height), not \(Self.width)x\(Self.height)"]
        }
        guard color.channels == 3, color.samples8.count == pixels * 3, instance.samples16.count == pixels,
            semantic.samples8.count == pixels, depth.samples16.count == pixels
        else { return ["\(c.name): a golden has an unexpected pixel format"] }
        var out: [String] = []
        let instanceDiffs = zip(images.instance, instance.samples16).filter { $0 != $1 }.count
        if instanceDiffs > 0 { out.append("\(c.name): \(instanceDiffs) instance map pixels differ") }
        let semanticDiffs = zip(images.semantic, semantic.samples8).filter { $0 != $1 }.count
        if semanticDiffs > 0 { out.append("\(c.name): \(semanticDiffs) semantic map pixels differ") }
        let depthOff = zip(images.depth, depth.samples16).filter { abs(Int($0) - Int($1)) > Self.depthStepMillimetres }
        if !depthOff.isEmpty {
            out.append("\(c.name): \(depthOff.count) depth pixels more than \(Self.depthStepMillimetres) mm off")
        }
        var outliers = 0, total = 0
        for p in 0..<pixels {
            var worst = 0
            for k in 0..<3 {
                let d = abs(Int(images.color[p * 3 + k]) - Int(color.samples8[p * 3 + k]))
                total += d
                worst = max(worst, d)
            }
            if worst > Self.colorStep { outliers += 1 }
        }
        let share = Double(outliers) / Double(pixels), mean = Double(total) / Double(pixels * 3)
        if share > Self.colorOutlierShare {
            out.append("\(c.name): \(outliers) color pixels off by more than \(Self.colorStep) levels")
        }
        if mean > Self.colorMeanStep { out.append("\(c.name): mean color difference \(mean) levels") }
        return out
    }

    func testFramesMatchTheirGoldens() throws {
        let update = ProcessInfo.processInfo.environment["SCENEFARM_UPDATE_GOLDENS"] == "1"
        var rewritten: [String] = []
        for c in Self.cases {
            let images = try render(c)
            if update {
                try write(images, c)
                rewritten.append(c.name)
                continue
            }
            let found = try problems(images, c)
            XCTAssertEqual(found, [], c.name)
            if !found.isEmpty {
                let out = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "scenefarm-golden-\(c.name).png")
                let png = try PNGEncoder.encodeRGB8(images.color, width: Self.width, height: Self.height)
                try? Data(png).write(to: out)
                print("\(c.name): this run's color image is \(out.path)")
            }
        }
        if update {
            XCTFail(
                "rewrote the goldens of \(rewritten.joined(separator: ", ")) in \(Self.goldens.path); look at them and commit"
            )
        }
    }

    /// The comparison catches one changed instance pixel, one changed class, a brightened image and
    /// moved depth; the render itself matches.
    func testTheComparisonCatchesEachKindOfChange() throws {
        let c = Self.cases[0]
        let images = try render(c)
        XCTAssertEqual(try problems(images, c), [])
        let middle = Self.width * Self.height / 2
        var changed = images
        changed.instance[middle] &+= 1
        XCTAssertEqual(try problems(changed, c), ["\(c.name): 1 instance map pixels differ"])
        changed = images
        changed.semantic[middle] &+= 1
        XCTAssertEqual(try problems(changed, c), ["\(c.name): 1 semantic map pixels differ"])
        changed = images
        changed.depth[middle] &+= 100
        XCTAssertEqual(try problems(changed, c), ["\(c.name): 1 depth pixels more than 2 mm off"])
        changed = images
        changed.color = images.color.map { UInt8(min(255, Int($0) + 20)) }
        XCTAssertEqual(try problems(changed, c).count, 2, "outliers and the mean")
    }
}

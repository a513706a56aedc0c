import Export
import FramePipeline
import Foundation
import Labels
import SceneCore
import XCTest

/// A cheap renderer for testing the pipeline without GL: surface k covers column band k of the
/// image at depth k metres. It can fail on a chosen frame, and records the thread it ran on.
final class BandRenderer: FrameRenderer {
    let maxFramesInFlight = 2
    let backendDescription = "bands"
    var queue: [FrameSpec] = []
    let failOn: Int?
    init(failOn: Int? = nil) { self.failOn = failOn }

    func submit(_ spec: FrameSpec) throws {
        if spec.index == failOn { throw RenderError(message: "synthetic failure") }
        queue.append(spec)
    }

    func receive() throws -> RenderedFrame {
        let spec = queue.removeFirst()
        let k = spec.camera.intrinsics
        let n = spec.surfaces.count
        var ids = [UInt32](repeating: 0, count: k.width * k.height)
        var depth = [Float](repeating: 0, count: k.width * k.height)
        for y in 0..<k.height {
            for x in 0..<k.width {
                let band = (x + spec.index) % (n + 1)  // band 0 stays background
                ids[y * k.width + x] = UInt32(band)
                depth[y * k.width + x] = Float(band)
            }
        }
        let color = [UInt8](repeating: UInt8(truncatingIfNeeded: spec.index), count: k.width * k.height * 4)
        return RenderedFrame(
            index: spec.index, width: k.width, height: k.height, color: color, surfaceIDs: ids, depth: depth)
    }

    struct RenderError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

final class RenderPipelineTests: XCTestCase {
    static func spec(_ index: Int) -> FrameSpec {
        let k = CameraIntrinsics(width: 24, height: 16, horizontalFOVDegrees: 60)
        let classes = [
            SemanticClass(id: 1, name: "car", color: [0, 0, 142]),
            SemanticClass(id: 2, name: "road", color: [128, 64, 128]),
        ]
        let surfaces = (0..<3).map { i in
            Surface(
                name: "s\(i)", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .identity, color: Vec3(1, 1, 1),
                classID: i == 0 ? 2 : 1, instanceID: i == 0 ? 0 : i)
        }
        return FrameSpec(
            index: index, camera: Camera(intrinsics: k, worldFromCamera: .identity), lighting: .daylight,
            classes: classes, surfaces: surfaces)
    }

    final class Collector: @unchecked Sendable {
        let lock = NSLock()
        var frames: [Int: EncodedFrame] = [:]
        var duplicates = 0
        func add(_ f: EncodedFrame) -> Int {
            lock.lock()
            defer { lock.unlock() }
            if frames[f.index] != nil { duplicates += 1 }
            frames[f.index] = f
            return f.files.reduce(0) { $0 + $1.bytes.count }
        }
    }

    func testEveryFrameArrivesOnceWithLabels() throws {
        let collector = Collector()
        let pipeline = RenderPipeline(
            makeRenderer: { BandRenderer() }, specFor: Self.spec, encoderThreads: 3, queueCapacity: 2)
        var progressCalls = 0
        let stats = try pipeline.run(frames: Array(0..<20), sink: collector.add, progress: { _ in progressCalls += 1 })
        XCTAssertEqual(stats.frames, 20)
        XCTAssertEqual(Set(collector.frames.keys), Set(0..<20))
        XCTAssertEqual(collector.duplicates, 0)
        XCTAssertEqual(progressCalls, 20)
        XCTAssertGreaterThan(stats.bytesWritten, 0)
        // Each frame carries the five files of the native dataset.
        let paths = collector.frames[7]!.files.map(\.relativePath).sorted()
        XCTAssertEqual(
            paths,
            ["depth/000007.png", "instance/000007.png", "labels/000007.json", "rgb/000007.png", "semantic/000007.png"])
    }

    func testOutputDoesNotDependOnThreadCount() throws {
        func run(threads: Int) throws -> [Int: [String: [UInt8]]] {
            let collector = Collector()
            let pipeline = RenderPipeline(
                makeRenderer: { BandRenderer() }, specFor: Self.spec, encoderThreads: threads, queueCapacity: 1)
            _ = try pipeline.run(frames: Array(0..<8), sink: collector.add)
            return collector.frames.mapValues { f in
                Dictionary(uniqueKeysWithValues: f.files.map { ($0.relativePath, $0.bytes) })
            }
        }
        let one = try run(threads: 1)
        let four = try run(threads: 4)
        XCTAssertEqual(one.count, 8)
        XCTAssertEqual(one, four)
    }

    func testRendererFailureNamesTheFrameAndStops() {
        let collector = Collector()
        let pipeline = RenderPipeline(makeRenderer: { BandRenderer(failOn: 5) }, specFor: Self.spec, encoderThreads: 2)
        XCTAssertThrowsError(try pipeline.run(frames: Array(0..<50), sink: collector.add)) { error in
            let e = error as? PipelineError
            XCTAssertEqual(e?.frame, 5)
            XCTAssertEqual(e?.stage, "render")
            XCTAssertTrue("\(error)".contains("synthetic failure"), "\(error)")
        }
        XCTAssertLessThan(collector.frames.count, 50)
    }

    func testSinkFailureIsReported() {
        struct DiskFull: Error {}
        let pipeline = RenderPipeline(makeRenderer: { BandRenderer() }, specFor: Self.spec, encoderThreads: 2)
        XCTAssertThrowsError(
            try pipeline.run(
                frames: Array(0..<10),
                sink: { f in
                    if f.index == 3 { throw DiskFull() }; return 0
                })
        ) { error in
            XCTAssertEqual((error as? PipelineError)?.stage, "write")
            XCTAssertEqual((error as? PipelineError)?.frame, 3)
        }
    }

    func testRendererFactoryFailureIsReported() {
        struct NoDriver: Error, CustomStringConvertible { var description: String { "no EGL driver" } }
        let pipeline = RenderPipeline(makeRenderer: { throw NoDriver() }, specFor: Self.spec)
        XCTAssertThrowsError(try pipeline.run(frames: [0, 1], sink: { _ in 0 })) { error in
            XCTAssertEqual((error as? PipelineError)?.stage, "renderer")
            XCTAssertTrue("\(error)".contains("no EGL driver"))
        }
    }

    func testBadIDBufferBecomesALabelError() {
        final class BadIDs: FrameRenderer {
            let maxFramesInFlight = 1
            let backendDescription = "bad"
            var pending: FrameSpec?
            func submit(_ spec: FrameSpec) throws { pending = spec }
            func receive() throws -> RenderedFrame {
                let s = pending!
                let k = s.camera.intrinsics
                var ids = [UInt32](repeating: 0, count: k.width * k.height)
                ids[5] = 99  // no such surface
                return RenderedFrame(
                    index: s.index, width: k.width, height: k.height,
                    color: [UInt8](repeating: 0, count: ids.count * 4),
                    surfaceIDs: ids, depth: [Float](repeating: 0, count: ids.count))
            }
        }
        let pipeline = RenderPipeline(makeRenderer: { BadIDs() }, specFor: Self.spec, encoderThreads: 1)
        XCTAssertThrowsError(try pipeline.run(frames: [4], sink: { _ in 0 })) { error in
            XCTAssertEqual((error as? PipelineError)?.stage, "labels")
            XCTAssertEqual((error as? PipelineError)?.frame, 4)
        }
    }
}

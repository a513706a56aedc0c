import Export
import FramePipeline
import Foundation
import SceneCore
import XCTest

/// Multi-camera frames through both pipelines: every view rendered, the views of a frame joined
/// into one frame with every camera's files, and a failure of any view failing its frame once.
final class CameraViewsPipelineTests: XCTestCase {
    typealias Work = FrameWork<String, String>

    /// Three cameras: the primary's view as `RenderPipelineTests.spec`, a second one of the same
    /// size looking elsewhere, and a third of another size (12x8).
    static let cameras = CameraViews(folders: ["left", "right", "thumb"]) { view, primary in
        var spec = primary
        if view == 2 {
            spec.camera.intrinsics = CameraIntrinsics(width: 12, height: 8, horizontalFOVDegrees: 90)
        }
        spec.camera.worldFromCamera = .translation(Vec3(0, Double(view), 0))
        return spec
    }

    static func work(_ frames: [Int], tag: String) -> [Work] {
        frames.map { i in Work(index: i, tag: tag, profile: "p", cameras: cameras) { RenderPipelineTests.spec(i) } }
    }

    /// A view's labels record (its last file).
    func labels(_ view: EncodedFrame) throws -> FrameLabelRecord {
        try JSONDecoder().decode(FrameLabelRecord.self, from: Data(view.files[4].bytes))
    }

    func testRenderPipelineJoinsEveryViewOfAFrameUnderItsCamerasFolder() throws {
        let collector = RenderPipelineTests.Collector()
        let stats = try RenderPipeline(
            makeRenderer: { BandRenderer() }, specFor: RenderPipelineTests.spec, cameras: Self.cameras,
            encoderThreads: 2, queueCapacity: 1
        ).run(frames: Array(0..<5), sink: collector.add)
        XCTAssertEqual(stats.frames, 5)
        XCTAssertEqual(stats.views, 15)
        XCTAssertEqual(collector.frames.keys.sorted(), Array(0..<5))
        XCTAssertEqual(collector.duplicates, 0)

        // The primary camera's files are exactly what a single-camera pipeline writes.
        let single = RenderPipelineTests.Collector()
        _ = try RenderPipeline(makeRenderer: { BandRenderer() }, specFor: RenderPipelineTests.spec, encoderThreads: 1)
            .run(frames: Array(0..<5), sink: single.add)
        for (index, frame) in collector.frames {
            XCTAssertEqual(
                frame.files.map(\.relativePath),
                DatasetLayout.framePaths(frame: index, cameraFolders: ["left", "right", "thumb"]))
            let views = try DatasetLayout.split(frame, cameraFolders: ["left", "right", "thumb"])
            XCTAssertEqual(views[0].files, single.frames[index]?.files, "frame \(index)")
            let right = try labels(views[1]), thumb = try labels(views[2])
            XCTAssertEqual([right.width, right.height, thumb.width, thumb.height], [24, 16, 12, 8])
            XCTAssertEqual(right.camera.worldFromCamera[1][3], 1, "the right camera's own pose")
        }
    }

    func testRenderStreamSendsOneFramePerItemWithEveryCamera() {
        let outcomes = RenderStreamTests.Outcomes()
        let source = RenderStreamTests.ListSource(
            Self.work([0, 1, 2], tag: "a") + RenderStreamTests.work([3], tag: "b"))
        let stats = RenderStream<String, String>(makeRenderer: RenderStreamTests.Factory().make, encoderThreads: 2)
            .run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        XCTAssertTrue(outcomes.failures.isEmpty)
        XCTAssertEqual(outcomes.sunk, ["a": [0, 1, 2], "b": [3]])
        XCTAssertEqual(stats.frames, 4)
        XCTAssertEqual(stats.views, 10)
        for (tag, frame) in outcomes.frames {
            XCTAssertEqual(frame.files.count, tag == "a" ? 15 : 5)
            XCTAssertEqual(frame.files.first?.relativePath.hasPrefix("left/"), tag == "a")
        }
    }

    func testAViewThatFailsFailsItsFrameOnceAndNoPartOfItIsSent() {
        /// Fails the thumb view (12 pixels wide) of frame 1 at submit, after the frame's first
        /// views were submitted.
        final class ThumbFails: FrameRenderer {
            let inner = BandRenderer()
            var maxFramesInFlight: Int { inner.maxFramesInFlight }
            let backendDescription = "thumb fails"
            func submit(_ spec: FrameSpec) throws {
                if spec.index == 1 && spec.camera.intrinsics.width == 12 {
                    throw BandRenderer.RenderError(message: "thumb target lost")
                }
                try inner.submit(spec)
            }
            func receive() throws -> RenderedFrame { try inner.receive() }
        }
        let outcomes = RenderStreamTests.Outcomes()
        let made = RenderStreamTests.Factory()
        let source = RenderStreamTests.ListSource(Self.work([0, 1, 2, 3], tag: "a"))
        let stats = RenderStream<String, String>(
            makeRenderer: { profile in
                _ = made.make(profile)
                return ThumbFails()
            }, encoderThreads: 1
        ).run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        XCTAssertEqual(outcomes.failures.map { "\($0.error)" }, ["frame 1, render: thumb target lost"])
        XCTAssertEqual(outcomes.sunk, ["a": [0, 2, 3]])
        XCTAssertEqual(stats.views, 9)
        XCTAssertEqual(made.profiles.count, 2, "the renderer that failed is replaced")
        XCTAssertTrue(outcomes.frames.allSatisfy { $0.frame.files.count == 15 })
    }

    func testAReadbackErrorFailsEachFrameInFlightOnce() {
        /// Loses the device when the second view of frame 1 comes back: the views of frames 1
        /// and 2 in flight then fail their frames, each reported once.
        final class LostDevice: FrameRenderer {
            let inner = BandRenderer()
            let maxFramesInFlight = 4
            let backendDescription = "lost"
            var received = 0
            func submit(_ spec: FrameSpec) throws { try inner.submit(spec) }
            func receive() throws -> RenderedFrame {
                let frame = try inner.receive()
                received += 1
                if received == 5 { throw BandRenderer.RenderError(message: "device lost") }
                return frame
            }
        }
        let outcomes = RenderStreamTests.Outcomes()
        let source = RenderStreamTests.ListSource(Self.work([0, 1, 2, 3], tag: "a"))
        _ = RenderStream<String, String>(makeRenderer: { _ in LostDevice() }, encoderThreads: 1)
            .run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        XCTAssertEqual(
            outcomes.failures.map { "\($0.error)" },
            [
                "frame 1, readback: device lost",
                "frame 2, readback: the renderer failed on frame 1 and was dropped: device lost",
            ])
        XCTAssertEqual(outcomes.sunk, ["a": [0, 3]])
    }
}

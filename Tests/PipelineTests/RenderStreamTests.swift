import Export
import FramePipeline
import Foundation
import SceneCore
import XCTest

/// The long-lived pipeline: one renderer across work items, per-item errors, tags, backpressure.
final class RenderStreamTests: XCTestCase {
    typealias Work = FrameWork<String, String>

    /// Items for frames, each tagged and with a renderer profile.
    static func work(_ frames: [Int], tag: String, profile: String = "p") -> [Work] {
        frames.map { i in Work(index: i, tag: tag, profile: profile) { RenderPipelineTests.spec(i) } }
    }

    /// Hands out a fixed list, then reports the end.
    final class ListSource: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Work]
        private(set) var pulled = 0
        init(_ items: [Work]) { self.items = items }
        func next(_ wait: Bool) -> Work? {
            lock.withLock {
                guard !items.isEmpty else { return nil }
                pulled += 1
                return items.removeFirst()
            }
        }
        var pulledCount: Int { lock.withLock { pulled } }
    }

    /// What reached the sink and the failure handler.
    final class Outcomes: @unchecked Sendable {
        let lock = NSLock()
        var frames: [(tag: String, frame: EncodedFrame)] = []
        var failures: [(tag: String, error: PipelineError)] = []
        func sink(_ frame: EncodedFrame, _ tag: String) -> Int {
            lock.withLock { frames.append((tag, frame)) }
            return frame.byteCount
        }
        func failed(_ error: PipelineError, _ tag: String) { lock.withLock { failures.append((tag, error)) } }
        var sunk: [String: [Int]] {
            lock.withLock { Dictionary(grouping: frames, by: \.tag).mapValues { $0.map(\.frame.index).sorted() } }
        }
    }

    /// A factory that counts renderers and the profiles they were made for.
    final class Factory: @unchecked Sendable {
        let lock = NSLock()
        var profiles: [String] = []
        let failOn: Int?
        init(failOn: Int? = nil) { self.failOn = failOn }
        func make(_ profile: String) -> FrameRenderer {
            lock.withLock { profiles.append(profile) }
            return BandRenderer(failOn: failOn)
        }
    }

    func testEveryItemReachesTheSinkWithItsTagAsRenderPipelineEncodesIt() throws {
        let factory = Factory()
        let outcomes = Outcomes()
        let source = ListSource(Self.work([0, 1, 2], tag: "a") + Self.work([3, 4], tag: "b"))
        let stream = RenderStream<String, String>(makeRenderer: factory.make, encoderThreads: 2, queueCapacity: 2)
        let stats = stream.run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)

        XCTAssertEqual(outcomes.sunk, ["a": [0, 1, 2], "b": [3, 4]])
        XCTAssertTrue(outcomes.failures.isEmpty)
        XCTAssertEqual(factory.profiles, ["p"], "one renderer for the whole stream")
        XCTAssertEqual(stats.frames, 5)
        XCTAssertGreaterThan(stats.bytesWritten, 0)

        let collector = RenderPipelineTests.Collector()
        _ = try RenderPipeline(makeRenderer: { BandRenderer() }, specFor: RenderPipelineTests.spec, encoderThreads: 1)
            .run(frames: Array(0..<5), sink: collector.add)
        for (_, frame) in outcomes.frames {
            XCTAssertEqual(frame.files, collector.frames[frame.index]?.files, "frame \(frame.index)")
        }
    }

    func testTheRendererIsMadeAgainOnlyWhenTheProfileChanges() {
        let factory = Factory()
        let outcomes = Outcomes()
        let items =
            Self.work([0, 1], tag: "a", profile: "coverage") + Self.work([2], tag: "b", profile: "coverage")
            + Self.work([3, 4], tag: "c", profile: "plain") + Self.work([5], tag: "d", profile: "coverage")
        let source = ListSource(items)
        _ = RenderStream<String, String>(makeRenderer: factory.make, encoderThreads: 1)
            .run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        XCTAssertEqual(factory.profiles, ["coverage", "plain", "coverage"])
        XCTAssertEqual(outcomes.sunk, ["a": [0, 1], "b": [2], "c": [3, 4], "d": [5]])
    }

    func testARenderErrorFailsOnlyItsItemAndTheRendererIsMadeAgain() {
        let factory = Factory(failOn: 3)
        let outcomes = Outcomes()
        let source = ListSource(Self.work([0, 1, 2, 3], tag: "a") + Self.work([4, 5], tag: "b"))
        _ = RenderStream<String, String>(makeRenderer: factory.make, encoderThreads: 2)
            .run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        XCTAssertEqual(outcomes.failures.count, 1)
        XCTAssertEqual(outcomes.failures.first?.tag, "a")
        XCTAssertEqual(outcomes.failures.first?.error.frame, 3)
        XCTAssertEqual(outcomes.failures.first?.error.stage, "render")
        XCTAssertEqual(outcomes.failures.first?.error.description, "frame 3, render: synthetic failure")
        // The frames in flight before the failure still come back; the stream goes on.
        XCTAssertEqual(outcomes.sunk, ["a": [0, 1, 2], "b": [4, 5]])
        XCTAssertEqual(factory.profiles.count, 2, "a renderer that failed is replaced")
    }

    func testAReadbackErrorFailsEveryFrameInFlight() {
        /// Reads frame 2 back with an error (frame 3 is in flight then).
        final class BrokenReadback: FrameRenderer {
            let maxFramesInFlight = 2
            let backendDescription = "broken"
            let inner = BandRenderer()
            func submit(_ spec: FrameSpec) throws { try inner.submit(spec) }
            func receive() throws -> RenderedFrame {
                let frame = try inner.receive()
                if frame.index == 2 { throw BandRenderer.RenderError(message: "device lost") }
                return frame
            }
        }
        let outcomes = Outcomes()
        let made = Factory()
        let source = ListSource(Self.work([0, 1, 2, 3, 4, 5], tag: "a"))
        _ = RenderStream<String, String>(
            makeRenderer: { profile in
                _ = made.make(profile)
                return BrokenReadback()
            }, encoderThreads: 1
        ).run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        let failures = outcomes.failures.map { "\($0.error)" }
        XCTAssertEqual(
            failures,
            [
                "frame 2, readback: device lost",
                "frame 3, readback: the renderer failed on frame 2 and was dropped: device lost",
            ])
        XCTAssertEqual(outcomes.sunk, ["a": [0, 1, 4, 5]])
        XCTAssertEqual(made.profiles.count, 2)
    }

    func testSamplingAndSinkErrorsFailTheirItemsAndKeepTheRenderer() {
        struct NoPlace: Error, CustomStringConvertible { var description: String { "cannot place crates" } }
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
        let factory = Factory()
        let outcomes = Outcomes()
        var items = Self.work([0, 1, 2, 3], tag: "a")
        items[1].spec = { throw NoPlace() }
        let source = ListSource(items)
        _ = RenderStream<String, String>(makeRenderer: factory.make, encoderThreads: 1)
            .run(
                source: source.next,
                sink: { frame, tag in
                    if frame.index == 2 { throw DiskFull() }
                    return outcomes.sink(frame, tag)
                }, failed: outcomes.failed)
        XCTAssertEqual(
            outcomes.failures.map { "\($0.error)" }.sorted(),
            ["frame 1, sampling: cannot place crates", "frame 2, write: disk full"])
        XCTAssertEqual(outcomes.sunk, ["a": [0, 3]])
        XCTAssertEqual(factory.profiles.count, 1)
    }

    func testARendererThatCannotBeMadeFailsTheItemAndIsTriedAgain() {
        struct NoDriver: Error, CustomStringConvertible { var description: String { "no EGL driver" } }
        let attempts = Factory()
        let outcomes = Outcomes()
        let source = ListSource(Self.work([0], tag: "a") + Self.work([1], tag: "b"))
        _ = RenderStream<String, String>(
            makeRenderer: { profile in
                let renderer = attempts.make(profile)
                if attempts.lock.withLock({ attempts.profiles.count }) == 1 { throw NoDriver() }
                return renderer
            }, encoderThreads: 1
        ).run(source: source.next, sink: outcomes.sink, failed: outcomes.failed)
        XCTAssertEqual(outcomes.failures.map(\.tag), ["a"])
        XCTAssertEqual(outcomes.failures.first?.error.stage, "renderer")
        XCTAssertEqual(outcomes.failures.first?.error.frame, 0)
        XCTAssertEqual(outcomes.sunk, ["b": [1]])
    }

    func testCancelledTagsAreDroppedBeforeEncoding() {
        let outcomes = Outcomes()
        let source = ListSource(Self.work([0, 1], tag: "keep") + Self.work([2, 3], tag: "drop"))
        let stats = RenderStream<String, String>(makeRenderer: Factory().make, encoderThreads: 1)
            .run(source: source.next, sink: outcomes.sink, failed: outcomes.failed, isCancelled: { $0 == "drop" })
        XCTAssertEqual(outcomes.sunk, ["keep": [0, 1]])
        XCTAssertTrue(outcomes.failures.isEmpty)
        XCTAssertEqual(stats.frames, 2)
    }

    /// A source that gives one item and then waits for it to be sunk before giving the next: a
    /// stream that left frames in the renderer while its source waits would never finish.
    func testNoFrameWaitsInTheRendererWhileTheSourceHasNothing() {
        let sunk = NSCondition()
        var done = 0
        var given = 0
        var stalled = false
        let total = 4
        let stream = RenderStream<String, String>(makeRenderer: Factory().make, encoderThreads: 1)
        let stats = stream.run(
            source: { wait in
                sunk.withLock { () -> Work? in
                    guard given < total else { return nil }
                    if done < given {
                        guard wait else { return nil }
                        let deadline = Date(timeIntervalSinceNow: 10)
                        while done < given {
                            guard sunk.wait(until: deadline) else {
                                stalled = true
                                return nil
                            }
                        }
                    }
                    given += 1
                    return Self.work([given - 1], tag: "t")[0]
                }
            },
            sink: { frame, _ in
                sunk.withLock {
                    done += 1
                    sunk.broadcast()
                }
                return frame.byteCount
            }, failed: { error, _ in XCTFail("\(error)") })
        XCTAssertFalse(stalled, "a frame stayed in the renderer while the source waited")
        XCTAssertEqual(stats.frames, total)
    }

    /// With every encoder stuck in the sink, the render thread stops pulling work once the queue
    /// and the renderer are full: encoders + queue + frames in flight + the one it holds.
    func testABlockedSinkStopsTheRenderThread() {
        final class Gate: @unchecked Sendable {
            let condition = NSCondition()
            var open = false
        }
        let gate = Gate()
        let source = ListSource(Self.work(Array(0..<40), tag: "t"))
        let outcomes = Outcomes()
        let encoders = 1, capacity = 1, inFlight = BandRenderer().maxFramesInFlight
        let bound = encoders + capacity + inFlight + 1
        let finished = expectation(description: "the stream ends")
        let stream = RenderStream<String, String>(
            makeRenderer: Factory().make, encoderThreads: encoders, queueCapacity: capacity)
        Thread {
            _ = stream.run(
                source: source.next,
                sink: { frame, tag in
                    gate.condition.withLock {
                        let deadline = Date(timeIntervalSinceNow: 20)
                        while !gate.open && gate.condition.wait(until: deadline) {}
                    }
                    return outcomes.sink(frame, tag)
                }, failed: outcomes.failed)
            finished.fulfill()
        }.start()
        let deadline = Date(timeIntervalSinceNow: 10)
        while source.pulledCount < bound && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        XCTAssertEqual(source.pulledCount, bound)
        // Give a stream without backpressure the time to pull more; a bounded one cannot.
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(source.pulledCount, bound, "the render thread went on while the sink was blocked")
        gate.condition.withLock {
            gate.open = true
            gate.condition.broadcast()
        }
        wait(for: [finished], timeout: 20)
        XCTAssertEqual(outcomes.sunk["t"]?.count, 40)
    }
}

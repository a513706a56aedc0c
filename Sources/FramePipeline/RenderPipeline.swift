// FramePipeline: the overlapped render → readback → label → encode → write loop.
//
// Non-goals: OpenGL (the renderer arrives as a factory returning any `FrameRenderer`), sockets
// (the farm feeds frames through the same pipeline and ships `EncodedFrame`s instead of writing).
//
//   render thread                      encoder threads (N)                    sink
//   ─────────────                      ───────────────────                    ────
//   spec = specFor(i)                  labels = derive(frame, spec)
//   renderer.submit(spec)   ──queue──▶ encoded = encode(frame, labels)  ──▶  write(encoded)
//   frame = renderer.receive()             (PNG + JSON, pure)                 (temp + rename)
//
// The renderer keeps `maxFramesInFlight` frames in flight so its readback overlaps drawing; the
// queue between the threads is bounded, so memory stays flat however long the job is.
import Export
import Foundation
import Labels
import SceneCore

/// Summed seconds per stage over a run, and the wall time. Divide by `frames` for per-frame figures.
public struct PipelineStats: Sendable {
    public var frames = 0
    /// Views labelled and encoded: `frames` times the number of cameras of a multi-camera scene.
    /// The stage times are summed over views.
    public var views = 0
    public var wallSeconds = 0.0
    public var sampleSeconds = 0.0
    public var renderSeconds = 0.0
    public var readbackSeconds = 0.0
    public var labelSeconds = 0.0
    public var encodeSeconds = 0.0
    public var writeSeconds = 0.0
    public var bytesWritten = 0
    /// Seconds the render thread waited for encoders to take a frame (the pipeline is encoder-bound
    /// when this is large).
    public var renderBlockedSeconds = 0.0

    public init() {}

    public var framesPerSecond: Double { wallSeconds > 0 ? Double(frames) / wallSeconds : 0 }

    mutating func add(_ o: PipelineStats) {
        frames += o.frames
        views += o.views
        sampleSeconds += o.sampleSeconds
        renderSeconds += o.renderSeconds
        readbackSeconds += o.readbackSeconds
        labelSeconds += o.labelSeconds
        encodeSeconds += o.encodeSeconds
        writeSeconds += o.writeSeconds
        bytesWritten += o.bytesWritten
        renderBlockedSeconds += o.renderBlockedSeconds
    }
}

/// A pipeline failure, naming the frame and the stage.
public struct PipelineError: Error, CustomStringConvertible {
    public let frame: Int?
    public let stage: String
    public let underlying: String
    public var description: String {
        if let frame { return "frame \(frame), \(stage): \(underlying)" }
        return "\(stage): \(underlying)"
    }
}

public final class RenderPipeline: @unchecked Sendable {
    public typealias RendererFactory = () throws -> FrameRenderer
    public typealias SpecSource = (Int) throws -> FrameSpec
    /// Receives each encoded frame on an encoder thread; must be thread-safe. Returns bytes written.
    public typealias Sink = (EncodedFrame) throws -> Int
    /// Receives each frame's labels after the sink took its files (for exports made while rendering);
    /// called on an encoder thread, must be thread-safe.
    public typealias LabelsSink = (EncodedFrame, FrameLabels, FrameSpec) throws -> Void

    private let makeRenderer: RendererFactory
    private let specFor: SpecSource
    private let cameras: CameraViews?
    private let encoderThreads: Int
    private let queueCapacity: Int

    /// - Parameters:
    ///   - makeRenderer: called once, on the render thread (so a GL context created inside is current there).
    ///   - specFor: the frame spec of a global frame index; pure, called on the render thread. With
    ///     `cameras`, the primary camera's view.
    ///   - cameras: a multi-camera scene's cameras: every frame is rendered from each, and the sink
    ///     gets one frame with every camera's files under its folder. nil: one camera.
    ///   - encoderThreads: threads deriving labels, encoding and writing (default: one per core).
    ///   - queueCapacity: rendered frames waiting for an encoder (each ~11 MB per view at 1280x720).
    public init(
        makeRenderer: @escaping RendererFactory, specFor: @escaping SpecSource, cameras: CameraViews? = nil,
        encoderThreads: Int = ProcessInfo.processInfo.activeProcessorCount, queueCapacity: Int = 4
    ) {
        self.makeRenderer = makeRenderer
        self.specFor = specFor
        self.cameras = cameras
        self.encoderThreads = max(1, encoderThreads)
        self.queueCapacity = max(1, queueCapacity)
    }

    /// Renders, labels, encodes and hands to `sink` every frame in `frames`. Blocks until done or the
    /// first error, which is thrown after all threads have stopped. `progress` is called (from any
    /// thread, serialized) with the number of frames finished. `rendererReady` runs on the render
    /// thread once the renderer exists and before the first frame: the place to create outputs that
    /// should not exist when no renderer can be made. `labelsSink` is for single-camera pipelines
    /// (a pipeline with `cameras` must not be given one).
    public func run(
        frames: [Int], sink: @escaping Sink, labelsSink: LabelsSink? = nil,
        progress: @escaping (Int) -> Void = { _ in },
        rendererReady: @escaping (FrameRenderer) throws -> Void = { _ in }
    ) throws -> PipelineStats {
        precondition(labelsSink == nil || cameras == nil, "labelsSink takes single-camera frames only")
        let start = monotonicSeconds()
        let queue = BoundedQueue<RenderedViews>(capacity: queueCapacity)
        let state = RunState()
        let group = DispatchGroup()

        @Sendable func fail(_ e: Error) {
            state.fail(e)
            queue.close()
        }

        // Render thread: owns the renderer (and its GL context) for its whole life.
        group.enter()
        let renderThread = Thread { [makeRenderer, specFor, cameras] in
            defer {
                queue.close()
                group.leave()
            }
            var stats = PipelineStats()
            do {
                let renderer: FrameRenderer
                do { renderer = try makeRenderer() } catch {
                    throw PipelineError(frame: nil, stage: "renderer", underlying: "\(error)")
                }
                do { try rendererReady(renderer) } catch {
                    throw PipelineError(frame: nil, stage: "start", underlying: "\(error)")
                }
                // Views in flight, each with the number of views of its frame; a frame's views are
                // submitted and received one after another, so they gather in `partial`.
                var inFlight: [(spec: FrameSpec, viewCount: Int)] = []
                var partial: [(frame: RenderedFrame, spec: FrameSpec)] = []
                func collect() throws {
                    let (spec, viewCount) = inFlight.removeFirst()
                    let frame: RenderedFrame
                    do { frame = try renderer.receive() } catch {
                        throw PipelineError(frame: spec.index, stage: "readback", underlying: "\(error)")
                    }
                    stats.renderSeconds += frame.renderSeconds
                    stats.readbackSeconds += frame.readbackSeconds
                    partial.append((frame, spec))
                    guard partial.count == viewCount else { return }
                    let t0 = monotonicSeconds()
                    guard queue.push(RenderedViews(views: partial, folders: cameras?.folders)) else {
                        throw CancellationError()
                    }
                    partial = []
                    stats.renderBlockedSeconds += monotonicSeconds() - t0
                }
                for index in frames {
                    if state.failed { return }
                    let t0 = monotonicSeconds()
                    let views: [FrameSpec]
                    do {
                        let primary = try specFor(index)
                        views = cameras?.views(of: primary) ?? [primary]
                    } catch {
                        throw PipelineError(frame: index, stage: "sampling", underlying: "\(error)")
                    }
                    stats.sampleSeconds += monotonicSeconds() - t0
                    for spec in views {
                        if inFlight.count == renderer.maxFramesInFlight { try collect() }
                        do { try renderer.submit(spec) } catch {
                            throw PipelineError(frame: index, stage: "render", underlying: "\(error)")
                        }
                        inFlight.append((spec, views.count))
                    }
                }
                while !inFlight.isEmpty { try collect() }
            } catch is CancellationError {
                // Another thread failed first; its error is reported.
            } catch {
                fail(error)
            }
            state.add(stats)
        }
        renderThread.stackSize = 8 << 20
        renderThread.name = "scenefarm-render"
        renderThread.start()

        // Encoder threads: labels, encoding and writing, for any frame.
        for n in 0..<encoderThreads {
            group.enter()
            let t = Thread {
                defer { group.leave() }
                var stats = PipelineStats()
                while let rendered = queue.pop() {
                    if state.failed { break }
                    do {
                        let encoded: EncodedFrame
                        var labels: FrameLabels?
                        if rendered.folders == nil {
                            let (frame, spec) = rendered.views[0]
                            (encoded, labels) = try FrameStage.labelAndEncode(frame, spec: spec, stats: &stats)
                        } else {
                            encoded = try FrameStage.labelAndEncode(rendered, stats: &stats)
                        }
                        let t2 = monotonicSeconds()
                        do { stats.bytesWritten += try sink(encoded) } catch {
                            throw PipelineError(frame: rendered.index, stage: "write", underlying: "\(error)")
                        }
                        if let labelsSink, let labels {
                            do { try labelsSink(encoded, labels, rendered.views[0].spec) } catch {
                                throw PipelineError(frame: rendered.index, stage: "export", underlying: "\(error)")
                            }
                        }
                        stats.writeSeconds += monotonicSeconds() - t2
                        stats.frames += 1
                        state.frameFinished(progress)
                    } catch {
                        fail(error)
                        break
                    }
                }
                state.add(stats)
            }
            t.stackSize = 4 << 20
            t.name = "scenefarm-encode-\(n)"
            t.start()
        }

        group.wait()
        if let error = state.firstError { throw error }
        var total = state.total
        total.wallSeconds = monotonicSeconds() - start
        return total
    }

    /// What the threads of one run share, behind one lock.
    private final class RunState: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var firstError: Error?
        private(set) var total = PipelineStats()
        private var finished = 0

        var failed: Bool { lock.withLock { firstError != nil } }
        func fail(_ e: Error) { lock.withLock { if firstError == nil { firstError = e } } }
        func add(_ s: PipelineStats) { lock.withLock { total.add(s) } }
        /// Counts a finished frame and reports progress, serialized with other reports.
        func frameFinished(_ progress: (Int) -> Void) {
            lock.withLock {
                finished += 1
                progress(finished)
            }
        }
    }

}

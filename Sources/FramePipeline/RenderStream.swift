// RenderStream: the long-lived form of the pipeline, for a farm worker.
//
// `RenderPipeline.run(frames:)` renders one known list of frames with a renderer made for that
// call. A worker instead receives work for as long as it lives, lease after lease, and creating a
// GL renderer (EGL context, shaders) costs 100+ ms: so the stream keeps one renderer across all
// the work it is given and pulls that work from a source until the source says it is finished.
//
//   source(wait:) ──▶ render thread ──queue──▶ encoder threads (N) ──▶ sink(frame, tag)
//                     (one renderer,            labels + encode          │
//                      re-made when the          (pure)                   └─ failed(error, tag)
//                      profile changes)
//
// Each work item carries an opaque `Tag` (a worker passes its lease) and a renderer `Profile`
// (a worker passes its job options). An error fails only its own item: it is reported through
// `failed` with the item's tag, and the stream goes on with the next item. After a render or
// readback error the renderer is dropped and made again for the next item, since its state is
// then unknown.
import Export
import Foundation
import Labels
import SceneCore

/// One frame for a `RenderStream` to render.
public struct FrameWork<Tag, Profile> {
    /// The global frame index; the rendered frame and its files carry it.
    public var index: Int
    /// Handed back with the encoded frame (or the error), e.g. the lease the frame belongs to.
    public var tag: Tag
    /// The renderer this frame needs. The stream re-makes its renderer when it differs from the
    /// profile the current renderer was made for.
    public var profile: Profile
    /// The frame's spec, called on the render thread just before the frame is submitted. An error
    /// fails the item at stage "sampling". With `cameras`, the primary camera's view.
    public var spec: () throws -> FrameSpec
    /// A multi-camera frame's cameras: the frame is rendered from each, and the sink gets one
    /// frame with every camera's files under its folder. nil: one camera.
    public var cameras: CameraViews?

    public init(
        index: Int, tag: Tag, profile: Profile, cameras: CameraViews? = nil, spec: @escaping () throws -> FrameSpec
    ) {
        self.index = index
        self.tag = tag
        self.profile = profile
        self.cameras = cameras
        self.spec = spec
    }
}

/// A render thread with one long-lived renderer and a pool of encoder threads, fed from a source
/// of `FrameWork` until the source is finished. See the top of this file.
public final class RenderStream<Tag, Profile: Equatable>: @unchecked Sendable {
    /// Makes a renderer for a profile; called on the render thread (so a GL context made inside is
    /// current there), once at the start and again only when the profile changes or after a
    /// render error.
    public typealias RendererFactory = (Profile) throws -> FrameRenderer
    /// The next work item. With `wait` true it blocks until there is one and returns nil only when
    /// the stream is finished; with `wait` false it returns nil at once when nothing is ready (the
    /// render thread then collects a frame it has in flight rather than leave it in the renderer).
    public typealias Source = (_ wait: Bool) -> FrameWork<Tag, Profile>?
    /// Takes an encoded frame, on an encoder thread; must be thread-safe. Returns the bytes it
    /// shipped. It may block (e.g. until a socket took the frame): that slows the stream down
    /// instead of letting rendered frames pile up.
    public typealias Sink = (EncodedFrame, Tag) throws -> Int
    /// Reports a failed item (render thread or encoder thread); must be thread-safe.
    public typealias FailureHandler = (PipelineError, Tag) -> Void

    private let makeRenderer: RendererFactory
    private let encoderThreads: Int
    private let queueCapacity: Int

    /// - Parameters:
    ///   - makeRenderer: see `RendererFactory`.
    ///   - encoderThreads: threads deriving labels, encoding and calling the sink (default: one per
    ///     core).
    ///   - queueCapacity: rendered frames waiting for an encoder; with the renderer's frames in
    ///     flight, the most frames the stream holds at once.
    public init(
        makeRenderer: @escaping RendererFactory,
        encoderThreads: Int = ProcessInfo.processInfo.activeProcessorCount, queueCapacity: Int = 4
    ) {
        self.makeRenderer = makeRenderer
        self.encoderThreads = max(1, encoderThreads)
        self.queueCapacity = max(1, queueCapacity)
    }

    /// Renders, labels, encodes and hands to `sink` every item `source` gives, until `source`
    /// (waiting) returns nil and every frame taken has been sunk or failed. Blocks until then.
    ///
    /// - Parameters:
    ///   - isCancelled: asked on an encoder thread before a frame is labelled and encoded; true
    ///     drops the frame silently (its tag's work was withdrawn, e.g. a revoked lease).
    ///   - failed: called once per failed item with a `PipelineError` naming the frame and the
    ///     stage ("renderer", "sampling", "render", "readback", "labels", "encode", "write").
    /// - Returns: the summed stage times of the frames that reached the sink.
    public func run(
        source: @escaping Source, sink: @escaping Sink, failed: @escaping FailureHandler,
        isCancelled: @escaping (Tag) -> Bool = { _ in false }
    ) -> PipelineStats {
        let start = monotonicSeconds()
        let queue = BoundedQueue<(RenderedViews, Tag)>(capacity: queueCapacity)
        let totals = StreamTotals()
        let group = DispatchGroup()

        group.enter()
        let renderThread = Thread { [makeRenderer] in
            defer {
                queue.close()
                group.leave()
            }
            var loop = RenderLoop(makeRenderer: makeRenderer, queue: queue, failed: failed)
            loop.run(source: source)
            totals.add(loop.stats)
        }
        renderThread.stackSize = 8 << 20
        renderThread.name = "scenefarm-render"
        renderThread.start()

        for n in 0..<encoderThreads {
            group.enter()
            let t = Thread {
                defer { group.leave() }
                var stats = PipelineStats()
                while let (rendered, tag) = queue.pop() {
                    if isCancelled(tag) { continue }
                    do {
                        let encoded = try FrameStage.labelAndEncode(rendered, stats: &stats)
                        let t0 = monotonicSeconds()
                        do { stats.bytesWritten += try sink(encoded, tag) } catch {
                            throw PipelineError(frame: rendered.index, stage: "write", underlying: "\(error)")
                        }
                        stats.writeSeconds += monotonicSeconds() - t0
                        stats.frames += 1
                    } catch let error as PipelineError {
                        failed(error, tag)
                    } catch {
                        failed(PipelineError(frame: rendered.index, stage: "encode", underlying: "\(error)"), tag)
                    }
                }
                totals.add(stats)
            }
            t.stackSize = 4 << 20
            t.name = "scenefarm-encode-\(n)"
            t.start()
        }

        group.wait()
        var total = totals.total
        total.wallSeconds = monotonicSeconds() - start
        return total
    }

    /// The render thread's state: the renderer, the profile it was made for, the views in flight
    /// and the frames whose views are being gathered.
    private struct RenderLoop {
        let makeRenderer: RendererFactory
        let queue: BoundedQueue<(RenderedViews, Tag)>
        let failed: FailureHandler
        var renderer: FrameRenderer?
        var profile: Profile?
        /// Views submitted and not yet received, oldest first, each with its frame's serial number.
        var inFlight: [(spec: FrameSpec, serial: Int)] = []
        /// The frames with views in flight, by serial number. A failed frame leaves (it is reported
        /// once); its views still in flight are dropped as they come back.
        var gathering: [Int: Gathering] = [:]
        var nextSerial = 0
        var stats = PipelineStats()

        /// The views of one frame received so far.
        struct Gathering {
            var tag: Tag
            var folders: [String]?
            var expected: Int
            var views: [(frame: RenderedFrame, spec: FrameSpec)] = []
        }

        init(
            makeRenderer: @escaping RendererFactory, queue: BoundedQueue<(RenderedViews, Tag)>,
            failed: @escaping FailureHandler
        ) {
            self.makeRenderer = makeRenderer
            self.queue = queue
            self.failed = failed
        }

        mutating func run(source: Source) {
            while true {
                // Block only when nothing is in flight: a frame must not sit in the renderer while
                // the source waits for more work (its lease would never finish).
                guard let work = source(inFlight.isEmpty) else {
                    if inFlight.isEmpty { break }
                    collect()
                    continue
                }
                render(work)
            }
            renderer = nil
        }

        mutating func render(_ work: FrameWork<Tag, Profile>) {
            if renderer == nil || profile != work.profile {
                // Frames in flight belong to the old renderer: finish them before replacing it.
                while !inFlight.isEmpty { collect() }
                renderer = nil
                guard remake(for: work, serial: nil) != nil else { return }
            }
            let t0 = monotonicSeconds()
            let views: [FrameSpec]
            do {
                let primary = try work.spec()
                views = work.cameras?.views(of: primary) ?? [primary]
            } catch {
                failed(PipelineError(frame: work.index, stage: "sampling", underlying: "\(error)"), work.tag)
                return
            }
            stats.sampleSeconds += monotonicSeconds() - t0
            let serial = nextSerial
            nextSerial += 1
            gathering[serial] = Gathering(tag: work.tag, folders: work.cameras?.folders, expected: views.count)
            for spec in views {
                if let current = renderer, inFlight.count >= current.maxFramesInFlight { collect() }
                // A readback error while making room fails this frame too if views of it were in
                // flight; otherwise it only dropped the renderer: make a new one for this frame.
                guard gathering[serial] != nil, let current = renderer ?? remake(for: work, serial: serial) else {
                    return
                }
                do { try current.submit(spec) } catch {
                    fail(serial, PipelineError(frame: work.index, stage: "render", underlying: "\(error)"))
                    // The views submitted before it may still come back; then the renderer goes.
                    while !inFlight.isEmpty { collect() }
                    renderer = nil
                    return
                }
                inFlight.append((spec, serial))
            }
        }

        /// Makes the renderer for `work`'s profile. When it cannot be made, reports the frame
        /// (its gathering, when it has one) failed at stage "renderer" and returns nil.
        mutating func remake(for work: FrameWork<Tag, Profile>, serial: Int?) -> FrameRenderer? {
            do {
                renderer = try makeRenderer(work.profile)
                profile = work.profile
                return renderer
            } catch {
                let failure = PipelineError(frame: work.index, stage: "renderer", underlying: "\(error)")
                if let serial { fail(serial, failure) } else { failed(failure, work.tag) }
                return nil
            }
        }

        /// Reports a gathering frame failed, once.
        mutating func fail(_ serial: Int, _ error: PipelineError) {
            guard let frame = gathering.removeValue(forKey: serial) else { return }
            failed(error, frame.tag)
        }

        /// Receives the oldest view in flight; once every view of its frame is in, queues the
        /// frame for the encoders. A readback error fails that frame and every other one in
        /// flight, and drops the renderer.
        mutating func collect() {
            let (spec, serial) = inFlight.removeFirst()
            guard let current = renderer else {
                fail(serial, PipelineError(frame: spec.index, stage: "readback", underlying: "the renderer is gone"))
                return
            }
            let frame: RenderedFrame
            do { frame = try current.receive() } catch {
                fail(serial, PipelineError(frame: spec.index, stage: "readback", underlying: "\(error)"))
                for (other, otherSerial) in inFlight {
                    let reason = "the renderer failed on frame \(spec.index) and was dropped: \(error)"
                    fail(otherSerial, PipelineError(frame: other.index, stage: "readback", underlying: reason))
                }
                inFlight.removeAll()
                renderer = nil
                return
            }
            stats.renderSeconds += frame.renderSeconds
            stats.readbackSeconds += frame.readbackSeconds
            guard var gathered = gathering[serial] else { return }  // its frame failed
            gathered.views.append((frame, spec))
            guard gathered.views.count == gathered.expected else {
                gathering[serial] = gathered
                return
            }
            gathering[serial] = nil
            let t0 = monotonicSeconds()
            queue.push((RenderedViews(views: gathered.views, folders: gathered.folders), gathered.tag))
            stats.renderBlockedSeconds += monotonicSeconds() - t0
        }
    }

    private final class StreamTotals: @unchecked Sendable {
        private let lock = NSLock()
        private var sum = PipelineStats()
        func add(_ s: PipelineStats) { lock.withLock { sum.add(s) } }
        var total: PipelineStats { lock.withLock { sum } }
    }
}

/// The label + encode step shared by `RenderPipeline` and `RenderStream`.
enum FrameStage {
    /// Derives the labels of a rendered frame and encodes its files, adding the stage times to
    /// `stats`. Throws a `PipelineError` at stage "labels" or "encode".
    static func labelAndEncode(
        _ frame: RenderedFrame, spec: FrameSpec, stats: inout PipelineStats
    ) throws -> (EncodedFrame, FrameLabels) {
        let t0 = monotonicSeconds()
        let labels: FrameLabels
        do { labels = try LabelDeriver.derive(frame, spec: spec) } catch {
            throw PipelineError(frame: spec.index, stage: "labels", underlying: "\(error)")
        }
        let t1 = monotonicSeconds()
        let encoded: EncodedFrame
        do { encoded = try FrameEncoder.encode(frame, labels: labels, spec: spec) } catch {
            throw PipelineError(frame: spec.index, stage: "encode", underlying: "\(error)")
        }
        stats.labelSeconds += t1 - t0
        stats.encodeSeconds += monotonicSeconds() - t1
        stats.views += 1
        return (encoded, labels)
    }
}

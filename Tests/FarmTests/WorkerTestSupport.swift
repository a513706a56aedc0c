import Export
import FarmProtocol
import FramePipeline
import Foundation
import SceneCore
import Worker
import XCTest

/// A small scene (48x32) that the tests render with `ProbeRenderer`; 16 frames whose crates move
/// with the seed.
let testSceneYAML = """
    format: 1
    name: farm-test
    seed: 7
    frames: 16
    resample_every: 4
    classes:
      - {id: 1, name: road, color: [128, 64, 128]}
      - {id: 2, name: terrain, color: [152, 251, 152]}
      - {id: 3, name: car, color: [0, 0, 142]}
      - {id: 4, name: box, color: [190, 153, 153]}
    camera:
      resolution: [48, 32]
      fov_deg: 60
      position: [0, -1.75, 1.5]
      look_at: [20, -1.75, 1.0]
      motion: {velocity: [5, 0, 0], fps: 10}
    ground: {class: terrain, size: [200, 200], center: [50, 0]}
    road: {class: road, width: 7, lanes: 2, length: 120, start_x: -10}
    objects:
      - {name: parked_car, shape: car, class: car, color: [200, 30, 30], position: [18, 2.4, 0.01], yaw_deg: 180}
    groups:
      - name: crates
        shape: box
        size: [1, 1, [0.5, 1.5]]
        class: box
        colors: ["#8b5a2b", "#a0522d"]
        count: [2, 3]
        placement: {x: [10, 30], y: [5, 8]}
        yaw_deg: [0, 90]
        min_spacing: 2
    """

/// The `job` message for `yaml` with its true digest.
func jobMessage(
    _ jobID: String = "job-1", yaml: String = testSceneYAML, seed: UInt64 = 11, frameCount: Int = 16,
    options: JobOptions = JobOptions()
) -> FarmMessage {
    .job(
        jobID: jobID, scene: SceneBundle(yaml: yaml, file: "scene.yaml"),
        sceneDigest: FarmAuthentication.sceneDigest(SceneBundle(yaml: yaml, file: "scene.yaml")), seed: seed,
        frameCount: frameCount, options: options)
}

/// Records what the worker's renderers did, and can hold the render thread on a chosen frame
/// (to keep a lease in progress while a test acts) or fail on one. Thread-safe.
final class RendererProbe: @unchecked Sendable {
    private let condition = NSCondition()
    private var made: [JobOptions] = []
    private var submittedFrames: [Int] = []
    private var failFrame: Int?
    private var gateFrame: Int?
    private var isBlocked = false

    /// Options of every renderer made, in order.
    var creations: [JobOptions] { condition.withLock { made } }
    /// Every frame index submitted to any renderer, in order.
    var submitted: [Int] { condition.withLock { submittedFrames } }

    private var noisy = false

    /// Renderers made from now on fill the color buffer with noise (incompressible PNGs).
    func makeNoisy() { condition.withLock { noisy = true } }

    /// The renderer factory for `WorkerConfiguration.makeRenderer`.
    func make(_ options: JobOptions) -> FrameRenderer {
        let noisy = condition.withLock {
            made.append(options)
            return self.noisy
        }
        return ProbeRenderer(probe: self, noisy: noisy)
    }

    /// The next submit of `frame` throws "synthetic failure".
    func fail(on frame: Int) { condition.withLock { failFrame = frame } }

    /// The next submit of `frame` blocks until `open()`.
    func hold(on frame: Int) { condition.withLock { gateFrame = frame } }

    /// Lets a held submit go on (and cancels a hold not reached yet).
    func open() {
        condition.withLock {
            gateFrame = nil
            condition.broadcast()
        }
    }

    /// Waits until the render thread is held.
    func waitUntilHeld(timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        try condition.withLock {
            while !isBlocked {
                guard condition.wait(until: deadline) else {
                    XCTFail("the renderer was not held within \(timeout) s", file: file, line: line)
                    throw FakeCoordinatorTimeout(what: "the renderer to be held")
                }
            }
        }
    }

    fileprivate func submitting(_ index: Int) throws {
        try condition.withLock {
            submittedFrames.append(index)
            if failFrame == index {
                failFrame = nil
                throw ProbeRenderer.Failure()
            }
            guard gateFrame == index else { return }
            isBlocked = true
            condition.broadcast()
            // A hang guard only: tests open the gate (tearDown does too).
            let deadline = Date(timeIntervalSinceNow: 60)
            while gateFrame == index && condition.wait(until: deadline) {}
            gateFrame = nil
            isBlocked = false
        }
    }
}

/// A cheap deterministic renderer: surface k covers column band k of the image (the bands split
/// the width evenly, shifted by the frame index) at depth k metres; the color is the frame index,
/// or noise. Two frames in flight, like GL.
final class ProbeRenderer: FrameRenderer {
    let maxFramesInFlight = 2
    let backendDescription = "probe"
    private let probe: RendererProbe?
    private let noisy: Bool
    private var pending: [FrameSpec] = []

    init(probe: RendererProbe? = nil, noisy: Bool = false) {
        self.probe = probe
        self.noisy = noisy
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "synthetic failure" }
    }

    func submit(_ spec: FrameSpec) throws {
        try probe?.submitting(spec.index)
        pending.append(spec)
    }

    func receive() throws -> RenderedFrame {
        let spec = pending.removeFirst()
        let k = spec.camera.intrinsics
        let n = spec.surfaces.count
        var ids = [UInt32](repeating: 0, count: k.width * k.height)
        var depth = [Float](repeating: 0, count: k.width * k.height)
        for y in 0..<k.height {
            for x in 0..<k.width {
                // Every surface gets a band when there are no more surfaces than columns.
                let band = (x * (n + 1) / k.width + spec.index) % (n + 1)
                ids[y * k.width + x] = UInt32(band)
                depth[y * k.width + x] = Float(band)
            }
        }
        var color = [UInt8](repeating: UInt8(truncatingIfNeeded: spec.index * 17), count: k.width * k.height * 4)
        if noisy {
            var state = UInt64(spec.index) &* 0x9E37_79B9_7F4A_7C15 | 1
            for i in color.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                color[i] = UInt8(truncatingIfNeeded: state >> 56)
            }
        }
        return RenderedFrame(
            index: spec.index, width: k.width, height: k.height, color: color, surfaceIDs: ids, depth: depth)
    }
}

/// The files of `frames` rendered in-process (`RenderPipeline`, as `scenefarm render` does) with
/// `ProbeRenderer`, by frame index.
func referenceFiles(yaml: String = testSceneYAML, seed: UInt64, frames: [Int]) throws -> [Int: [EncodedFile]] {
    let scene = try SceneLoader.load(yaml: yaml, file: "reference.yaml")
    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var files: [Int: [EncodedFile]] = [:]
    }
    let collected = Collected()
    let pipeline = RenderPipeline(
        makeRenderer: { ProbeRenderer() }, specFor: { try scene.frame($0, seed: seed) }, encoderThreads: 1)
    _ = try pipeline.run(
        frames: frames,
        sink: { frame in
            collected.lock.withLock { collected.files[frame.index] = frame.files }
            return frame.byteCount
        })
    return collected.files
}

/// Lines the worker logged, for assertions and waits.
final class LogRecorder: @unchecked Sendable {
    private let condition = NSCondition()
    private var entries: [String] = []

    var lines: [String] { condition.withLock { entries } }

    func log(_ line: String) {
        if ProcessInfo.processInfo.environment["SCENEFARM_TEST_LOG"] != nil {
            FileHandle.standardError.write(Data("worker: \(line)\n".utf8))
        }
        condition.withLock {
            entries.append(line)
            condition.broadcast()
        }
    }

    /// Waits until a logged line contains `fragment`.
    func waitFor(_ fragment: String, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        try condition.withLock {
            while !entries.contains(where: { $0.contains(fragment) }) {
                guard condition.wait(until: deadline) else {
                    XCTFail(
                        "no log line with '\(fragment)' within \(timeout) s; log: \(entries)", file: file, line: line)
                    throw FakeCoordinatorTimeout(what: "log line '\(fragment)'")
                }
            }
        }
    }
}

/// `FarmWorker.run()` on a thread of its own.
final class BackgroundWorker: @unchecked Sendable {
    let worker: FarmWorker
    private let condition = NSCondition()
    private var finished = false
    private var thrown: Error?

    init(_ worker: FarmWorker) {
        self.worker = worker
        let thread = Thread { [self] in
            var caught: Error?
            do { try worker.run() } catch { caught = error }
            condition.withLock {
                thrown = caught
                finished = true
                condition.broadcast()
            }
        }
        thread.name = "test-worker-run"
        thread.start()
    }

    var hasReturned: Bool { condition.withLock { finished } }

    /// Waits for `run()` to return; its error, if it threw. Fails the test on timeout.
    @discardableResult
    func waitForReturn(timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws -> Error? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return try condition.withLock {
            while !finished {
                guard condition.wait(until: deadline) else {
                    XCTFail("run() did not return within \(timeout) s", file: file, line: line)
                    throw FakeCoordinatorTimeout(what: "run() to return")
                }
            }
            return thrown
        }
    }
}

/// The frame results a connection received under `leaseID`, by frame index (every one, also
/// repeats, in arrival order).
func frameResults(_ messages: [FarmMessage], lease leaseID: UInt64) -> [(frame: Int, files: [FileBlob])] {
    messages.compactMap { message in
        guard case .frameResult(let lease, let frame, let files, _) = message, lease == leaseID else { return nil }
        return (frame, files)
    }
}

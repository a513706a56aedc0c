import FarmProtocol
import FramePipeline
import Foundation
import SceneCore

/// Names a lease across the worker's life: lease ids belong to one connection (a restarted
/// coordinator may count again), so the session they came on is part of the name.
struct LeaseTag: Hashable, Sendable, CustomStringConvertible {
    var session: Int
    var leaseID: UInt64

    var description: String { "lease \(leaseID) (session \(session))" }
}

/// The frames waiting for the render thread: every held lease's frames in its listed order, the
/// oldest lease first, so the renderer moves from one lease to the next without waiting.
/// The render thread takes them with `next(wait:sceneFailed:)`; the connection code adds leases
/// and withdraws them (finished, failed, revoked, connection lost).
final class LeaseWorkQueue: @unchecked Sendable {
    private struct Entry {
        var tag: LeaseTag
        var job: JobTicket
        var frames: ArraySlice<Int>
        var scene: SceneDescription?
    }

    private let condition = NSCondition()
    private var entries: [Entry] = []
    private var closed = false
    private let scenes: SceneCache

    init(scenes: SceneCache) {
        self.scenes = scenes
    }

    /// Queues the frames of a lease behind those already queued.
    func add(_ tag: LeaseTag, _ order: LeaseOrder) {
        condition.withLock {
            entries.append(Entry(tag: tag, job: order.job, frames: order.frames[...], scene: nil))
            condition.broadcast()
        }
    }

    /// Drops the frames of a lease not yet handed to the render thread.
    func withdraw(_ tag: LeaseTag) {
        condition.withLock { entries.removeAll { $0.tag == tag } }
    }

    /// Drops every frame of a session (its connection closed).
    func withdrawAll(session: Int) {
        condition.withLock { entries.removeAll { $0.tag.session == session } }
    }

    /// Frames still queued, over all leases.
    var queuedFrames: Int { condition.withLock { entries.reduce(0) { $0 + $1.frames.count } } }

    /// After `close()`, `next(wait: true)` returns nil once nothing is queued.
    func close() {
        condition.withLock {
            closed = true
            entries.removeAll()
            condition.broadcast()
        }
    }

    /// The next frame to render. With `wait` it blocks until there is one (nil once closed);
    /// without, it returns nil when none is queued. The first time a lease comes up, its job's
    /// scene is loaded (through the cache, off the lock); a scene that cannot be loaded withdraws
    /// the lease and reports the loader's text through `sceneFailed`, and the next lease is tried.
    func next(wait: Bool, sceneFailed: (LeaseTag, String) -> Void) -> FrameWork<LeaseTag, JobOptions>? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            guard let first = entries.first else {
                if closed || !wait { return nil }
                condition.wait()
                continue
            }
            guard let scene = first.scene else {
                condition.unlock()
                let loaded = scenes.scene(for: first.job)
                condition.lock()
                // The lease may have been withdrawn while its scene loaded.
                guard let i = entries.firstIndex(where: { $0.tag == first.tag }) else { continue }
                switch loaded {
                case .success(let scene):
                    entries[i].scene = scene
                case .failure(let problem):
                    entries.remove(at: i)
                    condition.unlock()
                    sceneFailed(first.tag, problem.message)
                    condition.lock()
                }
                continue
            }
            let index = entries[0].frames.removeFirst()
            if entries[0].frames.isEmpty { entries.removeFirst() }
            let seed = first.job.seed
            // A multi-camera scene's frame is rendered from every camera of its rig.
            return FrameWork(
                index: index, tag: first.tag, profile: first.job.options, cameras: CameraViews(scene: scene)
            ) { try scene.frame(index, seed: seed) }
        }
    }
}

/// Scenes parsed from the YAML that jobs carry, by SHA-256 digest, so that the leases of one job
/// (and a job resubmitted on a new connection) parse it once. Holds the last `capacity` scenes.
final class SceneCache: @unchecked Sendable {
    /// Why a job's scene cannot be used: the loader's text, or a digest that does not match.
    struct Problem: Error, Hashable {
        var message: String
    }

    private let lock = NSLock()
    private var scenes: [String: SceneDescription] = [:]
    private var order: [String] = []
    private let capacity: Int

    init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// The scene of `job`: verifies that its files hash to its digest, then loads it (or takes it
    /// from the cache). Errors carry the text to send to the coordinator.
    func scene(for job: JobTicket) -> Result<SceneDescription, Problem> {
        let actual = FarmAuthentication.sceneDigest(job.scene)
        guard actual == job.sceneDigest else {
            return .failure(
                Problem(
                    message: "the scene of job '\(job.jobID)' does not match its digest: "
                        + "the coordinator sent \(job.sceneDigest), the files hash to \(actual)"))
        }
        if let cached = lock.withLock({ scenes[actual] }) { return .success(cached) }
        let scene: SceneDescription
        do {
            scene = try SceneLoader.load(bundle: job.scene, displayName: "job \(job.jobID) (\(job.scene.root))")
        } catch {
            return .failure(Problem(message: "\(error)"))
        }
        lock.withLock {
            if scenes.updateValue(scene, forKey: actual) == nil { order.append(actual) }
            while order.count > capacity { scenes[order.removeFirst()] = nil }
        }
        return .success(scene)
    }

    /// Digests of the cached scenes, oldest first.
    var digests: [String] { lock.withLock { order } }
}

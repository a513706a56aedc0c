import Export
import FarmProtocol
import Foundation
import SceneCore

/// The coordinator's settings.
public struct CoordinatorConfiguration: Sendable {
    /// The data directory: the journal lives in `root/.scenefarm/journal.sqlite`, datasets in
    /// `root/NAME` (or in `root` itself for the embedded `render`).
    public var root: String
    public var token: FarmToken
    public var lease: LeaseConfiguration
    /// Threads that check, write and export results.
    public var commitThreads: Int
    /// How often leases are checked for expiry, in seconds.
    public var tickInterval: Double
    /// Seconds a connection may take to authenticate before it is closed.
    public var handshakeTimeout: Double
    public var maximumFrameLength: Int
    /// Where log lines go (one line per call, no trailing newline).
    public var log: @Sendable (String) -> Void

    public init(
        root: String, token: FarmToken, lease: LeaseConfiguration = LeaseConfiguration(),
        commitThreads: Int = max(2, ProcessInfo.processInfo.activeProcessorCount), tickInterval: Double = 0.5,
        handshakeTimeout: Double = 10, maximumFrameLength: Int = FarmProtocol.defaultMaximumFrameLength,
        log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) {
        self.root = root
        self.token = token
        self.lease = lease
        self.commitThreads = commitThreads
        self.tickInterval = tickInterval
        self.handshakeTimeout = handshakeTimeout
        self.maximumFrameLength = maximumFrameLength
        self.log = log
    }
}

/// A connected, authenticated peer as the coordinator's core sees it: something to send
/// messages to and close. The network layer (`CoordinatorServer`) provides it; tests may too.
public protocol FarmPeer: AnyObject, Sendable {
    /// "ip:port" of the peer.
    var address: String { get }
    /// Queues `message` for the peer (any thread; order of calls is order on the wire).
    func send(_ message: FarmMessage)
    /// Closes the connection (any thread).
    func close()
}

/// Why a job request was refused.
public struct JobRequestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The coordinator: a queue of jobs, each planned into shards by a `LeaseTable`, leased to the
/// connected workers, with every result committed exactly once through the job's `JobSink` and
/// recorded in the `FarmJournal` so a restart resumes where it stopped.
///
/// Thread-safety: one lock guards all state; network callbacks take it briefly. File writes,
/// exports and journal rows run on the commit pool, never under the lock on an event loop.
public final class FarmCoordinator: @unchecked Sendable {
    public let configuration: CoordinatorConfiguration
    public let journal: FarmJournal
    public let metrics: FarmMetrics
    /// When the coordinator started (seconds since 1970).
    public let startedAt: Double
    /// The address the server listens on, for status; set by the server.
    public var listenAddress: String {
        get { lock.withLock { listenAddressValue } }
        set { lock.withLock { listenAddressValue = newValue } }
    }

    private let lock = NSLock()
    private let pool: CommitPool
    private var listenAddressValue = ""
    private var jobs: [String: JobRuntime] = [:]
    /// Job ids in submission order.
    private var jobOrder: [String] = []
    private var sessions: [ObjectIdentifier: WorkerSession] = [:]
    private var leases: [UInt64: LeaseRef] = [:]
    private var nextLeaseID: UInt64
    private var isDraining = false
    private var bytesCommittedValue = 0
    /// Results accepted and not yet written, over all workers.
    private var totalPendingCommits = 0
    /// No new lease goes to a worker with this many uncommitted results (two shards' worth), nor
    /// to anyone while the commit backlog is this long: memory stays bounded however fast workers
    /// send and however slow the disk is.
    private var maximumPendingPerWorker: Int {
        configuration.lease.shardSize * configuration.lease.maxShardsInFlightPerWorker
    }
    private var maximumPendingCommits: Int { max(64, 16 * configuration.commitThreads) }
    private let clockStart = monotonicSeconds()

    /// Opens the journal under `configuration.root` and resumes every job it lists as running:
    /// frames it records as committed are not rendered again.
    public init(configuration: CoordinatorConfiguration, metrics: FarmMetrics = FarmMetrics()) throws {
        self.configuration = configuration
        self.metrics = metrics
        self.journal = try FarmJournal(root: configuration.root)
        self.pool = CommitPool(threads: configuration.commitThreads, name: "scenefarm-commit")
        self.startedAt = Date().timeIntervalSince1970
        // Lease ids only grow, across restarts too (milliseconds since 1970 in the high bits), so a
        // result under a lease of an earlier run is never mistaken for a live one.
        self.nextLeaseID = UInt64(max(0, Date().timeIntervalSince1970 * 1000)) << 20
        for record in try journal.jobs() where record.state == .running {
            do {
                try open(record)
                configuration.log("coordinator: resumed job \(record.id): \(jobs[record.id]!.progressText)")
            } catch {
                try journal.setState(jobID: record.id, .failed, message: "cannot resume: \(error)")
                configuration.log("coordinator: job \(record.id) cannot resume: \(error)")
            }
        }
        settleJobs()
    }

    /// Seconds on the coordinator's monotonic clock.
    var now: Double { monotonicSeconds() - clockStart }

    // MARK: Jobs

    /// Queues a job, or resumes it when a job of that name with the same scene and settings
    /// exists (`resumed` true). `datasetPath` is the dataset folder relative to the root:
    /// the request's name for `submit`, "." for the embedded `render`.
    public func submit(_ request: JobRequest, datasetPath: String? = nil) throws -> (jobID: String, resumed: Bool) {
        let name = request.name
        let path = datasetPath ?? name
        if datasetPath == nil { try Self.checkName(name) }
        for format in request.formats where ExportFormat(rawValue: format) == nil {
            throw JobRequestError(
                "unknown export format '\(format)' (known: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let scene: SceneDescription
        do {
            scene = try SceneLoader.load(bundle: request.scene, displayName: request.sceneFile)
        } catch {
            throw JobRequestError("\(error)")
        }
        let frames = request.frames ?? scene.frameCount
        guard frames >= 1 else { throw JobRequestError("a job needs at least 1 frame, got \(frames)") }
        let record = JobRecord(
            id: name, datasetPath: path, sceneFile: request.sceneFile, scene: request.scene,
            sceneDigest: FarmAuthentication.sceneDigest(request.scene), seed: request.seed ?? scene.seed,
            frameCount: frames, options: request.options, formats: request.formats)

        if let existing = try journal.job(id: name) {
            guard
                existing.sceneDigest == record.sceneDigest && existing.seed == record.seed
                    && existing.frameCount == record.frameCount && existing.options == record.options
                    && existing.formats == record.formats && existing.datasetPath == record.datasetPath
            else {
                throw JobRequestError(
                    "a job named '\(name)' already exists in \(configuration.root) with another scene or other "
                        + "settings; choose another name, or remove \(configuration.root)/\(path) and its journal entry"
                )
            }
            switch existing.state {
            case .complete:
                return (name, true)
            case .running where lock.withLock({ jobs[name] != nil }):
                return (name, true)
            case .running, .failed, .cancelled:
                try journal.setState(jobID: name, .running, message: nil)
                var again = existing
                again.state = .running
                again.message = nil
                try open(again)
                configuration.log("coordinator: job \(name) resumed: \(lock.withLock { jobs[name]!.progressText })")
                settleJobs()
                pumpAll()
                return (name, true)
            }
        }
        let folder = configuration.root + "/" + path
        if path != ".", FileManager.default.fileExists(atPath: folder),
            !((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).isEmpty
        {
            throw JobRequestError(
                "\(folder) exists and is not empty, and no job of that name is in the journal; choose another name")
        }
        let inserted = try journal.insertJob(record)
        try open(inserted)
        configuration.log(
            "coordinator: job \(name) queued: \(frames) frames of \(request.sceneFile) into \(folder)")
        pumpAll()
        return (name, false)
    }

    /// Cancels a running job: its leases are revoked, nothing more of it is written.
    public func cancel(jobID: String) throws {
        let revoked: [(WorkerSession, UInt64)] = try lock.withLock {
            guard jobs[jobID] != nil else {
                throw JobRequestError("no running job named '\(jobID)'")
            }
            jobs[jobID] = nil
            jobOrder.removeAll { $0 == jobID }
            var revoked: [(WorkerSession, UInt64)] = []
            for (id, ref) in leases where ref.jobID == jobID {
                leases[id] = nil
                if let session = sessions[ref.session] {
                    session.leases.remove(id)
                    revoked.append((session, id))
                }
            }
            return revoked
        }
        try journal.setState(jobID: jobID, .cancelled, message: "cancelled")
        for (session, id) in revoked {
            session.peer.send(.failure(leaseID: id, frame: nil, message: "job \(jobID) was cancelled"))
        }
        configuration.log("coordinator: job \(jobID) cancelled")
        pumpAll()
    }

    /// The state of a job as the journal and the lease table know it.
    public func jobState(_ jobID: String) throws -> JobState? { try journal.job(id: jobID)?.state }

    private static func checkName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, !name.hasPrefix("."), name.count <= 128, name.allSatisfy({ allowed.contains($0) })
        else {
            throw JobRequestError(
                "invalid job name '\(name)': use 1 to 128 letters, digits, '.', '_' or '-', not starting with '.'")
        }
    }

    /// Opens the sink and lease table of a running job (the sink re-feeds committed frames to
    /// the exporters, which may take a while: never call on an event loop).
    private func open(_ record: JobRecord) throws {
        let sink = try JobSink(journal: journal, job: record)
        let committed = try journal.committedFrames(jobID: record.id)
        let table = LeaseTable(frameCount: record.frameCount, committed: committed, configuration: configuration.lease)
        let runtime = JobRuntime(record: record, sink: sink, table: table)
        lock.withLock {
            jobs[record.id] = runtime
            if !jobOrder.contains(record.id) { jobOrder.append(record.id) }
            runtime.rate.record(committed: table.committedCount, at: now)
        }
    }

    // MARK: Peers

    /// A worker finished its handshake.
    public func workerConnected(_ peer: FarmPeer, workerID: String, capabilities: WorkerCapabilities) {
        let session = WorkerSession(peer: peer, workerID: workerID, capabilities: capabilities, connectedAt: now)
        lock.withLock {
            sessions[ObjectIdentifier(peer)] = session
            metrics.setWorkersConnected(sessions.count)
        }
        configuration.log(
            "coordinator: worker \(workerID) connected from \(peer.address) (\(capabilities.renderer)"
                + (capabilities.gpuName.map { ", \($0)" } ?? "") + ", \(capabilities.cores) cores)")
        pump(session)
    }

    /// A worker's connection closed: its leases end as failures and their shards are requeued.
    public func workerDisconnected(_ peer: FarmPeer) {
        let (session, events): (WorkerSession?, [(String, [LeaseEvent])]) = lock.withLock {
            guard let session = sessions.removeValue(forKey: ObjectIdentifier(peer)) else { return (nil, []) }
            metrics.setWorkersConnected(sessions.count)
            var events: [(String, [LeaseEvent])] = []
            for id in session.leases.sorted() {
                guard let ref = leases.removeValue(forKey: id), let job = jobs[ref.jobID] else { continue }
                events.append(
                    (
                        ref.jobID,
                        job.table.fail(
                            leaseID: ref.local, frame: nil,
                            message: "worker \(session.workerID) disconnected holding lease \(id)", now: now)
                    ))
            }
            session.leases.removeAll()
            return (session, events)
        }
        guard let session else { return }
        configuration.log("coordinator: worker \(session.workerID) (\(peer.address)) disconnected")
        for (jobID, list) in events { report(list, jobID: jobID) }
        settleJobs()
        pumpAll()
    }

    /// A message from an authenticated worker.
    public func received(_ message: FarmMessage, from peer: FarmPeer) {
        guard let session = lock.withLock({ sessions[ObjectIdentifier(peer)] }) else { return }
        switch message {
        case .heartbeat(let id):
            lock.withLock {
                guard session.leases.contains(id), let ref = leases[id], let job = jobs[ref.jobID] else { return }
                _ = job.table.heartbeat(leaseID: ref.local, now: now)
            }
        case .frameResult(let id, let frame, let files, _):
            result(id, frame: frame, files: files, session: session)
        case .shardDone(let id):
            let events: (String, [LeaseEvent])? = lock.withLock {
                guard session.leases.remove(id) != nil, let ref = leases.removeValue(forKey: id),
                    let job = jobs[ref.jobID]
                else { return nil }
                return (ref.jobID, job.table.shardDone(leaseID: ref.local, now: now))
            }
            if let (jobID, list) = events { report(list, jobID: jobID, worker: session) }
            settleJobs()
            pump(session)
        case .failure(let id, let frame, let text):
            let events: (String, [LeaseEvent])? = lock.withLock {
                guard session.leases.remove(id) != nil, let ref = leases.removeValue(forKey: id),
                    let job = jobs[ref.jobID]
                else { return nil }
                session.failures += 1
                return (ref.jobID, job.table.fail(leaseID: ref.local, frame: frame, message: text, now: now))
            }
            let at = frame.map { " at frame \($0)" } ?? ""
            configuration.log("coordinator: worker \(session.workerID) failed lease \(id)\(at): \(text)")
            if let (jobID, list) = events { report(list, jobID: jobID, worker: session) }
            settleJobs()
            pumpAll()
        case .drain:
            lock.withLock { session.draining = true }
            configuration.log("coordinator: worker \(session.workerID) is draining")
        default:
            configuration.log(
                "coordinator: worker \(session.workerID) (\(peer.address)) sent \(message.messageType), "
                    + "which workers do not send; closing the connection")
            peer.close()
        }
    }

    private func result(_ id: UInt64, frame: Int, files: [FileBlob], session: WorkerSession) {
        let bytes = files.reduce(0) { $0 + $1.bytes.count }
        metrics.bytesReceived(bytes)
        enum Decision {
            case commit(JobRuntime)
            case drop(String)
            case revoke(String)
        }
        let decision: Decision = lock.withLock {
            guard session.leases.contains(id), let ref = leases[id], let job = jobs[ref.jobID] else {
                return .revoke(id < nextLeaseID ? "stale_lease" : "unknown_lease")
            }
            guard Self.hasExpectedFiles(files, frame: frame, cameraFolders: job.sink.cameraFolders) else {
                return .drop("invalid")
            }
            switch job.table.complete(leaseID: ref.local, frame: frame, now: now) {
            case .committed:
                job.pendingCommits += 1
                session.pendingCommits += 1
                totalPendingCommits += 1
                return .commit(job)
            case .duplicate:
                return .drop("duplicate")
            case .rejected(.frameNotInLease):
                return .drop("invalid")
            case .rejected(.staleLease):
                return .revoke("stale_lease")
            case .rejected(.unknownLease):
                return .revoke("unknown_lease")
            }
        }
        switch decision {
        case .drop(let reason):
            metrics.resultRejected(reason: reason)
            if reason == "invalid" {
                configuration.log(
                    "coordinator: worker \(session.workerID) sent frame \(frame) under lease \(id) with an unexpected "
                        + "file set [\(files.map(\.path).joined(separator: ", "))] or outside the lease; dropped")
            }
        case .revoke(let reason):
            metrics.resultRejected(reason: reason)
            session.peer.send(.failure(leaseID: id, frame: nil, message: "lease \(id) is not live (\(reason))"))
        case .commit(let job):
            let started = monotonicSeconds()
            pool.submit { [self] in
                do {
                    let written = try job.sink.commit(frame: frame, files: files)
                    metrics.frameCommitted(
                        job: job.record.id, bytes: written, latencySeconds: monotonicSeconds() - started)
                    lock.withLock {
                        job.pendingCommits -= 1
                        session.pendingCommits -= 1
                        totalPendingCommits -= 1
                        session.framesCommitted += 1
                        bytesCommittedValue += written
                        job.rate.record(committed: job.table.committedCount - job.pendingCommits, at: now)
                    }
                } catch {
                    lock.withLock {
                        job.pendingCommits -= 1
                        session.pendingCommits -= 1
                        totalPendingCommits -= 1
                        job.commitError = job.commitError ?? "\(error)"
                    }
                    configuration.log("coordinator: job \(job.record.id): cannot commit frame \(frame): \(error)")
                }
                settleJobs()
                // Room again for the leases that the commit backlog held back.
                let (starved, everyone) = lock.withLock { () -> (Bool, Bool) in
                    let global = totalPendingCommits == maximumPendingCommits - 1
                    return (session.pendingCommits < maximumPendingPerWorker, global)
                }
                if everyone { pumpAll() } else if starved { pump(session) }
            }
        }
    }

    /// The files of frame `frame`: exactly the native dataset's five (each camera's, under its
    /// folder, for a multi-camera job), in any order.
    static func hasExpectedFiles(_ files: [FileBlob], frame: Int, cameraFolders: [String] = []) -> Bool {
        guard frame >= 0 else { return false }
        let expected = Set(JobSink.expectedPaths(frame: frame, cameraFolders: cameraFolders))
        return files.count == expected.count && Set(files.map(\.path)) == expected
    }

    // MARK: Assignment

    /// Leases work to every worker that can take it.
    public func pumpAll() {
        for session in lock.withLock({ Array(sessions.values) }) { pump(session) }
    }

    /// Leases shards to `session` while it has room: oldest job first.
    private func pump(_ session: WorkerSession) {
        var messages: [FarmMessage] = []
        lock.withLock {
            // A session that disconnected meanwhile (its leases were already ended) gets nothing:
            // a lease granted to it would sit unused until it expired.
            guard !isDraining, !session.draining, sessions[ObjectIdentifier(session.peer)] === session else { return }
            while session.leases.count < configuration.lease.maxShardsInFlightPerWorker,
                session.pendingCommits < maximumPendingPerWorker, totalPendingCommits < maximumPendingCommits
            {
                var granted = false
                for jobID in jobOrder {
                    guard let job = jobs[jobID], job.commitError == nil else { continue }
                    guard let lease = job.table.assign(worker: session.workerID, now: now) else { continue }
                    let id = nextLeaseID
                    nextLeaseID += 1
                    leases[id] = LeaseRef(jobID: jobID, local: lease.id, session: ObjectIdentifier(session.peer))
                    session.leases.insert(id)
                    if !session.jobsSent.contains(jobID) {
                        session.jobsSent.insert(jobID)
                        let r = job.record
                        messages.append(
                            .job(
                                jobID: r.id, scene: r.scene, sceneDigest: r.sceneDigest, seed: r.seed,
                                frameCount: r.frameCount, options: r.options))
                    }
                    messages.append(
                        .assignment(
                            leaseID: id, jobID: jobID, frames: lease.frames,
                            deadlineSeconds: Int(configuration.lease.leaseDuration.rounded(.up))))
                    granted = true
                    break
                }
                if !granted { break }
            }
            metrics.setLeasesLive(leases.count)
            // Sent under the lock so that two pumps cannot interleave a job and its assignment.
            for message in messages { session.peer.send(message) }
        }
    }

    /// Expires leases past their deadline (revoking them at their workers) and hands their
    /// shards to others. The server calls it every `tickInterval`.
    public func tick() {
        var revoked: [(WorkerSession, UInt64, String)] = []
        var events: [(String, [LeaseEvent])] = []
        lock.withLock {
            let now = self.now
            for jobID in jobOrder {
                guard let job = jobs[jobID] else { continue }
                let list = job.table.tick(now: now)
                guard !list.isEmpty else { continue }
                for event in list {
                    guard case .leaseExpired(let lease) = event else { continue }
                    guard
                        let (id, ref) = leases.first(where: { $0.value.jobID == jobID && $0.value.local == lease.id })
                    else { continue }
                    leases[id] = nil
                    if let session = sessions[ref.session] {
                        session.leases.remove(id)
                        session.failures += 1
                        revoked.append((session, id, "lease \(id) expired without a heartbeat"))
                    }
                }
                events.append((jobID, list))
            }
        }
        for (session, id, text) in revoked {
            configuration.log("coordinator: worker \(session.workerID): \(text); its shard goes back to the queue")
            session.peer.send(.failure(leaseID: id, frame: nil, message: text))
        }
        for (jobID, list) in events { report(list, jobID: jobID) }
        if !events.isEmpty { pumpAll() }
        settleJobs()
        lock.withLock {
            var byState: [String: Int] = [:]
            for job in jobs.values { byState[JobState.running.rawValue, default: 0] += job.finished ? 0 : 1 }
            metrics.setJobs(byState: byState)
        }
    }

    private func report(_ events: [LeaseEvent], jobID: String, worker: WorkerSession? = nil) {
        for event in events {
            switch event {
            case .shardRequeued(let shard, let failures):
                metrics.shardRetried()
                configuration.log("coordinator: job \(jobID): shard \(shard) requeued after \(failures) failure(s)")
            case .shardFailed(let shard, let frames, let error):
                configuration.log(
                    "coordinator: job \(jobID): shard \(shard) failed for good (frames \(frames.first ?? 0)…"
                        + "\(frames.last ?? 0)): \(error)")
            case .workerBlocklisted(let worker, let failures):
                metrics.workerBlocklisted()
                configuration.log("coordinator: worker \(worker) blocklisted after \(failures) failures")
            case .leaseExpired, .shardCompleted, .rejected:
                break
            }
        }
    }

    // MARK: Completion

    /// Finishes jobs whose frames are all committed (dataset.json, exporters, journal), and
    /// fails jobs that cannot complete (a shard out of retries, a commit error).
    private func settleJobs() {
        var finishing: [JobRuntime] = []
        var failing: [(JobRuntime, String)] = []
        lock.withLock {
            for jobID in jobOrder {
                guard let job = jobs[jobID], !job.finished, job.pendingCommits == 0 else { continue }
                if let error = job.commitError {
                    job.finished = true
                    failing.append((job, "cannot write the dataset: \(error)"))
                } else if job.table.isComplete {
                    job.finished = true
                    finishing.append(job)
                } else if job.table.isFinished {
                    job.finished = true
                    let failed = job.table.shards.compactMap { shard -> String? in
                        if case .failed(let error) = shard.state { return "shard \(shard.id): \(error)" }
                        return nil
                    }
                    failing.append((job, failed.joined(separator: "; ")))
                }
            }
        }
        for job in finishing {
            pool.submit { [self] in
                do {
                    try job.sink.finish()
                    configuration.log(
                        "coordinator: job \(job.record.id) complete: \(job.record.frameCount) frames in "
                            + job.sink.datasetDirectory)
                    remove(job)
                } catch {
                    fail(job, "cannot finish the dataset: \(error)")
                }
            }
        }
        for (job, message) in failing { fail(job, message) }
    }

    private func fail(_ job: JobRuntime, _ message: String) {
        do {
            try journal.setState(jobID: job.record.id, .failed, message: message)
        } catch {
            configuration.log("coordinator: job \(job.record.id): cannot record its failure: \(error)")
        }
        configuration.log("coordinator: job \(job.record.id) failed: \(message)")
        remove(job)
    }

    private func remove(_ job: JobRuntime) {
        lock.withLock {
            if jobs[job.record.id] === job {
                jobs[job.record.id] = nil
                jobOrder.removeAll { $0 == job.record.id }
            }
        }
    }

    // MARK: Draining

    /// Stops handing out leases and tells every worker; live leases may still finish.
    public func beginDrain() {
        let all: [WorkerSession] = lock.withLock {
            isDraining = true
            return Array(sessions.values)
        }
        for session in all { session.peer.send(.drain) }
    }

    /// True when no lease is live and no commit is pending.
    public var isQuiet: Bool {
        lock.withLock { leases.isEmpty && jobs.values.allSatisfy { $0.pendingCommits == 0 } } && pool.pending == 0
    }

    /// Waits for the commits under way, then stops the commit threads. Call last.
    public func shutdown() {
        pool.close()
    }

    // MARK: Status

    /// Bytes of frame files committed since this coordinator started.
    public var bytesCommitted: Int { lock.withLock { bytesCommittedValue } }

    /// True when no job is running (all complete, failed or cancelled).
    public var isIdle: Bool { lock.withLock { jobs.isEmpty } && pool.pending == 0 }

    /// The coordinator's jobs (running ones from memory, the others from the journal) and
    /// workers. Cheap enough for an event loop: one journal query.
    public func status() -> FarmStatus {
        let records = (try? journal.jobs()) ?? []
        return lock.withLock {
            let now = self.now
            let info = CoordinatorInfo(
                version: SceneFarmVersion.string, listenAddress: listenAddressValue, dataRoot: configuration.root,
                started: startedAt, uptimeSeconds: now, draining: isDraining)
            var jobList: [JobStatus] = []
            for record in records {
                let dataset =
                    record.datasetPath == "." ? configuration.root : configuration.root + "/" + record.datasetPath
                if let job = jobs[record.id] {
                    var queued = 0, leased = 0, done = 0, failed = 0
                    for shard in job.table.shards {
                        switch shard.state {
                        case .queued: queued += 1
                        case .leased: leased += 1
                        case .done: done += 1
                        case .failed: failed += 1
                        }
                    }
                    let committed = job.table.committedCount - job.pendingCommits
                    jobList.append(
                        JobStatus(
                            id: record.id, state: JobState.running.rawValue, sceneFile: record.sceneFile,
                            dataset: dataset, frameCount: record.frameCount, framesCommitted: committed,
                            shardsQueued: queued, shardsLeased: leased, shardsDone: done, shardsFailed: failed,
                            framesPerSecond: job.rate.framesPerSecond(at: now),
                            etaSeconds: job.rate.etaSeconds(remaining: record.frameCount - committed, at: now),
                            message: job.commitError))
                } else {
                    let committed = (try? journal.committedCount(jobID: record.id)) ?? 0
                    // A finished job (or one the journal calls running that this process has not
                    // opened): shards are counted as this coordinator would plan them.
                    let size = configuration.lease.shardSize
                    let shards = (record.frameCount + size - 1) / size
                    jobList.append(
                        JobStatus(
                            id: record.id, state: record.state.rawValue, sceneFile: record.sceneFile,
                            dataset: dataset, frameCount: record.frameCount, framesCommitted: committed,
                            shardsQueued: record.state == .running ? shards : 0,
                            shardsDone: record.state == .complete ? shards : 0, message: record.message))
                }
            }
            let workerList = sessions.values.sorted { $0.connectedAt < $1.connectedAt }.map { session in
                WorkerStatus(
                    id: session.workerID, address: session.peer.address, renderer: session.capabilities.renderer,
                    gpuName: session.capabilities.gpuName, cores: session.capabilities.cores,
                    connectedSeconds: now - session.connectedAt, leases: session.leases.sorted(),
                    framesCommitted: session.framesCommitted, failures: session.failures,
                    blocklisted: jobs.values.contains { $0.table.blocklist.contains(session.workerID) },
                    draining: session.draining)
            }
            return FarmStatus(coordinator: info, jobs: jobList, workers: workerList)
        }
    }

    /// Frames committed so far of `jobID` (from the lease table while running, else the journal).
    public func committedFrames(jobID: String) -> Int {
        if let count = lock.withLock({ jobs[jobID].map { $0.table.committedCount - $0.pendingCommits } }) {
            return count
        }
        return (try? journal.committedCount(jobID: jobID)) ?? 0
    }
}

/// One running job.
final class JobRuntime {
    let record: JobRecord
    let sink: JobSink
    var table: LeaseTable
    var pendingCommits = 0
    var commitError: String?
    var finished = false
    var rate = RateEstimator()

    init(record: JobRecord, sink: JobSink, table: LeaseTable) {
        self.record = record
        self.sink = sink
        self.table = table
    }

    var progressText: String { "\(table.committedCount)/\(record.frameCount) frames committed" }
}

/// One connected worker.
final class WorkerSession {
    let peer: FarmPeer
    let workerID: String
    let capabilities: WorkerCapabilities
    let connectedAt: Double
    /// Global ids of the leases it holds.
    var leases: Set<UInt64> = []
    var jobsSent: Set<String> = []
    var draining = false
    var framesCommitted = 0
    var failures = 0
    /// Its results accepted but not yet written.
    var pendingCommits = 0

    init(peer: FarmPeer, workerID: String, capabilities: WorkerCapabilities, connectedAt: Double) {
        self.peer = peer
        self.workerID = workerID
        self.capabilities = capabilities
        self.connectedAt = connectedAt
    }
}

/// Where a global lease id points: a job's lease table and the connection that holds it.
struct LeaseRef {
    let jobID: String
    let local: UInt64
    let session: ObjectIdentifier
}

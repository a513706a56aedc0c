// The coordinator's durable memory: which jobs exist and which of their frames are committed.
//
// One SQLite file per coordinator root, `ROOT/.scenefarm/journal.sqlite`, written through GRDB:
//
// ```
// job                                          frame_commit
// ┌──────────────────────────────┐             ┌──────────────────────────────┐
// │ sequence  INTEGER PK (auto)  │             │ job_id  TEXT ─▶ job.id       │
// │ id        TEXT UNIQUE        │◀────────────│ frame   INTEGER              │
// │ dataset_path, scene_file,    │             │ digest  TEXT (labels SHA-256)│
// │ scene_yaml, scene_digest,    │             │ PRIMARY KEY (job_id, frame)  │
// │ seed (u64 bits as i64),      │             └──────────────────────────────┘
// │ frame_count, computes_cov.,  │
// │ formats (JSON), state, msg   │
// └──────────────────────────────┘
// ```
//
// A frame row is written only after the frame's files are renamed into place (see `JobSink`), so
// after `kill -9` and a restart the committed frames are exactly the rows here, and the planner
// leases only the others (`LeaseTable(frameCount:committed:)`).
//
// Non-goals: no leases, no workers, no timing. Those live in memory and are rebuilt on restart.
import FarmProtocol
import Foundation
import GRDB
import SceneCore

/// Where a job stands.
public enum JobState: String, Sendable, Codable {
    /// Queued or rendering; a restarted coordinator resumes it.
    case running
    /// Every frame committed, the dataset and its exports finished.
    case complete
    /// Stopped by an error (see `JobRecord.message`).
    case failed
    /// Stopped by a client.
    case cancelled
}

/// One job as the journal stores it.
public struct JobRecord: Sendable, Equatable {
    /// The job id, which is also the dataset name (e.g. "street-1").
    public var id: String
    /// The dataset folder relative to the journal's root: "street-1", or "." when the root is the
    /// dataset (an embedded `render --out DIR`).
    public var datasetPath: String
    /// The scene file as the client named it, for messages.
    public var sceneFile: String
    /// The scene's files, exactly as submitted (the scene file and everything it includes or imports).
    public var scene: SceneBundle
    /// `FarmAuthentication.sceneDigest(scene)`: lowercase hex SHA-256 of the bundle's canonical bytes.
    public var sceneDigest: String
    /// The job seed.
    public var seed: UInt64
    /// Frames 0..<frameCount make the dataset.
    public var frameCount: Int
    /// Settings every worker of the job shares.
    public var options: JobOptions
    /// Export format raw values ("coco", "yolo", ...), written into DATASET/exports/FORMAT.
    public var formats: [String]
    public var state: JobState
    /// Why the job failed or was cancelled; nil otherwise.
    public var message: String?
    /// Submission order, assigned by `FarmJournal.insertJob` (ignored on input).
    public var sequence: Int64

    /// A job record; `sequence` is assigned when the job is inserted.
    public init(
        id: String, datasetPath: String, sceneFile: String, scene: SceneBundle, sceneDigest: String, seed: UInt64,
        frameCount: Int, options: JobOptions = JobOptions(), formats: [String] = [], state: JobState = .running,
        message: String? = nil, sequence: Int64 = 0
    ) {
        self.id = id
        self.datasetPath = datasetPath
        self.sceneFile = sceneFile
        self.scene = scene
        self.sceneDigest = sceneDigest
        self.seed = seed
        self.frameCount = frameCount
        self.options = options
        self.formats = formats
        self.state = state
        self.message = message
        self.sequence = sequence
    }
}

/// Why the journal could not be opened, read or written. Names the journal file.
public struct FarmJournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently.
    public enum Kind: Sendable, Equatable {
        /// The folder or the file could not be created or opened.
        case cannotOpen
        /// The file is not a SQLite database, or a database of something else.
        case notAJournal
        /// The journal was written by a newer SceneFarm whose schema this build does not know.
        case newerSchema
        /// `insertJob` with an id the journal already has.
        case duplicateJob
        /// The job id is not in the journal.
        case unknownJob
        /// A stored or given value is out of range or malformed.
        case invalidValue
        /// SQLite failed (disk full, I/O error, locked, ...).
        case database
    }

    public var kind: Kind
    /// The journal file.
    public var path: String
    public var detail: String

    public init(_ kind: Kind, path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "journal \(path): \(detail)" }
}

/// The durable job and frame state of a coordinator, in `ROOT/.scenefarm/journal.sqlite`.
///
/// Thread-safe: every call runs on GRDB's serial queue. Several `FarmJournal`s may open the same
/// file (a restarted coordinator next to a stale one, or tests); SQLite's locking keeps them
/// consistent and a writer waits up to five seconds for another.
public final class FarmJournal: @unchecked Sendable {
    /// The folder the journal belongs to; datasets live beneath it (`JobRecord.datasetPath`).
    public let root: String
    private let database: DatabaseQueue

    /// `PRAGMA application_id` of a SceneFarm journal ("SFJ1"), so that another program's SQLite
    /// file is not mistaken for one.
    static let applicationID: Int32 = 0x5346_4A31

    /// The journal file: `ROOT/.scenefarm/journal.sqlite`.
    public var path: String { Self.path(root: root) }

    static func path(root: String) -> String { root + "/.scenefarm/journal.sqlite" }

    /// Opens the journal at `ROOT/.scenefarm/journal.sqlite`, creating the folder and the file when
    /// missing, and brings its schema up to date. Throws a `FarmJournalError` naming the file when
    /// the folder cannot be created, the file is not a SceneFarm journal, or a newer SceneFarm
    /// wrote it.
    public init(root: String) throws {
        self.root = root
        let path = Self.path(root: root)
        let folder = root + "/.scenefarm"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FarmJournalError(.cannotOpen, path: path, "cannot create the folder \(folder): \(Self.reason(error))")
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Another connection (a coordinator not yet gone) may hold the write lock for a moment.
        configuration.busyMode = .timeout(5)
        configuration.label = "scenefarm.journal"
        configuration.prepareDatabase { db in
            // In WAL mode, NORMAL syncs the WAL only at checkpoints: a committed transaction
            // survives the process being killed (kill -9; the OS still has the pages), though the
            // last transactions may be lost if the machine itself loses power. A lost commit row
            // only means that frame is rendered again, so per-commit fsyncs are not worth it.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.openError(error, path: path)
        }
        do {
            try database.write { db in try Self.checkOwnership(db, path: path) }
            let migrator = Self.migrator
            if try database.read({ try migrator.hasBeenSuperseded($0) }) {
                let known = Set(migrator.migrations)
                let unknown = try database.read { try migrator.appliedIdentifiers($0) }.subtracting(known).sorted()
                throw FarmJournalError(
                    .newerSchema, path: path,
                    "written by a newer SceneFarm (schema migrations \(unknown) are unknown to this build); "
                        + "upgrade SceneFarm or use another data directory")
            }
            try migrator.migrate(database)
        } catch let error as FarmJournalError {
            throw error
        } catch {
            throw Self.openError(error, path: path)
        }
    }

    // MARK: Jobs

    /// Inserts a new job and returns it with its `sequence`. Throws `duplicateJob` when a job with
    /// the same id exists.
    @discardableResult
    public func insertJob(_ job: JobRecord) throws -> JobRecord {
        guard job.frameCount >= 0 else {
            throw FarmJournalError(
                .invalidValue, path: path, "job \(job.id): frame count \(job.frameCount) is negative")
        }
        let formats = try encodeFormats(job.formats, jobID: job.id)
        return try perform("insert job \(job.id)") {
            try database.write { db -> JobRecord in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE id = ?", arguments: [job.id]) == true {
                    throw FarmJournalError(.duplicateJob, path: path, "a job with id \"\(job.id)\" already exists")
                }
                try db.execute(
                    sql: """
                        INSERT INTO job (id, dataset_path, scene_file, scene_yaml, scene_bundle, scene_digest, seed,
                                         frame_count, computes_coverage, formats, state, message)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        job.id, job.datasetPath, job.sceneFile, job.scene.rootText, Data(job.scene.canonicalBytes),
                        job.sceneDigest,
                        Int64(bitPattern: job.seed), job.frameCount, job.options.computesCoverage, formats,
                        job.state.rawValue, job.message,
                    ])
                var inserted = job
                inserted.sequence = db.lastInsertedRowID
                return inserted
            }
        }
    }

    /// Every job, in submission order.
    public func jobs() throws -> [JobRecord] {
        try perform("read the jobs") {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM job ORDER BY sequence").map { try decodeJob($0) }
            }
        }
    }

    /// The job with this id, or nil.
    public func job(id: String) throws -> JobRecord? {
        try perform("read job \(id)") {
            try database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map { try decodeJob($0) }
            }
        }
    }

    /// Sets a job's state and message. Throws `unknownJob` when there is no such job.
    public func setState(jobID: String, _ state: JobState, message: String?) throws {
        try perform("set the state of job \(jobID)") {
            try database.write { db in
                try db.execute(
                    sql: "UPDATE job SET state = ?, message = ? WHERE id = ?",
                    arguments: [state.rawValue, message, jobID])
                guard db.changesCount > 0 else {
                    throw FarmJournalError(.unknownJob, path: path, "no job \"\(jobID)\"")
                }
            }
        }
    }

    // MARK: Frames

    /// Records that `frame` of the job is committed, its files in place; `digest` is the SHA-256
    /// (hex) of its labels file. Idempotent: for a frame already recorded this does nothing and
    /// the first digest stays. Throws `unknownJob`, or `invalidValue` for a frame outside
    /// 0..<frameCount.
    public func recordCommit(jobID: String, frame: Int, digest: String) throws {
        try perform("record frame \(frame) of job \(jobID)") {
            try database.write { db in
                guard
                    let frameCount = try Int.fetchOne(
                        db, sql: "SELECT frame_count FROM job WHERE id = ?", arguments: [jobID])
                else {
                    throw FarmJournalError(.unknownJob, path: path, "no job \"\(jobID)\"")
                }
                guard (0..<frameCount).contains(frame) else {
                    throw FarmJournalError(
                        .invalidValue, path: path, "job \(jobID): frame \(frame) is outside 0..<\(frameCount)")
                }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO frame_commit (job_id, frame, digest) VALUES (?, ?, ?)",
                    arguments: [jobID, frame, digest])
            }
        }
    }

    /// The job's committed frames, ascending.
    public func committedFrames(jobID: String) throws -> [Int] {
        try perform("read the committed frames of job \(jobID)") {
            try database.read { db in
                try Int.fetchAll(
                    db, sql: "SELECT frame FROM frame_commit WHERE job_id = ? ORDER BY frame", arguments: [jobID])
            }
        }
    }

    /// How many of the job's frames are committed.
    public func committedCount(jobID: String) throws -> Int {
        try perform("count the committed frames of job \(jobID)") {
            try database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM frame_commit WHERE job_id = ?", arguments: [jobID])
                    ?? 0
            }
        }
    }

    /// The labels digest recorded for a committed frame, or nil when the frame is not committed.
    public func commitDigest(jobID: String, frame: Int) throws -> String? {
        try perform("read frame \(frame) of job \(jobID)") {
            try database.read { db in
                try String.fetchOne(
                    db, sql: "SELECT digest FROM frame_commit WHERE job_id = ? AND frame = ?",
                    arguments: [jobID, frame])
            }
        }
    }

    // MARK: Internals

    /// Runs raw SQL on the journal. For tests that forge a journal (a newer schema, a damaged row).
    func executeForTesting(sql: String) throws {
        try database.write { try $0.execute(sql: sql) }
    }

    /// The schema, one migration per change. Never edit a shipped migration: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs-and-frame-commits") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(
                sql: """
                    CREATE TABLE job (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        dataset_path TEXT NOT NULL,
                        scene_file TEXT NOT NULL,
                        scene_yaml TEXT NOT NULL,
                        scene_digest TEXT NOT NULL,
                        seed INTEGER NOT NULL,
                        frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
                        computes_coverage INTEGER NOT NULL,
                        formats TEXT NOT NULL,
                        state TEXT NOT NULL,
                        message TEXT
                    );
                    CREATE TABLE frame_commit (
                        job_id TEXT NOT NULL REFERENCES job(id) ON DELETE CASCADE,
                        frame INTEGER NOT NULL CHECK (frame >= 0),
                        digest TEXT NOT NULL,
                        PRIMARY KEY (job_id, frame)
                    ) WITHOUT ROWID;
                    """)
        }
        // Jobs carry every file of their scene (includes, asset files), not only the scene file's text.
        // `scene_yaml` keeps the root file's text for people reading the journal.
        migrator.registerMigration("v2-scene-bundle") { db in
            try db.execute(sql: "ALTER TABLE job ADD COLUMN scene_bundle BLOB")
        }
        return migrator
    }

    /// Refuses a SQLite file that belongs to another program: one with another application id, or
    /// with tables but neither our id nor GRDB's migration table.
    private static func checkOwnership(_ db: Database, path: String) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID { return }
        guard id == 0 else {
            throw FarmJournalError(
                .notAJournal, path: path,
                "not a SceneFarm journal (SQLite application id \(id), expected \(applicationID))")
        }
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if !tables.isEmpty && !tables.contains("grdb_migrations") {
            throw FarmJournalError(
                .notAJournal, path: path,
                "not a SceneFarm journal (a SQLite database with tables \(tables.sorted().joined(separator: ", ")))")
        }
    }

    private func decodeJob(_ row: Row) throws -> JobRecord {
        var id = "?"
        // Row.decode's own errors print the whole row, scene text included: name the column only.
        func value<T: DatabaseValueConvertible>(_ type: T.Type, _ column: String) throws -> T {
            do {
                return try row.decode(T.self, forColumn: column)
            } catch {
                throw FarmJournalError(
                    .invalidValue, path: path, "job \(id): column \(column) does not hold a valid \(T.self)")
            }
        }
        id = try value(String.self, "id")
        let stateText = try value(String.self, "state")
        guard let state = JobState(rawValue: stateText) else {
            throw FarmJournalError(.invalidValue, path: path, "job \(id): unknown state \"\(stateText)\"")
        }
        let formatsText = try value(String.self, "formats")
        guard let formats = try? JSONDecoder().decode([String].self, from: Data(formatsText.utf8)) else {
            throw FarmJournalError(
                .invalidValue, path: path, "job \(id): formats \(formatsText) is not a JSON array of strings")
        }
        // Jobs journaled before bundles existed hold only the scene file's text (digest of that text).
        let scene: SceneBundle
        let digest: String
        if let blob = try value(Data?.self, "scene_bundle") {
            do { scene = try SceneBundle(canonicalBytes: [UInt8](blob)) } catch {
                throw FarmJournalError(.invalidValue, path: path, "job \(id): column scene_bundle: \(error)")
            }
            digest = try value(String.self, "scene_digest")
        } else {
            scene = SceneBundle(yaml: try value(String.self, "scene_yaml"), file: try value(String.self, "scene_file"))
            digest = FarmAuthentication.sceneDigest(scene)
        }
        return JobRecord(
            id: id, datasetPath: try value(String.self, "dataset_path"),
            sceneFile: try value(String.self, "scene_file"),
            scene: scene, sceneDigest: digest,
            // SQLite integers are signed 64-bit: the seed is stored as its bit pattern.
            seed: UInt64(bitPattern: try value(Int64.self, "seed")), frameCount: try value(Int.self, "frame_count"),
            options: JobOptions(computesCoverage: try value(Bool.self, "computes_coverage")), formats: formats,
            state: state, message: try value(String?.self, "message"), sequence: try value(Int64.self, "sequence"))
    }

    private func encodeFormats(_ formats: [String], jobID: String) throws -> String {
        do {
            return String(decoding: try JSONEncoder().encode(formats), as: UTF8.self)
        } catch {
            throw FarmJournalError(.invalidValue, path: path, "job \(jobID): cannot encode formats: \(error)")
        }
    }

    /// Runs `body`, turning GRDB's errors into `FarmJournalError`s that say what was being done.
    private func perform<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FarmJournalError {
            throw error
        } catch is RowDecodingError {
            throw FarmJournalError(.invalidValue, path: path, "cannot \(what): a stored value is malformed")
        } catch {
            throw FarmJournalError(.database, path: path, "cannot \(what): \(Self.reason(error))")
        }
    }

    private static func openError(_ error: Error, path: String) -> FarmJournalError {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB {
            return FarmJournalError(.notAJournal, path: path, "not a SceneFarm journal (not a SQLite database)")
        }
        return FarmJournalError(.cannotOpen, path: path, "cannot open: \(reason(error))")
    }

    /// A one-line reason: SQLite's message for database errors, the description otherwise.
    private static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            return error.message.map { "\($0) (\(error.resultCode))" } ?? "\(error.resultCode)"
        }
        // Foundation's file errors print as "Error Domain=NSCocoaErrorDomain Code=512 ..."; the
        // POSIX error underneath says what happened.
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return "\(error)"
    }
}

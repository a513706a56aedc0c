import FarmProtocol
import Foundation
import SceneCore
import XCTest

@testable import Coordinator

/// A fresh folder under the system's temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase, _ label: String = "journal") throws -> String {
    let path = NSTemporaryDirectory() + "scenefarm-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

final class FarmJournalTests: XCTestCase {
    private func job(_ id: String, frames: Int = 10, seed: UInt64 = 42, formats: [String] = []) -> JobRecord {
        let yaml = "format: 1\nname: \(id)\n"
        return JobRecord(
            id: id, datasetPath: id, sceneFile: "scenes/\(id).yaml", scene: SceneBundle(yaml: yaml, file: "scene.yaml"),
            sceneDigest: FarmAuthentication.sceneDigest(SceneBundle(yaml: yaml, file: "scene.yaml")), seed: seed,
            frameCount: frames,
            formats: formats)
    }

    private func assertThrowsJournalError(
        _ kind: FarmJournalError.Kind, mentioning: [String], file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            XCTFail("expected a \(kind) error", file: file, line: line)
        } catch let error as FarmJournalError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            for text in mentioning {
                XCTAssertTrue(
                    error.description.contains(text), "\(error) should mention \(text)", file: file, line: line)
            }
        } catch {
            XCTFail("expected a FarmJournalError, got \(error)", file: file, line: line)
        }
    }

    func testCreatesTheJournalUnderTheRoot() throws {
        let root = try makeTemporaryDirectory(self) + "/not/yet/there"
        let journal = try FarmJournal(root: root)
        XCTAssertEqual(journal.root, root)
        XCTAssertEqual(journal.path, root + "/.scenefarm/journal.sqlite")
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal.path))
        XCTAssertEqual(try journal.jobs(), [])
        XCTAssertNil(try journal.job(id: "nothing"))
    }

    func testJobRoundTripsThroughReopening() throws {
        let root = try makeTemporaryDirectory(self)
        var first = job("street-1", frames: 1000, seed: UInt64.max, formats: ["coco", "yolo"])
        first.options = JobOptions(computesCoverage: false)
        first.scene = SceneBundle(
            root: "scene.yaml",
            files: [
                "scene.yaml": Array("format: 1\nname: \"ünïcode ✓\"\n# 'quotes' and \"doubles\"\n".utf8),
                "parts/é.glb": [0, 255, 1, 254],
            ])
        first.sceneDigest = FarmAuthentication.sceneDigest(first.scene)
        first.sequence = 99  // ignored on input
        var second = job("embedded", frames: 0, seed: 0)
        second.datasetPath = "."
        second.state = .failed
        second.message = "scene did not load"
        let third = job("high-bit", seed: 1 << 63)

        let insertedFirst: JobRecord
        let insertedSecond: JobRecord
        let insertedThird: JobRecord
        do {
            let journal = try FarmJournal(root: root)
            insertedFirst = try journal.insertJob(first)
            insertedSecond = try journal.insertJob(second)
            insertedThird = try journal.insertJob(third)
        }
        XCTAssertLessThan(insertedFirst.sequence, insertedSecond.sequence)
        XCTAssertLessThan(insertedSecond.sequence, insertedThird.sequence)
        XCTAssertNotEqual(insertedFirst.sequence, 99)

        let reopened = try FarmJournal(root: root)
        let jobs = try reopened.jobs()
        XCTAssertEqual(jobs, [insertedFirst, insertedSecond, insertedThird])
        var expected = first
        expected.sequence = insertedFirst.sequence
        XCTAssertEqual(try reopened.job(id: "street-1"), expected)
        XCTAssertEqual(jobs[0].seed, UInt64.max)
        XCTAssertEqual(jobs[0].options, JobOptions(computesCoverage: false))
        XCTAssertEqual(jobs[0].formats, ["coco", "yolo"])
        XCTAssertEqual(jobs[1].datasetPath, ".")
        XCTAssertEqual(jobs[1].state, .failed)
        XCTAssertEqual(jobs[1].message, "scene did not load")
        XCTAssertEqual(jobs[2].seed, 1 << 63)
    }

    func testDuplicateJobIDIsRefused() throws {
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self))
        let original = try journal.insertJob(job("street-1", frames: 5))
        assertThrowsJournalError(.duplicateJob, mentioning: ["street-1", journal.path]) {
            _ = try journal.insertJob(job("street-1", frames: 7))
        }
        XCTAssertEqual(try journal.jobs(), [original], "the first job is untouched")
    }

    func testRecordCommitIsIdempotentAndKeepsTheFirstDigest() throws {
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self))
        try journal.insertJob(job("a", frames: 10))
        try journal.insertJob(job("b", frames: 10))
        try journal.recordCommit(jobID: "a", frame: 7, digest: "first")
        try journal.recordCommit(jobID: "a", frame: 2, digest: "two")
        try journal.recordCommit(jobID: "a", frame: 7, digest: "second")
        try journal.recordCommit(jobID: "b", frame: 7, digest: "other job")
        XCTAssertEqual(try journal.committedFrames(jobID: "a"), [2, 7])
        XCTAssertEqual(try journal.committedCount(jobID: "a"), 2)
        XCTAssertEqual(try journal.commitDigest(jobID: "a", frame: 7), "first")
        XCTAssertNil(try journal.commitDigest(jobID: "a", frame: 3))
        XCTAssertEqual(try journal.committedFrames(jobID: "b"), [7])
        XCTAssertEqual(try journal.committedFrames(jobID: "missing"), [])
    }

    func testRecordCommitRefusesUnknownJobsAndFramesOutOfRange() throws {
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self))
        try journal.insertJob(job("a", frames: 3))
        assertThrowsJournalError(.unknownJob, mentioning: ["nope"]) {
            try journal.recordCommit(jobID: "nope", frame: 0, digest: "x")
        }
        assertThrowsJournalError(.invalidValue, mentioning: ["frame 3", "0..<3"]) {
            try journal.recordCommit(jobID: "a", frame: 3, digest: "x")
        }
        assertThrowsJournalError(.invalidValue, mentioning: ["frame -1"]) {
            try journal.recordCommit(jobID: "a", frame: -1, digest: "x")
        }
        assertThrowsJournalError(.invalidValue, mentioning: ["negative"]) {
            _ = try journal.insertJob(job("negative", frames: -1))
        }
        XCTAssertEqual(try journal.committedCount(jobID: "a"), 0)
    }

    func testCommittedFramesSurviveReopening() throws {
        let root = try makeTemporaryDirectory(self)
        do {
            let journal = try FarmJournal(root: root)
            try journal.insertJob(job("street-1", frames: 100))
            for frame in [99, 0, 50, 3] {
                try journal.recordCommit(jobID: "street-1", frame: frame, digest: "d\(frame)")
            }
        }
        let reopened = try FarmJournal(root: root)
        XCTAssertEqual(try reopened.committedFrames(jobID: "street-1"), [0, 3, 50, 99])
        XCTAssertEqual(try reopened.committedCount(jobID: "street-1"), 4)
        XCTAssertEqual(try reopened.commitDigest(jobID: "street-1", frame: 50), "d50")
    }

    func testStateChanges() throws {
        let root = try makeTemporaryDirectory(self)
        let journal = try FarmJournal(root: root)
        try journal.insertJob(job("a"))
        try journal.insertJob(job("b"))
        XCTAssertEqual(try journal.job(id: "a")?.state, .running)
        try journal.setState(jobID: "a", .cancelled, message: "cancelled by alice")
        try journal.setState(jobID: "b", .failed, message: "shard 3 failed 4 times")
        try journal.setState(jobID: "b", .complete, message: nil)
        assertThrowsJournalError(.unknownJob, mentioning: ["ghost"]) {
            try journal.setState(jobID: "ghost", .failed, message: nil)
        }
        let reopened = try FarmJournal(root: root)
        XCTAssertEqual(try reopened.job(id: "a")?.state, .cancelled)
        XCTAssertEqual(try reopened.job(id: "a")?.message, "cancelled by alice")
        XCTAssertEqual(try reopened.job(id: "b")?.state, .complete)
        XCTAssertNil(try reopened.job(id: "b")?.message)
    }

    /// A coordinator killed without closing anything: the next one opens the same file while the
    /// first connection is still open (nothing was checkpointed or closed) and sees every commit.
    func testCommitsAreVisibleToASecondOpenerWithoutClosing() throws {
        let root = try makeTemporaryDirectory(self)
        let crashed = try FarmJournal(root: root)
        try crashed.insertJob(job("street-1", frames: 20))
        for frame in 0..<12 { try crashed.recordCommit(jobID: "street-1", frame: frame, digest: "d\(frame)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: crashed.path + "-wal"), "WAL mode")

        let restarted = try FarmJournal(root: root)
        XCTAssertEqual(try restarted.committedFrames(jobID: "street-1"), Array(0..<12))
        XCTAssertEqual(try restarted.job(id: "street-1")?.frameCount, 20)
        // Both may write; each sees the other's rows.
        try restarted.recordCommit(jobID: "street-1", frame: 15, digest: "d15")
        try crashed.recordCommit(jobID: "street-1", frame: 16, digest: "d16")
        XCTAssertEqual(try crashed.committedCount(jobID: "street-1"), 14)
        XCTAssertEqual(try restarted.committedCount(jobID: "street-1"), 14)
        withExtendedLifetime(crashed) {}
    }

    func testCommitsFromManyThreads() throws {
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self))
        try journal.insertJob(job("a", frames: 200))
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 200) { frame in
            do {
                try journal.recordCommit(jobID: "a", frame: frame, digest: "d\(frame)")
                try journal.recordCommit(jobID: "a", frame: (frame * 7) % 200, digest: "dup")
            } catch {
                errors.append(error)
            }
        }
        XCTAssertEqual(errors.all.map { "\($0)" }, [])
        XCTAssertEqual(try journal.committedFrames(jobID: "a"), Array(0..<200))
    }

    func testUncreatableFolderNamesThePath() throws {
        let root = try makeTemporaryDirectory(self)
        let blocker = root + "/a-file"
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        assertThrowsJournalError(.cannotOpen, mentioning: [blocker + "/.scenefarm", "Not a directory"]) {
            _ = try FarmJournal(root: blocker)
        }
    }

    func testGarbageFileIsNotAJournal() throws {
        let root = try makeTemporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: root + "/.scenefarm", withIntermediateDirectories: true)
        let path = root + "/.scenefarm/journal.sqlite"
        var garbage = Array("this is not a database, it is a note about one. ".utf8)
        while garbage.count < 8192 { garbage += garbage }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(garbage)))
        assertThrowsJournalError(.notAJournal, mentioning: [path, "not a SceneFarm journal"]) {
            _ = try FarmJournal(root: root)
        }
    }

    func testAnotherProgramsDatabaseIsNotAJournal() throws {
        let root = try makeTemporaryDirectory(self)
        do {
            let journal = try FarmJournal(root: root)
            try journal.executeForTesting(sql: "PRAGMA application_id = 1234")
        }
        assertThrowsJournalError(.notAJournal, mentioning: ["application id 1234"]) {
            _ = try FarmJournal(root: root)
        }
    }

    func testJournalOfANewerSchemaIsRefused() throws {
        let root = try makeTemporaryDirectory(self)
        do {
            let journal = try FarmJournal(root: root)
            try journal.insertJob(job("a"))
            try journal.executeForTesting(
                sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')")
        }
        assertThrowsJournalError(.newerSchema, mentioning: ["newer SceneFarm", "v2-from-the-future"]) {
            _ = try FarmJournal(root: root)
        }
    }

    func testDamagedRowIsAnErrorNotACrash() throws {
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self))
        try journal.insertJob(job("a"))
        try journal.executeForTesting(sql: "UPDATE job SET state = 'exploded' WHERE id = 'a'")
        assertThrowsJournalError(.invalidValue, mentioning: ["exploded"]) { _ = try journal.jobs() }
        try journal.executeForTesting(sql: "UPDATE job SET state = 'running', formats = '{oops' WHERE id = 'a'")
        assertThrowsJournalError(.invalidValue, mentioning: ["{oops"]) { _ = try journal.job(id: "a") }
        try journal.executeForTesting(sql: "UPDATE job SET formats = '[]', seed = 'not a number' WHERE id = 'a'")
        assertThrowsJournalError(.invalidValue, mentioning: [journal.path, "job a", "column seed"]) {
            _ = try journal.jobs()
        }
        try journal.executeForTesting(sql: "UPDATE job SET seed = 1, scene_bundle = x'00010203' WHERE id = 'a'")
        assertThrowsJournalError(.invalidValue, mentioning: ["job a", "scene_bundle", "SFB1"]) {
            _ = try journal.jobs()
        }
    }

    /// A job journaled before scene bundles existed (no `scene_bundle`, the digest of the text) reads
    /// back as a one-file bundle with that bundle's digest, so resuming it works.
    func testJobWithoutABundleReadsAsItsSceneFile() throws {
        let journal = try FarmJournal(root: try makeTemporaryDirectory(self))
        try journal.insertJob(job("old"))
        try journal.executeForTesting(
            sql: "UPDATE job SET scene_bundle = NULL, scene_digest = 'ab', scene_yaml = 'format: 1' WHERE id = 'old'")
        let read = try XCTUnwrap(try journal.job(id: "old"))
        XCTAssertEqual(read.scene.root, "old.yaml")
        XCTAssertEqual(read.scene.files, ["old.yaml": Array("format: 1".utf8)])
        XCTAssertEqual(read.sceneDigest, FarmAuthentication.sceneDigest(read.scene))
    }
}

/// Errors gathered from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func append(_ error: Error) { lock.withLock { errors.append(error) } }
    var all: [Error] { lock.withLock { errors } }
}

import Foundation
import XCTest

@testable import Coordinator

/// A status with one job of each kind of progress and two workers, used here and by the HTTP tests.
func sampleFarmStatus() -> FarmStatus {
    FarmStatus(
        coordinator: CoordinatorInfo(
            version: "0.1.0", listenAddress: "0.0.0.0:7070", dataRoot: "/srv/farm", started: 1_790_000_000,
            uptimeSeconds: 3725, draining: false),
        jobs: [
            JobStatus(
                id: "city-night", state: "running", sceneFile: "scenes/city.yaml", dataset: "/srv/farm/city-night",
                frameCount: 1000, framesCommitted: 999, shardsQueued: 0, shardsLeased: 1, shardsDone: 124,
                shardsFailed: 0, framesPerSecond: 4.25, etaSeconds: 0.4),
            JobStatus(
                id: "fog", state: "failed", sceneFile: "fog.yaml", dataset: "/srv/farm/fog", frameCount: 16,
                framesCommitted: 8, shardsDone: 1, shardsFailed: 1, message: "shard 1 failed 4 times: GL out of memory"),
        ],
        workers: [
            WorkerStatus(
                id: "gpu-a", address: "10.0.0.7:51234", renderer: "gl45-egl", gpuName: "NVIDIA H200", cores: 16,
                connectedSeconds: 120.5, leases: [41, 42], framesCommitted: 600, failures: 1),
            WorkerStatus(
                id: "cpu-b", address: "127.0.0.1:40000", renderer: "llvmpipe", cores: 2, connectedSeconds: 3,
                failures: 5, blocklisted: true, draining: true),
        ])
}

final class FarmStatusJSONTests: XCTestCase {
    func testJSONRoundTrips() throws {
        let status = sampleFarmStatus()
        XCTAssertEqual(try FarmStatus.decode(json: status.json()), status)
        let empty = FarmStatus(coordinator: status.coordinator)
        XCTAssertEqual(try FarmStatus.decode(json: empty.json()), empty)
    }

    func testKeysAreSnakeCaseAndComplete() throws {
        let object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(sampleFarmStatus().json().utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["coordinator", "jobs", "workers"])
        let coordinator = try XCTUnwrap(object["coordinator"] as? [String: Any])
        XCTAssertEqual(
            Set(coordinator.keys), ["version", "listen_address", "data_root", "started", "uptime_seconds", "draining"])
        let job = try XCTUnwrap((object["jobs"] as? [[String: Any]])?.first)
        XCTAssertEqual(
            Set(job.keys),
            [
                "id", "state", "scene_file", "dataset", "frame_count", "frames_committed", "shards_queued",
                "shards_leased", "shards_done", "shards_failed", "frames_per_second", "eta_seconds", "message",
            ])
        let worker = try XCTUnwrap((object["workers"] as? [[String: Any]])?.last)
        XCTAssertEqual(
            Set(worker.keys),
            [
                "id", "address", "renderer", "gpu_name", "cores", "connected_seconds", "leases", "frames_committed",
                "failures", "blocklisted", "draining",
            ])
        // Absent optionals are written as null, not left out.
        XCTAssertTrue(job["message"] is NSNull)
        XCTAssertTrue(worker["gpu_name"] is NSNull)
        XCTAssertEqual(job["frames_per_second"] as? Double, 4.25)
        XCTAssertEqual((object["workers"] as? [[String: Any]])?.first?["leases"] as? [Int], [41, 42])
    }

    func testOutputIsDeterministicWithSortedKeysAndPlainSlashes() {
        let json = sampleFarmStatus().json()
        XCTAssertEqual(json, sampleFarmStatus().json())
        XCTAssertTrue(json.contains("\"/srv/farm/city-night\""), "slashes are not escaped")
        let order = [
            "\"coordinator\"", "\"data_root\"", "\"draining\"", "\"listen_address\"", "\"jobs\"", "\"workers\"",
        ]
        let positions = order.map { json.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil))
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "keys are sorted")
        XCTAssertTrue(json.contains("\n  \"jobs\" : ["), "pretty printed")
    }

    func testNonFiniteNumbersStillEncode() throws {
        var status = sampleFarmStatus()
        status.jobs[0].framesPerSecond = .infinity
        status.jobs[0].etaSeconds = -.infinity
        XCTAssertEqual(try FarmStatus.decode(json: status.json()), status)
        status.jobs[0].framesPerSecond = .nan
        let decoded = try FarmStatus.decode(json: status.json())
        XCTAssertTrue(decoded.jobs[0].framesPerSecond.isNaN)
    }

    func testDecodeRejectsWhatIsNotAStatus() {
        XCTAssertThrowsError(try FarmStatus.decode(json: "not json"))
        XCTAssertThrowsError(try FarmStatus.decode(json: "{\"jobs\": [], \"workers\": []}"), "coordinator missing")
        XCTAssertThrowsError(try FarmStatus.decode(json: "{\"coordinator\": {\"version\": 1}}"))
    }
}

final class FarmStatusTextTests: XCTestCase {
    func testTablesShowJobsAndWorkers() {
        let expected = """
            coordinator 0.1.0  listening 0.0.0.0:7070  data /srv/farm  up 1:02:05

            JOB         STATE              FRAMES  FRAMES/S      ETA  SHARDS Q/L/D/F
            city-night  running  999/1000 (99.9%)       4.2  0:00:00  0/1/124/0
            fog         failed       8/16 (50.0%)       0.0        -  0/0/1/1
            fog: shard 1 failed 4 times: GL out of memory

            WORKER  ADDRESS          RENDERER                CORES  LEASES  FRAMES  FAILURES  FLAGS
            gpu-a   10.0.0.7:51234   gl45-egl (NVIDIA H200)     16  41,42      600         1  -
            cpu-b   127.0.0.1:40000  llvmpipe                    2  -            0         5  blocklisted,draining

            """
        XCTAssertEqual(sampleFarmStatus().renderText(), expected)
    }

    func testEmptyFarmAndDraining() {
        var status = FarmStatus(coordinator: sampleFarmStatus().coordinator)
        status.coordinator.draining = true
        status.coordinator.uptimeSeconds = 5
        XCTAssertEqual(
            status.renderText(),
            "coordinator 0.1.0  listening 0.0.0.0:7070  data /srv/farm  up 0:00:05  DRAINING\n\nno jobs\n\nno workers\n"
        )
    }

    func testDurations() {
        XCTAssertEqual(FarmStatus.formatDuration(0), "0:00:00")
        XCTAssertEqual(FarmStatus.formatDuration(59.4), "0:00:59")
        XCTAssertEqual(FarmStatus.formatDuration(59.6), "0:01:00")
        XCTAssertEqual(FarmStatus.formatDuration(3725), "1:02:05")
        XCTAssertEqual(FarmStatus.formatDuration(360_000), "100:00:00")
        for unknown: Double? in [nil, -1, .nan, .infinity, 1e300] {
            XCTAssertEqual(FarmStatus.formatDuration(unknown), "-", "\(String(describing: unknown))")
        }
    }

    func testProgressRoundsDown() {
        XCTAssertEqual(FarmStatus.formatProgress(999, of: 1000), "999/1000 (99.9%)")
        XCTAssertEqual(FarmStatus.formatProgress(9999, of: 10000), "9999/10000 (99.9%)")
        XCTAssertEqual(FarmStatus.formatProgress(1000, of: 1000), "1000/1000 (100.0%)")
        XCTAssertEqual(FarmStatus.formatProgress(1, of: 3), "1/3 (33.3%)")
        XCTAssertEqual(FarmStatus.formatProgress(0, of: 0), "0/0")
    }

    func testRates() {
        XCTAssertEqual(FarmStatus.formatRate(0), "0.0")
        XCTAssertEqual(FarmStatus.formatRate(12.34), "12.3")
        XCTAssertEqual(FarmStatus.formatRate(.nan), "-")
    }
}

final class RateEstimatorTests: XCTestCase {
    func testNoSamplesAndOneSampleGiveNoRate() {
        var rate = RateEstimator()
        XCTAssertEqual(rate.framesPerSecond(at: 100), 0)
        XCTAssertNil(rate.etaSeconds(remaining: 10, at: 100))
        XCTAssertEqual(rate.etaSeconds(remaining: 0, at: 100), 0, "nothing left: done now")
        rate.record(committed: 5, at: 100)
        XCTAssertEqual(rate.framesPerSecond(at: 100), 0)
        XCTAssertEqual(rate.framesPerSecond(at: 104), 0)
        XCTAssertNil(rate.etaSeconds(remaining: 10, at: 104))
    }

    func testSteadyRateAndETA() {
        var rate = RateEstimator(window: 10)
        for second in 0...30 { rate.record(committed: 5 * second, at: 1000 + Double(second)) }
        XCTAssertEqual(rate.framesPerSecond(at: 1030), 5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(rate.etaSeconds(remaining: 50, at: 1030)), 10, accuracy: 1e-9)
    }

    func testYoungerThanTheWindowUsesTheTimeSinceTheFirstSample() {
        var rate = RateEstimator(window: 10)
        rate.record(committed: 0, at: 0)
        rate.record(committed: 10, at: 2)
        XCTAssertEqual(rate.framesPerSecond(at: 2), 5, accuracy: 1e-9)
        XCTAssertEqual(rate.framesPerSecond(at: 4), 2.5, accuracy: 1e-9, "no commits for 2 s of the 4")
    }

    func testStallDecaysToZeroAndETABecomesUnknown() throws {
        var rate = RateEstimator(window: 10)
        rate.record(committed: 0, at: 0)
        rate.record(committed: 100, at: 10)
        XCTAssertEqual(rate.framesPerSecond(at: 10), 10, accuracy: 1e-9)
        // Half the window has no commits: 50 frames (interpolated) in the last 10 s.
        XCTAssertEqual(rate.framesPerSecond(at: 15), 5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(rate.etaSeconds(remaining: 20, at: 15)), 4, accuracy: 1e-9)
        XCTAssertEqual(rate.framesPerSecond(at: 20), 0)
        XCTAssertNil(rate.etaSeconds(remaining: 20, at: 20))
        XCTAssertEqual(rate.framesPerSecond(at: 500), 0)
        // Progress resumes.
        rate.record(committed: 100, at: 500)
        rate.record(committed: 130, at: 503)
        XCTAssertEqual(rate.framesPerSecond(at: 503), 3, accuracy: 1e-9)
    }

    func testOutOfOrderSamplesAreIgnoredAndSameTimeReplaces() {
        var rate = RateEstimator(window: 10)
        rate.record(committed: 0, at: 0)
        rate.record(committed: 20, at: 4)
        rate.record(committed: 999, at: 3)
        XCTAssertEqual(rate.samples.map(\.committed), [0, 20])
        rate.record(committed: 40, at: 4)
        XCTAssertEqual(rate.samples.map(\.committed), [0, 40])
        XCTAssertEqual(rate.framesPerSecond(at: 4), 10, accuracy: 1e-9)
    }

    func testACountThatGoesDownStartsOver() {
        var rate = RateEstimator(window: 10)
        rate.record(committed: 0, at: 0)
        rate.record(committed: 50, at: 5)
        rate.record(committed: 10, at: 6)
        XCTAssertEqual(rate.samples, [RateEstimator.Sample(time: 6, committed: 10)])
        XCTAssertEqual(rate.framesPerSecond(at: 7), 0)
        rate.record(committed: 12, at: 7)
        XCTAssertEqual(rate.framesPerSecond(at: 7), 2, accuracy: 1e-9)
    }

    func testOldSamplesArePrunedButTheWindowStartIsKept() {
        var rate = RateEstimator(window: 10)
        for i in 0..<1000 { rate.record(committed: i, at: Double(i) / 4) }
        XCTAssertLessThanOrEqual(rate.samples.count, 42)
        XCTAssertLessThanOrEqual(rate.samples[0].time, rate.samples[rate.samples.count - 1].time - 10)
        XCTAssertEqual(rate.framesPerSecond(at: 999.0 / 4), 4, accuracy: 1e-9)
    }

    func testNonFiniteTimesAreIgnored() {
        var rate = RateEstimator()
        rate.record(committed: 1, at: .nan)
        rate.record(committed: 1, at: .infinity)
        XCTAssertTrue(rate.samples.isEmpty)
        rate.record(committed: 1, at: 0)
        XCTAssertEqual(rate.framesPerSecond(at: .nan), 0)
    }
}

// farm-bench: the coordinator's throughput, commit latency, memory and CPU under many simulated
// workers on loopback TCP (see BenchOptions.usage, and docs/PROTOCOL.md for the session the
// workers follow).
//
//   swift build -c release --product farm-bench
//   .build/release/farm-bench --frames 20000 --workers 200
//   .build/release/farm-bench --workers 1 --json
//
// A benchmark, not a test: it prints figures. It still checks what it can (every frame committed
// once, in the journal and on disk; no revoked lease, requeue or duplicate) and exits non-zero
// when a check fails.

import Foundation

do {
    let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
    let progress: (String) -> Void = { line in
        FileHandle.standardError.write(Data(("farm-bench: " + line + "\n").utf8))
    }
    let report = try FarmBench.run(options, progress: progress)
    print(options.json ? report.json() : report.text())
    exit(report.passed ? 0 : report.dataset.jobState == "complete" ? 2 : 1)
} catch let error as BenchError {
    if error.exitStatus == 0 {
        print(BenchOptions.usage)
        exit(0)
    }
    FileHandle.standardError.write(Data("farm-bench: error: \(error)\n".utf8))
    exit(error.exitStatus)
} catch {
    FileHandle.standardError.write(Data("farm-bench: error: \(error)\n".utf8))
    exit(1)
}

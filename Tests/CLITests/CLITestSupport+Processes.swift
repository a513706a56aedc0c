import Foundation
import XCTest

extension CLI {
    /// Runs any program (e.g. `xvfb-run` around the binary) to its end, capturing what it prints.
    static func runProgram(_ path: String, _ arguments: [String]) throws -> CLIResult {
        let running = try start(path, arguments, in: repoRoot)
        let status = try running.waitForExit()
        return CLIResult(status: status, stdout: running.stdout, stderr: running.stderr)
    }

    /// Starts a program whose output a test watches while it runs (a preview window).
    static func start(_ path: String, _ arguments: [String], in directory: URL) throws -> RunningProgram {
        try RunningProgram(path: path, arguments: arguments, directory: directory)
    }
}

/// A program running in the background, its output captured into files that can be read at any time.
final class RunningProgram {
    /// How long a wait for output or exit may take before the test fails (a hang, not a slow machine).
    static let patience = 300.0

    private let process = Process()
    private let outURL: URL
    private let errURL: URL

    init(path: String, arguments: [String], directory: URL) throws {
        let tag = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        outURL = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-program-out-\(tag)")
        errURL = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-program-err-\(tag)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }

    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
    var output: String { stdout + stderr }
    var isRunning: Bool { process.isRunning }

    /// Waits until standard output or error contains `text`; fails if the program exits first.
    func waitForOutput(containing text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(Self.patience)
        while !output.contains(text) {
            guard process.isRunning else {
                XCTFail(
                    "exited (\(process.terminationStatus)) before printing `\(text)`:\n\(output)", file: file,
                    line: line)
                throw CLITestFailure()
            }
            guard Date() < deadline else {
                XCTFail("no `\(text)` after \(Int(Self.patience)) s:\n\(output)", file: file, line: line)
                throw CLITestFailure()
            }
            usleep(100_000)
        }
    }

    /// Waits for the program to end and returns its exit status.
    func waitForExit(file: StaticString = #filePath, line: UInt = #line) throws -> Int32 {
        let deadline = Date().addingTimeInterval(Self.patience)
        while process.isRunning {
            guard Date() < deadline else {
                XCTFail("still running after \(Int(Self.patience)) s:\n\(output)", file: file, line: line)
                stop()
                throw CLITestFailure()
            }
            usleep(100_000)
        }
        return process.terminationStatus
    }

    /// Ends the program if it is still running.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Thrown after an XCTFail that already says what went wrong, to end the test there.
struct CLITestFailure: Error {}

import Foundation
import XCTest

/// Runs the built `scenefarm` binary as a user would and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `scenefarm` executable next to the test bundle (SwiftPM builds every product).
    static var binary: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("scenefarm"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("scenefarm"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    static func scene(_ name: String) -> String { repoRoot.appendingPathComponent("scenes/\(name)").path }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repoRoot
        // Capture into files: no pipe can fill up and block the child.
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("scenefarm-cli-out-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        let errURL = dir.appendingPathComponent("scenefarm-cli-err-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CLIResult(
            status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scenefarm-cli-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every regular file under `directory`, relative path → contents; the farm's journal
    /// (`.scenefarm/`) is bookkeeping, not dataset, and is left out.
    static func files(under directory: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = directory.standardizedFileURL.path
        let e = FileManager.default.enumerator(atPath: base)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = base + "/" + rel
            if rel == ".scenefarm" || rel.hasPrefix(".scenefarm/") { continue }
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return out
    }
}

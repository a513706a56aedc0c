import Foundation
import SceneCore

/// Progress on standard error: a redrawn bar on a terminal, plain lines otherwise (logs, CI).
final class ProgressReporter: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let isTerminal: Bool
    private let start = monotonicSeconds()
    private var lastPrint = 0.0
    private var lastDone = 0
    private let lock = NSLock()

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = monotonicSeconds()
        let finished = done >= total
        // Terminal: redraw at most 10 times a second. Plain: a line every 5 s and at the end.
        let interval = isTerminal ? 0.1 : 5.0
        guard finished || now - lastPrint >= interval, done != lastDone || finished else { return }
        lastPrint = now
        lastDone = done
        let elapsed = now - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if isTerminal {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(
                format: "\r%@ [%@] %d/%d  %.1f frames/s  ETA %@ ", label, bar, done, total, rate, Self.duration(eta))
            FileHandle.standardError.write(Data(line.utf8))
            if finished { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            printError(
                String(format: "%@: %d/%d frames (%.1f frames/s, ETA %@)", label, done, total, rate, Self.duration(eta))
            )
        }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
    }
}

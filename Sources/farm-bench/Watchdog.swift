// A watchdog for the bench's own main thread. The main thread calls into the coordinator
// (`isIdle`, `committedFrames`, `shutdown`, the server's `close`), and each of those takes the
// coordinator's lock or waits for its event loops: if the coordinator deadlocks, the main
// thread blocks forever and no timeout of its own can fire. The watchdog runs on a thread of its
// own and ends the process with a message naming what the main thread was doing.

import Foundation

/// Ends the process (exit status 1) when the main thread does not re-arm it in time.
final class Watchdog: @unchecked Sendable {
    // @unchecked: the fields are touched under `lock`.
    private let lock = NSLock()
    private var deadline: Double?
    private var activity = ""
    private var detail: @Sendable () -> String = { "" }

    /// Starts the watchdog's thread (it checks twice a second; nothing is armed yet).
    init() {
        let thread = Thread { [self] in
            while true {
                usleep(500_000)
                check()
            }
        }
        thread.name = "farm-bench-watchdog"
        thread.start()
    }

    /// Arms the watchdog: unless re-armed or disarmed within `seconds`, it prints that `activity`
    /// did not finish, then `detail()`, and exits.
    func expect(within seconds: Double, _ activity: String, detail: @escaping @Sendable () -> String = { "" }) {
        lock.withLock {
            deadline = monotonicNow() + seconds
            self.activity = activity
            self.detail = detail
        }
    }

    func disarm() { lock.withLock { deadline = nil } }

    private func check() {
        let expired: (String, () -> String)? = lock.withLock {
            guard let deadline, monotonicNow() > deadline else { return nil }
            return (activity, detail)
        }
        guard let (activity, detail) = expired else { return }
        let extra = detail()
        FileHandle.standardError.write(
            Data(
                ("farm-bench: error: \(activity) did not finish in time: the main thread is blocked in a call into "
                    + "the coordinator, whose lock or event loops never came free (a deadlock?)"
                    + (extra.isEmpty ? "" : "; \(extra)") + "\n").utf8))
        exit(1)
    }
}

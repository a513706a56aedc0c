import Foundation

/// A fixed set of threads running commit work (checksum checks, file writes, exports, journal
/// rows) off the event loops. Work runs in submission order per thread pick-up; the pool does
/// not bound its queue itself: the coordinator stops leasing to a worker whose uncommitted
/// frames reach a bound, and to everyone when the pool's backlog does, so the queue stays small.
final class CommitPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() -> Void] = []
    private var head = 0
    private var closed = false
    private var running = 0
    private var threads: [Thread] = []

    init(threads count: Int, name: String) {
        for n in 0..<max(1, count) {
            let threadName = "\(name)-\(n)"
            // Named from inside: on Linux a name set before `start()` does not reach the OS thread.
            let thread = Thread { [self] in
                Thread.current.name = threadName
                self.loop()
            }
            thread.stackSize = 4 << 20
            threads.append(thread)
            thread.start()
        }
    }

    /// Queues `body` for a pool thread. After `close()`, work is dropped.
    func submit(_ body: @escaping () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        work.append(body)
        condition.signal()
    }

    /// Work queued or running.
    var pending: Int {
        condition.lock()
        defer { condition.unlock() }
        return work.count - head + running
    }

    /// Blocks until everything queued so far has run, then stops the threads.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while work.count - head + running > 0 { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == work.count && !closed { condition.wait() }
            if head == work.count && closed {
                condition.broadcast()
                condition.unlock()
                return
            }
            let body = work[head]
            head += 1
            if head > 1024 && head * 2 > work.count {
                work.removeFirst(head)
                head = 0
            }
            running += 1
            condition.unlock()
            body()
            condition.lock()
            running -= 1
            condition.broadcast()
            condition.unlock()
        }
    }
}

import Foundation

/// A fixed set of threads running commit work (checksum checks, file writes, exports, journal
/// rows) off the event loops. Work runs in submission order per thread pick-up; the pool does
/// not bound its queue: the farm bounds what can be in flight (frames per lease, leases per
/// worker), so the queue cannot outgrow that.
final class CommitPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() -> Void] = []
    private var head = 0
    private var closed = false
    private var running = 0
    private var threads: [Thread] = []

    init(threads count: Int, name: String) {
        for n in 0..<max(1, count) {
            let thread = Thread { [self] in self.loop() }
            thread.name = "\(name)-\(n)"
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

import Foundation

/// A blocking FIFO with a capacity, for handing frames between pipeline threads.
/// `close()` wakes every waiter: producers then fail, consumers drain what is left and get nil.
final class BoundedQueue<Element>: @unchecked Sendable {
    /// A ring of `capacity` slots; a popped slot is set to nil at once so the queue never keeps a
    /// frame (megabytes) alive after handing it out.
    private var slots: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false
    private let condition = NSCondition()

    init(capacity: Int) {
        precondition(capacity >= 1, "capacity must be at least 1")
        slots = [Element?](repeating: nil, count: capacity)
    }

    /// Appends, waiting while the queue is full. Returns false when the queue was closed.
    @discardableResult
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == slots.count && !closed { condition.wait() }
        guard !closed else { return false }
        slots[(head + count) % slots.count] = item
        count += 1
        condition.broadcast()
        return true
    }

    /// Removes the oldest element, waiting while empty. Returns nil once closed and drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        guard count > 0 else { return nil }
        let item = slots[head]
        slots[head] = nil
        head = (head + 1) % slots.count
        count -= 1
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

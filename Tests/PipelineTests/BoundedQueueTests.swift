import XCTest

@testable import FramePipeline

final class BoundedQueueTests: XCTestCase {
    final class Payload {}

    /// A popped element is no longer referenced by the queue: memory stays flat however many frames
    /// pass through (the queue once kept up to 64 popped frames alive).
    func testPoppedElementsAreReleased() {
        let queue = BoundedQueue<Payload>(capacity: 3)
        weak var seen: Payload?
        for round in 0..<200 {
            do {
                let p = Payload()
                if round == 100 { seen = p }
                XCTAssertTrue(queue.push(p))
                XCTAssertNotNil(queue.pop())
            }
            if round >= 100 { XCTAssertNil(seen, "round \(round): a popped element is still alive") }
        }
    }

    func testFIFOAcrossWrapAroundAndClose() {
        let queue = BoundedQueue<Int>(capacity: 2)
        var out: [Int] = []
        for i in 0..<7 {
            queue.push(i)
            if i % 2 == 1 {
                out.append(queue.pop()!)
                out.append(queue.pop()!)
            }
        }
        queue.close()
        out.append(queue.pop()!)
        XCTAssertNil(queue.pop())
        XCTAssertFalse(queue.push(9), "a closed queue refuses new elements")
        XCTAssertEqual(out, Array(0..<7))
    }

    func testProducerBlocksWhileFull() {
        let queue = BoundedQueue<Int>(capacity: 1)
        queue.push(1)
        let pushed = expectation(description: "second push completes after a pop")
        Thread.detachNewThread {
            queue.push(2)
            pushed.fulfill()
        }
        usleep(50_000)
        XCTAssertEqual(queue.pop(), 1)
        wait(for: [pushed], timeout: 5)
        XCTAssertEqual(queue.pop(), 2)
    }
}

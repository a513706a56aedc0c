import XCTest

@testable import Render

/// The eviction policy of resident meshes and textures, without GL.
final class ResidentSetTests: XCTestCase {
    func testLeastRecentlyUsedGoFirstWhenOverBudget() {
        var set = ResidentSet<Int>(budgetBytes: 300, maxIdleFrames: 1000)
        set.insert("a", 1, bytes: 100, frame: 1)
        set.insert("b", 2, bytes: 100, frame: 2)
        set.insert("c", 3, bytes: 100, frame: 3)
        XCTAssertEqual(set.evict(frame: 3), [], "at the budget, nothing goes")
        XCTAssertEqual(set.use("a", frame: 4), 1)
        set.insert("d", 4, bytes: 100, frame: 4)
        XCTAssertEqual(set.evict(frame: 4), [2], "b was used longest ago")
        XCTAssertEqual(set.bytes, 300)
        XCTAssertNil(set.use("b", frame: 5))
        XCTAssertEqual(set.evictions, 1)
        XCTAssertEqual(set.insertions, 4)
    }

    func testTheCurrentFrameKeepsWhatItUsesEvenOverBudget() {
        var set = ResidentSet<Int>(budgetBytes: 150, maxIdleFrames: 1000)
        set.insert("old", 0, bytes: 100, frame: 1)
        set.insert("x", 1, bytes: 100, frame: 2)
        set.insert("y", 2, bytes: 100, frame: 2)
        XCTAssertEqual(set.evict(frame: 2), [0], "only what frame 2 does not use can go")
        XCTAssertEqual(set.count, 2)
        XCTAssertEqual(set.bytes, 200)
    }

    func testIdleEntriesGoUnderBudgetAndTiesBreakByKey() {
        var set = ResidentSet<String>(budgetBytes: 1 << 20, maxIdleFrames: 3)
        set.insert("b", "b", bytes: 1, frame: 1)
        set.insert("a", "a", bytes: 1, frame: 1)
        set.insert("c", "c", bytes: 1, frame: 2)
        XCTAssertEqual(set.evict(frame: 4), [], "idle for 3 frames is still allowed")
        XCTAssertEqual(set.evict(frame: 5), ["a", "b"])
        XCTAssertEqual(set.evict(frame: 6), ["c"])
        XCTAssertEqual(set.count, 0)
        XCTAssertEqual(set.bytes, 0)
    }

    func testReinsertingAKeyReplacesItsBytes() {
        var set = ResidentSet<Int>(budgetBytes: 1000, maxIdleFrames: 10)
        set.insert("a", 1, bytes: 100, frame: 1)
        set.insert("a", 2, bytes: 40, frame: 2)
        XCTAssertEqual(set.bytes, 40)
        XCTAssertEqual(set.peek("a"), 2)
    }
}

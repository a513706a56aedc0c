import XCTest
final class PlaceholderSceneCoreTests: XCTestCase { func testNothing() {} }

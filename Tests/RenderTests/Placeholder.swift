import XCTest
final class PlaceholderRenderTests: XCTestCase { func testNothing() {} }

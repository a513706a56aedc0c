import XCTest
final class PlaceholderLabelsTests: XCTestCase { func testNothing() {} }

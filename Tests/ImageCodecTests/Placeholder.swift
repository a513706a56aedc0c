import XCTest
final class PlaceholderImageCodecTests: XCTestCase { func testNothing() {} }

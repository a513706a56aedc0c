import Foundation
import XCTest

@testable import FarmProtocol

final class FarmAuthenticationTests: XCTestCase {
    func testHMACMatchesRFC4231Case2() throws {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let token = try FarmToken(bytes: Array("Jefe".utf8))
        let code = FarmAuthentication.authenticationCode(
            token: token, nonce: Array("what do ya want for nothing?".utf8))
        let hex = code.map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testAcceptAndReject() throws {
        let token = try FarmToken(bytes: Array("s3cret".utf8))
        let other = try FarmToken(bytes: Array("s3creT".utf8))
        let nonce = FarmAuthentication.makeNonce()
        XCTAssertEqual(nonce.count, 32)
        XCTAssertNotEqual(nonce, FarmAuthentication.makeNonce())
        let code = FarmAuthentication.authenticationCode(token: token, nonce: nonce)
        XCTAssertTrue(FarmAuthentication.isValid(code: code, token: token, nonce: nonce))
        XCTAssertFalse(FarmAuthentication.isValid(code: code, token: other, nonce: nonce))
        XCTAssertFalse(FarmAuthentication.isValid(code: code, token: token, nonce: FarmAuthentication.makeNonce()))
        var flipped = code
        flipped[31] ^= 1
        XCTAssertFalse(FarmAuthentication.isValid(code: flipped, token: token, nonce: nonce))
        XCTAssertFalse(FarmAuthentication.isValid(code: Array(code.prefix(16)), token: token, nonce: nonce))
        XCTAssertFalse(FarmAuthentication.isValid(code: [], token: token, nonce: nonce))
    }

    /// A generated token written to a token file reads back as itself, every time (a raw random
    /// token ending in a newline byte would be trimmed and fail the handshake once in ~128 runs).
    func testGeneratedTokensSurviveATokenFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("farm-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("token").path
        var seen = Set<[UInt8]>()
        for _ in 0..<2000 {
            let token = FarmAuthentication.makeToken()
            XCTAssertEqual(token.count, 64)
            seen.insert(token)
            try Data(token).write(to: URL(fileURLWithPath: path))
            let read = try FarmToken(contentsOfFile: path)
            XCTAssertEqual(read.bytes, token)
            let nonce = FarmAuthentication.makeNonce()
            let code = FarmAuthentication.authenticationCode(token: read, nonce: nonce)
            XCTAssertTrue(FarmAuthentication.isValid(code: code, token: try FarmToken(bytes: token), nonce: nonce))
        }
        XCTAssertEqual(seen.count, 2000)
    }

    func testTokenFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("farm-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("token").path
        try Data("abc\r\n".utf8).write(to: URL(fileURLWithPath: good))
        XCTAssertEqual(try FarmToken(contentsOfFile: good).bytes, Array("abc".utf8))

        let empty = dir.appendingPathComponent("empty").path
        try Data("\n".utf8).write(to: URL(fileURLWithPath: empty))
        XCTAssertThrowsError(try FarmToken(contentsOfFile: empty)) {
            XCTAssertEqual("\($0)", "\(empty): the token file is empty")
        }
        let missing = dir.appendingPathComponent("missing").path
        XCTAssertThrowsError(try FarmToken(contentsOfFile: missing)) {
            XCTAssertTrue("\($0)".hasPrefix(missing + ": cannot read the token file"), "\($0)")
        }
        XCTAssertThrowsError(try FarmToken(bytes: []))
    }

    func testSHA256Hex() {
        XCTAssertEqual(
            FarmAuthentication.sha256Hex(Array("abc".utf8)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

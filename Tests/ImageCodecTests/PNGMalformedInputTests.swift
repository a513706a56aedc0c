import ImageCodec
import XCTest

/// Hostile input must throw `PNGError`, never crash or read out of bounds
/// (libpng's longjmp never crosses into Swift; reads are bounds-checked in C).
final class PNGMalformedInputTests: XCTestCase {
    /// A small but real encoder output, several IDAT bytes long.
    private func samplePNG() throws -> [UInt8] {
        try PNGEncoder.encodeRGB8(randomBytes(9 * 7 * 3, seed: 3), width: 9, height: 7)
    }

    private func assertThrowsPNGError(
        _ bytes: [UInt8], _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try PNGDecoder.decode(bytes), message(), file: file, line: line) { error in
            XCTAssertTrue(error is PNGError, "\(type(of: error)): \(error)", file: file, line: line)
        }
    }

    func testEmptyInputThrows() {
        assertThrowsPNGError([])
    }

    func testSignatureOnlyThrows() {
        assertThrowsPNGError(PNGBytes.signature)
    }

    func testRandomBytesThrow() {
        for seed in 1...50 {
            assertThrowsPNGError(randomBytes(Int(seed) * 37, seed: UInt64(seed)), "seed \(seed)")
            // Random data behind a valid signature reaches libpng's chunk parser.
            assertThrowsPNGError(PNGBytes.signature + randomBytes(Int(seed) * 37, seed: UInt64(seed)), "seed \(seed)")
        }
    }

    func testEveryTruncationThrows() throws {
        let png = try samplePNG()
        XCTAssertNoThrow(try PNGDecoder.decode(png))
        for length in 0..<png.count {
            assertThrowsPNGError(Array(png.prefix(length)), "truncated to \(length) of \(png.count) bytes")
        }
    }

    func testCorruptedIDATCRCThrows() throws {
        var png = try samplePNG()
        let idat = try XCTUnwrap(PNGBytes.chunks(png).first { $0.type == "IDAT" })
        png[idat.crcOffset] ^= 0x01
        assertThrowsPNGError(png)
    }

    func testCorruptedIDATDataThrows() throws {
        var png = try samplePNG()
        let idat = try XCTUnwrap(PNGBytes.chunks(png).first { $0.type == "IDAT" })
        png[idat.dataOffset + idat.data.count / 2] ^= 0x5A
        assertThrowsPNGError(png, "data changed, CRC stale")
        // Same damage with a recomputed CRC: zlib (or its Adler-32 check) must reject it.
        let fixedCRC = PNGBytes.crc32(Array("IDAT".utf8) + png[idat.dataOffset..<idat.crcOffset])
        png.replaceSubrange(idat.crcOffset..<(idat.crcOffset + 4), with: PNGBytes.bigEndian(fixedCRC))
        assertThrowsPNGError(png, "data changed, CRC valid")
    }

    func testCorruptedIHDRThrows() throws {
        var png = try samplePNG()
        png[16 + 8] = 7  // bit depth 7 (the CRC is now also wrong)
        assertThrowsPNGError(png)
    }

    func testMissingIENDThrows() throws {
        let png = try samplePNG()
        let iend = try XCTUnwrap(PNGBytes.chunks(png).last)
        XCTAssertEqual(iend.type, "IEND")
        assertThrowsPNGError(Array(png[..<iend.offset]))
    }

    func testHugeDimensionsAreRejectedBeforeAllocating() {
        // 100000 x 100000 8-bit gray = 10 GB decoded, from a few dozen bytes.
        let png = PNGBytes.make(width: 100_000, height: 100_000, bitDepth: 8, colorType: 0, scanlines: [0, 0, 0])
        XCTAssertThrowsError(try PNGDecoder.decode(png)) { error in
            let message = (error as? PNGError)?.message ?? ""
            XCTAssertTrue(message.contains("100000x100000") && message.contains("too large"), message)
        }
    }

    func testImagesJustOverTheLimitAreRejected() {
        // 16384 x 8193 RGBA16 = 8 bytes/pixel -> just over 1 GiB.
        let png = PNGBytes.make(width: 16384, height: 8193, bitDepth: 16, colorType: 6, scanlines: [0])
        XCTAssertThrowsError(try PNGDecoder.decode(png)) { error in
            XCTAssertTrue((error as? PNGError)?.message.contains("too large") == true, "\(error)")
        }
        // Palette images count as RGB after expansion: 32768 x 16385 x 3 > 1 GiB.
        let palette =
            PNGBytes.signature + PNGBytes.ihdr(width: 32768, height: 16385, bitDepth: 8, colorType: 3)
            + PNGBytes.chunk("PLTE", [0, 0, 0]) + PNGBytes.chunk("IDAT", PNGBytes.storedZlib([0]))
            + PNGBytes.chunk("IEND", [])
        XCTAssertThrowsError(try PNGDecoder.decode(palette)) { error in
            XCTAssertTrue((error as? PNGError)?.message.contains("too large") == true, "\(error)")
        }
    }

    func testZeroWidthHeaderThrows() {
        assertThrowsPNGError(PNGBytes.make(width: 0, height: 1, bitDepth: 8, colorType: 0, scanlines: [0]))
    }

    func testTooFewScanlinesThrows() {
        // 4x4 gray header but only two rows of data.
        assertThrowsPNGError(
            PNGBytes.make(width: 4, height: 4, bitDepth: 8, colorType: 0, scanlines: [0, 1, 2, 3, 4, 0, 5, 6, 7, 8]))
    }

    /// Flips every bit of a small PNG once. Each variant must either throw
    /// PNGError or decode to a self-consistent image; none may crash.
    func testSingleBitFlipsNeverCrash() throws {
        let png = try PNGEncoder.encodeGray8(randomBytes(5 * 4, seed: 11), width: 5, height: 4)
        var rejected = 0
        for index in png.indices {
            for bit in 0..<8 {
                var damaged = png
                damaged[index] ^= UInt8(1 << bit)
                do {
                    let decoded = try PNGDecoder.decode(damaged)
                    XCTAssertEqual(
                        decoded.samples8.count + decoded.samples16.count,
                        decoded.width * decoded.height * decoded.channels)
                } catch is PNGError {
                    rejected += 1
                }
            }
        }
        // CRCs cover every byte but the length fields, so almost every flip is caught.
        XCTAssertGreaterThan(rejected, png.count * 8 * 9 / 10)
    }
}

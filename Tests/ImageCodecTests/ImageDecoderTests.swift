import XCTest

@testable import ImageCodec

/// `ImageDecoder.decodeRGBA8` on real PNG and JPEG bytes: PNGs made by our encoder or assembled
/// chunk by chunk, JPEGs made by libjpeg(-turbo)'s compressor at test time.
final class ImageDecoderTests: XCTestCase {
    // MARK: PNG

    func testRGBPNGGetsOpaqueAlpha() throws {
        let png = try PNGEncoder.encodeRGB8([10, 20, 30, 40, 50, 60], width: 2, height: 1)
        let image = try ImageDecoder.decodeRGBA8(png)
        XCTAssertEqual([image.width, image.height], [2, 1])
        XCTAssertEqual(image.pixels, [10, 20, 30, 255, 40, 50, 60, 255])
    }

    func testGrayPNGsAreReplicatedAnd16BitIsRounded() throws {
        let gray8 = try ImageDecoder.decodeRGBA8(PNGEncoder.encodeGray8([0, 77, 255], width: 3, height: 1))
        XCTAssertEqual(gray8.pixels, [0, 0, 0, 255, 77, 77, 77, 255, 255, 255, 255, 255])
        // 16 -> 8 bits: round(v * 255 / 65535).
        let samples: [UInt16] = [0x0000, 0x0080, 0x0081, 0x8000, 0xFFFF]
        let gray16 = try ImageDecoder.decodeRGBA8(PNGEncoder.encodeGray16(samples, width: 5, height: 1))
        let expected = samples.map { UInt8((Double($0) * 255 / 65535).rounded()) }
        XCTAssertEqual(stride(from: 0, to: 20, by: 4).map { gray16.pixels[$0] }, expected)
        XCTAssertEqual(expected, [0, 0, 1, 128, 255])
    }

    func testRGBAGrayAlphaAnd16BitRGBPNGs() throws {
        // Color type 6 (RGBA), 8 bit; filter byte 0 per row.
        let rgba = PNGBytes.make(
            width: 2, height: 1, bitDepth: 8, colorType: 6, scanlines: [0, 1, 2, 3, 4, 250, 251, 252, 0])
        XCTAssertEqual(try ImageDecoder.decodeRGBA8(rgba).pixels, [1, 2, 3, 4, 250, 251, 252, 0])
        // Color type 4 (gray + alpha).
        let grayAlpha = PNGBytes.make(width: 2, height: 1, bitDepth: 8, colorType: 4, scanlines: [0, 9, 200, 99, 7])
        XCTAssertEqual(try ImageDecoder.decodeRGBA8(grayAlpha).pixels, [9, 9, 9, 200, 99, 99, 99, 7])
        // Color type 2 (RGB), 16 bit, big-endian samples.
        let rgb16 = PNGBytes.make(
            width: 1, height: 1, bitDepth: 16, colorType: 2, scanlines: [0, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x81])
        XCTAssertEqual(try ImageDecoder.decodeRGBA8(rgb16).pixels, [255, 128, 1, 255])
    }

    func testPalettePNGWithTransparencyBecomesRGBA() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let png =
            PNGBytes.signature + PNGBytes.ihdr(width: 3, height: 1, bitDepth: 8, colorType: 3)
            + PNGBytes.chunk("PLTE", palette) + PNGBytes.chunk("tRNS", [255, 128])
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib([0, 2, 1, 0])) + PNGBytes.chunk("IEND", [])
        let image = try ImageDecoder.decodeRGBA8(png)
        XCTAssertEqual(image.pixels, [0, 0, 255, 255, 0, 255, 0, 128, 255, 0, 0, 255])
    }

    // MARK: JPEG

    /// Four solid 8x8 blocks: one JPEG block each, so the colors come back within rounding.
    static func quadrants() -> [UInt8] {
        var rgb: [UInt8] = []
        for y in 0..<16 {
            for x in 0..<16 {
                switch (x < 8, y < 8) {
                case (true, true): rgb += [200, 30, 40]
                case (false, true): rgb += [20, 180, 60]
                case (true, false): rgb += [10, 40, 220]
                case (false, false): rgb += [240, 230, 20]
                }
            }
        }
        return rgb
    }

    func assertClose(
        _ got: [UInt8], _ expected: [UInt8], tolerance: Int, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        let worst = zip(got, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, file: file, line: line)
    }

    func testRGBJPEGRoundTrip() throws {
        let rgb = Self.quadrants()
        let jpeg = try JPEGEncoder.encode(rgb, width: 16, height: 16, layout: .rgb, quality: 95)
        let image = try ImageDecoder.decodeRGBA8(jpeg)
        XCTAssertEqual([image.width, image.height], [16, 16])
        var expected: [UInt8] = []
        for p in 0..<256 { expected += rgb[(p * 3)..<(p * 3 + 3)] + [255] }
        assertClose(image.pixels, expected, tolerance: 4)
    }

    func testGrayJPEGIsReplicated() throws {
        let gray = (0..<64).map { UInt8($0 < 32 ? 40 : 210) }  // two solid halves of one 8x8 block row
        let jpeg = try JPEGEncoder.encode(gray, width: 8, height: 8, layout: .gray, quality: 100)
        let image = try ImageDecoder.decodeRGBA8(jpeg)
        for p in 0..<64 {
            let px = Array(image.pixels[(p * 4)..<(p * 4 + 4)])
            XCTAssertEqual(px[0], px[1])
            XCTAssertEqual(px[1], px[2])
            XCTAssertEqual(px[3], 255)
        }
        assertClose(stride(from: 0, to: 256, by: 4).map { image.pixels[$0] }, gray, tolerance: 12)
    }

    /// Adobe CMYK (stored inverted, as Photoshop writes it): r = (1 - c)(1 - k).
    func testAdobeCMYKJPEGConvertsToRGB() throws {
        // c, m, y, k per 8x8 block: cyan, red, 50% black, white.
        let blocks: [[Double]] = [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0.5], [0, 0, 0, 0]]
        var stored: [UInt8] = []
        for y in 0..<16 {
            for x in 0..<16 {
                let cmyk = blocks[(y / 8) * 2 + x / 8]
                stored += cmyk.map { UInt8((255 * (1 - $0)).rounded()) }
            }
        }
        let jpeg = try JPEGEncoder.encode(stored, width: 16, height: 16, layout: .adobeCMYK, quality: 100)
        let image = try ImageDecoder.decodeRGBA8(jpeg)
        let expected: [[UInt8]] = [[0, 255, 255], [255, 0, 0], [128, 128, 128], [255, 255, 255]]
        for (b, rgb) in expected.enumerated() {
            let x = (b % 2) * 8 + 4, y = (b / 2) * 8 + 4
            let i = (y * 16 + x) * 4
            assertClose(Array(image.pixels[i..<(i + 3)]), rgb, tolerance: 4)
            XCTAssertEqual(image.pixels[i + 3], 255)
        }
    }

    // MARK: Malformed input

    func testNeitherPNGNorJPEGNamesWhatItSaw() {
        for bytes: [UInt8] in [[], Array("GIF89a....".utf8), [0xFF, 0xD8]] {
            XCTAssertThrowsError(try ImageDecoder.decodeRGBA8(bytes)) { error in
                XCTAssertTrue("\(error)".contains("neither PNG nor JPEG"), "\(error)")
            }
        }
    }

    func testEveryTruncatedJPEGThrows() throws {
        let jpeg = try JPEGEncoder.encode(Self.quadrants(), width: 16, height: 16, layout: .rgb, quality: 90)
        for n in 3..<(jpeg.count - 2) {
            XCTAssertThrowsError(try ImageDecoder.decodeRGBA8(Array(jpeg.prefix(n))), "\(n) of \(jpeg.count) bytes")
        }
    }

    /// Flipped bits anywhere give an image or an error, never a crash or an exit().
    func testCorruptJPEGsNeverCrash() throws {
        let jpeg = try JPEGEncoder.encode(Self.quadrants(), width: 16, height: 16, layout: .rgb, quality: 90)
        var failures = 0
        for position in stride(from: 2, to: jpeg.count, by: 3) {
            var bytes = jpeg
            bytes[position] ^= UInt8(1 << (position % 8))
            do {
                let image = try ImageDecoder.decodeRGBA8(bytes)
                XCTAssertEqual(image.pixels.count, image.width * image.height * 4)
            } catch {
                failures += 1
                XCTAssertFalse("\(error)".isEmpty)
            }
        }
        XCTAssertGreaterThan(failures, 0, "some flips break the stream")
    }

    func testHugeJPEGHeaderIsRejectedBeforeDecoding() throws {
        var jpeg = try JPEGEncoder.encode([UInt8](repeating: 128, count: 64), width: 8, height: 8, layout: .gray)
        // SOF0: FF C0, length (2), precision (1), height (2), width (2).
        let sof = try XCTUnwrap((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFF, 0xDC, 0xFF, 0xDC])  // 65500 x 65500
        XCTAssertThrowsError(try ImageDecoder.decodeRGBA8(jpeg)) { error in
            XCTAssertTrue("\(error)".contains("too large"), "\(error)")
        }
    }

    func testJPEGEncoderRejectsBadArguments() {
        XCTAssertThrowsError(try JPEGEncoder.encode([1, 2], width: 1, height: 1, layout: .rgb))
        XCTAssertThrowsError(try JPEGEncoder.encode([], width: 0, height: 1, layout: .gray))
        XCTAssertThrowsError(try JPEGEncoder.encode([1], width: 1, height: 1, layout: .gray, quality: 0))
    }
}

import ImageCodec
import XCTest

final class PNGRoundTripTests: XCTestCase {
    static let sizes = [(1, 1), (3, 5), (1280, 720), (1281, 719)]

    func testRGB8RoundTrip() throws {
        for (width, height) in Self.sizes {
            let rgb = randomBytes(width * height * 3, seed: UInt64(width * 31 + height))
            let png = try PNGEncoder.encodeRGB8(rgb, width: width, height: height)
            let decoded = try PNGDecoder.decode(png)
            XCTAssertEqual(decoded.width, width)
            XCTAssertEqual(decoded.height, height)
            XCTAssertEqual(decoded.channels, 3)
            XCTAssertEqual(decoded.bitDepth, 8)
            XCTAssertEqual(decoded.samples8, rgb, "\(width)x\(height)")
            XCTAssertEqual(decoded.samples16, [])
        }
    }

    func testRGBA8AsRGBDropsAlpha() throws {
        for (width, height) in Self.sizes {
            let rgba = randomBytes(width * height * 4, seed: UInt64(width * 7 + height))
            var expected: [UInt8] = []
            expected.reserveCapacity(width * height * 3)
            for pixel in 0..<(width * height) { expected += rgba[(pixel * 4)..<(pixel * 4 + 3)] }
            let png = try PNGEncoder.encodeRGBA8AsRGB(rgba, width: width, height: height)
            let decoded = try PNGDecoder.decode(png)
            XCTAssertEqual(decoded.channels, 3)
            XCTAssertEqual(decoded.bitDepth, 8)
            XCTAssertEqual(decoded.samples8, expected, "\(width)x\(height)")
        }
    }

    func testGray8RoundTrip() throws {
        for (width, height) in Self.sizes {
            let gray = randomBytes(width * height, seed: UInt64(width * 13 + height))
            let decoded = try PNGDecoder.decode(PNGEncoder.encodeGray8(gray, width: width, height: height))
            XCTAssertEqual(decoded.channels, 1)
            XCTAssertEqual(decoded.bitDepth, 8)
            XCTAssertEqual(decoded.samples8, gray, "\(width)x\(height)")
        }
    }

    func testGray16RoundTrip() throws {
        for (width, height) in Self.sizes {
            var generator = SeededGenerator(seed: UInt64(width * 17 + height))
            var gray = (0..<(width * height)).map { _ in UInt16.random(in: 0...UInt16.max, using: &generator) }
            gray[0] = 0x0102
            if gray.count > 1 { gray[1] = 65535 }
            for compression in [PNGCompression.depth, .instanceIDs] {
                let png = try PNGEncoder.encodeGray16(gray, width: width, height: height, compression: compression)
                let decoded = try PNGDecoder.decode(png)
                XCTAssertEqual(decoded.channels, 1)
                XCTAssertEqual(decoded.bitDepth, 16)
                XCTAssertEqual(decoded.samples8, [])
                XCTAssertEqual(decoded.samples16, gray, "\(width)x\(height) \(compression)")
            }
        }
    }

    func testUnsafeBufferEntryPointsMatchArrayOverloads() throws {
        let gray16: [UInt16] = [0x0102, 65535, 0, 0x8000, 1, 0xFF00]
        let viaBuffer = try gray16.withUnsafeBufferPointer { try PNGEncoder.encodeGray16($0, width: 3, height: 2) }
        XCTAssertEqual(viaBuffer, try PNGEncoder.encodeGray16(gray16, width: 3, height: 2))
        let rgb = randomBytes(3 * 2 * 3, seed: 5)
        let viaRGBBuffer = try rgb.withUnsafeBufferPointer { try PNGEncoder.encodeRGB8($0, width: 3, height: 2) }
        XCTAssertEqual(try PNGDecoder.decode(viaRGBBuffer).samples8, rgb)
    }

    /// Every engine x level x filter (x zlib strategy) combination must produce a
    /// valid, lossless PNG.
    func testAllCompressionSettingsRoundTrip() throws {
        let width = 7, height = 5
        let rgb = randomBytes(width * height * 3, seed: 99)
        let rgba = randomBytes(width * height * 4, seed: 98)
        let rgbOfRGBA = (0..<(width * height)).flatMap { rgba[($0 * 4)..<($0 * 4 + 3)] }
        let gray8 = randomBytes(width * height, seed: 97)
        let gray16 = (0..<(width * height)).map { UInt16($0 * 1871 % 65536) }
        var all: [PNGCompression] = []
        for level in 0...12 {
            for filter in PNGCompression.Filter.allCases { all.append(PNGCompression(level: level, filter: filter)) }
        }
        for level in [0, 1, 6, 9] {
            for filter in PNGCompression.Filter.allCases {
                for strategy in PNGCompression.Strategy.allCases {
                    all.append(.zlib(level: level, filter: filter, strategy: strategy, bufferSize: 1024))
                }
            }
        }
        for settings in all {
            let rgbPNG = try PNGEncoder.encodeRGB8(rgb, width: width, height: height, compression: settings)
            XCTAssertEqual(try PNGDecoder.decode(rgbPNG).samples8, rgb, "\(settings)")
            let rgbaPNG = try PNGEncoder.encodeRGBA8AsRGB(rgba, width: width, height: height, compression: settings)
            XCTAssertEqual(try PNGDecoder.decode(rgbaPNG).samples8, rgbOfRGBA, "\(settings)")
            let gray8PNG = try PNGEncoder.encodeGray8(gray8, width: width, height: height, compression: settings)
            XCTAssertEqual(try PNGDecoder.decode(gray8PNG).samples8, gray8, "\(settings)")
            let grayPNG = try PNGEncoder.encodeGray16(gray16, width: width, height: height, compression: settings)
            XCTAssertEqual(try PNGDecoder.decode(grayPNG).samples16, gray16, "\(settings)")
        }
    }

    func testPresetsUseLibdeflate() {
        for preset in [PNGCompression.rgb, .depth, .instanceIDs, .semantic] {
            XCTAssertEqual(preset.engine, .libdeflate, "\(preset)")
        }
        XCTAssertEqual(PNGCompression(level: 12, filter: .up).engine, .libdeflate)
    }

    /// Checks the bytes on disk without libpng: with zlib level 0 and filter none the
    /// IDAT payload is the raw scanlines, which must be big-endian for 16-bit gray
    /// and alpha-free for RGBA input.
    func testEncodedScanlinesAreBigEndianAndAlphaFree() throws {
        for engine in PNGCompression.Engine.allCases {
            try checkEncodedScanlinesAreBigEndianAndAlphaFree(PNGCompression(level: 0, filter: .none, engine: engine))
        }
    }

    func checkEncodedScanlinesAreBigEndianAndAlphaFree(_ stored: PNGCompression) throws {
        let gray = try PNGEncoder.encodeGray16([0x0102, 65535, 0x8000], width: 3, height: 1, compression: stored)
        XCTAssertEqual(PNGBytes.storedScanlines(gray), [0, 0x01, 0x02, 0xFF, 0xFF, 0x80, 0x00])
        let ihdr = PNGBytes.chunks(gray)[0]
        XCTAssertEqual(ihdr.type, "IHDR")
        XCTAssertEqual(Array(ihdr.data[8...9]), [16, 0], "16-bit gray")

        let rgba: [UInt8] = [1, 2, 3, 200, 4, 5, 6, 201, 7, 8, 9, 202, 10, 11, 12, 203]
        let rgb = try PNGEncoder.encodeRGBA8AsRGB(rgba, width: 2, height: 2, compression: stored)
        XCTAssertEqual(PNGBytes.storedScanlines(rgb), [0, 1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(Array(PNGBytes.chunks(rgb)[0].data[8...9]), [8, 2], "8-bit RGB")
    }

    func testPresetsCompressRealisticContent() throws {
        // A piecewise-constant ID map must compress far below its raw size.
        let width = 640, height = 360
        let ids = (0..<(width * height)).map { UInt16(($0 % width) / 80 + ($0 / width) / 90 * 8) }
        let png = try PNGEncoder.encodeGray16(ids, width: width, height: height, compression: .instanceIDs)
        XCTAssertLessThan(png.count, width * height * 2 / 20)
        XCTAssertEqual(try PNGDecoder.decode(png).samples16, ids)
    }

    func testEncoderRejectsBadArguments() {
        XCTAssertThrowsError(try PNGEncoder.encodeRGB8([1, 2, 3], width: 2, height: 1)) { error in
            XCTAssertTrue(error is PNGError)
        }
        XCTAssertThrowsError(try PNGEncoder.encodeGray8([], width: 0, height: 0))
        XCTAssertThrowsError(try PNGEncoder.encodeGray8([1], width: -1, height: -1))
        XCTAssertThrowsError(try PNGEncoder.encodeGray16([1, 2, 3], width: 2, height: 2))
        XCTAssertThrowsError(try PNGEncoder.encodeRGBA8AsRGB([1, 2, 3], width: 1, height: 1))
        XCTAssertThrowsError(
            try PNGEncoder.encodeGray8([UInt8](repeating: 0, count: 4), width: Int(Int32.max) + 1, height: 0))
    }
}

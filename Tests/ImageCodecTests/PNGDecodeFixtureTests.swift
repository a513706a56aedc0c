import Foundation
import ImageCodec
import XCTest

/// PNGs produced by an independent encoder (Python's zlib + struct; the script is
/// in the comment below), so decoding is not only checked against our own encoder.
final class PNGDecodeFixtureTests: XCTestCase {
    func testRGB8WithNoneAndSubFilters() throws {
        let decoded = try PNGDecoder.decode(Fixtures.rgb3x2)
        XCTAssertEqual(
            decoded,
            DecodedPNG(
                width: 3, height: 2, channels: 3, bitDepth: 8,
                samples8: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 250, 128, 7], samples16: []
            ))
    }

    func testGray16IsNativeEndianAfterDecode() throws {
        let decoded = try PNGDecoder.decode(Fixtures.gray16_2x2)
        XCTAssertEqual(decoded.bitDepth, 16)
        XCTAssertEqual(decoded.channels, 1)
        XCTAssertEqual(decoded.samples16, [0x0102, 0xFFFF, 0x0000, 0x8001])
        XCTAssertEqual(decoded.samples8, [])
    }

    func testPaletteExpandsToRGB() throws {
        let decoded = try PNGDecoder.decode(Fixtures.palette5x1)
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertEqual(decoded.bitDepth, 8)
        XCTAssertEqual(decoded.samples8, [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0])
    }

    func testOneBitGrayExpandsTo8Bit() throws {
        let decoded = try PNGDecoder.decode(Fixtures.gray1bit4x1)
        XCTAssertEqual(decoded.channels, 1)
        XCTAssertEqual(decoded.bitDepth, 8)
        XCTAssertEqual(decoded.samples8, [255, 0, 255, 255])
    }

    func testAdam7InterlacedImageIsDeinterlaced() throws {
        let decoded = try PNGDecoder.decode(Fixtures.interlaced3x3)
        XCTAssertEqual(decoded.channels, 1)
        XCTAssertEqual(decoded.samples8, [1, 2, 3, 11, 12, 13, 21, 22, 23])
    }

    func testStoredZlibPNGFromTestHelperDecodes() throws {
        // Gray+alpha 8-bit, 2x1, filter none: (10, 20) (30, 40).
        let png = PNGBytes.make(width: 2, height: 1, bitDepth: 8, colorType: 4, scanlines: [0, 10, 20, 30, 40])
        let decoded = try PNGDecoder.decode(png)
        XCTAssertEqual(decoded.channels, 2)
        XCTAssertEqual(decoded.samples8, [10, 20, 30, 40])
    }

    func testDecodeFromFile() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("scenefarm-png-\(UInt32.random(in: 0...UInt32.max)).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gray: [UInt16] = [0x0102, 65535, 7, 0]
        let png = try PNGEncoder.encodeGray16(gray, width: 2, height: 2)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(png)))
        XCTAssertEqual(try PNGDecoder.decode(contentsOf: path).samples16, gray)
    }

    func testMissingFileErrorNamesThePath() {
        let path = "/nonexistent-dir-\(UInt32.random(in: 0...UInt32.max))/frame_000042.png"
        XCTAssertThrowsError(try PNGDecoder.decode(contentsOf: path)) { error in
            guard let error = error as? PNGError else { return XCTFail("expected PNGError, got \(error)") }
            XCTAssertTrue(error.message.contains(path), error.message)
            XCTAssertTrue(error.description.contains(path), error.description)
        }
    }

    func testCorruptFileErrorNamesThePath() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("scenefarm-bad-\(UInt32.random(in: 0...UInt32.max)).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("not a png".utf8)))
        XCTAssertThrowsError(try PNGDecoder.decode(contentsOf: path)) { error in
            XCTAssertTrue((error as? PNGError)?.message.contains(path) == true, "\(error)")
        }
    }
}

/*
 Generated with python3 (zlib level 9):

import zlib, struct
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
def png(w, h, depth, ctype, raw, extra=b""):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
def swift(name, b):
    print(f"    static let {name}: [UInt8] = [")
    for i in range(0, len(b), 16):
        print("        " + ", ".join(f"0x{x:02X}" for x in b[i:i+16]) + ",")
    print("    ]")
# 3x2 RGB8; row 0 filter None, row 1 filter Sub (deltas encoded by hand).
row0 = bytes([255,0,0, 0,255,0, 0,0,255])
row1_pixels = [10,20,30, 40,50,60, 250,128,7]
row1_sub = bytes([(row1_pixels[i] - (row1_pixels[i-3] if i >= 3 else 0)) & 255 for i in range(9)])
swift("rgb3x2", png(3, 2, 8, 2, b"\x00" + row0 + b"\x01" + row1_sub))
# 2x2 gray16: 0x0102, 0xFFFF / 0x0000, 0x8001 big-endian; row 1 filter Up.
r0 = struct.pack(">HH", 0x0102, 0xFFFF); r1 = struct.pack(">HH", 0x0000, 0x8001)
r1_up = bytes([(r1[i] - r0[i]) & 255 for i in range(4)])
swift("gray16_2x2", png(2, 2, 16, 0, b"\x00" + r0 + b"\x02" + r1_up))
# 5x1 palette, 2-bit indices 0,1,2,3,1 -> packed 00 01 10 11 | 01 000000
plte = chunk(b"PLTE", bytes([0,0,0, 255,0,0, 0,255,0, 0,0,255]))
swift("palette5x1", png(5, 1, 2, 3, b"\x00" + bytes([0b00011011, 0b01000000]), plte))
# 4x1 1-bit gray 1,0,1,1 -> 0b1011_0000
swift("gray1bit4x1", png(4, 1, 1, 0, b"\x00" + bytes([0b10110000])))
# 3x3 gray8, Adam7-interlaced; pixel (x, y) = 10 * y + x + 1. Each reduced pass
# image is emitted with filter None.
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
raw = b""
for x0, y0, dx, dy in passes:
    for y in range(y0, 3, dy):
        row = bytes(10 * y + x + 1 for x in range(x0, 3, dx))
        if row: raw += b"\x00" + row
ihdr = struct.pack(">IIBBBBB", 3, 3, 8, 0, 0, 0, 1)
swift("interlaced3x3", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
*/
enum Fixtures {
    static let rgb3x2: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12, 0x16, 0xF1,
        0x4D, 0x00, 0x00, 0x00, 0x17, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xF8, 0xCF, 0xC0, 0xC0,
        0x00, 0xC6, 0x8C, 0x5C, 0x22, 0x72, 0x40, 0x70, 0xC9, 0xEF, 0x34, 0x00, 0x34, 0x5C, 0x05, 0x80,
        0x0A, 0xFF, 0xBA, 0xD3, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    static let gray16_2x2: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x00, 0x00, 0x07, 0x4D, 0x8E,
        0xBB, 0x00, 0x00, 0x00, 0x12, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x60, 0x64, 0xFA, 0xFF,
        0x9F, 0xE9, 0xFF, 0xBF, 0x46, 0x26, 0x00, 0x15, 0x1A, 0x04, 0x84, 0xC9, 0x59, 0x76, 0x02, 0x00,
        0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    static let palette5x1: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x6B, 0x90, 0x8C,
        0x60, 0x00, 0x00, 0x00, 0x0C, 0x50, 0x4C, 0x54, 0x45, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00,
        0xFF, 0x00, 0x00, 0x00, 0xFF, 0x9B, 0xC0, 0x13, 0xDC, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41,
        0x54, 0x78, 0xDA, 0x63, 0x90, 0x76, 0x00, 0x00, 0x00, 0x79, 0x00, 0x5C, 0x9C, 0xD0, 0x30, 0xF5,
        0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    static let gray1bit4x1: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xD1, 0x47, 0x32,
        0x60, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xD8, 0x00, 0x00, 0x00,
        0xB2, 0x00, 0xB1, 0xF8, 0x82, 0x92, 0xA7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
        0x42, 0x60, 0x82,
    ]
    static let interlaced3x3: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x00, 0x01, 0x04, 0x44, 0xDA,
        0xF5, 0x00, 0x00, 0x00, 0x17, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x60, 0x64, 0x60, 0x66,
        0x10, 0x15, 0x67, 0x60, 0x62, 0x10, 0x63, 0xE0, 0xE6, 0xE1, 0x05, 0x00, 0x02, 0xA4, 0x00, 0x6D,
        0x04, 0x66, 0xBF, 0xE9, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

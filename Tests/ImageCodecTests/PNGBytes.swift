// Test helpers that read and write PNG chunk structure without libpng, so the
// tests can build hostile files and inspect encoder output independently.

enum PNGBytes {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    struct Chunk {
        var type: String
        /// Offset of the chunk's length field in the file.
        var offset: Int
        var data: [UInt8]
        /// Offset of the first data byte.
        var dataOffset: Int { offset + 8 }
        /// Offset of the CRC field.
        var crcOffset: Int { offset + 8 + data.count }
    }

    /// Splits a well-formed PNG into chunks (traps on malformed input: test data only).
    static func chunks(_ png: [UInt8]) -> [Chunk] {
        precondition(Array(png.prefix(8)) == signature)
        var chunks: [Chunk] = []
        var offset = 8
        while offset + 12 <= png.count {
            let length = Int(readUInt32(png, offset))
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            chunks.append(Chunk(type: type, offset: offset, data: Array(png[(offset + 8)..<(offset + 8 + length)])))
            offset += 12 + length
        }
        return chunks
    }

    static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    static func ihdr(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8) -> [UInt8] {
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [bitDepth, colorType, 0, 0, 0])
    }

    /// A zlib stream holding `raw` in one stored (uncompressed) deflate block; raw.count < 65536.
    static func storedZlib(_ raw: [UInt8]) -> [UInt8] {
        precondition(raw.count < 65536)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let length = UInt16(raw.count)
        return [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            + raw + bigEndian(b << 16 | a)
    }

    /// A complete PNG with the given header and raw (already filtered) scanlines.
    static func make(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8, scanlines: [UInt8]) -> [UInt8] {
        signature + ihdr(width: width, height: height, bitDepth: bitDepth, colorType: colorType)
            + chunk("IDAT", storedZlib(scanlines)) + chunk("IEND", [])
    }

    /// The concatenated IDAT payload of an encoder output made with zlib level 0:
    /// the zlib header, stored-block headers and Adler-32 stripped, i.e. the
    /// filtered scanlines exactly as written.
    static func storedScanlines(_ png: [UInt8]) -> [UInt8] {
        let stream = chunks(png).filter { $0.type == "IDAT" }.flatMap(\.data)
        var out: [UInt8] = []
        var offset = 2  // zlib header
        while true {
            let header = stream[offset]
            precondition(header & 0b110 == 0, "not a stored block")
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            out += stream[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
            if header & 1 == 1 { break }
        }
        return out
    }
}

struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

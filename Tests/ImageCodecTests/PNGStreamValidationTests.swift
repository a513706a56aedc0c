import Foundation
import ImageCodec
import XCTest

/// Checks the encoder's byte stream without libpng and without libdeflate:
/// chunk layout and CRCs (bitwise CRC-32 in `PNGBytes`), the zlib header, and the
/// Adler-32 trailer against scanlines filtered by a reference filter written
/// here; and, through `python3` (zlib + struct), a full independent decode:
/// every CRC, inflate, unfilter of all five filter types, pixel comparison.
final class PNGStreamValidationTests: XCTestCase {
    enum Kind: CaseIterable {
        case gray8, gray16, rgb8, rgba8

        var channels: Int { self == .gray8 || self == .gray16 ? 1 : 3 }
        var bitDepth: Int { self == .gray16 ? 16 : 8 }
        var colorType: UInt8 { channels == 1 ? 0 : 2 }
        /// Bytes per complete pixel in the PNG (the filters' "bpp").
        var pngPixelBytes: Int { channels * bitDepth / 8 }
    }

    /// One encoder input and what the PNG must hold.
    struct Case {
        var kind: Kind
        var width: Int
        var height: Int
        var compression: PNGCompression
        var png: [UInt8]
        /// The samples in PNG order: RGB without alpha, 16-bit big-endian.
        var pngSamples: [UInt8]
    }

    // MARK: inputs

    /// Mixes flat spans (so `.subOrNone` takes both branches) with noise.
    static func pixels8(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { (index: Int) -> UInt8 in
            if (index / 97) % 3 == 0 { return UInt8.random(in: 0...255, using: &generator) }
            return UInt8((index / 211) % 251)
        }
    }

    static let extremes16: [UInt16] = [0, 1, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]

    static func pixels16(_ count: Int, seed: UInt64) -> [UInt16] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            switch (index / 13) % 3 {
            case 0: return extremes16[index % extremes16.count]
            case 1: return UInt16.random(in: 0...UInt16.max, using: &generator)
            default: return 0xFFFF
            }
        }
    }

    static func encode(_ kind: Kind, width: Int, height: Int, compression: PNGCompression, seed: UInt64) throws -> Case
    {
        let count = width * height
        switch kind {
        case .gray8:
            let gray = pixels8(count, seed: seed)
            let png = try PNGEncoder.encodeGray8(gray, width: width, height: height, compression: compression)
            return Case(kind: kind, width: width, height: height, compression: compression, png: png, pngSamples: gray)
        case .gray16:
            let gray = pixels16(count, seed: seed)
            let png = try PNGEncoder.encodeGray16(gray, width: width, height: height, compression: compression)
            let samples = gray.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            return Case(
                kind: kind, width: width, height: height, compression: compression, png: png, pngSamples: samples)
        case .rgb8:
            let rgb = pixels8(count * 3, seed: seed)
            let png = try PNGEncoder.encodeRGB8(rgb, width: width, height: height, compression: compression)
            return Case(kind: kind, width: width, height: height, compression: compression, png: png, pngSamples: rgb)
        case .rgba8:
            let rgba = pixels8(count * 4, seed: seed)
            let png = try PNGEncoder.encodeRGBA8AsRGB(rgba, width: width, height: height, compression: compression)
            var rgb: [UInt8] = []
            rgb.reserveCapacity(count * 3)
            for pixel in 0..<count { rgb += rgba[(pixel * 4)..<(pixel * 4 + 3)] }
            return Case(kind: kind, width: width, height: height, compression: compression, png: png, pngSamples: rgb)
        }
    }

    static let libdeflateSettings: [PNGCompression] = [0, 1, 4, 6, 12].flatMap { level in
        PNGCompression.Filter.allCases.map { PNGCompression(level: level, filter: $0) }
    }

    /// Small odd sizes with every libdeflate level class x filter, plus 1281x719
    /// with the presets.
    static func cases() throws -> [Case] {
        var cases: [Case] = []
        var seed: UInt64 = 1
        for (width, height) in [(1, 1), (3, 5), (17, 9)] {
            for kind in Kind.allCases {
                for compression in libdeflateSettings {
                    seed += 1
                    cases.append(try encode(kind, width: width, height: height, compression: compression, seed: seed))
                }
            }
        }
        let presets: [(Kind, PNGCompression)] = [
            (.rgb8, .rgb), (.rgba8, .rgb), (.gray16, .depth), (.gray16, .instanceIDs), (.gray8, .semantic),
        ]
        for (kind, compression) in presets {
            seed += 1
            cases.append(try encode(kind, width: 1281, height: 719, compression: compression, seed: seed))
        }
        return cases
    }

    // MARK: reference filter (PNG spec 9.2)

    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    static func filterRow(_ type: Int, _ row: ArraySlice<UInt8>, _ prior: ArraySlice<UInt8>?, bpp: Int) -> [UInt8] {
        let cur = Array(row)
        let up = prior.map(Array.init) ?? [UInt8](repeating: 0, count: cur.count)
        return cur.indices.map { i in
            let a = i >= bpp ? Int(cur[i - bpp]) : 0, b = Int(up[i]), c = i >= bpp ? Int(up[i - bpp]) : 0
            let predictor: Int
            switch type {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            default: predictor = paeth(a, b, c)
            }
            return UInt8(truncatingIfNeeded: Int(cur[i]) - predictor)
        }
    }

    /// The scanlines the encoder must have compressed, or nil for `.adaptive`
    /// (whose per-row choice is a heuristic, checked by the Python decode only).
    static func referenceScanlines(_ c: Case) -> [UInt8]? {
        let rowBytes = c.width * c.kind.pngPixelBytes, bpp = c.kind.pngPixelBytes
        var out: [UInt8] = []
        for y in 0..<c.height {
            let row = c.pngSamples[(y * rowBytes)..<((y + 1) * rowBytes)]
            let prior = y > 0 ? c.pngSamples[((y - 1) * rowBytes)..<(y * rowBytes)] : nil
            let type: Int
            switch c.compression.filter {
            case .none: type = 0
            case .sub: type = 1
            case .up: type = 2
            case .average: type = 3
            case .paeth: type = 4
            case .adaptive: return nil
            case .subOrNone:
                let zeros = filterRow(1, row, prior, bpp: bpp).filter { $0 == 0 }.count
                type = zeros > rowBytes / 2 ? 0 : 1
            }
            out.append(UInt8(type))
            out += filterRow(type, row, prior, bpp: bpp)
        }
        return out
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunk in stride(from: 0, to: bytes.count, by: 5552) {
            for byte in bytes[chunk..<min(chunk + 5552, bytes.count)] {
                a += UInt32(byte)
                b += a
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    // MARK: Swift-side structure checks

    /// Returns the problems found in `c.png` (empty when it is valid).
    static func structuralProblems(_ c: Case) -> [String] {
        var problems: [String] = []
        let png = c.png
        guard png.count >= 8 + 25 + 12 + 12, Array(png.prefix(8)) == PNGBytes.signature else {
            return ["bad signature or too short"]
        }
        // Walk the chunks by hand (PNGBytes.chunks traps on malformed input).
        var offset = 8
        var types: [String] = []
        var idat: [UInt8] = []
        while offset + 12 <= png.count {
            let length = Int(PNGBytes.readUInt32(png, offset))
            guard offset + 12 + length <= png.count else { return problems + ["chunk at \(offset) overruns the file"] }
            let typeAndData = Array(png[(offset + 4)..<(offset + 8 + length)])
            let type = String(decoding: typeAndData.prefix(4), as: UTF8.self)
            types.append(type)
            if PNGBytes.crc32(typeAndData) != PNGBytes.readUInt32(png, offset + 8 + length) {
                problems.append("\(type) at \(offset): CRC mismatch")
            }
            if type == "IHDR" {
                let expected =
                    PNGBytes.bigEndian(UInt32(c.width)) + PNGBytes.bigEndian(UInt32(c.height))
                    + [UInt8(c.kind.bitDepth), c.kind.colorType, 0, 0, 0]
                if Array(typeAndData.dropFirst(4)) != expected {
                    problems.append("IHDR \(typeAndData.dropFirst(4)) != \(expected)")
                }
            }
            if type == "IDAT" { idat += typeAndData.dropFirst(4) }
            offset += 12 + length
        }
        if offset != png.count { problems.append("\(png.count - offset) trailing bytes") }
        if types.first != "IHDR" || types.last != "IEND" || !types.contains("IDAT")
            || types.dropFirst().dropLast().contains(where: { $0 != "IDAT" })
        {
            problems.append("chunk sequence \(types)")
        }
        guard idat.count >= 6 else { return problems + ["IDAT too short"] }
        if idat[0] & 0x0F != 8 || (Int(idat[0]) << 8 | Int(idat[1])) % 31 != 0 || idat[1] & 0x20 != 0 {
            problems.append("bad zlib header \(idat[0]) \(idat[1])")
        }
        if let scanlines = referenceScanlines(c) {
            let trailer = PNGBytes.readUInt32(idat, idat.count - 4)
            if trailer != adler32(scanlines) {
                problems.append("Adler-32 does not match the reference-filtered scanlines")
            }
        }
        return problems
    }

    func testStreamStructureCRCsAndAdlerWithoutLibpng() throws {
        for c in try Self.cases() {
            let problems = Self.structuralProblems(c)
            XCTAssertEqual(problems, [], "\(c.kind) \(c.width)x\(c.height) \(c.compression)")
        }
    }

    func testStructuralCheckCatchesCorruption() throws {
        var c = try Self.encode(
            .rgb8, width: 3, height: 5, compression: PNGCompression(level: 1, filter: .paeth), seed: 7)
        XCTAssertEqual(Self.structuralProblems(c), [])
        c.pngSamples[4] ^= 1  // the stream no longer matches these pixels: Adler-32 differs
        XCTAssertNotEqual(Self.structuralProblems(c), [])
        c.pngSamples[4] ^= 1
        c.png[20] ^= 1  // IHDR byte: CRC and header differ
        XCTAssertNotEqual(Self.structuralProblems(c), [])
    }

    // MARK: independent decode in Python

    static let pythonChecker = #"""
        import struct, sys, zlib
        failures = 0
        for line in open(sys.argv[1]):
            png_path, raw_path, width, height, color_type, bit_depth = line.split()
            width, height, color_type, bit_depth = int(width), int(height), int(color_type), int(bit_depth)
            data = open(png_path, 'rb').read()
            expected = open(raw_path, 'rb').read()
            try:
                assert data[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
                pos, types, idat = 8, [], b''
                while pos < len(data):
                    length, kind = struct.unpack('>I4s', data[pos:pos + 8])
                    body = data[pos + 8:pos + 8 + length]
                    assert len(body) == length, 'truncated chunk'
                    crc, = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
                    assert zlib.crc32(kind + body) & 0xffffffff == crc, 'CRC of %r' % kind
                    types.append(kind)
                    if kind == b'IHDR':
                        assert struct.unpack('>IIBBBBB', body) == (width, height, bit_depth, color_type, 0, 0, 0), 'IHDR %r' % (body,)
                    if kind == b'IDAT':
                        idat += body
                    pos += 12 + length
                assert types[0] == b'IHDR' and types[-1] == b'IEND' and set(types[1:-1]) == {b'IDAT'}, 'chunks %r' % types
                d = zlib.decompressobj()
                raw = d.decompress(idat)  # checks the Adler-32 too
                assert d.eof and not d.unused_data, 'zlib stream not complete or trailing data'
                bpp = (3 if color_type == 2 else 1) * bit_depth // 8
                stride = width * bpp
                assert len(raw) == height * (stride + 1), 'inflated size %d' % len(raw)
                out, prior = bytearray(), bytearray(stride)
                for y in range(height):
                    ftype = raw[y * (stride + 1)]
                    row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
                    if ftype == 1:
                        for i in range(bpp, stride): row[i] = (row[i] + row[i - bpp]) & 255
                    elif ftype == 2:
                        row = bytearray((r + p) & 255 for r, p in zip(row, prior))
                    elif ftype == 3:
                        for i in range(stride): row[i] = (row[i] + ((row[i - bpp] if i >= bpp else 0) + prior[i]) // 2) & 255
                    elif ftype == 4:
                        for i in range(stride):
                            a = row[i - bpp] if i >= bpp else 0
                            b = prior[i]
                            c = prior[i - bpp] if i >= bpp else 0
                            p = a + b - c
                            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                    else:
                        assert ftype == 0, 'filter type %d' % ftype
                    out += row
                    prior = row
                assert bytes(out) == expected, 'pixels differ'
            except Exception as error:
                failures += 1
                print('FAIL %s: %s' % (png_path, error))
        print('checked', sum(1 for _ in open(sys.argv[1])), 'failures', failures)
        sys.exit(1 if failures else 0)
        """#

    static func findPython() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Writes the cases to a temporary folder and runs the checker; returns (exit status, output).
    static func runPythonChecker(_ python: String, on cases: [Case]) throws -> (Int32, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("png-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var manifest = ""
        for (index, c) in cases.enumerated() {
            let png = folder.appendingPathComponent("\(index).png"), raw = folder.appendingPathComponent("\(index).raw")
            try Data(c.png).write(to: png)
            try Data(c.pngSamples).write(to: raw)
            manifest += "\(png.path) \(raw.path) \(c.width) \(c.height) \(c.kind.colorType) \(c.kind.bitDepth)\n"
        }
        let manifestURL = folder.appendingPathComponent("manifest.txt")
        try manifest.write(to: manifestURL, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", pythonChecker, manifestURL.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func testPythonZlibDecodeMatchesPixels() throws {
        guard let python = Self.findPython() else {
            throw XCTSkip("python3 not on PATH; the Swift-side checks still ran")
        }
        let cases = try Self.cases()
        let (status, output) = try Self.runPythonChecker(python, on: cases)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("checked \(cases.count) failures 0"), output)
    }

    /// The Python checker must reject a bad CRC, a bad stream and wrong pixels.
    func testPythonCheckerRejectsBrokenFiles() throws {
        guard let python = Self.findPython() else { throw XCTSkip("python3 not on PATH") }
        let good = try Self.encode(.gray16, width: 3, height: 5, compression: .depth, seed: 3)
        var badCRC = good
        badCRC.png[good.png.count - 1] ^= 0x40  // IEND CRC
        var badPixels = good
        badPixels.pngSamples[0] ^= 0x80
        var badStream = good
        let idat = PNGBytes.chunks(good.png).first { $0.type == "IDAT" }!
        badStream.png[idat.crcOffset - 1] ^= 1  // Adler-32 byte...
        let crc = PNGBytes.crc32(Array(badStream.png[(idat.offset + 4)..<idat.crcOffset]))
        // ...with a valid CRC
        badStream.png.replaceSubrange(idat.crcOffset..<(idat.crcOffset + 4), with: PNGBytes.bigEndian(crc))
        let (status, output) = try Self.runPythonChecker(python, on: [good, badCRC, badPixels, badStream])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("checked 4 failures 3"), output)
        XCTAssertTrue(output.contains("CRC of b'IEND'"), output)
        XCTAssertTrue(output.contains("pixels differ"), output)
    }
}

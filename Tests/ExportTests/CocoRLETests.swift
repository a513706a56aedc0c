import Export
import XCTest

/// COCO compressed RLE against strings derived by hand from cocoapi's maskApi.c (`rleEncode`,
/// `rleToString`); each was also checked against pycocotools 2.0 `mask.encode`.
final class CocoRLETests: XCTestCase {
    /// A row-major mask from rows of "0"/"1".
    private func mask(_ rows: [String]) -> (mask: [Bool], width: Int, height: Int) {
        (rows.flatMap { $0.map { $0 == "1" } }, rows[0].count, rows.count)
    }

    private func encode(_ rows: [String]) -> (counts: [Int], string: String) {
        let m = mask(rows)
        let counts = CocoRLE.counts(mask: m.mask, width: m.width, height: m.height)
        return (counts, CocoRLE.string(counts: counts))
    }

    func testEmptyAndFullMasks() {
        // Empty: one 0-run of all pixels. Full: an empty 0-run, then all pixels.
        XCTAssertEqual(encode(["00", "00"]).counts, [4])
        XCTAssertEqual(encode(["00", "00"]).string, "4")
        XCTAssertEqual(encode(["11", "11"]).counts, [0, 4])
        XCTAssertEqual(encode(["11", "11"]).string, "04")
    }

    func testSinglePixelAtEachCorner() {
        // Column-major position of (row r, column c) in a 3x3 image is c * 3 + r.
        XCTAssertEqual(encode(["100", "000", "000"]).counts, [0, 1, 8])
        XCTAssertEqual(encode(["100", "000", "000"]).string, "018")
        XCTAssertEqual(encode(["001", "000", "000"]).counts, [6, 1, 2])
        XCTAssertEqual(encode(["001", "000", "000"]).string, "612")
        XCTAssertEqual(encode(["000", "000", "100"]).counts, [2, 1, 6])
        XCTAssertEqual(encode(["000", "000", "100"]).string, "216")
        XCTAssertEqual(encode(["000", "000", "001"]).counts, [8, 1])  // ends in 1s: no trailing 0-run
        XCTAssertEqual(encode(["000", "000", "001"]).string, "81")
    }

    func testCountsAreColumnMajor() {
        // Two full middle columns of a 2x4 image: [2 zeros, 4 ones, 2 zeros], not row by row.
        XCTAssertEqual(encode(["0110", "0110"]).counts, [2, 4, 2])
        XCTAssertEqual(encode(["0110", "0110"]).string, "242")
    }

    func testCountsOfSixteenAndMoreNeedSeveralCharacters() {
        // 16 = 0b10000: the first 5-bit group has the sign bit set, so a 0 group must follow.
        // '0' + (16 | 0x20) = '`', then '0'.
        XCTAssertEqual(CocoRLE.string(counts: [16]), "`0")
        // 64 = 0b10_00000: group 0 (+0x20) → 'P', group 2 → '2'.
        XCTAssertEqual(CocoRLE.string(counts: [0, 64]), "0P2")
        // 100 = 0b11_00100: group 4 (+0x20) → 'T', group 3 → '3'.
        XCTAssertEqual(CocoRLE.string(counts: [100]), "T3")
        // 1000 = 0b11111_01000: 8|0x20 → 'X', 31 has the sign bit so a 0 group follows: 31|0x20 → 'o', '0'.
        XCTAssertEqual(CocoRLE.string(counts: [1000]), "Xo0")
        let tenByTen = encode(Array(repeating: String(repeating: "0", count: 10), count: 10))
        XCTAssertEqual(tenByTen.counts, [100])
        XCTAssertEqual(tenByTen.string, "T3")
    }

    func testDeltasFromTwoBackStartAtTheFourthCount() {
        // 5x10: columns 0-4 full (25), zeros to position 37 (12), one pixel, 12 zeros.
        // counts [0, 25, 12, 1, 12] → written 0, 25, 12, 1-25 = -24, 12-12 = 0.
        // -24: group -24 & 31 = 8, rest -1 but the sign bit of 8 is clear → 8|0x20 → 'X'; then
        // group 31, rest -1, sign bit set → 'O'.
        var rows = Array(repeating: "1111100000", count: 5)
        rows[2] = "1111100100"
        let e = encode(rows)
        XCTAssertEqual(e.counts, [0, 25, 12, 1, 12])
        XCTAssertEqual(e.string, "0i0<XO0")
        // 3x4 with runs [3,1,1,1,1,1,1,3]: counts 3..7 are written as deltas 0,0,0,0 and 3-1 = 2.
        let mixed = encode(["0101", "0011", "0101"])
        XCTAssertEqual(mixed.counts, [3, 1, 1, 1, 1, 1, 1, 3])
        XCTAssertEqual(mixed.string, "31100002")
        // -3: group 29 with its sign bit set and rest -1 → one character, '0' + 29 = 'M'.
        XCTAssertEqual(CocoRLE.string(counts: [0, 5, 3, 2]), "053M")
        // pycocotools: a 1x2000 mask with 1s at 1000..<1900 and 1950 → [1000, 900, 50, 1, 49].
        XCTAssertEqual(CocoRLE.string(counts: [1000, 900, 50, 1, 49]), "Xo0Tl0b1mSOO")
    }

    func testStringDecodesBackToCounts() throws {
        let cases: [[Int]] = [
            [4], [0, 4], [0, 1, 8], [8, 1], [0, 25, 12, 1, 12], [3, 1, 1, 1, 1, 1, 1, 3], [1000, 900, 50, 1, 49],
            [0, 1 << 20, 7, 1, 1 << 30], [5, 100_000, 3, 2, 99_999, 1],
        ]
        for counts in cases {
            XCTAssertEqual(try CocoRLE.counts(string: CocoRLE.string(counts: counts)), counts)
        }
        XCTAssertThrowsError(try CocoRLE.counts(string: "T"), "ends inside a count")
        XCTAssertThrowsError(try CocoRLE.counts(string: "4 "), "character outside '0'…'o'")
    }

    func testMaskDecodesBackExactly() throws {
        var rows = Array(repeating: "1111100000", count: 5)
        rows[2] = "1111100100"
        let m = mask(rows)
        let counts = CocoRLE.counts(mask: m.mask, width: m.width, height: m.height)
        XCTAssertEqual(try CocoRLE.mask(counts: counts, width: m.width, height: m.height), m.mask)
        XCTAssertThrowsError(try CocoRLE.mask(counts: [3, 1], width: 2, height: 3), "counts do not add up")
    }

    /// The one-pass encoder over an instance map gives each id the counts of its own mask.
    func testInstanceMapPassEqualsPerMaskEncoding() throws {
        var seeded = SeededGenerator(seed: 7)
        for trial in 0..<40 {
            let width = Int.random(in: 1...23, using: &seeded)
            let height = Int.random(in: 1...17, using: &seeded)
            // Blocky maps with long runs crossing columns, ids 0...5.
            var map = [UInt16](repeating: 0, count: width * height)
            var value: UInt16 = 0
            for p in map.indices {
                if Int.random(in: 0..<6, using: &seeded) == 0 { value = UInt16.random(in: 0...5, using: &seeded) }
                map[p] = value
            }
            if trial == 0 { map = map.map { _ in 3 } }  // one id covering everything
            let ids: Set<UInt16> = [1, 3, 5]
            let all = CocoRLE.counts(instanceMap: map, width: width, height: height, ids: ids)
            XCTAssertEqual(Set(all.keys), ids)
            for id in ids {
                let single = CocoRLE.counts(mask: map.map { $0 == id }, width: width, height: height)
                XCTAssertEqual(all[id], single, "trial \(trial), id \(id), \(width)x\(height)")
                XCTAssertEqual(try CocoRLE.mask(counts: all[id]!, width: width, height: height), map.map { $0 == id })
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) so a failing case can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

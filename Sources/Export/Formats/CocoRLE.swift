// COCO run-length encoding, byte for byte as pycocotools writes it (`maskUtils.encode`, which is
// `rleEncode` + `rleToString` in cocoapi's common/maskApi.c).
//
// Counts: the mask is read in column-major (Fortran) order — down column 0, then column 1, … — and
// cut into alternating runs of 0s and 1s, always starting with a run of 0s (which may be empty):
//
//     3x3 mask        column-major      counts
//     1 0 0           1 0 0             [0, 1, 8]    (no leading 0s, one 1, eight 0s)
//     0 0 0     →     0 0 0         →
//     0 0 0           0 0 0
//
// A mask that ends in 1s has no trailing 0-run; an empty mask is `[h*w]`, a full one `[0, h*w]`.
//
// String: each count from the fourth on (index i > 2, not ≥ 2 — a quirk of maskApi.c kept by every
// reader) is replaced by its difference to the count two before it, then written as a
// little-endian sequence of 5-bit groups, each group one character `48 + bits`, with 0x20 set
// while more groups follow. The last group's bit 0x10 is the sign bit (the value is sign-extended
// when read), so a group ends when the rest is 0 (non-negative) or -1 (negative) and that sign bit
// already agrees.
//
//     count 100 = 0b11_00100:  group 00100 (+0x20 more) → 'T', group 00011 → '3'   ⇒  "T3"
//     delta -3:                group 11101, rest -1, sign bit set → 'M'         ⇒  "M"
//
// The characters are '0'…'o' (48…111) and include '\\', which JSON escapes.

/// COCO's compressed RLE (`{"size": [h, w], "counts": "…"}`), encoded and decoded.
public enum CocoRLE {
    /// The run-length counts of a binary mask given row-major (row 0 first), read column-major as
    /// pycocotools does.
    public static func counts(mask: [Bool], width: Int, height: Int) -> [Int] {
        precondition(mask.count == width * height, "mask size does not match \(width)x\(height)")
        var counts: [Int] = []
        var value = false
        var run = 0
        for x in 0..<width {
            for y in 0..<height {
                let m = mask[y * width + x]
                if m != value {
                    counts.append(run)
                    run = 0
                    value = m
                }
                run += 1
            }
        }
        counts.append(run)
        return counts
    }

    /// The counts of every listed instance's mask in one column-major pass over an instance map
    /// (row-major, row 0 first). Ids not in `ids` (background, stuff, filtered objects) count as
    /// 0s for every mask. Equal to `counts(mask: map.map { $0 == id }, …)` for each id.
    public static func counts(instanceMap map: [UInt16], width: Int, height: Int, ids: Set<UInt16>) -> [UInt16: [Int]] {
        precondition(map.count == width * height, "instance map size does not match \(width)x\(height)")
        let total = width * height
        var counts: [UInt16: [Int]] = [:]
        var end: [UInt16: Int] = [:]  // column-major position just after each id's last run
        for id in ids {
            counts[id] = []
            end[id] = 0
        }
        // Runs of one value in column-major order, crossing column boundaries.
        var runValue: UInt16 = 0
        var runStart = 0
        func close(at position: Int) {
            guard ids.contains(runValue) else { return }
            counts[runValue]!.append(runStart - end[runValue]!)
            counts[runValue]!.append(position - runStart)
            end[runValue] = position
        }
        map.withUnsafeBufferPointer { pixels in
            var position = 0
            for x in 0..<width {
                var index = x
                for _ in 0..<height {
                    let v = pixels[index]
                    if v != runValue {
                        close(at: position)
                        runValue = v
                        runStart = position
                    }
                    index += width
                    position += 1
                }
            }
        }
        close(at: total)
        for id in ids where total - end[id]! > 0 || counts[id]!.isEmpty {
            counts[id]!.append(total - end[id]!)
        }
        return counts
    }

    /// The counts as pycocotools' compressed string (`rleToString`).
    public static func string(counts: [Int]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(counts.count * 2)
        for i in counts.indices {
            var x = counts[i]
            if i > 2 { x -= counts[i - 2] }
            var more = true
            while more {
                var c = UInt8(truncatingIfNeeded: x & 0x1f)
                x >>= 5  // arithmetic: negative deltas end in -1
                more = (c & 0x10) != 0 ? x != -1 : x != 0
                if more { c |= 0x20 }
                out.append(c + 48)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The counts of a compressed string (`rleFrString`). Throws on a character outside '0'…'o' or
    /// a string that ends inside a count.
    public static func counts(string: String) throws -> [Int] {
        var counts: [Int] = []
        var x = 0
        var shift = 0
        for byte in string.utf8 {
            guard (48...111).contains(byte) else {
                throw ExportError(
                    "RLE string has the character \(Unicode.Scalar(byte).escaped(asASCII: true)), outside '0'…'o'")
            }
            let c = Int(byte) - 48
            guard shift < 60 else { throw ExportError("RLE string has a count too long for 64 bits") }
            x |= (c & 0x1f) << shift
            shift += 5
            if c & 0x20 == 0 {
                if c & 0x10 != 0 { x |= -1 << shift }
                if counts.count > 2 { x += counts[counts.count - 2] }
                counts.append(x)
                x = 0
                shift = 0
            }
        }
        guard shift == 0 else { throw ExportError("RLE string ends inside a count") }
        return counts
    }

    /// The row-major mask of counts (the inverse of `counts(mask:…)`). Throws when a count is
    /// negative or the counts do not add up to `width * height`.
    public static func mask(counts: [Int], width: Int, height: Int) throws -> [Bool] {
        let total = width * height
        guard counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == total else {
            throw ExportError("RLE counts \(counts.prefix(8))… do not add up to \(width)x\(height) = \(total)")
        }
        var mask = [Bool](repeating: false, count: total)
        var position = 0
        for (i, run) in counts.enumerated() {
            if i % 2 == 1 {
                for p in position..<(position + run) {
                    mask[(p % height) * width + p / height] = true
                }
            }
            position += run
        }
        return mask
    }
}

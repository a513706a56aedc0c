import CPNG

/// Encodes tightly packed, top-row-first pixel buffers to PNG bytes in memory.
///
/// All functions are thread-safe (each call uses its own libpng state) and throw
/// `PNGError` for bad dimensions or a buffer whose size does not match them.
///
/// Compression settings (the `PNGCompression` presets) were chosen for speed;
/// see "Measurements" at the end of this file.
public enum PNGEncoder {
    // MARK: RGB8

    /// 8-bit RGB in (3 bytes/pixel), 8-bit RGB PNG out.
    ///
    /// Compression (`PNGCompression.rgb`): filter Sub, zlib strategy `Z_RLE` (zlib
    /// level 1, which Z_RLE ignores), 256 KiB compression buffer. Measured on
    /// 1280x720: 28.5 ms / 1.31 MB for a noisy gradient (the Huffman-only floor is
    /// 24 ms; level 1 default strategy is 36.6 ms and larger) and 6.7 ms / 58 KB
    /// for a noise-free rasterized frame. Table at the end of this file.
    public static func encodeRGB8(_ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int) throws -> [UInt8] {
        try encodeRGB8(rgb, width: width, height: height, compression: .rgb)
    }

    public static func encodeRGB8(
        _ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, compression: PNGCompression
    ) throws -> [UInt8] {
        try encode(UnsafeRawBufferPointer(rgb), width: width, height: height, format: .rgb8, compression: compression)
    }

    public static func encodeRGB8(_ rgb: [UInt8], width: Int, height: Int, compression: PNGCompression = .rgb) throws -> [UInt8] {
        try rgb.withUnsafeBufferPointer { try encodeRGB8($0, width: width, height: height, compression: compression) }
    }

    // MARK: RGBA8 -> RGB

    /// Input is RGBA8 (4 bytes/pixel), output PNG is 8-bit RGB: libpng's write-side
    /// `png_set_filler` strips the alpha byte while it packs each row, so there is
    /// no intermediate copy. Compression as `encodeRGB8` (`PNGCompression.rgb`:
    /// filter Sub, `Z_RLE`); 1280x720 noisy: ~29 ms.
    public static func encodeRGBA8AsRGB(_ rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int) throws -> [UInt8] {
        try encodeRGBA8AsRGB(rgba, width: width, height: height, compression: .rgb)
    }

    public static func encodeRGBA8AsRGB(
        _ rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int, compression: PNGCompression
    ) throws -> [UInt8] {
        try encode(UnsafeRawBufferPointer(rgba), width: width, height: height, format: .rgba8AsRGB, compression: compression)
    }

    public static func encodeRGBA8AsRGB(
        _ rgba: [UInt8], width: Int, height: Int, compression: PNGCompression = .rgb
    ) throws -> [UInt8] {
        try rgba.withUnsafeBufferPointer { try encodeRGBA8AsRGB($0, width: width, height: height, compression: compression) }
    }

    // MARK: Gray8

    /// 8-bit gray in and out (semantic class maps).
    ///
    /// Compression (`PNGCompression.semantic`): filter Up, zlib strategy `Z_RLE`
    /// (level 1, ignored by Z_RLE), 256 KiB buffer. Piecewise-constant 1280x720
    /// map: 1.8 ms / 2.6 KB; filter None + Z_RLE is 1.6 ms but 13.5 KB.
    public static func encodeGray8(_ gray: UnsafeBufferPointer<UInt8>, width: Int, height: Int) throws -> [UInt8] {
        try encodeGray8(gray, width: width, height: height, compression: .semantic)
    }

    public static func encodeGray8(
        _ gray: UnsafeBufferPointer<UInt8>, width: Int, height: Int, compression: PNGCompression
    ) throws -> [UInt8] {
        try encode(UnsafeRawBufferPointer(gray), width: width, height: height, format: .gray8, compression: compression)
    }

    public static func encodeGray8(
        _ gray: [UInt8], width: Int, height: Int, compression: PNGCompression = .semantic
    ) throws -> [UInt8] {
        try gray.withUnsafeBufferPointer { try encodeGray8($0, width: width, height: height, compression: compression) }
    }

    // MARK: Gray16

    /// Native-endian UInt16 samples in, big-endian 16-bit gray PNG out (libpng's
    /// `png_set_swap` on little-endian hosts, applied per row without a copy of
    /// the image).
    ///
    /// Compression (`PNGCompression.depth`): filter Up, zlib level 2,
    /// `Z_DEFAULT_STRATEGY`, 256 KiB buffer; 1280x720 depth ramp: 5.1 ms / 50 KB
    /// (Up + Z_RLE: 9.8 ms / 277 KB, because 16-bit deltas repeat with period 2).
    /// Pass `compression: .instanceIDs` (filter Up, level 1, default strategy:
    /// 4.0 ms / 12 KB) for piecewise-constant ID maps.
    public static func encodeGray16(_ gray: UnsafeBufferPointer<UInt16>, width: Int, height: Int) throws -> [UInt8] {
        try encodeGray16(gray, width: width, height: height, compression: .depth)
    }

    public static func encodeGray16(
        _ gray: UnsafeBufferPointer<UInt16>, width: Int, height: Int, compression: PNGCompression
    ) throws -> [UInt8] {
        try encode(UnsafeRawBufferPointer(gray), width: width, height: height, format: .gray16, compression: compression)
    }

    public static func encodeGray16(
        _ gray: [UInt16], width: Int, height: Int, compression: PNGCompression = .depth
    ) throws -> [UInt8] {
        try gray.withUnsafeBufferPointer { try encodeGray16($0, width: width, height: height, compression: compression) }
    }

    // MARK: Core

    enum Format {
        case gray8, gray16, rgb8, rgba8AsRGB

        var bytesPerPixel: Int {
            switch self {
            case .gray8: return 1
            case .gray16: return 2
            case .rgb8: return 3
            case .rgba8AsRGB: return 4
            }
        }

        var cValue: Int32 {
            switch self {
            case .gray8: return SF_PNG_FORMAT_GRAY8
            case .gray16: return SF_PNG_FORMAT_GRAY16
            case .rgb8: return SF_PNG_FORMAT_RGB8
            case .rgba8AsRGB: return SF_PNG_FORMAT_RGBA8_AS_RGB
            }
        }
    }

    /// PNG limits width and height to 2^31 - 1.
    static let maxDimension = Int(Int32.max)

    static func encode(
        _ pixels: UnsafeRawBufferPointer, width: Int, height: Int, format: Format, compression: PNGCompression
    ) throws -> [UInt8] {
        guard width > 0, height > 0, width <= maxDimension, height <= maxDimension else {
            throw PNGError("cannot encode a \(width)x\(height) PNG: dimensions must be in 1...\(maxDimension)")
        }
        let (pixelCount, overflow1) = width.multipliedReportingOverflow(by: height)
        let (expected, overflow2) = pixelCount.multipliedReportingOverflow(by: format.bytesPerPixel)
        guard !overflow1, !overflow2, pixels.count == expected, let base = pixels.baseAddress else {
            throw PNGError(
                "cannot encode a \(width)x\(height) PNG: buffer holds \(pixels.count) bytes, expected \(width)x\(height)x\(format.bytesPerPixel)"
            )
        }

        var output = sf_png_buffer()
        var error = [CChar](repeating: 0, count: Int(SF_PNG_ERROR_CAPACITY))
        let status = error.withUnsafeMutableBufferPointer { errorBuffer in
            switch compression.engine {
            case .libdeflate:
                return sf_png_encode_deflate(
                    base, UInt32(width), UInt32(height), format.cValue, Int32(compression.level), compression.filter.mask,
                    &output, errorBuffer.baseAddress, errorBuffer.count
                )
            case .zlib:
                var options = compression.cOptions
                return sf_png_encode(
                    base, UInt32(width), UInt32(height), format.cValue, &options, &output,
                    errorBuffer.baseAddress, errorBuffer.count
                )
            }
        }
        defer { sf_png_buffer_free(&output) }
        guard status == SF_PNG_OK, let data = output.data else {
            throw PNGError.fromCBuffer(error, context: "PNG encode failed")
        }
        return Array(UnsafeBufferPointer(start: data, count: output.size))
    }
}

extension PNGCompression {
    /// Colour frames (RGB8 / RGBA8): filter Sub, zlib `Z_RLE` (level is unused by
    /// Z_RLE; 1 is recorded). Sub turns flat or horizontally shaded spans into runs
    /// of zeros that Z_RLE codes almost for free, and on noisy pixels Z_RLE costs
    /// about what plain Huffman coding does, while the default strategy's match
    /// search costs 30% more time for a *larger* file. See the table below.
    public static let rgb = PNGCompression(level: 1, filter: .subOrNone)
    /// Depth maps (16-bit gray, smooth ramps): filter Up, zlib level 2,
    /// `Z_DEFAULT_STRATEGY`. Up leaves small, repeating 2-byte deltas that LZ77
    /// matches well; Z_RLE cannot (runs are 2-byte periodic) and is 2x slower, 5x larger.
    public static let depth = PNGCompression(level: 2, filter: .up)
    /// Piecewise-constant 16-bit instance ID maps: filter Up, zlib level 1,
    /// `Z_DEFAULT_STRATEGY` (Up + Z_RLE is as fast but 30% larger; filter None
    /// with Z_RLE is 2.5x slower and 40x larger, because 16-bit IDs alternate bytes).
    public static let instanceIDs = PNGCompression(level: 4, filter: .sub)
    /// Piecewise-constant 8-bit semantic class maps: filter Up, zlib `Z_RLE`.
    public static let semantic = PNGCompression(level: 6, filter: .up)
}

// MARK: - Measurements
//
// `swift run -c release png-bench`, 1280x720, x86_64, zlib 1.2.13, libpng 1.6.39,
// minimum of 5 runs on a shared 2-core machine (ms are +-10%). All settings use a
// 256 KiB libpng compression buffer; against libpng's 8 KiB default it measured
// neutral (within noise, e.g. rgb8 27.3 vs 27.6 ms), so it only means fewer IDAT
// chunks and zlib calls. Images (deterministic, see Sources/png-bench/main.swift):
//   rgb8       smooth gradients + highlight + uniform noise in [-3, 3] per sample
//   rgb8-flat  noise-free: shaded backdrop + 40 flat-shaded boxes (rasterizer-like)
//   depth16    millimetres: perspective floor ramp + 40 slanted boxes
//   ids16      40 overlapping boxes with 16-bit IDs on background 0
//   semantic8  the same boxes as 8-bit classes, plus a floor band
//
//   kind       setting                        ms      bytes
//   rgb8       level 0 (stored)              2.3  2,766,108   raw-copy floor
//   rgb8       sub,   rle          (chosen)   28.5  1,305,979
//   rgb8       up,    rle                     27.4  1,305,714
//   rgb8       up,    huffman-only            24.4  1,305,264   but rgb8-flat: 20.4 ms, 447,788 B
//   rgb8       up,    default, level 1        36.6  1,541,913
//   rgb8       sub,   default, level 3        84.1  1,449,805
//   rgb8       paeth, rle                     43.3  1,315,033
//   rgb8       adaptive, huffman-only         50.3  1,237,835   smallest, 2x slower
//   rgb8-flat  sub,   rle          (chosen)    6.7     58,263
//   rgb8-flat  up,    rle                     11.0    211,988
//   rgb8-flat  up,    default, level 1         6.0     34,977   but 36.6 ms on noisy rgb8
//   rgb8-flat  paeth, rle                      9.5     13,831
//   depth16    up,    default, level 2 (chosen) 5.1    49,791
//   depth16    up,    default, level 1         5.2     52,796
//   depth16    up,    rle                      9.8    277,076
//   depth16    paeth, default, level 3         7.8     40,045
//   depth16    up,    default, level 5         8.5     32,209
//   depth16    none,  default, level 1         8.7    211,081
//   ids16      up,    default, level 1 (chosen) 4.0    11,684
//   ids16      up,    rle                      4.1     15,551
//   ids16      none,  default, level 2         3.5     20,772
//   ids16      none,  rle                     10.7    511,909
//   ids16      paeth, rle                      6.3      3,660
//   semantic8  up,    rle          (chosen)    1.8      2,564
//   semantic8  none,  rle                      1.6     13,536
//   semantic8  up,    default, level 1         1.8      7,459
//   semantic8  paeth, rle                      3.1      2,570
//
// Chosen presets per frame (rgb8 + depth16 + ids16 + semantic8): about 39 ms of
// one core with noisy colour, 18 ms with rgb8-flat, i.e. ~50 frames/s of encoding
// on 2 cores. Levels 3-6 with the default strategy and the adaptive filter never
// paid for themselves. Decoding the rgb8 frame takes ~17 ms.

import CPNG

/// Encodes tightly packed, top-row-first pixel buffers to PNG bytes in memory.
///
/// The PNG stream is written by SceneFarm's C code (`sf_png_encode_deflate`):
/// signature, IHDR, the filtered scanlines as one libdeflate zlib stream in IDAT,
/// IEND, CRCs from libdeflate. Filtering converts the input layout on the fly
/// (RGBA loses alpha, 16-bit becomes big-endian), so there is no extra copy.
/// libpng is only used to decode, and to encode with `PNGCompression.Engine.zlib`.
///
/// All functions are thread-safe (each thread caches its own libdeflate
/// compressors and scanline buffer) and throw `PNGError` for bad dimensions or a
/// buffer whose size does not match them.
///
/// Compression settings (the `PNGCompression` presets) were chosen for speed;
/// see "Measurements" at the end of this file.
public enum PNGEncoder {
    // MARK: RGB8

    /// 8-bit RGB in (3 bytes/pixel), 8-bit RGB PNG out.
    ///
    /// Compression (`PNGCompression.rgb`): libdeflate level 1, filter `.subOrNone`
    /// (Sub, but None on rows Sub would make mostly zero). Measured on 1280x720:
    /// 4.9 ms / 55 KB for a noise-free rasterized frame (zlib preset: 6.9 ms / 58 KB)
    /// and 21.9 ms / 1.40 MB for a noisy gradient (zlib: 28.5 ms / 1.31 MB). Table at
    /// the end of this file.
    public static func encodeRGB8(
        _ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, compression: PNGCompression = .rgb
    ) throws -> [UInt8] {
        try encode(UnsafeRawBufferPointer(rgb), width: width, height: height, format: .rgb8, compression: compression)
    }

    public static func encodeRGB8(
        _ rgb: [UInt8], width: Int, height: Int, compression: PNGCompression = .rgb
    ) throws -> [UInt8] {
        try rgb.withUnsafeBufferPointer { try encodeRGB8($0, width: width, height: height, compression: compression) }
    }

    // MARK: RGBA8 -> RGB

    /// Input is RGBA8 (4 bytes/pixel), output PNG is 8-bit RGB: the filter drops the
    /// alpha byte while it writes each scanline, so there is no intermediate copy.
    /// Compression as `encodeRGB8` (`PNGCompression.rgb`: libdeflate level 1,
    /// `.subOrNone`); 1280x720 rasterized: 6.0 ms / 55 KB (zlib preset 7.6 ms),
    /// noisy: 22.6 ms (zlib 29 ms).
    public static func encodeRGBA8AsRGB(
        _ rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int, compression: PNGCompression = .rgb
    ) throws -> [UInt8] {
        try encode(
            UnsafeRawBufferPointer(rgba), width: width, height: height, format: .rgba8AsRGB, compression: compression)
    }

    public static func encodeRGBA8AsRGB(
        _ rgba: [UInt8], width: Int, height: Int, compression: PNGCompression = .rgb
    ) throws -> [UInt8] {
        try rgba.withUnsafeBufferPointer {
            try encodeRGBA8AsRGB($0, width: width, height: height, compression: compression)
        }
    }

    // MARK: Gray8

    /// 8-bit gray in and out (semantic class maps).
    ///
    /// Compression (`PNGCompression.semantic`): libdeflate level 6, filter Up.
    /// Piecewise-constant 1280x720 map: 1.6 ms / 2.9 KB (zlib preset Up + Z_RLE:
    /// 1.8 ms / 2.6 KB; libdeflate level 1 is slower here, ~3 ms, see the table).
    public static func encodeGray8(
        _ gray: UnsafeBufferPointer<UInt8>, width: Int, height: Int, compression: PNGCompression = .semantic
    ) throws -> [UInt8] {
        try encode(UnsafeRawBufferPointer(gray), width: width, height: height, format: .gray8, compression: compression)
    }

    public static func encodeGray8(
        _ gray: [UInt8], width: Int, height: Int, compression: PNGCompression = .semantic
    ) throws -> [UInt8] {
        try gray.withUnsafeBufferPointer { try encodeGray8($0, width: width, height: height, compression: compression) }
    }

    // MARK: Gray16

    /// Native-endian UInt16 samples in, big-endian 16-bit gray PNG out (the bytes
    /// are swapped while filtering, without a copy of the image).
    ///
    /// Compression (`PNGCompression.depth`): libdeflate level 2, filter Up;
    /// 1280x720 depth ramp: 3.8 ms / 37 KB (zlib preset level 2 Up: 5.2 ms / 50 KB).
    /// Pass `compression: .instanceIDs` (libdeflate level 4, filter Sub: 3.3 ms /
    /// 11.6 KB; zlib preset 4.0 ms / 11.7 KB) for piecewise-constant ID maps.
    public static func encodeGray16(
        _ gray: UnsafeBufferPointer<UInt16>, width: Int, height: Int, compression: PNGCompression = .depth
    ) throws -> [UInt8] {
        try encode(
            UnsafeRawBufferPointer(gray), width: width, height: height, format: .gray16, compression: compression)
    }

    public static func encodeGray16(
        _ gray: [UInt16], width: Int, height: Int, compression: PNGCompression = .depth
    ) throws -> [UInt8] {
        try gray.withUnsafeBufferPointer {
            try encodeGray16($0, width: width, height: height, compression: compression)
        }
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
                    base, UInt32(width), UInt32(height), format.cValue, Int32(compression.level),
                    compression.filter.mask,
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
    /// Colour frames (RGB8 / RGBA8): libdeflate level 1, filter `.subOrNone`. Sub is
    /// the best single filter on noisy/textured rows; on flat (rasterized) rows it
    /// leaves runs of zero bytes, which libdeflate's match finder codes ~2x slower
    /// than runs of a repeated 3-byte pixel, so those rows stay unfiltered (None):
    /// 4.9 ms / 55 KB instead of 7.8 ms / 42 KB with plain Sub. Levels >= 2 cost
    /// 2.5x on noisy frames for 5% smaller files.
    public static let rgb = PNGCompression(level: 1, filter: .subOrNone)
    /// Depth maps (16-bit gray, smooth ramps): libdeflate level 2, filter Up. Level 1
    /// Sub is faster (2.8 ms) but 1.4x the old size (71 KB); level 4+ Paeth is
    /// smaller (28 KB) but 5.5 ms.
    public static let depth = PNGCompression(level: 2, filter: .up)
    /// Piecewise-constant 16-bit instance ID maps: libdeflate level 4, filter Sub
    /// (same size as the old zlib preset; Up at level 2-3 is 4.3 KB but ~5 ms).
    public static let instanceIDs = PNGCompression(level: 4, filter: .sub)
    /// Piecewise-constant 8-bit semantic class maps: libdeflate level 6, filter Up
    /// (level 1 is ~2x slower on these long zero runs).
    public static let semantic = PNGCompression(level: 6, filter: .up)
}

// MARK: - Measurements
//
// `swift run -c release png-bench`, 1280x720, x86_64, libdeflate 1.14 against the
// previous encoder (libpng 1.6.39 + zlib 1.2.13, 256 KiB buffer), minimum of 15
// alternating runs on a shared 2-core machine (ms are +-10%). Images
// (deterministic, see Sources/png-bench/main.swift):
//   rgb8 / rgba8            smooth gradients + highlight + uniform noise in [-3, 3]
//   rgb8-flat / rgba8-flat  noise-free: shaded backdrop + 40 flat-shaded boxes (rasterizer-like)
//   depth16                 millimetres: perspective floor ramp + 40 slanted boxes
//   ids16                   40 overlapping boxes with 16-bit IDs on background 0
//   semantic8               the same boxes as 8-bit classes, plus a floor band
//
//   Presets, old (libpng + zlib) -> new (libdeflate):
//   kind        old preset                 ms      bytes    new preset           ms      bytes
//   rgb8        zlib 1, sub, Z_RLE       28.5  1,305,979    ld 1, subOrNone    21.9  1,403,398
//   rgba8       zlib 1, sub, Z_RLE       29.0  1,305,979    ld 1, subOrNone    22.6  1,403,398
//   rgb8-flat   zlib 1, sub, Z_RLE        7.0     58,263    ld 1, subOrNone     4.9     54,907
//   rgba8-flat  zlib 1, sub, Z_RLE        7.6     58,263    ld 1, subOrNone     6.0     54,907
//   depth16     zlib 2, up                5.2     49,791    ld 2, up            3.8     36,688
//   ids16       zlib 1, up                4.0     11,684    ld 4, sub           3.3     11,555
//   semantic8   zlib 1, up, Z_RLE         1.8      2,564    ld 6, up            1.6      2,924
//   frame (rgba8-flat + depth16 + ids16 + semantic8): 18.4 -> 14.6 ms of one core;
//   with noisy colour (rgba8): 40.1 -> 31.2 ms.
//
//   libdeflate sweep (min of 3; `png-bench` prints the whole grid and Pareto fronts):
//   kind       level filter        ms      bytes
//   rgb8        1    sub         22.2  1,403,398
//   rgb8        1    none        31.5  2,229,777   noise defeats None
//   rgb8        2    sub         54.9  1,328,810   levels >= 2: 2.5x the time, -5%
//   rgb8        2    average     54.6  1,303,861
//   rgb8-flat   1    none         3.7     54,907   what subOrNone does on flat rows
//   rgb8-flat   1    sub          7.8     42,031   zero runs are slow in libdeflate
//   rgb8-flat   2    up           5.0     19,511
//   rgb8-flat   1    paeth       10.2     17,707
//   depth16     1    sub          2.8     71,453
//   depth16     2    up           4.0     36,688   chosen
//   depth16     4    paeth        5.5     27,710
//   depth16     8    paeth       20.3     23,336
//   ids16       1    up           6.0      4,707
//   ids16       3    up           4.9      4,305
//   ids16       4    none         3.7     20,764
//   ids16       4    sub          4.1     11,555   chosen (3.3 ms in the preset run)
//   semantic8   1    up           3.0      3,286
//   semantic8   1    sub          2.9      8,966
//   semantic8   6    up           3.0      2,924   chosen (1.6 ms in the preset run)
//
// Where the time goes: libdeflate's level-1 match finder handles runs of one
// repeated byte (Up/Sub output of flat areas) at only ~300 MB/s, against ~900 MB/s
// for runs of a repeated 3-byte pixel and ~600 MB/s at levels 2-6; zlib's Z_RLE is
// about as fast on such runs, so label maps gain little. Filtering is 0.1-0.6 ms
// per image. Allocating a libdeflate compressor costs ~4 us (it is cached per
// thread anyway, with the scanline buffer, which saves re-faulting megabytes of
// fresh pages per call). The adaptive filter never paid for itself. Decoding the
// rgb8 frame (libpng) takes ~19 ms.

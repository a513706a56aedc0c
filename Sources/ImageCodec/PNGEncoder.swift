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

    /// 8-bit RGB in (3 bytes/pixel), 8-bit RGB PNG out, with `PNGCompression.rgb`:
    /// see that preset and the measurements at the end of this file.
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
    /// no intermediate copy. Uses `PNGCompression.rgb`.
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

    /// 8-bit gray in and out (semantic class maps), with `PNGCompression.semantic`.
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
    /// the image). Uses `PNGCompression.depth`; pass `compression: .instanceIDs`
    /// for piecewise-constant ID maps.
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

        var options = compression.cOptions
        var output = sf_png_buffer()
        var error = [CChar](repeating: 0, count: Int(SF_PNG_ERROR_CAPACITY))
        let status = error.withUnsafeMutableBufferPointer { errorBuffer in
            sf_png_encode(
                base, UInt32(width), UInt32(height), format.cValue, &options, &output,
                errorBuffer.baseAddress, errorBuffer.count
            )
        }
        defer { sf_png_buffer_free(&output) }
        guard status == SF_PNG_OK, let data = output.data else {
            throw PNGError.fromCBuffer(error, context: "PNG encode failed")
        }
        return Array(UnsafeBufferPointer(start: data, count: output.size))
    }
}

extension PNGCompression {
    /// Smooth shading plus sensor noise (RGB8 / RGBA8 colour frames).
    public static let rgb = PNGCompression(level: 1, filter: .up, strategy: .rle)
    /// Depth ramps (16-bit gray).
    public static let depth = PNGCompression(level: 1, filter: .up, strategy: .rle)
    /// Piecewise-constant 16-bit instance ID maps: long runs, few distinct values.
    public static let instanceIDs = PNGCompression(level: 1, filter: .up, strategy: .rle)
    /// Piecewise-constant 8-bit semantic class maps.
    public static let semantic = PNGCompression(level: 1, filter: .up, strategy: .rle)
}

// MARK: - Measurements
//
// (filled in from `swift run -c release png-bench`)

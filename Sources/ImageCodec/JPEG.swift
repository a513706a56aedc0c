import CJPEG

/// A JPEG could not be decoded or encoded. `message` is libjpeg's text or ours.
public struct JPEGError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "JPEGError: \(message)" }

    static func fromCBuffer(_ buffer: [CChar], context: String) -> JPEGError {
        JPEGError("\(context): \(PNGError.text(of: buffer))")
    }
}

/// Decodes JPEG bytes with libjpeg(-turbo) into RGBA8.
///
/// Baseline and progressive, gray, YCbCr/RGB and CMYK/YCCK files. Gray is replicated into RGB;
/// CMYK is converted with the profile-free formula r = (1 - c)(1 - k), reading Adobe (APP14) files
/// as inverted the way Photoshop writes them (as browsers and most decoders do). ICC profiles are
/// ignored. Truncated or damaged entropy-coded data is an error (libjpeg alone would pad the image
/// with gray and print a warning). libjpeg never calls exit() here: its errors come back as
/// `JPEGError` (see Sources/CJPEG).
///
/// The default integer DCT gives the same pixels with and without libjpeg-turbo's SIMD code, so a
/// texture decodes to the same bytes on every worker.
public enum JPEGDecoder {
    /// Images whose RGBA8 pixels would exceed this many bytes are rejected from the header,
    /// before anything is allocated for them.
    public static let maxDecodedBytes: Int = 1 << 30

    /// The pixels, rows top first, 4 bytes per pixel, alpha 255.
    public static func decodeRGBA8(_ bytes: [UInt8]) throws -> RGBA8Image {
        var error = [CChar](repeating: 0, count: Int(SF_JPEG_ERROR_CAPACITY))
        var info = sf_jpeg_info()
        var pixels: UnsafeMutablePointer<UInt8>?
        let status = bytes.withUnsafeBufferPointer { data in
            error.withUnsafeMutableBufferPointer { e in
                sf_jpeg_decode_rgba8(
                    data.baseAddress, data.count, UInt64(maxDecodedBytes), &info, &pixels, e.baseAddress, e.count)
            }
        }
        defer { sf_jpeg_free(pixels) }
        guard status == SF_JPEG_OK, let pixels else {
            throw JPEGError.fromCBuffer(error, context: "JPEG decode failed")
        }
        let count = Int(info.width) * Int(info.height) * 4
        return RGBA8Image(
            width: Int(info.width), height: Int(info.height),
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}

/// Encodes pixels to JPEG with libjpeg(-turbo): 4:4:4 (no chroma subsampling), baseline.
/// SceneFarm writes its color output as PNG; this is for tests and tools that need real JPEG files
/// (textures), made by the same library that decodes them.
public enum JPEGEncoder {
    /// The samples of one pixel.
    public enum Layout: Int, Sendable {
        case gray = 1
        case rgb = 3
        /// Stored inverted with an Adobe marker, as Photoshop writes CMYK: pass 255 - c, 255 - m, ...
        case adobeCMYK = 4
    }

    /// `pixels`: width * height * layout.rawValue bytes, rows top first. `quality` 1...100.
    public static func encode(
        _ pixels: [UInt8], width: Int, height: Int, layout: Layout, quality: Int = 90
    ) throws
        -> [UInt8]
    {
        guard width > 0, height > 0, width <= 65500, height <= 65500 else {
            throw JPEGError("JPEG size \(width)x\(height) is outside 1...65500")
        }
        guard pixels.count == width * height * layout.rawValue else {
            throw JPEGError(
                "JPEG encode: \(pixels.count) bytes for \(width)x\(height) pixels of \(layout.rawValue) samples")
        }
        var error = [CChar](repeating: 0, count: Int(SF_JPEG_ERROR_CAPACITY))
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = pixels.withUnsafeBufferPointer { p in
            error.withUnsafeMutableBufferPointer { e in
                sf_jpeg_encode(
                    p.baseAddress, UInt32(width), UInt32(height), Int32(layout.rawValue), Int32(quality), &out, &size,
                    e.baseAddress, e.count)
            }
        }
        defer { sf_jpeg_free(out) }
        guard status == SF_JPEG_OK, let out else { throw JPEGError.fromCBuffer(error, context: "JPEG encode failed") }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}

import CPNG

/// A decoded PNG: `channels` samples per pixel, rows top first, tightly packed.
/// Exactly one of `samples8` / `samples16` is non-empty, chosen by `bitDepth`.
public struct DecodedPNG: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// 8 or 16. Palette and 1/2/4-bit gray images are expanded to 8 bits.
    public let bitDepth: Int
    /// Samples when `bitDepth == 8`, otherwise empty.
    public let samples8: [UInt8]
    /// Samples when `bitDepth == 16`, in native endianness, otherwise empty.
    public let samples16: [UInt16]

    public init(width: Int, height: Int, channels: Int, bitDepth: Int, samples8: [UInt8], samples16: [UInt16]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples8 = samples8
        self.samples16 = samples16
    }
}

/// Decodes PNG bytes with libpng. Palette images become RGB(A), 1/2/4-bit gray
/// becomes 8-bit gray, and a tRNS chunk becomes an alpha channel. Malformed,
/// truncated or oversized input throws `PNGError`.
public enum PNGDecoder {
    /// Images whose decoded samples would exceed this many bytes are rejected
    /// from the header, before anything is allocated for them.
    public static let maxDecodedBytes: Int = 1 << 30

    public static func decode(_ bytes: [UInt8]) throws -> DecodedPNG {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> DecodedPNG {
        var error = [CChar](repeating: 0, count: Int(SF_PNG_ERROR_CAPACITY))
        var info = sf_png_info()
        let decoder = error.withUnsafeMutableBufferPointer { errorBuffer in
            sf_png_decoder_open(
                bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, UInt64(maxDecodedBytes),
                &info, errorBuffer.baseAddress, errorBuffer.count
            )
        }
        guard let decoder else { throw PNGError.fromCBuffer(error, context: "PNG decode failed") }
        defer { sf_png_decoder_close(decoder) }

        let width = Int(info.width)
        let height = Int(info.height)
        let channels = Int(info.channels)
        let byteCount = info.row_bytes * Int(info.height)

        func read(into destination: UnsafeMutableRawPointer) throws {
            let status = error.withUnsafeMutableBufferPointer { errorBuffer in
                sf_png_decoder_read(decoder, destination, byteCount, errorBuffer.baseAddress, errorBuffer.count)
            }
            guard status == SF_PNG_OK else { throw PNGError.fromCBuffer(error, context: "PNG decode failed") }
        }

        if info.bit_depth == 16 {
            let sampleCount = byteCount / 2
            let samples = try [UInt16](unsafeUninitializedCapacity: sampleCount) { buffer, initialized in
                try read(into: UnsafeMutableRawPointer(buffer.baseAddress!))
                initialized = sampleCount
            }
            return DecodedPNG(
                width: width, height: height, channels: channels, bitDepth: 16, samples8: [], samples16: samples)
        } else {
            let samples = try [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
                try read(into: UnsafeMutableRawPointer(buffer.baseAddress!))
                initialized = byteCount
            }
            return DecodedPNG(
                width: width, height: height, channels: channels, bitDepth: 8, samples8: samples, samples16: [])
        }
    }

    /// Reads and decodes the file at `path`; every error message names the path.
    public static func decode(contentsOf path: String) throws -> DecodedPNG {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch let error as PNGError {
            throw PNGError("cannot read PNG file '\(path)': \(error.message)")
        }
        do {
            return try decode(bytes)
        } catch let error as PNGError {
            throw PNGError("\(path): \(error.message)")
        }
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        var buffer = sf_png_buffer()
        var error = [CChar](repeating: 0, count: Int(SF_PNG_ERROR_CAPACITY))
        let status = error.withUnsafeMutableBufferPointer { errorBuffer in
            sf_png_read_file(path, UInt64(maxDecodedBytes), &buffer, errorBuffer.baseAddress, errorBuffer.count)
        }
        defer { sf_png_buffer_free(&buffer) }
        guard status == SF_PNG_OK else { throw PNGError(PNGError.text(of: error)) }
        guard let data = buffer.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: buffer.size))
    }
}

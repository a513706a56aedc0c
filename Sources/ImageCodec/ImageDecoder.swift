/// An 8-bit RGBA image: rows top first, 4 bytes per pixel, tightly packed.
public struct RGBA8Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// An image could not be decoded: names the format it was taken for and the decoder's reason.
public struct ImageDecodeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Decodes PNG or JPEG bytes (told apart by their signature) into RGBA8, for textures.
///
/// PNG: 8- and 16-bit, gray, gray+alpha, RGB, RGBA and palette (tRNS becomes alpha); 16-bit samples
/// are rounded to 8 bits. JPEG: gray, RGB and CMYK, alpha 255 (see `JPEGDecoder`).
/// Samples are returned as stored (sRGB-encoded for ordinary images); no gamma or ICC handling.
public enum ImageDecoder {
    public static func decodeRGBA8(_ bytes: [UInt8]) throws -> RGBA8Image {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.starts(with: png) {
            do {
                return try rgba8(PNGDecoder.decode(bytes))
            } catch let error as PNGError {
                throw ImageDecodeError(error.message)
            }
        }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            do {
                return try JPEGDecoder.decodeRGBA8(bytes)
            } catch let error as JPEGError {
                throw ImageDecodeError(error.message)
            }
        }
        let head = bytes.prefix(8).map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        throw ImageDecodeError(
            "neither PNG nor JPEG: \(bytes.count) bytes starting \(bytes.isEmpty ? "(empty)" : head)")
    }

    /// Expands a decoded PNG's 1...4 channels of 8 or 16 bits into RGBA8.
    static func rgba8(_ image: DecodedPNG) throws -> RGBA8Image {
        let n = image.width * image.height, c = image.channels
        guard (1...4).contains(c) else { throw ImageDecodeError("PNG with \(c) channels") }
        let samples =
            image.bitDepth == 16 ? image.samples16.map { UInt8((UInt32($0) * 255 + 32767) / 65535) } : image.samples8
        guard samples.count >= n * c else { throw ImageDecodeError("PNG decoder returned too few samples") }
        if c == 4 { return RGBA8Image(width: image.width, height: image.height, pixels: Array(samples.prefix(n * 4))) }
        let pixels = [UInt8](unsafeUninitializedCapacity: n * 4) { out, initialized in
            samples.withUnsafeBufferPointer { s in
                for p in 0..<n {
                    let i = p * c, o = p * 4
                    if c <= 2 {
                        out[o] = s[i]
                        out[o + 1] = s[i]
                        out[o + 2] = s[i]
                        out[o + 3] = c == 2 ? s[i + 1] : 255
                    } else {
                        out[o] = s[i]
                        out[o + 1] = s[i + 1]
                        out[o + 2] = s[i + 2]
                        out[o + 3] = 255
                    }
                }
            }
            initialized = n * 4
        }
        return RGBA8Image(width: image.width, height: image.height, pixels: pixels)
    }
}

import Foundation
import ImageCodec
import Overlays

/// A file the preview could not write, or a window that could not be drawn.
public struct PreviewError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writing the preview's pictures: PNG, through a temporary file renamed into place, so a crash or a
/// full disk never leaves a half-written picture under the final name.
public enum PreviewOutput {
    /// Encodes `image` as an RGB PNG and writes it to `path` atomically.
    public static func writePNG(_ image: RGBImage, to path: String) throws {
        let bytes = try PNGEncoder.encodeRGB8(image.pixels, width: image.width, height: image.height)
        try writeAtomically(bytes, to: path)
    }

    /// Writes `bytes` to `.NAME.tmp-PID` beside `path`, then renames it over `path`.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw PreviewError("cannot write \(path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PreviewError("cannot write \(path): \(reason)")
        }
    }
}

// Overlays: pictures of a frame's labels for people — class colors, instance colors, depth shades,
// boxes, nearest-neighbour scaling and a tiny bitmap font for captions.
//
// Non-goals: no GL, no files, no image codecs. `scenefarm sheet` (Export's ContactSheet, from a
// dataset on disk) and `scenefarm preview` (from a frame just rendered) draw with the same code
// here, so a frame looks the same in both.

/// An 8-bit RGB color.
public struct Color8: Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let black = Color8(0, 0, 0)
    public static let white = Color8(255, 255, 255)
}

/// An RGB8 image, row-major, row 0 the top row, 3 bytes per pixel.
public struct RGBImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// An image filled with `fill`.
    public init(width: Int, height: Int, fill: Color8 = .black) {
        self.width = max(0, width)
        self.height = max(0, height)
        var pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        if fill != .black {
            for i in 0..<(self.width * self.height) {
                pixels[i * 3] = fill.r
                pixels[i * 3 + 1] = fill.g
                pixels[i * 3 + 2] = fill.b
            }
        }
        self.pixels = pixels
    }

    /// The color channels of an RGBA8 buffer (`width * height * 4` bytes; alpha dropped); nil on a size mismatch.
    public init?(width: Int, height: Int, rgba: [UInt8]) {
        guard width >= 0, height >= 0, rgba.count == width * height * 4 else { return nil }
        self.width = width
        self.height = height
        self.pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { out, count in
            for i in 0..<(width * height) {
                out[i * 3] = rgba[i * 4]
                out[i * 3 + 1] = rgba[i * 4 + 1]
                out[i * 3 + 2] = rgba[i * 4 + 2]
            }
            count = width * height * 3
        }
    }

    /// The pixel at column `x`, row `y` (which must be inside the image).
    public subscript(x: Int, y: Int) -> Color8 {
        get {
            let i = (y * width + x) * 3
            return Color8(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// RGBA8 bytes with alpha 255 (for GL uploads, whose rows are then 4-byte aligned).
    public var rgba: [UInt8] {
        let n = width * height
        return [UInt8](unsafeUninitializedCapacity: n * 4) { out, count in
            for i in 0..<n {
                out[i * 4] = pixels[i * 3]
                out[i * 4 + 1] = pixels[i * 3 + 1]
                out[i * 4 + 2] = pixels[i * 3 + 2]
                out[i * 4 + 3] = 255
            }
            count = n * 4
        }
    }

    /// The size of this image scaled by `scale`: `max(1, Int(side * scale))` on each side.
    public static func scaledSize(width: Int, height: Int, scale: Double) -> (width: Int, height: Int) {
        (max(1, Int(Double(width) * scale)), max(1, Int(Double(height) * scale)))
    }

    /// The image scaled by `scale` with nearest-neighbour sampling, so label colors stay pure:
    /// destination pixel (x, y) takes source pixel (⌊x / scale⌋, ⌊y / scale⌋), clamped.
    public func scaled(by scale: Double) -> RGBImage {
        if scale == 1 { return self }
        let (w, h) = Self.scaledSize(width: width, height: height, scale: scale)
        var out = RGBImage(width: w, height: h)
        guard width > 0, height > 0 else { return out }
        for y in 0..<h {
            let sy = min(height - 1, Int(Double(y) / scale))
            for x in 0..<w {
                let sx = min(width - 1, Int(Double(x) / scale))
                let src = (sy * width + sx) * 3, dst = (y * w + x) * 3
                out.pixels[dst] = pixels[src]
                out.pixels[dst + 1] = pixels[src + 1]
                out.pixels[dst + 2] = pixels[src + 2]
            }
        }
        return out
    }

    /// Copies `image` into this one with its top-left corner at (x, y), clipped to this image.
    public mutating func paste(_ image: RGBImage, x: Int, y: Int) {
        for sy in 0..<image.height where (0..<height).contains(y + sy) {
            for sx in 0..<image.width where (0..<width).contains(x + sx) {
                self[x + sx, y + sy] = image[sx, sy]
            }
        }
    }

    /// Outlines the inclusive pixel box [x0, x1] × [y0, y1] with lines `thickness` pixels wide,
    /// drawn inside the box; the parts outside the image are clipped.
    public mutating func drawRectangle(x0: Int, y0: Int, x1: Int, y1: Int, color: Color8, thickness: Int) {
        let x0 = max(0, x0), y0 = max(0, y0), x1 = min(width - 1, x1), y1 = min(height - 1, y1)
        guard x0 <= x1, y0 <= y1 else { return }
        for t in 0..<max(1, thickness) {
            for x in x0...x1 {
                if y0 + t <= y1 { self[x, y0 + t] = color }
                if y1 - t >= y0 { self[x, y1 - t] = color }
            }
            for y in y0...y1 {
                if x0 + t <= x1 { self[x0 + t, y] = color }
                if x1 - t >= x0 { self[x1 - t, y] = color }
            }
        }
    }

    /// Multiplies every channel by `factor` (0...1) and blends `tint` in by `tintWeight` (0...1):
    /// the look of a frame that is out of date.
    public mutating func dim(by factor: Double, tint: Color8, tintWeight: Double) {
        let keep = max(0, min(1, factor)) * (1 - tintWeight)
        let add = [Double(tint.r), Double(tint.g), Double(tint.b)].map { $0 * max(0, min(1, tintWeight)) }
        for i in 0..<(width * height) {
            for k in 0..<3 {
                pixels[i * 3 + k] = UInt8(clamping: Int((Double(pixels[i * 3 + k]) * keep + add[k]).rounded()))
            }
        }
    }
}

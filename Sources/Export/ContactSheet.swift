import ImageCodec
import Overlays
import SceneCore

/// A 2x2 picture of one dataset frame for people: the color image with every object's box drawn
/// in its class color, the semantic map in class colors, the instance map in distinct colors, and
/// the depth map. Made from the files on disk, so it shows exactly what a training loader reads.
/// The drawing itself (colors, boxes, scaling) is the Overlays module's, shared with `scenefarm preview`.
///
/// ```
/// ┌───────────────┬───────────────┐
/// │ rgb + boxes   │ semantic      │
/// ├───────────────┼───────────────┤
/// │ instance      │ depth         │
/// └───────────────┴───────────────┘
/// ```
public enum ContactSheet {
    /// Renders the sheet of `frame` as PNG bytes; each panel is the frame scaled by `scale`
    /// (nearest neighbour, so label colors stay pure).
    public static func png(dataset reader: NativeDatasetReader, frame: Int, scale: Double = 0.5) throws -> [UInt8] {
        let info = reader.info
        let rgb = try reader.rgb(frame: frame)
        let instance = try reader.instanceMap(frame: frame)
        let semantic = try reader.semanticMap(frame: frame)
        let depth = try reader.depthMap(frame: frame)
        let labels = try reader.labels(frame: frame)
        let w = info.width, h = info.height
        for (image, name) in [(rgb, "rgb"), (instance, "instance"), (semantic, "semantic"), (depth, "depth")]
        where image.width != w || image.height != h {
            throw ExportError(path: reader.path(.rgb, frame: frame), frame: frame, "\(name) image is not \(w)x\(h)")
        }

        let classColor = LabelColors.classTable(info.classes)
        var boxed = colorImage(rgb)
        for object in labels.objects where object.bbox.count == 4 {
            let b = object.bbox
            boxed.drawRectangle(
                x0: b[0], y0: b[1], x1: b[2], y1: b[3], color: classColor[max(0, min(255, object.classID))],
                thickness: max(1, Int(2 / scale)))
        }
        let panels = [
            boxed,
            LabelColors.semanticImage(semantic.samples8, width: w, height: h, classes: info.classes),
            LabelColors.instanceImage(instance.samples16, width: w, height: h),
            LabelColors.depthImage(depth.samples16, width: w, height: h),
        ].map { $0.scaled(by: scale) }

        let (pw, ph) = RGBImage.scaledSize(width: w, height: h, scale: scale)
        let gap = 4
        var sheet = RGBImage(width: pw * 2 + gap, height: ph * 2 + gap, fill: .white)
        for (n, panel) in panels.enumerated() {
            sheet.paste(panel, x: (n % 2) * (pw + gap), y: (n / 2) * (ph + gap))
        }
        return try PNGEncoder.encodeRGB8(sheet.pixels, width: sheet.width, height: sheet.height)
    }

    /// One panel of `frame` for reports: the color image with the semantic map blended over it at
    /// half strength (labelled pixels only) and every object's box in its class color, scaled by
    /// `scale` (nearest neighbour), as PNG bytes.
    public static func overlayPNG(
        dataset reader: NativeDatasetReader, frame: Int, scale: Double = 0.5
    ) throws -> [UInt8] {
        let info = reader.info
        let rgb = try reader.rgb(frame: frame)
        let semantic = try reader.semanticMap(frame: frame)
        let labels = try reader.labels(frame: frame)
        let w = info.width, h = info.height
        for (image, name) in [(rgb, "rgb"), (semantic, "semantic")] where image.width != w || image.height != h {
            throw ExportError(path: reader.path(.rgb, frame: frame), frame: frame, "\(name) image is not \(w)x\(h)")
        }
        let classColor = LabelColors.classTable(info.classes)
        var panel = colorImage(rgb)
        for i in 0..<(w * h) {
            let id = Int(semantic.samples8[i])
            guard id != 0 else { continue }
            let c = classColor[id]
            panel.pixels[i * 3] = UInt8((Int(panel.pixels[i * 3]) + Int(c.r)) / 2)
            panel.pixels[i * 3 + 1] = UInt8((Int(panel.pixels[i * 3 + 1]) + Int(c.g)) / 2)
            panel.pixels[i * 3 + 2] = UInt8((Int(panel.pixels[i * 3 + 2]) + Int(c.b)) / 2)
        }
        for object in labels.objects where object.bbox.count == 4 {
            let b = object.bbox
            panel.drawRectangle(
                x0: b[0], y0: b[1], x1: b[2], y1: b[3], color: classColor[max(0, min(255, object.classID))],
                thickness: max(1, Int(2 / scale)))
        }
        let scaled = panel.scaled(by: scale)
        return try PNGEncoder.encodeRGB8(scaled.pixels, width: scaled.width, height: scaled.height)
    }

    /// The color channels of a decoded 8-bit PNG (gray, RGB or RGBA) as an RGB image.
    private static func colorImage(_ png: DecodedPNG) -> RGBImage {
        let n = png.width * png.height, channels = png.channels
        var image = RGBImage(width: png.width, height: png.height)
        for i in 0..<n {
            for k in 0..<3 { image.pixels[i * 3 + k] = png.samples8[i * channels + (channels >= 3 ? k : 0)] }
        }
        return image
    }
}

import ImageCodec
import SceneCore

/// A 2x2 picture of one dataset frame for people: the color image with every object's box drawn
/// in its class color, the semantic map in class colors, the instance map in distinct colors, and
/// the depth map. Made from the files on disk, so it shows exactly what a training loader reads.
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

        var classColor = [[UInt8]](repeating: [0, 0, 0], count: 256)
        for c in info.classes where (0..<256).contains(c.id) && c.color.count == 3 {
            classColor[c.id] = c.color.map { UInt8(clamping: $0) }
        }

        // Full-resolution panels, RGB8.
        var boxed = [UInt8](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) { for k in 0..<3 { boxed[i * 3 + k] = rgb.samples8[i * rgb.channels + k] } }
        for object in labels.objects where object.bbox.count == 4 {
            let color = classColor[max(0, min(255, object.classID))]
            drawRectangle(
                &boxed, width: w, height: h, box: object.bbox, color: color, thickness: max(1, Int(2 / scale)))
        }
        var semanticPanel = [UInt8](repeating: 0, count: w * h * 3)
        var instancePanel = [UInt8](repeating: 0, count: w * h * 3)
        var depthPanel = [UInt8](repeating: 0, count: w * h * 3)
        // Depth: near bright, far dark, on a log scale between the nearest and farthest surface, so
        // the street and the horizon both show structure.
        let nonzero = depth.samples16.lazy.filter { $0 > 0 }
        let nearest = Double(nonzero.min() ?? 1), farthest = Double(max(nonzero.max() ?? 2, UInt16(nearest) + 1))
        let logRange = log(farthest / nearest)
        for i in 0..<(w * h) {
            let c = classColor[Int(semantic.samples8[i])]
            let id = instance.samples16[i]
            let ic = id == 0 ? [UInt8](repeating: 0, count: 3) : distinctColor(Int(id))
            let d = depth.samples16[i]
            let v: UInt8 = d == 0 ? 0 : UInt8(clamping: Int(40 + 215 * (1 - log(Double(d) / nearest) / logRange)))
            for k in 0..<3 {
                semanticPanel[i * 3 + k] = c[k]
                instancePanel[i * 3 + k] = ic[k]
                depthPanel[i * 3 + k] = v
            }
        }

        let pw = max(1, Int(Double(w) * scale)), ph = max(1, Int(Double(h) * scale))
        let gap = 4
        let sheetW = pw * 2 + gap, sheetH = ph * 2 + gap
        var sheet = [UInt8](repeating: 255, count: sheetW * sheetH * 3)
        let panels = [
            (boxed, 0, 0), (semanticPanel, pw + gap, 0), (instancePanel, 0, ph + gap), (depthPanel, pw + gap, ph + gap),
        ]
        for (panel, ox, oy) in panels {
            for y in 0..<ph {
                let sy = min(h - 1, Int(Double(y) / scale))
                for x in 0..<pw {
                    let sx = min(w - 1, Int(Double(x) / scale))
                    let src = (sy * w + sx) * 3, dst = ((oy + y) * sheetW + ox + x) * 3
                    sheet[dst] = panel[src]
                    sheet[dst + 1] = panel[src + 1]
                    sheet[dst + 2] = panel[src + 2]
                }
            }
        }
        return try PNGEncoder.encodeRGB8(sheet, width: sheetW, height: sheetH)
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
        let classColor = classColors(info)
        var panel = [UInt8](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) {
            let id = Int(semantic.samples8[i])
            for k in 0..<3 {
                let v = rgb.samples8[i * rgb.channels + k]
                panel[i * 3 + k] = id == 0 ? v : UInt8((Int(v) + Int(classColor[id][k])) / 2)
            }
        }
        for object in labels.objects where object.bbox.count == 4 {
            let color = classColor[max(0, min(255, object.classID))]
            drawRectangle(
                &panel, width: w, height: h, box: object.bbox, color: color, thickness: max(1, Int(2 / scale)))
        }
        let pw = max(1, Int(Double(w) * scale)), ph = max(1, Int(Double(h) * scale))
        var scaled = [UInt8](repeating: 0, count: pw * ph * 3)
        for y in 0..<ph {
            let sy = min(h - 1, Int(Double(y) / scale))
            for x in 0..<pw {
                let sx = min(w - 1, Int(Double(x) / scale))
                for k in 0..<3 { scaled[(y * pw + x) * 3 + k] = panel[(sy * w + sx) * 3 + k] }
            }
        }
        return try PNGEncoder.encodeRGB8(scaled, width: pw, height: ph)
    }

    /// Class id → display color, black for ids without one.
    static func classColors(_ info: DatasetInfo) -> [[UInt8]] {
        var classColor = [[UInt8]](repeating: [0, 0, 0], count: 256)
        for c in info.classes where (0..<256).contains(c.id) && c.color.count == 3 {
            classColor[c.id] = c.color.map { UInt8(clamping: $0) }
        }
        return classColor
    }

    /// A well-spread, deterministic color for an instance id (golden-ratio hue steps).
    static func distinctColor(_ id: Int) -> [UInt8] {
        let hue = (Double(id) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
        let s = 0.55 + 0.4 * Double((id * 7) % 3) / 2, v = 0.95 - 0.25 * Double((id * 5) % 2)
        let h6 = hue * 6, sector = Int(h6) % 6, f = h6 - Double(Int(h6))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let rgb: (Double, Double, Double) =
            [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][sector]
        return [UInt8(rgb.0 * 255), UInt8(rgb.1 * 255), UInt8(rgb.2 * 255)]
    }

    static func drawRectangle(
        _ image: inout [UInt8], width: Int, height: Int, box: [Int], color: [UInt8], thickness: Int
    ) {
        let x0 = max(0, box[0]), y0 = max(0, box[1]), x1 = min(width - 1, box[2]), y1 = min(height - 1, box[3])
        guard x0 <= x1, y0 <= y1 else { return }
        func plot(_ x: Int, _ y: Int) {
            let i = (y * width + x) * 3
            image[i] = color[0]
            image[i + 1] = color[1]
            image[i + 2] = color[2]
        }
        for t in 0..<thickness {
            for x in x0...x1 {
                if y0 + t <= y1 { plot(x, y0 + t) }
                if y1 - t >= y0 { plot(x, y1 - t) }
            }
            for y in y0...y1 {
                if x0 + t <= x1 { plot(x0 + t, y) }
                if x1 - t >= x0 { plot(x1 - t, y) }
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif

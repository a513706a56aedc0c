import SceneCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How label maps are colored for people: classes in the scene's own colors, instances in
/// distinct hashed colors, depth in grey on a log scale.
public enum LabelColors {
    /// Class id → display color for ids 0...255, black for ids without a class (and for 0,
    /// background, unless the table gives it a color).
    public static func classTable(_ classes: [SemanticClass]) -> [Color8] {
        var table = [Color8](repeating: .black, count: 256)
        for c in classes where (0..<256).contains(c.id) && c.color.count == 3 {
            table[c.id] = Color8(UInt8(clamping: c.color[0]), UInt8(clamping: c.color[1]), UInt8(clamping: c.color[2]))
        }
        return table
    }

    /// A well-spread, deterministic color for instance id `id` (golden-ratio hue steps); black for 0.
    public static func instanceColor(_ id: Int) -> Color8 {
        guard id != 0 else { return .black }
        let hue = (Double(id) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
        let s = 0.55 + 0.4 * Double((id * 7) % 3) / 2, v = 0.95 - 0.25 * Double((id * 5) % 2)
        let h6 = hue * 6, sector = Int(h6) % 6, f = h6 - Double(Int(h6))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let rgb: (Double, Double, Double) =
            [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][sector]
        return Color8(UInt8(rgb.0 * 255), UInt8(rgb.1 * 255), UInt8(rgb.2 * 255))
    }

    /// The semantic map (class id per pixel) in class colors.
    public static func semanticImage(
        _ classIDs: [UInt8], width: Int, height: Int, classes: [SemanticClass]
    )
        -> RGBImage
    {
        let table = classTable(classes)
        var image = RGBImage(width: width, height: height)
        for i in 0..<min(classIDs.count, width * height) {
            let c = table[Int(classIDs[i])]
            image.pixels[i * 3] = c.r
            image.pixels[i * 3 + 1] = c.g
            image.pixels[i * 3 + 2] = c.b
        }
        return image
    }

    /// The instance map (instance id per pixel) in `instanceColor`s, background black.
    public static func instanceImage(_ instanceIDs: [UInt16], width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        var cache: [UInt16: Color8] = [0: .black]
        for i in 0..<min(instanceIDs.count, width * height) {
            let id = instanceIDs[i]
            let c: Color8
            if let known = cache[id] {
                c = known
            } else {
                c = instanceColor(Int(id))
                cache[id] = c
            }
            image.pixels[i * 3] = c.r
            image.pixels[i * 3 + 1] = c.g
            image.pixels[i * 3 + 2] = c.b
        }
        return image
    }

    /// The depth map (millimetres, 0 = nothing) in grey: near bright, far dark, on a log scale between
    /// the nearest and the farthest surface, so a street and its horizon both show structure; black
    /// where nothing was drawn.
    public static func depthImage(_ millimetres: [UInt16], width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        let count = min(millimetres.count, width * height)
        var lo = UInt16.max, hi = UInt16(0)
        for i in 0..<count where millimetres[i] > 0 {
            lo = min(lo, millimetres[i])
            hi = max(hi, millimetres[i])
        }
        let nearest = hi == 0 ? 1 : Double(lo)
        let farthest = max(hi == 0 ? 2 : Double(hi), nearest + 1)
        let logRange = log(farthest / nearest)
        for i in 0..<count {
            let d = millimetres[i]
            let v: UInt8 = d == 0 ? 0 : UInt8(clamping: Int(40 + 215 * (1 - log(Double(d) / nearest) / logRange)))
            image.pixels[i * 3] = v
            image.pixels[i * 3 + 1] = v
            image.pixels[i * 3 + 2] = v
        }
        return image
    }
}

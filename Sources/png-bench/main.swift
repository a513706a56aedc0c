// png-bench: compares the libdeflate encoder (level x PNG filter) with the old
// libpng + zlib one (level x filter x strategy) over realistic 1280x720 SceneFarm
// images and prints ms/encode and bytes per setting, the speed/size Pareto front
// per image kind and engine, and per-frame totals for the presets against the
// old zlib presets.
//
//   swift run -c release png-bench                # full sweep, then presets
//   swift run -c release png-bench --presets      # only the presets
//   swift run -c release png-bench --reps 9 ...   # repetitions per setting (default 5)
//
// Timings are the minimum over repetitions (the build machine is shared).
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import ImageCodec

let width = 1280
let height = 720

// MARK: - Deterministic test images

struct XorShift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// Smooth shading (three gradients and a soft radial highlight) plus +-3 noise.
func makeRGB() -> [UInt8] {
    var rng = XorShift(state: 0x9E37_79B9_7F4A_7C15)
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
            let dx = fx - 0.6, dy = fy - 0.4
            let highlight = 80 * exp(-(dx * dx + dy * dy) * 12)
            let base = [
                40 + 150 * fx + highlight, 30 + 180 * fy + highlight * 0.8, 200 - 120 * fx * fy + highlight * 0.5,
            ]
            let r = rng.next()
            for c in 0..<3 {
                let noise = Double(Int((r >> (UInt64(c) * 8)) & 7) - 3)
                rgb[(y * width + x) * 3 + c] = UInt8(max(0, min(255, base[c] + noise)))
            }
        }
    }
    return rgb
}

/// Noise-free, rasterizer-like frame: a shaded backdrop and flat-shaded boxes.
func makeFlatRGB(_ boxes: [Box]) -> [UInt8] {
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let shade = 60 + 120 * y / height
            rgb[(y * width + x) * 3 + 0] = UInt8(shade)
            rgb[(y * width + x) * 3 + 1] = UInt8(shade + 20)
            rgb[(y * width + x) * 3 + 2] = UInt8(shade / 2 + x * 60 / width)
        }
    }
    for box in boxes {
        for y in box.y0..<box.y1 {
            let shade = 100 + 100 * (y - box.y0) / (box.y1 - box.y0)
            for x in box.x0..<box.x1 {
                rgb[(y * width + x) * 3 + 0] = UInt8((shade * (box.id * 53 % 256)) / 256)
                rgb[(y * width + x) * 3 + 1] = UInt8((shade * (box.id * 97 % 256)) / 256)
                rgb[(y * width + x) * 3 + 2] = UInt8((shade * (box.id * 29 % 256)) / 256)
            }
        }
    }
    return rgb
}

struct Box { var x0, y0, x1, y1: Int; var id: Int }

func makeBoxes() -> [Box] {
    var rng = XorShift(state: 0xD1B5_4A32_D192_ED03)
    return (1...40).map { id in
        let w = 40 + Int(rng.next() % 300), h = 30 + Int(rng.next() % 250)
        let x = Int(rng.next() % UInt64(width - w)), y = Int(rng.next() % UInt64(height - h))
        return Box(x0: x, y0: y, x1: x + w, y1: y + h, id: id)
    }
}

/// Depth in millimetres: a floor ramp (far at the top) with boxes at their own slanted depths.
func makeDepth(_ boxes: [Box]) -> [UInt16] {
    var depth = [UInt16](repeating: 0, count: width * height)
    for y in 0..<height {
        let floor = 20_000.0 / (1 + 9 * Double(y) / Double(height))
        for x in 0..<width { depth[y * width + x] = UInt16(floor + Double(x) * 0.7) }
    }
    for box in boxes {
        let near = 1_500 + box.id * 150
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 { depth[y * width + x] = UInt16(near + (x - box.x0) / 2 + (y - box.y0) / 3) }
        }
    }
    return depth
}

/// Instance IDs (16-bit, 0 = background) and semantic classes (8-bit) for the same boxes.
func makeLabels(_ boxes: [Box]) -> (ids: [UInt16], classes: [UInt8]) {
    var ids = [UInt16](repeating: 0, count: width * height)
    var classes = [UInt8](repeating: 0, count: width * height)
    for y in (height * 2 / 3)..<height { for x in 0..<width { classes[y * width + x] = 1 } }  // floor
    for box in boxes {
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 {
                ids[y * width + x] = UInt16(1000 + box.id * 37)
                classes[y * width + x] = UInt8(2 + box.id % 18)
            }
        }
    }
    return (ids, classes)
}

// MARK: - Formatting (no Foundation)

func pad(_ value: Any, _ width: Int, left: Bool = false) -> String {
    let text = "\(value)"
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + fill : fill + text
}

func fixed(_ value: Double, _ width: Int = 7) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return pad("\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)", width)
}

// MARK: - Timing

func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func measure(repetitions: Int, _ body: () throws -> [UInt8]) rethrows -> (ms: Double, bytes: Int) {
    var best = UInt64.max
    var bytes = 0
    for _ in 0..<repetitions {
        let start = nowNanoseconds()
        bytes = try body().count
        best = min(best, nowNanoseconds() - start)
    }
    return (Double(best) / 1e6, bytes)
}

struct Kind {
    var name: String
    var preset: PNGCompression
    /// The zlib preset used before libdeflate, for the before/after comparison.
    var zlibPreset: PNGCompression
    var encode: (PNGCompression) throws -> [UInt8]
}

let boxes = makeBoxes()
let rgb = makeRGB()
let flatRGB = makeFlatRGB(boxes)
func rgbToRGBA(_ rgb: [UInt8]) -> [UInt8] {
    var rgba = [UInt8](repeating: 255, count: width * height * 4)
    for pixel in 0..<(width * height) {
        for c in 0..<3 { rgba[pixel * 4 + c] = rgb[pixel * 3 + c] }
    }
    return rgba
}
let rgba = rgbToRGBA(rgb)
let flatRGBA = rgbToRGBA(flatRGB)
let depth = makeDepth(boxes)
let labels = makeLabels(boxes)

/// What PNGEncoder used before libdeflate (libpng + zlib, 256 KiB buffer).
enum ZlibPresets {
    static let rgb = PNGCompression.zlib(level: 1, filter: .sub, strategy: .rle)
    static let depth = PNGCompression.zlib(level: 2, filter: .up, strategy: .default)
    static let instanceIDs = PNGCompression.zlib(level: 1, filter: .up, strategy: .default)
    static let semantic = PNGCompression.zlib(level: 1, filter: .up, strategy: .rle)
}

let kinds: [Kind] = [
    Kind(name: "rgb8", preset: .rgb, zlibPreset: ZlibPresets.rgb) {
        try PNGEncoder.encodeRGB8(rgb, width: width, height: height, compression: $0)
    },
    Kind(name: "rgba8", preset: .rgb, zlibPreset: ZlibPresets.rgb) {
        try PNGEncoder.encodeRGBA8AsRGB(rgba, width: width, height: height, compression: $0)
    },
    Kind(name: "rgb8-flat", preset: .rgb, zlibPreset: ZlibPresets.rgb) {
        try PNGEncoder.encodeRGB8(flatRGB, width: width, height: height, compression: $0)
    },
    Kind(name: "rgba8-flat", preset: .rgb, zlibPreset: ZlibPresets.rgb) {
        try PNGEncoder.encodeRGBA8AsRGB(flatRGBA, width: width, height: height, compression: $0)
    },
    Kind(name: "depth16", preset: .depth, zlibPreset: ZlibPresets.depth) {
        try PNGEncoder.encodeGray16(depth, width: width, height: height, compression: $0)
    },
    Kind(name: "ids16", preset: .instanceIDs, zlibPreset: ZlibPresets.instanceIDs) {
        try PNGEncoder.encodeGray16(labels.ids, width: width, height: height, compression: $0)
    },
    Kind(name: "semantic8", preset: .semantic, zlibPreset: ZlibPresets.semantic) {
        try PNGEncoder.encodeGray8(labels.classes, width: width, height: height, compression: $0)
    },
]

let args = Array(CommandLine.arguments.dropFirst())
let presetsOnly = args.contains("--presets")
let repetitions = args.firstIndex(of: "--reps").flatMap { args.indices.contains($0 + 1) ? Int(args[$0 + 1]) : nil } ?? 5

func paretoFront(_ results: [(PNGCompression, Double, Int)]) -> [(PNGCompression, Double, Int)] {
    results.filter { a in !results.contains { b in b.1 < a.1 && b.2 < a.2 } }.sorted { $0.1 < $1.1 }
}

if !presetsOnly {
    let filters: [PNGCompression.Filter] = [.none, .sub, .up, .average, .paeth, .adaptive]
    for kind in kinds where kind.name != "rgba8" && kind.name != "rgba8-flat" {
        print("== \(kind.name) 1280x720")
        print("engine      level filter    strategy        ms      bytes")
        var deflateResults: [(PNGCompression, Double, Int)] = []
        var zlibResults: [(PNGCompression, Double, Int)] = []
        for level in [0, 1, 2, 3, 4, 6, 8] {
            for filter in filters where level > 0 || filter == .none {
                let settings = PNGCompression(level: level, filter: filter)
                let (ms, bytes) = try measure(repetitions: repetitions) { try kind.encode(settings) }
                deflateResults.append((settings, ms, bytes))
                print(
                    "  libdeflate  \(pad(level, 2))  \(pad(filter, 9, left: true)) \(pad("-", 12, left: true)) \(fixed(ms)) \(pad(bytes, 10))"
                )
            }
        }
        for level in [1, 2] {
            for filter in [PNGCompression.Filter.sub, .up, .paeth] {
                for strategy in [PNGCompression.Strategy.default, .rle, .huffmanOnly] {
                    let settings = PNGCompression.zlib(level: level, filter: filter, strategy: strategy)
                    let (ms, bytes) = try measure(repetitions: repetitions) { try kind.encode(settings) }
                    zlibResults.append((settings, ms, bytes))
                    print(
                        "  zlib        \(pad(level, 2))  \(pad(filter, 9, left: true)) \(pad(strategy, 12, left: true)) \(fixed(ms)) \(pad(bytes, 10))"
                    )
                }
            }
        }
        // Pareto front: no other setting is both faster and smaller.
        print("-- \(kind.name) Pareto front (fastest first), both engines")
        for (settings, ms, bytes) in paretoFront(deflateResults + zlibResults) {
            print("   \(fixed(ms)) ms \(pad(bytes, 9)) B  \(settings)")
        }
    }
}

// Presets against the zlib presets they replace, measured alternately so that
// load from the other tenant of the machine hits both alike.
let presetReps = max(repetitions, 9)
print("== presets vs the old libpng+zlib presets (min of \(presetReps), alternating)")
print("  kind          zlib ms   zlib B   libdeflate ms  libdeflate B   speedup  size   preset")
var frameOld = 0.0, frameNew = 0.0, frameOldNoisy = 0.0, frameNewNoisy = 0.0
for kind in kinds {
    var bestOld = Double.infinity, bestNew = Double.infinity, bytesOld = 0, bytesNew = 0
    for _ in 0..<presetReps {
        let old = try measure(repetitions: 1) { try kind.encode(kind.zlibPreset) }
        let new = try measure(repetitions: 1) { try kind.encode(kind.preset) }
        bestOld = min(bestOld, old.ms)
        bestNew = min(bestNew, new.ms)
        bytesOld = old.bytes
        bytesNew = new.bytes
    }
    switch kind.name {
    case "rgba8-flat": frameOld += bestOld; frameNew += bestNew
    case "rgba8": frameOldNoisy += bestOld; frameNewNoisy += bestNew
    case "depth16", "ids16", "semantic8":
        frameOld += bestOld; frameNew += bestNew; frameOldNoisy += bestOld; frameNewNoisy += bestNew
    default: break
    }
    print(
        "  \(pad(kind.name, 10, left: true)) \(fixed(bestOld, 9)) \(pad(bytesOld, 9)) \(fixed(bestNew, 13)) \(pad(bytesNew, 13))   \(fixed(bestOld / bestNew, 6))x \(fixed(Double(bytesNew) / Double(bytesOld), 5))x  \(kind.preset)"
    )
}
print(
    "  frame (rgba8-flat + depth16 + ids16 + semantic8): zlib \(fixed(frameOld)) ms, libdeflate \(fixed(frameNew)) ms on one core"
)
print(
    "  frame with noisy colour (rgba8 instead):          zlib \(fixed(frameOldNoisy)) ms, libdeflate \(fixed(frameNewNoisy)) ms"
)
let encodedRGB = try kinds[0].encode(kinds[0].preset)
let decodeMs = try measure(repetitions: repetitions) { try PNGDecoder.decode(encodedRGB).samples8 }.ms
print("  decode rgb8 \(fixed(decodeMs)) ms")

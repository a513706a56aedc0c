// Exporters: standard dataset formats written straight from the native dataset's exact labels.
//
// An exporter receives frames one at a time (`add`) and is finalized once (`finish`). It writes
// incrementally — memory must not grow with the number of frames — and every file it writes goes
// under a temporary name and is renamed into place; files that gather all frames (a COCO JSON, a
// data.yaml) are assembled from per-frame pieces and renamed into place by `finish`, so an
// interrupted export never leaves a half-written file under a final name.
//
// Frames may arrive in any order; output must not depend on it (exporters sort by frame index
// where a format lists frames), so an export from `scenefarm export` and one made while rendering
// are the same bytes.
import ImageCodec
import SceneCore

/// One frame as exporters see it: the labels record and the decoded label maps, plus the color
/// image's PNG bytes exactly as stored (exporters copy them; none re-encodes color).
public struct ExportFrame: Sendable {
    public var index: Int
    public var labels: FrameLabelRecord
    /// `width * height` instance ids (0 = background / stuff), row 0 on top.
    public var instanceMap: [UInt16]
    /// `width * height` class ids (0 = unlabelled), row 0 on top.
    public var semanticMap: [UInt8]
    /// The native dataset's rgb/N.png, byte for byte.
    public var rgbPNG: [UInt8]

    public var width: Int { labels.width }
    public var height: Int { labels.height }

    public init(index: Int, labels: FrameLabelRecord, instanceMap: [UInt16], semanticMap: [UInt8], rgbPNG: [UInt8]) {
        self.index = index
        self.labels = labels
        self.instanceMap = instanceMap
        self.semanticMap = semanticMap
        self.rgbPNG = rgbPNG
    }

    /// Reads frame `index` of a native dataset.
    public init(reading reader: NativeDatasetReader, frame index: Int) throws {
        let labels = try reader.labels(frame: index)
        let instance = try reader.instanceMap(frame: index)
        let semantic = try reader.semanticMap(frame: index)
        let rgbPath = reader.path(.rgb, frame: index)
        let rgb = try AtomicFile.readAll(rgbPath)
        guard instance.bitDepth == 16, instance.channels == 1 else {
            throw ExportError(path: reader.path(.instance, frame: index), frame: index, "expected a 16-bit gray PNG")
        }
        guard semantic.bitDepth == 8, semantic.channels == 1 else {
            throw ExportError(path: reader.path(.semantic, frame: index), frame: index, "expected an 8-bit gray PNG")
        }
        self.init(
            index: index, labels: labels, instanceMap: instance.samples16, semanticMap: semantic.samples8, rgbPNG: rgb)
    }
}

/// Which objects an export keeps. An object that fails a filter is left out of box/instance
/// annotations; its pixels stay in semantic maps (they are still that class).
public struct ExportFilter: Hashable, Sendable {
    /// Class names to keep; nil keeps every class.
    public var classes: Set<String>?
    /// Objects with fewer visible pixels are left out.
    public var minVisiblePixels: Int
    /// Objects whose visibility (visible / unoccluded pixels) is lower are left out; applies only
    /// where the labels carry a visibility.
    public var minVisibility: Double
    /// Objects whose truncation (share outside the image) is higher are left out; applies only
    /// where the labels carry a truncation.
    public var maxTruncation: Double

    public init(
        classes: Set<String>? = nil, minVisiblePixels: Int = 1, minVisibility: Double = 0, maxTruncation: Double = 1
    ) {
        self.classes = classes
        self.minVisiblePixels = minVisiblePixels
        self.minVisibility = minVisibility
        self.maxTruncation = maxTruncation
    }

    public func keeps(_ object: FrameLabelRecord.ObjectRecord) -> Bool {
        if let classes, !classes.contains(object.className) { return false }
        if let v = object.visibility, v < minVisibility { return false }
        if let t = object.truncation, t > maxTruncation { return false }
        return object.pixels >= minVisiblePixels
    }
}

/// A reproducible train/val/test split: frame i's split is a pure function of (seed, i).
public struct DatasetSplit: Hashable, Sendable {
    public enum Part: String, CaseIterable, Sendable { case train, val, test }

    public var valFraction: Double
    public var testFraction: Double
    public var seed: UInt64

    public init(valFraction: Double = 0.1, testFraction: Double = 0, seed: UInt64 = 0) {
        self.valFraction = valFraction
        self.testFraction = testFraction
        self.seed = seed
    }

    /// The part frame `index` belongs to.
    public func part(of index: Int) -> Part {
        var mix = SplitMix64(seed: seed ^ 0x5EED_5EED_5EED_5EED)
        var x = mix.next() ^ UInt64(truncatingIfNeeded: index)
        x = SplitMix64.mix(x)
        let u = Double(x >> 11) * 0x1.0p-53
        if u < testFraction { return .test }
        if u < testFraction + valFraction { return .val }
        return .train
    }
}

/// A dataset format writer.
public protocol DatasetExporter: AnyObject {
    /// Adds one frame. Frames arrive in any order, each once.
    func add(_ frame: ExportFrame) throws
    /// Writes what gathers all frames and renames it into place. Called once, after the last `add`.
    func finish() throws
}

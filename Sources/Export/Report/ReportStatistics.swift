import Foundation

/// Fixed-width bins over `lower..<upper`, with values below and above counted apart so nothing is
/// hidden or misfiled. Memory is the bin count, whatever the number of values added.
public struct Histogram: Hashable, Sendable {
    public let lower: Double
    public let upper: Double
    /// counts[i] holds values in lower + i*width ..< lower + (i+1)*width.
    public private(set) var counts: [Int]
    public private(set) var below = 0
    /// Values at or above `upper`, unless `includesUpper` puts `upper` itself into the last bin.
    public private(set) var above = 0
    /// When true, a value exactly equal to `upper` counts in the last bin (for closed ranges such as 0...1).
    public let includesUpper: Bool

    public init(lower: Double, upper: Double, bins: Int, includesUpper: Bool = false) {
        precondition(bins > 0 && upper > lower, "a histogram needs bins > 0 and upper > lower")
        self.lower = lower
        self.upper = upper
        self.includesUpper = includesUpper
        counts = [Int](repeating: 0, count: bins)
    }

    public var binWidth: Double { (upper - lower) / Double(counts.count) }
    /// Every value added, in or out of range.
    public var total: Int { counts.reduce(0, +) + below + above }

    public mutating func add(_ value: Double) {
        guard value.isFinite else { return }
        if value < lower {
            below += 1
        } else if value >= upper {
            if includesUpper && value == upper { counts[counts.count - 1] += 1 } else { above += 1 }
        } else {
            counts[min(counts.count - 1, Int((value - lower) / binWidth))] += 1
        }
    }

    /// The bin a value falls in, nil outside the range.
    public func bin(of value: Double) -> Int? {
        guard value.isFinite, value >= lower else { return nil }
        if value >= upper { return includesUpper && value == upper ? counts.count - 1 : nil }
        return min(counts.count - 1, Int((value - lower) / binWidth))
    }

    /// One bar per bin, labelled by its lower edge, plus "<lower" and "≥upper" bars when they hold anything.
    public func bars(format: (Double) -> String) -> [ReportBar] {
        var out: [ReportBar] = []
        if below > 0 { out.append(ReportBar(label: "<" + format(lower), count: below)) }
        for (i, c) in counts.enumerated() {
            out.append(ReportBar(label: format(lower + Double(i) * binWidth), count: c))
        }
        if above > 0 { out.append(ReportBar(label: "≥" + format(upper), count: above)) }
        return out
    }
}

/// One bar of a chart.
public struct ReportBar: Hashable, Sendable {
    public var label: String
    public var count: Int
    /// A CSS color; nil for the default.
    public var color: String?

    public init(label: String, count: Int, color: String? = nil) {
        self.label = label
        self.count = count
        self.color = color
    }
}

/// Counts and histograms over a dataset's label files, accumulated one frame at a time: memory
/// depends on the number of classes and bins, never on the number of frames or objects.
public struct ReportStatistics: Hashable, Sendable {
    public private(set) var frames = 0
    public private(set) var objects = 0
    /// class id → objects.
    public private(set) var objectsPerClass: [Int: Int] = [:]
    /// class id → the name the labels use (for ids missing from the class table).
    public private(set) var classNames: [Int: String] = [:]
    /// objects in a frame → frames with that many.
    public private(set) var framesByObjectCount: [Int: Int] = [:]
    /// Box sizes in pixels (inclusive extents: xmax - xmin + 1), binned by octave: the histograms
    /// hold log2(size), so bin i counts sizes in 2^i ..< 2^(i+1) — small and large objects both show.
    public private(set) var boxWidth: Histogram
    public private(set) var boxHeight: Histogram
    /// Box width / height.
    public private(set) var aspectRatio = Histogram(lower: 0, upper: 4, bins: 16)
    /// Objects whose labels carry visibility / truncation, and their histograms over 0...1.
    public private(set) var visibility = Histogram(lower: 0, upper: 1, bins: 10, includesUpper: true)
    public private(set) var truncation = Histogram(lower: 0, upper: 1, bins: 10, includesUpper: true)
    /// Objects by the sun elevation of their frame, degrees; frames likewise.
    public private(set) var objectsBySunElevation = Histogram(lower: 0, upper: 90, bins: 9, includesUpper: true)
    public private(set) var framesBySunElevation = Histogram(lower: 0, upper: 90, bins: 9, includesUpper: true)
    public private(set) var framesWithLighting = 0

    /// `imageWidth` and `imageHeight` set the range of the box size histograms: one bin per octave
    /// up to the image size.
    public init(imageWidth: Int, imageHeight: Int) {
        func octaves(_ size: Int) -> Histogram {
            let top = max(1, Int(log2(Double(max(2, size))).rounded(.up)))
            return Histogram(lower: 0, upper: Double(top), bins: top, includesUpper: true)
        }
        boxWidth = octaves(imageWidth)
        boxHeight = octaves(imageHeight)
    }

    /// Frames by object count, in at most `maxBars` bars of equal integer width starting at 0,
    /// labelled "n" or "a–b".
    public func objectsPerFrameBars(maxBars: Int = 24) -> [ReportBar] {
        let top = framesByObjectCount.keys.max() ?? 0
        let width = max(1, (top + maxBars) / maxBars)
        return stride(from: 0, through: top, by: width).map { start in
            let end = start + width - 1
            let count = (start...end).reduce(0) { $0 + (framesByObjectCount[$1] ?? 0) }
            return ReportBar(label: width == 1 ? "\(start)" : "\(start)–\(end)", count: count)
        }
    }

    public mutating func add(_ record: FrameLabelRecord) {
        frames += 1
        objects += record.objects.count
        framesByObjectCount[record.objects.count, default: 0] += 1
        if let l = record.lighting {
            framesWithLighting += 1
            framesBySunElevation.add(l.sunElevationDeg)
        }
        for o in record.objects {
            objectsPerClass[o.classID, default: 0] += 1
            if classNames[o.classID] == nil { classNames[o.classID] = o.className }
            if o.bbox.count == 4 {
                let w = o.bbox[2] - o.bbox[0] + 1
                let h = o.bbox[3] - o.bbox[1] + 1
                if w > 0 { boxWidth.add(log2(Double(w))) }
                if h > 0 { boxHeight.add(log2(Double(h))) }
                if h > 0 { aspectRatio.add(Double(w) / Double(h)) }
            }
            if let v = o.visibility { visibility.add(v) }
            if let t = o.truncation { truncation.add(t) }
            if let l = record.lighting { objectsBySunElevation.add(l.sunElevationDeg) }
        }
    }
}

extension DatasetReport {
    /// `count` frame indices spread evenly over 0..<frameCount, first and last included, ascending
    /// and distinct; all frames when there are no more than `count`.
    public static func sampleFrames(count: Int, frameCount: Int) -> [Int] {
        let k = min(max(0, count), max(0, frameCount))
        if k == 0 { return [] }
        if k == 1 { return [0] }
        return (0..<k).map { i in Int((Double(i) * Double(frameCount - 1) / Double(k - 1)).rounded()) }
    }
}

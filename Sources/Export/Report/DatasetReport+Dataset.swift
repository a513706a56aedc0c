extension DatasetReport {
    /// Reads every labels file of the dataset once, in frame order, keeping only the running
    /// statistics, then draws `samples` evenly spread frames (see `ContactSheet.overlayPNG`) and
    /// returns the page. Throws an `ExportError` naming the first file that cannot be read.
    public static func html(dataset reader: NativeDatasetReader, samples: Int, scale: Double = 0.5) throws -> String {
        let info = reader.info
        var statistics = ReportStatistics(imageWidth: info.width, imageHeight: info.height)
        var sampleObjects: [Int: Int] = [:]
        let chosen = Set(sampleFrames(count: samples, frameCount: info.frameCount))
        for frame in 0..<info.frameCount {
            let record = try reader.labels(frame: frame)
            statistics.add(record)
            if chosen.contains(frame) { sampleObjects[frame] = record.objects.count }
        }
        // Images are decoded one at a time; only the small encoded samples are kept.
        let images = try chosen.sorted().map { frame in
            Sample(
                frame: frame, objects: sampleObjects[frame] ?? 0,
                png: try ContactSheet.overlayPNG(dataset: reader, frame: frame, scale: scale))
        }
        return html(info: info, statistics: statistics, samples: images)
    }

    /// Writes the page to `path` through a temporary file and a rename.
    public static func write(_ html: String, to path: String) throws {
        try AtomicFile.write(Array(html.utf8), to: path, tag: 0, sync: false)
    }
}

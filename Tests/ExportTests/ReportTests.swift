import Export
import Foundation
import ImageCodec
import SceneCore
import XCTest

/// `DatasetReport` and its statistics, from hand-made label files (no renderer).
final class ReportStatisticsTests: XCTestCase {
    /// A labels file as JSON text: `objects` are (class id, class name, bbox, visibility, truncation).
    static func record(
        frame: Int, objects: [(Int, String, [Int], Double?, Double?)], sunElevation: Double? = nil
    ) throws -> FrameLabelRecord {
        let objectsJSON = objects.enumerated().map { i, o in
            var fields = [
                "\"instance_id\": \(i + 1)", "\"class_id\": \(o.0)", "\"class\": \"\(o.1)\"",
                "\"bbox\": [\(o.2.map(String.init).joined(separator: ", "))]", "\"pixels\": 10",
            ]
            if let v = o.3 { fields.append("\"visibility\": \(v)") }
            if let t = o.4 { fields.append("\"truncation\": \(t)") }
            return "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: ", ")
        let lighting =
            sunElevation.map {
                """
                , "lighting": {"sun_direction": [0, 0, 1], "sun_elevation_deg": \($0), "sun_azimuth_deg": 0,
                  "sun_color": [1, 1, 1], "sky_color": [0.5, 0.5, 0.5]}
                """
            } ?? ""
        let json = """
            {"frame": \(frame), "width": 100, "height": 50,
             "camera": {"K": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
                        "world_from_camera": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]},
             "objects": [\(objectsJSON)]\(lighting)}
            """
        return try JSONDecoder().decode(FrameLabelRecord.self, from: Data(json.utf8))
    }

    func testHistogramBinning() {
        var h = Histogram(lower: 0, upper: 1, bins: 10, includesUpper: true)
        for v in [0, 0.05, 0.1, 0.0999, 0.95, 1.0, -0.1, 1.5, .nan] { h.add(v) }
        XCTAssertEqual(h.counts, [3, 1, 0, 0, 0, 0, 0, 0, 0, 2])
        XCTAssertEqual(h.below, 1)
        XCTAssertEqual(h.above, 1)
        XCTAssertEqual(h.total, 8, "NaN is dropped")
        XCTAssertEqual(h.bin(of: 0.1), 1)
        XCTAssertEqual(h.bin(of: 1.0), 9)
        XCTAssertNil(h.bin(of: 1.01))

        var open = Histogram(lower: 0, upper: 90, bins: 9)
        open.add(90)
        XCTAssertEqual(open.counts, [Int](repeating: 0, count: 9))
        XCTAssertEqual(open.above, 1, "without includesUpper the upper edge is out of range")
        XCTAssertEqual(open.bars { String(Int($0)) }.map(\.label).last, "≥90")
    }

    func testStatisticsAccumulateCountsAndBins() throws {
        var st = ReportStatistics(imageWidth: 100, imageHeight: 50)
        // Frame 0: a car 10x5 (aspect 2), a pedestrian 5x20 (aspect 0.25), both with visibility/truncation.
        st.add(
            try Self.record(
                frame: 0,
                objects: [(2, "car", [0, 0, 9, 4], 0.5, 0.0), (3, "pedestrian", [10, 10, 14, 29], 1.0, 0.25)],
                sunElevation: 35))
        // Frame 1: no objects; frame 2: one car 100x50 without amodal fields, no lighting.
        st.add(try Self.record(frame: 1, objects: [], sunElevation: 80))
        st.add(try Self.record(frame: 2, objects: [(2, "car", [0, 0, 99, 49], nil, nil)]))

        XCTAssertEqual(st.frames, 3)
        XCTAssertEqual(st.objects, 3)
        XCTAssertEqual(st.objectsPerClass, [2: 2, 3: 1])
        XCTAssertEqual(st.classNames, [2: "car", 3: "pedestrian"])
        XCTAssertEqual(st.framesByObjectCount, [2: 1, 0: 1, 1: 1])
        // Octave bins, 7 up to 128 px: width 10 → 8..<16 (bin 3), 5 → 4..<8 (bin 2), 100 → 64..<128 (bin 6).
        XCTAssertEqual(st.boxWidth.counts, [0, 0, 1, 1, 0, 0, 1])
        // Heights 5, 20 and 50, six bins up to 64 px.
        XCTAssertEqual(st.boxHeight.counts, [0, 0, 1, 0, 1, 1])
        // Aspect bins are 0.25 wide: 2.0 → bin 8 (twice), 0.25 → bin 1.
        XCTAssertEqual(st.aspectRatio.counts[8], 2)
        XCTAssertEqual(st.aspectRatio.counts[1], 1)
        XCTAssertEqual(st.visibility.total, 2)
        XCTAssertEqual(st.visibility.counts[5], 1)
        XCTAssertEqual(st.visibility.counts[9], 1)
        XCTAssertEqual(st.truncation.counts[0], 1)
        XCTAssertEqual(st.truncation.counts[2], 1)
        XCTAssertEqual(st.framesWithLighting, 2)
        XCTAssertEqual(st.framesBySunElevation.counts[3], 1)
        XCTAssertEqual(st.framesBySunElevation.counts[8], 1)
        XCTAssertEqual(st.objectsBySunElevation.counts[3], 2, "both objects of the 35° frame")
        XCTAssertEqual(st.objectsBySunElevation.total, 2, "the unlit frame's car is not counted")
    }

    func testObjectsPerFrameBarsGroupLargeCounts() throws {
        var st = ReportStatistics(imageWidth: 100, imageHeight: 50)
        st.add(try Self.record(frame: 0, objects: []))
        st.add(try Self.record(frame: 1, objects: [(2, "car", [0, 0, 9, 4], nil, nil)]))
        XCTAssertEqual(st.objectsPerFrameBars().map(\.label), ["0", "1"])
        XCTAssertEqual(st.objectsPerFrameBars().map(\.count), [1, 1])
        let many = (0..<50).map { _ in (2, "car", [0, 0, 9, 4], Double?.none, Double?.none) }
        st.add(try Self.record(frame: 2, objects: many))
        let bars = st.objectsPerFrameBars(maxBars: 24)
        XCTAssertEqual(bars.first?.label, "0–2")
        XCTAssertEqual(bars.first?.count, 2)
        XCTAssertEqual(bars.last?.label, "48–50")
        XCTAssertEqual(bars.last?.count, 1)
        XCTAssertEqual(bars.map(\.count).reduce(0, +), 3)
        XCTAssertLessThanOrEqual(bars.count, 24)
    }

    func testSampleFramesAreEvenlySpreadAndDistinct() {
        XCTAssertEqual(DatasetReport.sampleFrames(count: 6, frameCount: 100), [0, 20, 40, 59, 79, 99])
        XCTAssertEqual(DatasetReport.sampleFrames(count: 6, frameCount: 3), [0, 1, 2])
        XCTAssertEqual(DatasetReport.sampleFrames(count: 1, frameCount: 10), [0])
        XCTAssertEqual(DatasetReport.sampleFrames(count: 0, frameCount: 10), [])
        XCTAssertEqual(DatasetReport.sampleFrames(count: 4, frameCount: 0), [])
        for n in 1...20 {
            for k in 1...n {
                let s = DatasetReport.sampleFrames(count: k, frameCount: n)
                XCTAssertEqual(s.count, k)
                XCTAssertEqual(Set(s).count, k, "\(k) of \(n)")
                XCTAssertEqual(s, s.sorted())
                XCTAssertEqual(s.last, k > 1 ? n - 1 : 0)
            }
        }
    }
}

final class DatasetReportHTMLTests: XCTestCase {
    static let info = DatasetInfo(
        sceneName: "street <night>", seed: 1234, frameCount: 3,
        classes: [
            SemanticClass(id: 1, name: "road", color: [128, 64, 128]),
            SemanticClass(id: 2, name: "car", color: [0, 0, 142]),
            SemanticClass(id: 3, name: "pedestrian", color: [220, 20, 60]),
        ], width: 100, height: 50, softwareVersion: "9.8.7-test")

    static func statistics(amodal: Bool = true, lighting: Bool = true) throws -> ReportStatistics {
        var st = ReportStatistics(imageWidth: 100, imageHeight: 50)
        let v: Double? = amodal ? 0.5 : nil
        st.add(
            try ReportStatisticsTests.record(
                frame: 0, objects: [(2, "car", [0, 0, 9, 4], v, v), (3, "pedestrian", [10, 10, 14, 29], v, v)],
                sunElevation: lighting ? 35 : nil))
        st.add(try ReportStatisticsTests.record(frame: 1, objects: [(2, "car", [0, 0, 9, 4], v, v)]))
        st.add(try ReportStatisticsTests.record(frame: 2, objects: [(7, "bus", [0, 0, 9, 4], v, v)]))
        return st
    }

    /// Occurrences of `needle` in `haystack`.
    static func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    /// The first tag balance problem in `html`, nil when every tag opened is closed in order (void
    /// elements excepted): a small checker, since Foundation's XMLDocument is not available on Linux.
    static func tagProblem(_ html: String) -> String? {
        let void: Set<String> = ["meta", "img", "br", "hr", "link", "input", "!doctype"]
        var stack: [String] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return "unterminated tag" }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let name =
                tag.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "\n" }).first.map {
                    String($0).lowercased()
                } ?? ""
            if tag.hasPrefix("/") {
                let closing = String(tag.dropFirst()).lowercased()
                guard stack.last == closing else { return "</\(closing)> closes <\(stack.last ?? "nothing")>" }
                stack.removeLast()
            } else if !tag.hasSuffix("/") && !void.contains(name) {
                stack.append(name)
            }
        }
        return stack.isEmpty ? nil : "unclosed: \(stack)"
    }

    static func assertBalanced(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(tagProblem(html), file: file, line: line)
    }

    func testPageHasHeaderSectionsAndNumbers() throws {
        let sample = DatasetReport.Sample(frame: 2, objects: 1, png: [0x89, 0x50, 0x4E, 0x47])
        let html = DatasetReport.html(info: Self.info, statistics: try Self.statistics(), samples: [sample])
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("street &lt;night&gt;"), "scene name escaped")
        XCTAssertFalse(html.contains("street <night>"))
        for needle in [
            "<th>Frames</th><td>3</td>", "<th>Image size</th><td>100 × 50</td>", "<th>Seed</th><td>1234</td>",
            "<th>Software version</th><td>9.8.7-test</td>", "<th>Objects</th><td>4</td>",
            "background:rgb(0,0,142)", "<td>car</td><td>2</td>", "<td>pedestrian</td><td>1</td>",
            "<td>road</td><td>0</td>", "<td>bus</td><td>1</td>",
            "id=\"classes\"", "id=\"plots\"", "id=\"samples\"",
            ">Objects per class<", ">Objects per frame<", ">Box width<", ">Box height<", ">Box aspect ratio<",
            ">Visibility<", ">Truncation<", ">Objects by sun elevation<",
            "src=\"data:image/png;base64,iVBORw==\"", "frame 2 · 1 objects",
        ] {
            XCTAssertTrue(html.contains(needle), needle)
        }
        XCTAssertEqual(Self.count("<svg", in: html), 8)
        XCTAssertEqual(Self.count("<svg", in: html), Self.count("</svg>", in: html))
        XCTAssertFalse(html.contains("http://"))
        XCTAssertFalse(html.contains("https://"))
        XCTAssertFalse(html.lowercased().contains("<script"))
        Self.assertBalanced(html)
    }

    func testOptionalPlotsAreLeftOutWithoutTheirData() throws {
        let html = DatasetReport.html(
            info: Self.info, statistics: try Self.statistics(amodal: false, lighting: false), samples: [])
        XCTAssertEqual(Self.count("<svg", in: html), 5)
        XCTAssertFalse(html.contains(">Visibility<"))
        XCTAssertFalse(html.contains(">Objects by sun elevation<"))
        XCTAssertTrue(html.contains("no sun elevation plot"))
        Self.assertBalanced(html)
    }

    func testBarChartShowsCountsAndAxisLabels() {
        let svg = SVGBarChart.svg(
            title: "T & U", xLabel: "x axis", yLabel: "y axis",
            bars: [ReportBar(label: "a", count: 3), ReportBar(label: "b", count: 40, color: "rgb(1,2,3)")])
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        XCTAssertTrue(svg.contains(">T &amp; U<"))
        XCTAssertTrue(svg.contains(">x axis<"))
        XCTAssertTrue(svg.contains(">y axis<"))
        XCTAssertTrue(svg.contains(">40<"), "count label and y maximum")
        XCTAssertTrue(svg.contains(">3<"))
        XCTAssertTrue(svg.contains("fill:rgb(1,2,3)"))
        XCTAssertEqual(Self.count("<rect", in: svg), 2)
        Self.assertBalanced(svg)
        XCTAssertTrue(SVGBarChart.svg(title: "E", xLabel: "x", yLabel: "y", bars: []).contains("no data"))
    }

    func testBalanceCheckerCatchesErrors() {
        XCTAssertNil(Self.tagProblem("<p><img src=\"x\"><br/><svg><rect/></svg></p>"))
        XCTAssertEqual(Self.tagProblem("<svg><g></svg>"), "</svg> closes <g>")
        XCTAssertEqual(Self.tagProblem("<div>"), "unclosed: [\"div\"]")
        XCTAssertEqual(Self.tagProblem("</p>"), "</p> closes <nothing>")
        XCTAssertEqual(Self.tagProblem("<p"), "unterminated tag")
    }

    func testReportOfAWrittenDataset() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeDataset(to: dir, frames: 5)
        let reader = try NativeDatasetReader(directory: dir)
        let html = try DatasetReport.html(dataset: reader, samples: 3)
        XCTAssertEqual(Self.count("data:image/png;base64,", in: html), 3)
        for frame in [0, 2, 4] { XCTAssertTrue(html.contains("alt=\"frame \(frame)\""), "frame \(frame)") }
        XCTAssertTrue(html.contains("<th>Frames</th><td>5</td>"))
        Self.assertBalanced(html)

        // The embedded panel is the frame at half size.
        let panel = try ContactSheet.overlayPNG(dataset: reader, frame: 0, scale: 0.5)
        let decoded = try PNGDecoder.decode(panel)
        XCTAssertEqual(decoded.width, reader.info.width / 2)
        XCTAssertEqual(decoded.height, reader.info.height / 2)
        XCTAssertTrue(html.contains(Data(panel).base64EncodedString()))

        let out = dir + "/report.html"
        try DatasetReport.write(html, to: out)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), html)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }, [])
    }

    func testMissingLabelsFileIsNamed() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeDataset(to: dir, frames: 3)
        try FileManager.default.removeItem(atPath: dir + "/labels/000001.json")
        let reader = try NativeDatasetReader(directory: dir)
        XCTAssertThrowsError(try DatasetReport.html(dataset: reader, samples: 2)) { error in
            XCTAssertTrue("\(error)".contains("labels/000001.json"), "\(error)")
        }
    }
}

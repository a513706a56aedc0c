import Foundation
import SceneCore

/// `scenefarm report`: one self-contained HTML page about a native dataset — what it is, how its
/// objects are distributed, and a few frames with their labels drawn over them.
///
/// Non-goals: no JavaScript, no external files or URLs (plots are inline SVG, images `data:` URIs),
/// no per-object tables (the page must stay small for any number of frames).
public enum DatasetReport {
    /// One sample frame: its index, object count and an image (PNG bytes) to embed.
    public struct Sample: Hashable, Sendable {
        public var frame: Int
        public var objects: Int
        public var png: [UInt8]

        public init(frame: Int, objects: Int, png: [UInt8]) {
            self.frame = frame
            self.objects = objects
            self.png = png
        }
    }

    /// The page, from the dataset's description, its accumulated statistics and the sample images.
    public static func html(info: DatasetInfo, statistics st: ReportStatistics, samples: [Sample]) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<title>SceneFarm report: \(HTML.escape(info.sceneName))</title>\n"
        h += "<style>\n\(css)</style>\n</head>\n<body>\n"

        // Header.
        h += "<h1>SceneFarm dataset report: \(HTML.escape(info.sceneName))</h1>\n<header>\n<table class=\"kv\">\n"
        let perFrame = st.frames > 0 ? String(format: "%.2f", Double(st.objects) / Double(st.frames)) : "–"
        for (k, v) in [
            ("Scene", info.sceneName), ("Frames", "\(info.frameCount)"),
            ("Image size", "\(info.width) × \(info.height)"),
            ("Seed", "\(info.seed)"), ("Software version", info.softwareVersion),
            ("Format version", "\(info.formatVersion)"), ("Objects", "\(st.objects)"), ("Objects per frame", perFrame),
        ] {
            h += "<tr><th>\(HTML.escape(k))</th><td>\(HTML.escape(v))</td></tr>\n"
        }
        h += "</table>\n"

        // Class table.
        h += "<section id=\"classes\"><table class=\"classes\">\n"
        h += "<tr><th>Id</th><th>Color</th><th>Name</th><th>Objects</th></tr>\n"
        for c in classRows(info: info, statistics: st) {
            h += "<tr><td>\(c.id)</td><td><span class=\"sw\" style=\"background:\(c.css)\"></span></td>"
            h += "<td>\(HTML.escape(c.name))</td><td>\(c.objects)</td></tr>\n"
        }
        h += "</table>\n</section>\n</header>\n"

        // Plots.
        h += "<section id=\"plots\"><h2>Distributions</h2>\n<div class=\"plots\">\n"
        for chart in charts(info: info, statistics: st) { h += "<figure>\(chart)</figure>\n" }
        h += "</div>\n"
        if st.visibility.total == 0 || st.truncation.total == 0 {
            h += "<p class=\"note\">Visibility and truncation plots appear when labels carry them "
            h += "(datasets rendered without --no-amodal).</p>\n"
        }
        if st.framesWithLighting == 0 {
            h += "<p class=\"note\">No frame records its lighting, so there is no sun elevation plot.</p>\n"
        }
        h += "</section>\n"

        // Samples.
        h += "<section id=\"samples\"><h2>Sample frames</h2>\n"
        h += "<p class=\"note\">Color image with the semantic map blended over it and each object's box in its "
        h += "class color.</p>\n<div class=\"samples\">\n"
        for s in samples {
            h += "<figure><img alt=\"frame \(s.frame)\" src=\"data:image/png;base64,"
            h += Data(s.png).base64EncodedString()
            h += "\"><figcaption>frame \(s.frame) · \(s.objects) objects</figcaption></figure>\n"
        }
        h += "</div>\n</section>\n"
        h += "<footer>Made by scenefarm report, \(HTML.escape(SceneFarmVersion.string)).</footer>\n</body>\n</html>\n"
        return h
    }

    struct ClassRow {
        var id: Int
        var name: String
        var css: String
        var objects: Int
    }

    /// The class table, plus any class id the labels use that the table lacks.
    static func classRows(info: DatasetInfo, statistics st: ReportStatistics) -> [ClassRow] {
        var rows = info.classes.map { c in
            ClassRow(id: c.id, name: c.name, css: css(c.color), objects: st.objectsPerClass[c.id] ?? 0)
        }
        let known = Set(info.classes.map(\.id))
        for (id, n) in st.objectsPerClass.sorted(by: { $0.key < $1.key }) where !known.contains(id) {
            rows.append(ClassRow(id: id, name: st.classNames[id] ?? "?", css: "#888", objects: n))
        }
        return rows
    }

    static func charts(info: DatasetInfo, statistics st: ReportStatistics) -> [String] {
        var out: [String] = []
        let rows = classRows(info: info, statistics: st).filter { $0.id != 0 || $0.objects > 0 }
        out.append(
            SVGBarChart.svg(
                title: "Objects per class", xLabel: "class", yLabel: "objects",
                bars: rows.map { ReportBar(label: $0.name, count: $0.objects, color: $0.css) }))
        out.append(
            SVGBarChart.svg(
                title: "Objects per frame", xLabel: "objects in the frame", yLabel: "frames",
                bars: st.objectsPerFrameBars()))
        let px: (Double) -> String = { String(Int(pow(2, $0).rounded())) }
        out.append(
            SVGBarChart.svg(
                title: "Box width", xLabel: "pixels (octave bins, labelled by their start)", yLabel: "objects",
                bars: st.boxWidth.bars(format: px)))
        out.append(
            SVGBarChart.svg(
                title: "Box height", xLabel: "pixels (octave bins, labelled by their start)", yLabel: "objects",
                bars: st.boxHeight.bars(format: px)))
        let two: (Double) -> String = { String(format: "%.2f", $0) }
        let one: (Double) -> String = { String(format: "%.1f", $0) }
        out.append(
            SVGBarChart.svg(
                title: "Box aspect ratio", xLabel: "width / height (bin start)", yLabel: "objects",
                bars: st.aspectRatio.bars(format: two)))
        if st.visibility.total > 0 {
            out.append(
                SVGBarChart.svg(
                    title: "Visibility", xLabel: "visible share of the silhouette (bin start)", yLabel: "objects",
                    bars: st.visibility.bars(format: one)))
        }
        if st.truncation.total > 0 {
            out.append(
                SVGBarChart.svg(
                    title: "Truncation", xLabel: "share outside the image (bin start)", yLabel: "objects",
                    bars: st.truncation.bars(format: one)))
        }
        if st.framesWithLighting > 0 {
            let deg: (Double) -> String = { "\(Int($0.rounded()))°" }
            out.append(
                SVGBarChart.svg(
                    title: "Objects by sun elevation", xLabel: "sun elevation (bin start)", yLabel: "objects",
                    bars: st.objectsBySunElevation.bars(format: deg)))
        }
        return out
    }

    static func css(_ color: [Int]) -> String {
        guard color.count == 3 else { return "#888" }
        let c = color.map { max(0, min(255, $0)) }
        return "rgb(\(c[0]),\(c[1]),\(c[2]))"
    }

    static let css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
        header{display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start}
        h1{font-size:22px;margin:0 0 12px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px}
        table{border-collapse:collapse}th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #e4e4e4}
        table.kv th{color:#555;font-weight:600}
        .sw{display:inline-block;width:28px;height:14px;border:1px solid #444;vertical-align:middle}
        .plots{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;background:#fff;border:1px solid #ddd;padding:6px}
        svg text{font:11px sans-serif;fill:#333}svg text.t{font-size:14px;font-weight:600}svg text.n{fill:#555}
        svg .ax{stroke:#333;stroke-width:1}svg .bar{fill:#4a7bd0}
        .samples{display:flex;flex-wrap:wrap;gap:12px}.samples img{display:block;image-rendering:pixelated}
        figcaption{color:#555;font-size:12px;padding-top:4px}.note{color:#666;font-size:12px}
        footer{margin-top:24px;color:#888;font-size:12px}

        """
}

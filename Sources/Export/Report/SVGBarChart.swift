/// A bar chart as inline SVG: one bar per label, its count printed above it, a y axis with three
/// ticks, and axis titles. Plain SVG 1.1 with no scripts, fonts or external references.
///
/// ```
///  count ┤      42
///        │  17  ██  5
///        │  ██  ██  ██
///        └──┴───┴───┴── label
/// ```
public enum SVGBarChart {
    public static func svg(title: String, xLabel: String, yLabel: String, bars: [ReportBar]) -> String {
        let width = 540
        let height = 280
        let left = 56
        let right = 12
        let top = 40
        let bottom = 64
        let plotW = width - left - right
        let plotH = height - top - bottom
        let maxCount = max(1, bars.map(\.count).max() ?? 0)
        // No xmlns: inline SVG in HTML5 needs none, and the page holds no URLs at all.
        var s = "<svg width=\"\(width)\" height=\"\(height)\" "
        s += "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        s += "<text x=\"\(width / 2)\" y=\"18\" text-anchor=\"middle\" class=\"t\">\(HTML.escape(title))</text>"
        // Axes and y ticks at 0, half and max.
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotH)\" class=\"ax\"/>"
        s += "<line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" class=\"ax\"/>"
        for tick in Set([0, maxCount / 2, maxCount]).sorted() {
            let y = top + plotH - plotH * tick / maxCount
            s += "<line x1=\"\(left - 4)\" y1=\"\(y)\" x2=\"\(left)\" y2=\"\(y)\" class=\"ax\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(tick)</text>"
        }
        s += "<text x=\"14\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\" "
        s += "transform=\"rotate(-90 14 \(top + plotH / 2))\">\(HTML.escape(yLabel))</text>"
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        if bars.isEmpty {
            s += "<text x=\"\(left + plotW / 2)\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\">no data</text>"
        }
        let slot = Double(plotW) / Double(max(1, bars.count))
        let barW = max(1.0, slot * 0.8)
        // Rotate labels when they would collide.
        let longest = bars.map(\.label.count).max() ?? 0
        let rotate = Double(longest) * 7 > slot
        for (i, bar) in bars.enumerated() {
            let x = Double(left) + slot * Double(i) + (slot - barW) / 2
            let h = Double(plotH) * Double(bar.count) / Double(maxCount)
            let y = Double(top + plotH) - h
            let fill = bar.color.map { " style=\"fill:\(HTML.escape($0))\"" } ?? ""
            s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barW))\" height=\"\(f(h))\" class=\"bar\"\(fill)>"
            s += "<title>\(HTML.escape(bar.label)): \(bar.count)</title></rect>"
            let cx = x + barW / 2
            if bar.count > 0 && slot >= 14 {
                s += "<text x=\"\(f(cx))\" y=\"\(f(y - 3))\" text-anchor=\"middle\" class=\"n\">\(bar.count)</text>"
            }
            let ly = top + plotH + 14
            if rotate {
                s += "<text x=\"\(f(cx))\" y=\"\(ly)\" text-anchor=\"end\" "
                s += "transform=\"rotate(-45 \(f(cx)) \(ly))\">\(HTML.escape(bar.label))</text>"
            } else {
                s += "<text x=\"\(f(cx))\" y=\"\(ly)\" text-anchor=\"middle\">\(HTML.escape(bar.label))</text>"
            }
        }
        s += "</svg>"
        return s
    }

    private static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

/// Text escaping for HTML content and attribute values.
enum HTML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

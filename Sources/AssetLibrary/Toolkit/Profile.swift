import SceneCore

/// Planar outlines for lathes and extrusions, and the normals and triangles they need.
public enum Profile {
    /// Twice the signed area: positive for a counter-clockwise outline.
    public static func signedArea2(_ p: [Vec2]) -> Double {
        var s = 0.0
        for i in p.indices { s += p[i].cross(p[(i + 1) % p.count]) }
        return s
    }

    /// The outline counter-clockwise, whichever way it was given.
    public static func counterClockwise(_ p: [Vec2]) -> [Vec2] { signedArea2(p) < 0 ? p.reversed() : p }

    /// `n` points on a circle (or an arc from `from` to `to` radians, both ends included).
    public static func arc(centre: Vec2, radius: Double, from: Double, to: Double, segments n: Int) -> [Vec2] {
        (0...n).map { k in
            let t = from + (to - from) * Double(k) / Double(n)
            return centre + Vec2(cos(t), sin(t)) * radius
        }
    }

    public static func circle(centre: Vec2 = Vec2(0, 0), radius: Double, segments n: Int) -> [Vec2] {
        Array(arc(centre: centre, radius: radius, from: 0, to: 2 * .pi, segments: n).dropLast())
    }

    /// A rectangle centred at `centre` with corners rounded by `radius`, counter-clockwise.
    public static func roundedRect(
        centre: Vec2 = Vec2(0, 0), size: Vec2, radius: Double, cornerSegments n: Int
    )
        -> [Vec2]
    {
        let r = min(radius, size.x / 2, size.y / 2)
        let hx = size.x / 2 - r, hy = size.y / 2 - r
        var out: [Vec2] = []
        for (k, c) in [Vec2(hx, -hy), Vec2(hx, hy), Vec2(-hx, hy), Vec2(-hx, -hy)].enumerated() {
            let start = -Double.pi / 2 + Double(k) * Double.pi / 2
            if r > 0 {
                out += arc(centre: centre + c, radius: r, from: start, to: start + .pi / 2, segments: n)
            } else {
                out.append(centre + c)
            }
        }
        return out
    }

    /// Per point of an outline, the unit normal at the end of the segment arriving there and at the
    /// start of the segment leaving it: equal (the average) where the outline turns by less than
    /// `crease` radians, so it shades smooth there, and the two segments' own normals at a crease.
    /// Normals point to the right of the direction of travel: outward for counter-clockwise outlines.
    static func creasedNormals(_ p: [Vec2], closed: Bool, crease: Double) -> [(incoming: Vec2, outgoing: Vec2)] {
        let count = p.count
        let segments = closed ? count : count - 1
        let segmentNormal: [Vec2] = (0..<segments).map { j in
            let d = (p[(j + 1) % count] - p[j]).normalized
            return Vec2(d.y, -d.x)
        }
        let segmentDirection: [Vec2] = (0..<segments).map { j in (p[(j + 1) % count] - p[j]).normalized }
        return (0..<count).map { i in
            let inIndex: Int? = i > 0 ? i - 1 : (closed ? segments - 1 : nil)
            let outIndex: Int? = i < segments ? i : nil
            switch (inIndex, outIndex) {
            case (let a?, let b?):
                let angle = abs(
                    atan2(segmentDirection[a].cross(segmentDirection[b]), segmentDirection[a].dot(segmentDirection[b])))
                if angle > crease { return (segmentNormal[a], segmentNormal[b]) }
                let n = (segmentNormal[a] + segmentNormal[b]).normalized
                return (n, n)
            case (let a?, nil): return (segmentNormal[a], segmentNormal[a])
            case (nil, let b?): return (segmentNormal[b], segmentNormal[b])
            case (nil, nil): return (Vec2(0, 1), Vec2(0, 1))
            }
        }
    }

    /// The outline moved inwards by `distance` (mitred corners, the mitre capped at 4x the distance).
    /// Meant for small bevels: an inset larger than a feature of the outline folds it over.
    static func inset(_ ccw: [Vec2], by distance: Double) -> [Vec2] {
        let n = ccw.count
        return (0..<n).map { i in
            let prev = ccw[(i + n - 1) % n], cur = ccw[i], next = ccw[(i + 1) % n]
            let d1 = (cur - prev).normalized, d2 = (next - cur).normalized
            let n1 = Vec2(-d1.y, d1.x), n2 = Vec2(-d2.y, d2.x)
            var m = (n1 + n2) * (1 / max(1 + n1.dot(n2), 1e-9))
            if m.length > 4 { m = m.normalized * 4 }
            return cur + m * distance
        }
    }

    /// Whether `inset(ccw, by:)` is the same outline shrunk: every edge keeps its direction and the
    /// outline stays counter-clockwise.
    static func insetKeepsShape(_ ccw: [Vec2], by distance: Double) -> Bool {
        let q = inset(ccw, by: distance)
        for i in ccw.indices {
            let j = (i + 1) % ccw.count
            if (q[j] - q[i]).dot(ccw[j] - ccw[i]) <= 0 { return false }
        }
        return signedArea2(q) > 0
    }

    /// Triangles (index triples, counter-clockwise) covering a simple counter-clockwise outline, by
    /// ear clipping. Always ends: every round clips one vertex, falling back to the flattest convex
    /// corner when no clean ear is left (only for outlines that touch themselves).
    static func triangulate(_ p: [Vec2]) -> [(Int, Int, Int)] {
        var remaining = Array(p.indices)
        var out: [(Int, Int, Int)] = []
        func inside(_ q: Vec2, _ a: Vec2, _ b: Vec2, _ c: Vec2) -> Bool {
            (b - a).cross(q - a) >= -1e-12 && (c - b).cross(q - b) >= -1e-12 && (a - c).cross(q - c) >= -1e-12
        }
        while remaining.count > 3 {
            let m = remaining.count
            var chosen: Int?
            var fallback = 0, fallbackArea = -Double.infinity
            for k in 0..<m {
                let a = p[remaining[(k + m - 1) % m]], b = p[remaining[k]], c = p[remaining[(k + 1) % m]]
                let area = (b - a).cross(c - b)
                if area > fallbackArea {
                    fallback = k
                    fallbackArea = area
                }
                guard area > 1e-14 else { continue }
                let blocked = remaining.indices.contains { j in
                    guard j != k, j != (k + m - 1) % m, j != (k + 1) % m else { return false }
                    let q = p[remaining[j]]
                    return q != a && q != b && q != c && inside(q, a, b, c)
                }
                if !blocked {
                    chosen = k
                    break
                }
            }
            let k = chosen ?? fallback
            out.append((remaining[(k + m - 1) % m], remaining[k], remaining[(k + 1) % m]))
            remaining.remove(at: k)
        }
        if remaining.count == 3 { out.append((remaining[0], remaining[1], remaining[2])) }
        return out
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

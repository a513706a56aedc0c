// Outlines of binary masks, traced along pixel edges: what polygon-based formats (YOLO segment)
// need from the exact instance masks.
//
// Coordinates are pixel *corners*: corner (x, y) is the top-left corner of pixel (x, y), and
// pixel (i, j) covers the square [i, i+1] x [j, j+1]. An outline is therefore exact — filling it
// (even-odd rule, sampled at pixel centres) gives back the traced pixels, holes filled. An
// L of three pixels and its outline, clockwise on screen (y down), collinear corners dropped:
//
//     X X        (0,0) ────────── (2,0)
//     X .          │                │
//                  │    (1,1) ──── (2,1)
//                  │      │
//                (0,2) ── (1,2)
//
// Connectivity: a component is 8-connected (pixels touching at a corner belong together), so
// background is 4-connected; a background region enclosed that way is a hole. Where an outline
// passes between two diagonal pixels it touches itself at their shared corner (a "pinch"); the
// corner appears twice in the polygon, which stays correct under even-odd filling.
//
// Non-goals: no smoothing or sub-pixel fitting, no hole outlines (callers that need them can
// trace the inverted mask), no simplification beyond dropping collinear corners.

/// Connected components of binary masks and their outer outlines along pixel edges.
public enum MaskContours {
    /// A pixel corner; `(x, y)` is the top-left corner of pixel `(x, y)`.
    public struct Corner: Hashable, Sendable, CustomStringConvertible {
        public var x: Int
        public var y: Int

        public init(_ x: Int, _ y: Int) {
            self.x = x
            self.y = y
        }

        public var description: String { "(\(x), \(y))" }
    }

    /// One 8-connected component: its first pixel in raster order (`y * width + x`) and its size.
    public struct Component: Hashable, Sendable {
        public var firstPixel: Int
        public var pixelCount: Int

        public init(firstPixel: Int, pixelCount: Int) {
            self.firstPixel = firstPixel
            self.pixelCount = pixelCount
        }
    }

    /// The 8-connected components of the `true` pixels of a `width * height` mask (row 0 on top),
    /// ordered by their first pixel in raster order.
    public static func components(of mask: [Bool], width: Int, height: Int) -> [Component] {
        precondition(width >= 0 && height >= 0 && mask.count == width * height, "mask size")
        var visited = [Bool](repeating: false, count: mask.count)
        var stack: [Int] = []
        var out: [Component] = []
        for start in 0..<mask.count where mask[start] && !visited[start] {
            visited[start] = true
            stack.append(start)
            var count = 0
            while let p = stack.popLast() {
                count += 1
                let x = p % width
                let y = p / width
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) {
                        let q = ny * width + nx
                        if mask[q] && !visited[q] {
                            visited[q] = true
                            stack.append(q)
                        }
                    }
                }
            }
            out.append(Component(firstPixel: start, pixelCount: count))
        }
        return out
    }

    /// The largest 8-connected component (ties: the one whose first pixel comes first in raster
    /// order), nil when the mask is empty.
    public static func largestComponent(of mask: [Bool], width: Int, height: Int) -> Component? {
        var best: Component?
        for component in components(of: mask, width: width, height: height)
        where component.pixelCount > (best?.pixelCount ?? 0) {
            best = component
        }
        return best
    }

    /// The outer outline of the 8-connected component whose first pixel in raster order is
    /// `firstPixel`, as the corners where it turns (collinear corners dropped), starting at that
    /// pixel's top-left corner and running clockwise on screen (y down): the component is on the
    /// right of every edge. Holes are not traced, so filling the outline covers them.
    ///
    /// A component of one pixel gives its unit square; a w x h rectangle gives its 4 corners.
    public static func outerOutline(of mask: [Bool], width: Int, height: Int, firstPixel: Int) -> [Corner] {
        precondition(width > 0 && height > 0 && mask.count == width * height, "mask size")
        precondition(mask.indices.contains(firstPixel) && mask[firstPixel], "the first pixel must be set")
        @inline(__always) func isSet(_ x: Int, _ y: Int) -> Bool {
            x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x]
        }
        let sx = firstPixel % width
        let sy = firstPixel / width
        // Nothing of the component lies above the first pixel's row or left of it in that row, so
        // its top edge is on the outer outline and its top-left corner touches no other set pixel
        // of the component: the walk passes that corner exactly once, at the end.
        precondition(
            !isSet(sx - 1, sy) && !isSet(sx - 1, sy - 1) && !isSet(sx, sy - 1) && !isSet(sx + 1, sy - 1),
            "firstPixel must be the first pixel of its component in raster order")
        var corners = [Corner(sx, sy)]
        // Walk the corner grid with the component on the right. Heading (dx, dy) at corner (x, y),
        // the two pixels ahead are centred at (x, y) + d/2 ± r/2, with r = (-dy, dx) the right-hand
        // side on screen:
        //   ahead-left set        → turn left  (concave corner, or a diagonal pinch: 8-connected)
        //   else ahead-right set  → go straight
        //   else                  → turn right (convex corner)
        var x = sx + 1
        var y = sy
        var dx = 1
        var dy = 0
        var steps = 1
        let maxSteps = 4 * width * height + 4
        while x != sx || y != sy {
            let aheadLeft = isSet(x + (dx + dy == 1 ? 0 : -1), y + (dy - dx == 1 ? 0 : -1))
            let aheadRight = isSet(x + (dx - dy == 1 ? 0 : -1), y + (dy + dx == 1 ? 0 : -1))
            if aheadLeft {
                (dx, dy) = (dy, -dx)
                corners.append(Corner(x, y))
            } else if !aheadRight {
                (dx, dy) = (-dy, dx)
                corners.append(Corner(x, y))
            }
            x += dx
            y += dy
            steps += 1
            precondition(steps <= maxSteps, "outline walk did not close")
        }
        return corners
    }

    /// Twice the signed area enclosed by `polygon` (shoelace); positive for clockwise-on-screen
    /// outlines. For an outer outline, area = the component's pixels + its holes' pixels.
    public static func doubledArea(_ polygon: [Corner]) -> Int {
        var sum = 0
        for i in polygon.indices {
            let a = polygon[i]
            let b = polygon[(i + 1) % polygon.count]
            sum += a.x * b.y - b.x * a.y
        }
        return sum
    }
}

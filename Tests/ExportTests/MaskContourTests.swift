import Export
import SceneCore
import XCTest

/// A mask drawn as text rows: "X" set, anything else clear.
func drawnMask(_ rows: [String]) -> (mask: [Bool], width: Int, height: Int) {
    let width = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == width })
    return (rows.flatMap { $0.map { $0 == "X" } }, width, rows.count)
}

/// Even-odd fill of a pixel-corner polygon, sampled at pixel centres (i + 0.5, j + 0.5): a ray to
/// the right crosses the vertical edges that straddle the centre's row. Written independently of
/// the tracer, so it can check it.
func rasterize(_ polygon: [MaskContours.Corner], width: Int, height: Int) -> [Bool] {
    var out = [Bool](repeating: false, count: width * height)
    for j in 0..<height {
        let cy = Double(j) + 0.5
        for i in 0..<width {
            let cx = Double(i) + 0.5
            var inside = false
            for k in polygon.indices {
                let a = polygon[k]
                let b = polygon[(k + 1) % polygon.count]
                if (Double(a.y) > cy) != (Double(b.y) > cy) {
                    let x = Double(a.x) + (cy - Double(a.y)) * Double(b.x - a.x) / Double(b.y - a.y)
                    if x > cx { inside.toggle() }
                }
            }
            out[j * width + i] = inside
        }
    }
    return out
}

final class MaskContourTests: XCTestCase {
    private func outline(_ rows: [String]) -> [MaskContours.Corner] {
        let (mask, width, height) = drawnMask(rows)
        let first = MaskContours.largestComponent(of: mask, width: width, height: height)!.firstPixel
        return MaskContours.outerOutline(of: mask, width: width, height: height, firstPixel: first)
    }

    private func corners(_ points: [(Int, Int)]) -> [MaskContours.Corner] {
        points.map { MaskContours.Corner($0.0, $0.1) }
    }

    func testRectangleGivesItsFourCornersOnPixelEdges() {
        let rows = [
            "......",
            ".XXX..",
            ".XXX..",
            "......",
        ]
        XCTAssertEqual(outline(rows), corners([(1, 1), (4, 1), (4, 3), (1, 3)]))
    }

    func testLShapeGivesSixCorners() {
        XCTAssertEqual(outline(["XX", "X."]), corners([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)]))
        let big = outline([
            "X...",
            "X...",
            "XXXX",
        ])
        XCTAssertEqual(big, corners([(0, 0), (1, 0), (1, 2), (4, 2), (4, 3), (0, 3)]))
    }

    func testSinglePixelGivesTheUnitSquare() {
        XCTAssertEqual(outline(["...", ".X.", "..."]), corners([(1, 1), (2, 1), (2, 2), (1, 2)]))
        XCTAssertEqual(outline(["X"]), corners([(0, 0), (1, 0), (1, 1), (0, 1)]))
    }

    func testDiagonalPairIsOneComponentWhoseOutlinePinchesAtTheSharedCorner() {
        let (mask, width, height) = drawnMask(["X.", ".X"])
        XCTAssertEqual(
            MaskContours.components(of: mask, width: width, height: height),
            [MaskContours.Component(firstPixel: 0, pixelCount: 2)])
        let traced = outline(["X.", ".X"])
        XCTAssertEqual(traced, corners([(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (1, 2), (1, 1), (0, 1)]))
        XCTAssertEqual(rasterize(traced, width: 2, height: 2), mask)
        XCTAssertEqual(MaskContours.doubledArea(traced), 4)
        // The anti-diagonal too.
        let anti = outline([".X", "X."])
        XCTAssertEqual(rasterize(anti, width: 2, height: 2), drawnMask([".X", "X."]).mask)
    }

    func testHoleIsFilledByTheOuterOutline() {
        let rows = [
            "XXXX",
            "X..X",
            "XXXX",
        ]
        let traced = outline(rows)
        XCTAssertEqual(traced, corners([(0, 0), (4, 0), (4, 3), (0, 3)]))
        XCTAssertEqual(MaskContours.doubledArea(traced) / 2, 12, "10 pixels + a hole of 2")
        XCTAssertEqual(rasterize(traced, width: 4, height: 3), [Bool](repeating: true, count: 12))
    }

    func testLargestComponentAndTies() {
        let (mask, width, height) = drawnMask([
            "X..XX",
            "...XX",
            "X....",
        ])
        XCTAssertEqual(
            MaskContours.components(of: mask, width: width, height: height),
            [
                MaskContours.Component(firstPixel: 0, pixelCount: 1),
                MaskContours.Component(firstPixel: 3, pixelCount: 4),
                MaskContours.Component(firstPixel: 10, pixelCount: 1),
            ])
        XCTAssertEqual(MaskContours.largestComponent(of: mask, width: width, height: height)?.firstPixel, 3)
        let tie = drawnMask(["X.X"])
        XCTAssertEqual(MaskContours.largestComponent(of: tie.mask, width: 3, height: 1)?.firstPixel, 0)
        XCTAssertNil(MaskContours.largestComponent(of: [false, false], width: 2, height: 1))
        // Tracing on the full mask stays on the traced component.
        XCTAssertEqual(
            MaskContours.outerOutline(of: mask, width: width, height: height, firstPixel: 3),
            corners([(3, 0), (5, 0), (5, 2), (3, 2)]))
    }

    /// Random masks (many pinches, holes and components): every component's outline, filled by
    /// the even-odd rule, is exactly the component plus its holes; its area matches; it is made of
    /// axis-aligned edges between distinct corners with no collinear corner left.
    func testFilledOutlineIsTheComponentWithItsHolesForRandomMasks() {
        var random = SplitMix64(seed: 7)
        var checked = 0
        var withHoles = 0
        var pinched = 0
        for trial in 0..<400 {
            let width = 1 + Int(random.next() % 14)
            let height = 1 + Int(random.next() % 11)
            let density = [0.35, 0.5, 0.65, 0.8][trial % 4]
            let mask = (0..<(width * height)).map { _ in Double(random.next() >> 11) * 0x1.0p-53 < density }
            for component in referenceComponents(mask, width: width, height: height) {
                let first = component.min()!
                let traced = MaskContours.outerOutline(of: mask, width: width, height: height, firstPixel: first)
                let expected = filled(component, width: width, height: height)
                let filledCount = expected.filter { $0 }.count
                XCTAssertEqual(
                    rasterize(traced, width: width, height: height), expected,
                    "trial \(trial), component at \(first): \(traced)")
                XCTAssertEqual(MaskContours.doubledArea(traced), 2 * filledCount, "trial \(trial)")
                XCTAssertEqual(traced.first, MaskContours.Corner(first % width, first / width))
                for k in traced.indices {
                    let a = traced[(k + traced.count - 1) % traced.count]
                    let b = traced[k]
                    let c = traced[(k + 1) % traced.count]
                    XCTAssertTrue((a.x == b.x) != (a.y == b.y), "trial \(trial): edge \(a)→\(b) not axis-aligned")
                    XCTAssertFalse(
                        (a.x == b.x && b.x == c.x) || (a.y == b.y && b.y == c.y), "trial \(trial): collinear \(b)")
                    XCTAssertTrue((0...width).contains(b.x) && (0...height).contains(b.y))
                }
                checked += 1
                if filledCount > component.count { withHoles += 1 }
                if Set(traced).count < traced.count { pinched += 1 }
            }
        }
        XCTAssertGreaterThan(checked, 500)
        XCTAssertGreaterThan(withHoles, 20, "holes must be exercised")
        XCTAssertGreaterThan(pinched, 20, "diagonal pinches must be exercised")
    }

    /// 8-connected components by a plain flood fill (independent of `MaskContours.components`).
    private func referenceComponents(_ mask: [Bool], width: Int, height: Int) -> [Set<Int>] {
        var seen = Set<Int>()
        var out: [Set<Int>] = []
        for p in mask.indices where mask[p] && !seen.contains(p) {
            var component: Set<Int> = [p]
            var queue = [p]
            while let q = queue.popLast() {
                for dy in -1...1 {
                    for dx in -1...1 {
                        let x = q % width + dx
                        let y = q / width + dy
                        guard x >= 0, y >= 0, x < width, y < height else { continue }
                        let n = y * width + x
                        if mask[n] && !component.contains(n) {
                            component.insert(n)
                            queue.append(n)
                        }
                    }
                }
            }
            seen.formUnion(component)
            out.append(component)
        }
        return out
    }

    /// The component plus every pixel it encloses: everything not reachable from outside the image
    /// through 4-connected non-component pixels.
    private func filled(_ component: Set<Int>, width: Int, height: Int) -> [Bool] {
        // Pad by one pixel so "outside" is one region.
        let pw = width + 2
        let ph = height + 2
        var outside = [Bool](repeating: false, count: pw * ph)
        var queue = [0]
        outside[0] = true
        while let q = queue.popLast() {
            let x = q % pw
            let y = q / pw
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let nx = x + dx
                let ny = y + dy
                guard nx >= 0, ny >= 0, nx < pw, ny < ph, !outside[ny * pw + nx] else { continue }
                let inImage = nx >= 1 && ny >= 1 && nx <= width && ny <= height
                if inImage && component.contains((ny - 1) * width + nx - 1) { continue }
                outside[ny * pw + nx] = true
                queue.append(ny * pw + nx)
            }
        }
        return (0..<(width * height)).map { !outside[($0 / width + 1) * pw + $0 % width + 1] }
    }
}

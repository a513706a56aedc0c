// Interpenetration tests for placement: oriented boxes, the separating axis theorem, and a world of
// boxes bucketed in an XY grid so a candidate is tested against its neighbours only.
//
// Every part of every placed object contributes one box: the part's bounding box in its object's
// frame, carried into the world by the object's rigid pose. That is conservative for round parts
// (a cylinder is tested as its box) and exact for boxes. Planes (road surfaces, markings, decals) take
// no space and are never tested. Touching is allowed: boxes collide only when they overlap by more
// than `contactTolerance` along every separating axis, so an object resting on a table top (bottom
// face on the top face) does not collide with it.

/// A box in the world: a centre, three orthonormal axes and the half extents along them.
struct OrientedBox: Sendable {
    var center: Vec3
    var axes: (x: Vec3, y: Vec3, z: Vec3)
    var half: Vec3
    /// The world-aligned box around this one.
    let bounds: (min: Vec3, max: Vec3)

    /// The box `[min, max]` of a frame carried into the world by the rigid `worldFromLocal`.
    init(worldFromLocal: Mat4, min: Vec3, max: Vec3) {
        center = worldFromLocal.transformPoint((min + max) / 2)
        axes = (
            worldFromLocal.transformDirection(.unitX).normalized, worldFromLocal.transformDirection(.unitY).normalized,
            worldFromLocal.transformDirection(.unitZ).normalized
        )
        half = (max - min) / 2
        let h = half, a = axes
        let r = Vec3(
            abs(a.x.x) * h.x + abs(a.y.x) * h.y + abs(a.z.x) * h.z,
            abs(a.x.y) * h.x + abs(a.y.y) * h.y + abs(a.z.y) * h.z,
            abs(a.x.z) * h.x + abs(a.y.z) * h.y + abs(a.z.z) * h.z)
        bounds = (center - r, center + r)
    }

    var axisList: [Vec3] { [axes.x, axes.y, axes.z] }

    /// Half the box's extent along the unit direction `d`.
    @inline(__always) func radius(along d: Vec3) -> Double {
        abs(axes.x.dot(d)) * half.x + abs(axes.y.dot(d)) * half.y + abs(axes.z.dot(d)) * half.z
    }

    /// Whether the two boxes overlap by more than `tolerance` metres: the 15 axes of the separating axis
    /// theorem (3 face normals of each box and the 9 cross products of their edges), after a cheap
    /// test of their world-aligned bounds.
    func overlaps(_ o: OrientedBox, tolerance: Double) -> Bool {
        if bounds.max.x - o.bounds.min.x <= tolerance || o.bounds.max.x - bounds.min.x <= tolerance
            || bounds.max.y - o.bounds.min.y <= tolerance || o.bounds.max.y - bounds.min.y <= tolerance
            || bounds.max.z - o.bounds.min.z <= tolerance || o.bounds.max.z - bounds.min.z <= tolerance
        {
            return false
        }
        let t = o.center - center
        @inline(__always) func separates(_ axis: Vec3) -> Bool {
            abs(t.dot(axis)) - radius(along: axis) - o.radius(along: axis) >= -tolerance
        }
        let mine = axisList, theirs = o.axisList
        for a in mine where separates(a) { return false }
        for b in theirs where separates(b) { return false }
        for a in mine {
            for b in theirs {
                let c = a.cross(b)
                let l = c.length
                if l > 1e-9, separates(c / l) { return false }
            }
        }
        return true
    }
}

/// The placed boxes of one layout, with an XY grid of cells so queries look at nearby boxes only.
struct CollisionWorld {
    /// Overlaps up to this depth count as contact, not interpenetration (metres).
    static let contactTolerance = 1e-6
    /// Side of a grid cell (metres): about the size of the things placed most often.
    static let cellSize = 1.0

    private(set) var boxes: [OrientedBox] = []
    private var cells: [Cell: [Int]] = [:]
    /// Boxes too large to bucket, tested against everything.
    private var unbucketed: [Int] = []

    struct Cell: Hashable {
        var i: Int
        var j: Int
    }

    /// Cells covered by a world-aligned XY rectangle; nil when it covers too many to bucket.
    private func cellRange(_ lo: Vec3, _ hi: Vec3) -> (ClosedRange<Int>, ClosedRange<Int>)? {
        let i0 = (lo.x / Self.cellSize).rounded(.down), i1 = (hi.x / Self.cellSize).rounded(.down)
        let j0 = (lo.y / Self.cellSize).rounded(.down), j1 = (hi.y / Self.cellSize).rounded(.down)
        guard (i1 - i0 + 1) * (j1 - j0 + 1) <= 4096, abs(i0) < 1e9, abs(i1) < 1e9, abs(j0) < 1e9, abs(j1) < 1e9
        else { return nil }
        return (Int(i0)...Int(i1), Int(j0)...Int(j1))
    }

    mutating func insert(_ box: OrientedBox) {
        let index = boxes.count
        boxes.append(box)
        let (lo, hi) = box.bounds
        guard let (ii, jj) = cellRange(lo, hi) else {
            unbucketed.append(index)
            return
        }
        for i in ii { for j in jj { cells[Cell(i: i, j: j), default: []].append(index) } }
    }

    mutating func insert(_ list: [OrientedBox]) { for b in list { insert(b) } }

    /// Indices of the boxes whose grid cells meet the XY rectangle `lo...hi`, each once, in
    /// insertion order (so results never depend on dictionary order).
    func nearby(_ lo: Vec3, _ hi: Vec3) -> [Int] {
        guard let (ii, jj) = cellRange(lo, hi) else { return Array(boxes.indices) }
        var found = Set<Int>(unbucketed)
        for i in ii { for j in jj { found.formUnion(cells[Cell(i: i, j: j)] ?? []) } }
        return found.sorted()
    }

    /// Whether any of `candidate` interpenetrates a placed box.
    func collides(_ candidate: [OrientedBox]) -> Bool {
        for box in candidate {
            let (lo, hi) = box.bounds
            for k in nearby(lo, hi) where boxes[k].overlaps(box, tolerance: Self.contactTolerance) { return true }
        }
        return false
    }
}

/// A footprint in the XY plane: a rectangle with its own axes (the projection of an upright box).
struct Footprint {
    var center: (x: Double, y: Double)
    /// Unit axes of the rectangle.
    var axes: [(x: Double, y: Double)]
    var half: (Double, Double)

    /// The XY footprint of a box: exact for an upright box (one axis vertical), the world-aligned
    /// rectangle around the projection for a tilted one.
    init(_ box: OrientedBox) {
        center = (box.center.x, box.center.y)
        let horizontal = box.axisList.filter { abs($0.z) < 1e-9 }
        if horizontal.count == 2 {
            axes = horizontal.map { a in
                let l = (a.x * a.x + a.y * a.y).squareRoot()
                return (a.x / l, a.y / l)
            }
        } else {
            axes = [(1, 0), (0, 1)]
        }
        half = (
            box.radius(along: Vec3(axes[0].x, axes[0].y, 0)),
            box.radius(along: Vec3(axes[1].x, axes[1].y, 0))
        )
    }

    private func radius(along d: (x: Double, y: Double)) -> Double {
        abs(axes[0].x * d.x + axes[0].y * d.y) * half.0 + abs(axes[1].x * d.x + axes[1].y * d.y) * half.1
    }

    /// Whether the rectangles overlap by more than `tolerance` (2D separating axes: both rectangles' axes).
    func overlaps(_ o: Footprint, tolerance: Double) -> Bool {
        let t = (o.center.x - center.x, o.center.y - center.y)
        for a in axes + o.axes {
            let separation = abs(t.0 * a.x + t.1 * a.y) - radius(along: a) - o.radius(along: a)
            if separation >= -tolerance { return false }
        }
        return true
    }

    /// Whether the point lies inside the rectangle.
    func contains(_ x: Double, _ y: Double) -> Bool {
        let dx = x - center.x, dy = y - center.y
        return abs(dx * axes[0].x + dy * axes[0].y) <= half.0 + 1e-9
            && abs(dx * axes[1].x + dy * axes[1].y) <= half.1 + 1e-9
    }
}

import SceneCore

/// A point or direction in a plane: profiles for lathes and extrusions, texture coordinates.
public struct Vec2: Hashable, Sendable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public static func + (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x + b.x, a.y + b.y) }
    public static func - (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x - b.x, a.y - b.y) }
    public static func * (a: Vec2, s: Double) -> Vec2 { Vec2(a.x * s, a.y * s) }
    public func dot(_ o: Vec2) -> Double { x * o.x + y * o.y }
    /// The z component of the 3D cross product: positive when `o` turns counter-clockwise from `self`.
    public func cross(_ o: Vec2) -> Double { x * o.y - y * o.x }
    public var length: Double { dot(self).squareRoot() }
    public var normalized: Vec2 {
        let l = length
        return l > 0 ? Vec2(x / l, y / l) : self
    }
}

/// Collects vertices (position, normal, texture coordinate) and triangles while a shape is built, in
/// Double precision; `mesh` welds, quantizes and hands out the `Mesh` the library stores.
///
/// Triangles wind counter-clockwise seen from outside and normals point out, as everywhere in
/// SceneFarm. The shape builders (`MeshBuilder+Shapes.swift`) return builders; a part's geometry is
/// several of them `append`ed under a placement.
public struct MeshBuilder: Sendable {
    public private(set) var positions: [Vec3] = []
    public private(set) var normals: [Vec3] = []
    public private(set) var uvs: [Vec2] = []
    public private(set) var indices: [UInt32] = []

    public init() {}

    public var vertexCount: Int { positions.count }
    public var triangleCount: Int { indices.count / 3 }

    /// Adds a vertex and returns its index. `normal` is normalized here.
    @discardableResult
    public mutating func vertex(_ p: Vec3, _ normal: Vec3, _ uv: Vec2) -> UInt32 {
        positions.append(p)
        normals.append(normal.normalized)
        uvs.append(uv)
        return UInt32(positions.count - 1)
    }

    public mutating func triangle(_ a: UInt32, _ b: UInt32, _ c: UInt32) {
        indices += [a, b, c]
    }

    /// Two triangles a-b-c and a-c-d.
    public mutating func quad(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) {
        indices += [a, b, c, a, c, d]
    }

    /// Adds a flat convex polygon with its own vertices. The winding is chosen so that the face
    /// looks towards `outward` (any direction on the outer side: from the solid's centre to the
    /// face will do for convex solids); texture coordinates are the positions projected on the
    /// plane's two dominant axes, measured from `uvOrigin` and divided by `uvScale`.
    public mutating func facet(_ points: [Vec3], outward: Vec3, uvScale: Vec2 = Vec2(1, 1), uvOrigin: Vec3 = .zero) {
        guard points.count >= 3 else { return }
        var normal = Vec3.zero
        for i in points.indices {
            let a = points[i], b = points[(i + 1) % points.count]
            normal += Vec3((a.y - b.y) * (a.z + b.z), (a.z - b.z) * (a.x + b.x), (a.x - b.x) * (a.y + b.y))
        }
        guard normal.length > 0 else { return }
        var ordered = points
        if normal.dot(outward) < 0 {
            ordered.reverse()
            normal = -normal
        }
        let n = normal.normalized
        let first = UInt32(vertexCount)
        for p in ordered { vertex(p, n, Self.planarUV(p - uvOrigin, normal: n, scale: uvScale)) }
        for k in 1..<(UInt32(ordered.count) - 1) { triangle(first, first + k, first + k + 1) }
    }

    /// Box-style planar mapping: the two axes that the normal is most perpendicular to.
    static func planarUV(_ p: Vec3, normal n: Vec3, scale: Vec2) -> Vec2 {
        let ax = abs(n.x), ay = abs(n.y), az = abs(n.z)
        let (u, v): (Double, Double)
        if az >= ax && az >= ay {
            (u, v) = (p.x, p.y)
        } else if ax >= ay {
            (u, v) = (p.y, p.z)
        } else {
            (u, v) = (p.x, p.z)
        }
        return Vec2(u / scale.x, 1 - v / scale.y)
    }

    /// Appends `other` moved by `transform` (any invertible affine map: normals go through its
    /// inverse transpose, and a mirroring map flips the winding so faces keep looking out).
    public mutating func append(_ other: MeshBuilder, _ transform: Mat4 = .identity) {
        let base = UInt32(vertexCount)
        let nm = transform.normalMatrix
        for i in 0..<other.vertexCount {
            let n = other.normals[i]
            let tn = Vec3(
                nm[0] * n.x + nm[3] * n.y + nm[6] * n.z, nm[1] * n.x + nm[4] * n.y + nm[7] * n.z,
                nm[2] * n.x + nm[5] * n.y + nm[8] * n.z)
            vertex(transform.transformPoint(other.positions[i]), tn, other.uvs[i])
        }
        let a = transform.rows
        let det =
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        for t in stride(from: 0, to: other.indices.count, by: 3) {
            let i = other.indices[t] + base, j = other.indices[t + 1] + base, k = other.indices[t + 2] + base
            if det < 0 { triangle(i, k, j) } else { triangle(i, j, k) }
        }
    }

    /// This builder moved by `transform`.
    public func transformed(_ transform: Mat4) -> MeshBuilder {
        var out = MeshBuilder()
        out.append(self, transform)
        return out
    }

    /// The finished mesh: coordinates snapped to a fixed grid, vertices that agree in position,
    /// normal and texture coordinate merged (so smooth surfaces share their vertices while creases
    /// and texture seams keep theirs), and triangles that collapsed to a line or point dropped.
    ///
    /// Snapping makes the bytes independent of the last bit of `sin`/`cos`, which may differ between
    /// C libraries: positions and texture coordinates go to multiples of 2^-16 (15 µm), normals to
    /// multiples of 2^-20, all exactly representable as `Float`.
    public var mesh: Mesh {
        var out = Mesh()
        var index: [VertexKey: UInt32] = [:]
        var remap: [UInt32] = []
        remap.reserveCapacity(vertexCount)
        for i in 0..<vertexCount {
            let p = positions[i].map(Self.snapPosition)
            let n = normals[i].map(Self.snapNormal)
            let uv = Vec2(Self.snapPosition(uvs[i].x), Self.snapPosition(uvs[i].y))
            let key = VertexKey(
                p: [p.x, p.y, p.z].map(Float.init), n: [n.x, n.y, n.z].map(Float.init), uv: [Float(uv.x), Float(uv.y)])
            if let existing = index[key] {
                remap.append(existing)
                continue
            }
            let new = UInt32(out.positions.count / 3)
            index[key] = new
            remap.append(new)
            out.positions += key.p
            out.normals += key.n
            out.uvs += key.uv
        }
        var kept: [UInt32] = []
        for t in stride(from: 0, to: indices.count, by: 3) {
            let a = remap[Int(indices[t])], b = remap[Int(indices[t + 1])], c = remap[Int(indices[t + 2])]
            let pa = out.point(a), pb = out.point(b), pc = out.point(c)
            guard (pb - pa).cross(pc - pa).length > 0 else { continue }
            kept += [a, b, c]
        }
        // Drop vertices only collapsed triangles used (a pole's last seam copy), keeping the order.
        var used = [Bool](repeating: false, count: out.vertexCount)
        for i in kept { used[Int(i)] = true }
        var compact = Mesh()
        var newIndex = [UInt32](repeating: 0, count: out.vertexCount)
        for v in 0..<out.vertexCount where used[v] {
            newIndex[v] = UInt32(compact.vertexCount)
            compact.positions += out.positions[(3 * v)..<(3 * v + 3)]
            compact.normals += out.normals[(3 * v)..<(3 * v + 3)]
            compact.uvs += out.uvs[(2 * v)..<(2 * v + 2)]
        }
        compact.indices = kept.map { newIndex[Int($0)] }
        return compact
    }

    private struct VertexKey: Hashable {
        var p: [Float]
        var n: [Float]
        var uv: [Float]
    }

    static func snapPosition(_ v: Double) -> Double { snap(v, 65536) }

    static func snapNormal(_ v: Double) -> Double { snap(v, 1_048_576) }

    private static func snap(_ v: Double, _ steps: Double) -> Double {
        let s = (v * steps).rounded() / steps
        return s == 0 ? 0 : s  // no negative zero
    }
}

extension Vec3 {
    func map(_ f: (Double) -> Double) -> Vec3 { Vec3(f(x), f(y), f(z)) }
}

extension Mesh {
    /// Position of vertex `i`.
    func point(_ i: UInt32) -> Vec3 {
        let k = Int(i) * 3
        return Vec3(Double(positions[k]), Double(positions[k + 1]), Double(positions[k + 2]))
    }
}

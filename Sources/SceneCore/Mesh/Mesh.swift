/// Triangle meshes for the procedural primitives.
///
/// Every unit mesh shares the convention of `Shape`: local Z up, origin at the centre of the
/// bottom face. Triangles wind counter-clockwise seen from outside (right-handed), normals point out.
public struct Mesh: Hashable, Sendable {
    /// x, y, z per vertex.
    public var positions: [Float]
    /// Unit normal per vertex.
    public var normals: [Float]
    /// Three vertex indices per triangle.
    public var indices: [UInt32]
    /// u, v per vertex (glTF convention: origin at the image's top-left), or empty: no texture coordinates.
    public var uvs: [Float] = []

    public var vertexCount: Int { positions.count / 3 }
    public var triangleCount: Int { indices.count / 3 }

    public init(positions: [Float] = [], normals: [Float] = [], indices: [UInt32] = [], uvs: [Float] = []) {
        self.positions = positions
        self.normals = normals
        self.indices = indices
        self.uvs = uvs
    }

    mutating func addVertex(_ p: Vec3, _ n: Vec3) -> UInt32 {
        let i = UInt32(vertexCount)
        positions += [Float(p.x), Float(p.y), Float(p.z)]
        normals += [Float(n.x), Float(n.y), Float(n.z)]
        return i
    }

    /// Adds a planar quad a-b-c-d (counter-clockwise seen from the side `normal` points to).
    mutating func addQuad(_ a: Vec3, _ b: Vec3, _ c: Vec3, _ d: Vec3, normal: Vec3) {
        let ia = addVertex(a, normal), ib = addVertex(b, normal)
        let ic = addVertex(c, normal), id = addVertex(d, normal)
        indices += [ia, ib, ic, ia, ic, id]
    }

    /// Axis-aligned bounds of the positions (min, max).
    public var bounds: (min: Vec3, max: Vec3) {
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        for v in stride(from: 0, to: positions.count, by: 3) {
            let p = Vec3(Double(positions[v]), Double(positions[v + 1]), Double(positions[v + 2]))
            lo = Vec3(Swift.min(lo.x, p.x), Swift.min(lo.y, p.y), Swift.min(lo.z, p.z))
            hi = Vec3(Swift.max(hi.x, p.x), Swift.max(hi.y, p.y), Swift.max(hi.z, p.z))
        }
        return (lo, hi)
    }
}

/// The unit primitives the renderer keeps resident; `Shape.scale` sizes them.
public enum UnitMesh: Int, CaseIterable, Hashable, Codable, Sendable {
    /// x, y in [-1/2, 1/2], z in [0, 1].
    case box
    /// Radius 1 around Z, z in [0, 1].
    case cylinder
    /// Radius 1, centre at (0, 0, 1).
    case sphere
    /// x, y in [-1/2, 1/2] at z = 0, facing +Z.
    case plane

    /// Segments around the cylinder and sphere: smooth enough at 1280x720 for objects of a few metres.
    public static let roundSegments = 20
    public static let sphereRings = 12

    /// The unit shape's bounding box (exact for box and plane; the cylinder and sphere are the
    /// inscribed polygons' circumscribing box, which contains them).
    public var extent: (min: Vec3, max: Vec3) {
        switch self {
        case .box: return (Vec3(-0.5, -0.5, 0), Vec3(0.5, 0.5, 1))
        case .cylinder: return (Vec3(-1, -1, 0), Vec3(1, 1, 1))
        case .sphere: return (Vec3(-1, -1, 0), Vec3(1, 1, 2))
        case .plane: return (Vec3(-0.5, -0.5, 0), Vec3(0.5, 0.5, 0))
        }
    }

    public var mesh: Mesh {
        switch self {
        case .box: return Self.makeBox()
        case .cylinder: return Self.makeCylinder(segments: Self.roundSegments)
        case .sphere: return Self.makeSphere(segments: Self.roundSegments, rings: Self.sphereRings)
        case .plane: return Self.makePlane()
        }
    }

    static func makePlane() -> Mesh {
        var m = Mesh()
        m.addQuad(Vec3(-0.5, -0.5, 0), Vec3(0.5, -0.5, 0), Vec3(0.5, 0.5, 0), Vec3(-0.5, 0.5, 0), normal: .unitZ)
        return m
    }

    static func makeBox() -> Mesh {
        var m = Mesh()
        let x0 = -0.5, x1 = 0.5, y0 = -0.5, y1 = 0.5, z0 = 0.0, z1 = 1.0
        func p(_ x: Double, _ y: Double, _ z: Double) -> Vec3 { Vec3(x, y, z) }
        m.addQuad(p(x1, y0, z0), p(x1, y1, z0), p(x1, y1, z1), p(x1, y0, z1), normal: .unitX)  // +X
        m.addQuad(p(x0, y1, z0), p(x0, y0, z0), p(x0, y0, z1), p(x0, y1, z1), normal: -.unitX)  // -X
        m.addQuad(p(x1, y1, z0), p(x0, y1, z0), p(x0, y1, z1), p(x1, y1, z1), normal: .unitY)  // +Y
        m.addQuad(p(x0, y0, z0), p(x1, y0, z0), p(x1, y0, z1), p(x0, y0, z1), normal: -.unitY)  // -Y
        m.addQuad(p(x0, y0, z1), p(x1, y0, z1), p(x1, y1, z1), p(x0, y1, z1), normal: .unitZ)  // top
        m.addQuad(p(x0, y1, z0), p(x1, y1, z0), p(x1, y0, z0), p(x0, y0, z0), normal: -.unitZ)  // bottom
        return m
    }

    static func makeCylinder(segments n: Int) -> Mesh {
        var m = Mesh()
        func ring(_ k: Int) -> (Double, Double) {
            let a = 2 * Double.pi * Double(k % n) / Double(n)
            return (cos(a), sin(a))
        }
        // Side: a vertex pair per segment edge with a radial normal (smooth shading).
        var bottom: [UInt32] = [], top: [UInt32] = []
        for k in 0...n {
            let (c, s) = ring(k)
            bottom.append(m.addVertex(Vec3(c, s, 0), Vec3(c, s, 0)))
            top.append(m.addVertex(Vec3(c, s, 1), Vec3(c, s, 0)))
        }
        for k in 0..<n {
            m.indices += [bottom[k], bottom[k + 1], top[k + 1], bottom[k], top[k + 1], top[k]]
        }
        // Caps as triangle fans.
        let topCentre = m.addVertex(Vec3(0, 0, 1), .unitZ)
        let bottomCentre = m.addVertex(.zero, -.unitZ)
        var capTop: [UInt32] = [], capBottom: [UInt32] = []
        for k in 0..<n {
            let (c, s) = ring(k)
            capTop.append(m.addVertex(Vec3(c, s, 1), .unitZ))
            capBottom.append(m.addVertex(Vec3(c, s, 0), -.unitZ))
        }
        for k in 0..<n {
            let k1 = (k + 1) % n
            m.indices += [topCentre, capTop[k], capTop[k1]]
            m.indices += [bottomCentre, capBottom[k1], capBottom[k]]
        }
        return m
    }

    static func makeSphere(segments n: Int, rings r: Int) -> Mesh {
        var m = Mesh()
        var grid: [[UInt32]] = []
        for i in 0...r {
            let theta = Double.pi * Double(i) / Double(r)  // 0 at the top pole
            var row: [UInt32] = []
            for k in 0...n {
                let phi = 2 * Double.pi * Double(k % n) / Double(n)
                let nrm = Vec3(sin(theta) * cos(phi), sin(theta) * sin(phi), cos(theta))
                row.append(m.addVertex(nrm + Vec3(0, 0, 1), nrm))
            }
            grid.append(row)
        }
        for i in 0..<r {
            for k in 0..<n {
                let a = grid[i][k], b = grid[i + 1][k], c = grid[i + 1][k + 1], d = grid[i][k + 1]
                if i != 0 { m.indices += [a, b, d] }
                if i != r - 1 { m.indices += [b, c, d] }
            }
        }
        return m
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

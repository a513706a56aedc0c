import SceneCore

// The shape builders. Each returns a closed solid unless it says otherwise, in its own frame; compose
// them with `MeshBuilder.append(_:_:)`. Round shapes take their segment counts from the caller, so an
// asset spends triangles where they show: a wheel gets more than a screw.

/// Turning angles below this shade smooth; above it, the surface has a crease (its own normals on
/// either side). 40° keeps a 10-sided circle smooth and a box corner sharp.
public let defaultCrease = 40 * Double.pi / 180

extension MeshBuilder {
    // MARK: - boxes

    /// A box from `min` to `max`, its 12 edges chamfered by `bevel` (0: sharp). Each face maps the
    /// whole texture.
    public static func box(min lo: Vec3, max hi: Vec3, bevel: Double = 0) -> MeshBuilder {
        let size = hi - lo
        let b = Swift.max(0, Swift.min(bevel, 0.49 * Swift.min(size.x, size.y, size.z)))
        let half = size * 0.5
        var m = MeshBuilder()
        let uvScale = [Vec2(size.y, size.z), Vec2(size.x, size.z), Vec2(size.x, size.y)]
        // The point where a corner (signs s) meets the face across `axis`, in a frame centred on the box.
        func facePoint(_ s: [Double], _ axis: Int) -> Vec3 {
            var c = [half.x, half.y, half.z]
            for a in 0..<3 where a != axis { c[a] -= b }
            return Vec3(s[0] * c[0], s[1] * c[1], s[2] * c[2])
        }
        let signs: [Double] = [-1, 1]
        // Faces.
        for axis in 0..<3 {
            for s in signs {
                let others = (0..<3).filter { $0 != axis }
                var pts: [Vec3] = []
                for (u, v) in [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)] {
                    var c = [0.0, 0, 0]
                    c[axis] = s
                    c[others[0]] = u
                    c[others[1]] = v
                    pts.append(facePoint(c, axis))
                }
                var out = [0.0, 0, 0]
                out[axis] = s
                m.facetCentred(pts, outward: Vec3(out[0], out[1], out[2]), half: half, uvScale: uvScale[axis])
            }
        }
        guard b > 0 else { return m.transformed(.translation(lo + half)) }
        // Edge chamfers: the strip between the faces across a1 and a2, along the third axis.
        for (a1, a2) in [(0, 1), (0, 2), (1, 2)] {
            let a3 = 3 - a1 - a2
            for s1 in signs {
                for s2 in signs {
                    func corner(_ s3: Double) -> [Double] {
                        var c = [0.0, 0, 0]
                        c[a1] = s1
                        c[a2] = s2
                        c[a3] = s3
                        return c
                    }
                    let pts = [
                        facePoint(corner(-1), a1), facePoint(corner(1), a1), facePoint(corner(1), a2),
                        facePoint(corner(-1), a2),
                    ]
                    var out = [0.0, 0, 0]
                    out[a1] = s1
                    out[a2] = s2
                    m.facetCentred(
                        pts, outward: Vec3(out[0], out[1], out[2]), half: half, uvScale: uvScale[a3 == 2 ? 0 : 2])
                }
            }
        }
        // Corner triangles.
        for sx in signs {
            for sy in signs {
                for sz in signs {
                    let c = [sx, sy, sz]
                    m.facetCentred(
                        [facePoint(c, 0), facePoint(c, 1), facePoint(c, 2)], outward: Vec3(sx, sy, sz), half: half,
                        uvScale: uvScale[2])
                }
            }
        }
        return m.transformed(.translation(lo + half))
    }

    /// A box of `size` standing on z = 0, centred on the Z axis (the convention of `Shape`).
    public static func box(_ size: Vec3, bevel: Double = 0) -> MeshBuilder {
        box(min: Vec3(-size.x / 2, -size.y / 2, 0), max: Vec3(size.x / 2, size.y / 2, size.z), bevel: bevel)
    }

    /// A facet of a solid centred at the origin; texture coordinates measured from the corner `-half`.
    private mutating func facetCentred(_ pts: [Vec3], outward: Vec3, half: Vec3, uvScale: Vec2) {
        facet(pts, outward: outward, uvScale: uvScale, uvOrigin: -half)
    }

    // MARK: - surfaces of revolution

    /// Turns `profile` (points (r, z), r ≥ 0, counter-clockwise around the solid it bounds: for a
    /// solid, from the axis at the bottom out and up and back to the axis at the top) about the Z
    /// axis. Points on the axis close the surface there. `closed` joins the last point to the first
    /// (a torus' circle). `sweep` (radians) turns only part of the way, and then caps both ends when
    /// the profile is closed. Texture: u around, v along the profile.
    public static func lathe(
        _ profile: [Vec2], segments n: Int, closed: Bool = false, sweep: ClosedRange<Double> = 0...(2 * .pi),
        crease: Double = defaultCrease
    ) -> MeshBuilder {
        var m = MeshBuilder()
        guard profile.count >= 2, n >= 3 else { return m }
        var normals = Profile.creasedNormals(profile, closed: closed, crease: crease)
        // On the axis, a smooth surface (a sphere's pole) looks straight up or down.
        func vertical(_ v: Vec2) -> Vec2 { abs(v.x) < sin(crease) ? Vec2(0, v.y >= 0 ? 1 : -1) : v }
        for i in profile.indices where profile[i].x.magnitude < 1e-12 {
            normals[i] = (vertical(normals[i].incoming), vertical(normals[i].outgoing))
        }
        let segments = closed ? profile.count : profile.count - 1
        var arc = [0.0]
        for j in 0..<segments { arc.append(arc[j] + (profile[(j + 1) % profile.count] - profile[j]).length) }
        let total = Swift.max(arc[segments], 1e-12)
        let angles = (0...n).map { k in sweep.lowerBound + (sweep.upperBound - sweep.lowerBound) * Double(k) / Double(n)
        }
        func row(_ p: Vec2, _ normal: Vec2, v: Double) -> [UInt32] {
            angles.enumerated().map { k, a in
                let c = cos(a), s = sin(a)
                return m.vertex(
                    Vec3(p.x * c, p.x * s, p.y), Vec3(normal.x * c, normal.x * s, normal.y),
                    Vec2(Double(k) / Double(n), v))
            }
        }
        for j in 0..<segments {
            let next = (j + 1) % profile.count
            let a = row(profile[j], normals[j].outgoing, v: arc[j] / total)
            let b = row(profile[next], normals[next].incoming, v: arc[j + 1] / total)
            for k in 0..<n { m.quad(a[k], a[k + 1], b[k + 1], b[k]) }
        }
        let full = (sweep.upperBound - sweep.lowerBound) >= 2 * .pi - 1e-9
        if closed && !full {
            let ccw = Profile.counterClockwise(profile)
            let triangles = Profile.triangulate(ccw)
            let lo = profile.reduce(Vec2(.infinity, .infinity)) { Vec2(Swift.min($0.x, $1.x), Swift.min($0.y, $1.y)) }
            let hi = profile.reduce(Vec2(-.infinity, -.infinity)) { Vec2(Swift.max($0.x, $1.x), Swift.max($0.y, $1.y)) }
            for (angle, isStart) in [(sweep.lowerBound, true), (sweep.upperBound, false)] {
                let c = cos(angle), s = sin(angle)
                // The (r, z) plane at this angle faces -tangent: right for the start cap, flipped for the end.
                let normal = isStart ? Vec3(s, -c, 0) : Vec3(-s, c, 0)
                let ids = ccw.map { p in
                    m.vertex(
                        Vec3(p.x * c, p.x * s, p.y), normal,
                        Vec2(
                            (p.x - lo.x) / Swift.max(hi.x - lo.x, 1e-12),
                            1 - (p.y - lo.y) / Swift.max(hi.y - lo.y, 1e-12)))
                }
                for (i, j, k) in triangles {
                    if isStart { m.triangle(ids[i], ids[j], ids[k]) } else { m.triangle(ids[i], ids[k], ids[j]) }
                }
            }
        }
        return m
    }

    /// A cylinder (or a cone's frustum when the radii differ; a cone when `topRadius` is 0) around
    /// the Z axis from z = 0 to `height`.
    public static func cylinder(
        radius: Double, topRadius: Double? = nil, height: Double, segments: Int
    )
        -> MeshBuilder
    {
        let top = topRadius ?? radius
        var profile = [Vec2(0, 0), Vec2(radius, 0), Vec2(top, height)]
        if top > 0 { profile.append(Vec2(0, height)) }
        return lathe(profile, segments: segments)
    }

    /// A sphere of `radius` centred at the origin.
    public static func sphere(radius: Double, segments: Int, rings: Int) -> MeshBuilder {
        let profile = (0...rings).map { i -> Vec2 in
            let t = -Double.pi / 2 + Double.pi * Double(i) / Double(rings)
            return Vec2(radius * cos(t), radius * sin(t))
        }
        return lathe(profile, segments: segments)
    }

    /// A capsule around the Z axis from z = 0 to `length` (hemispherical ends included).
    public static func capsule(radius: Double, length: Double, segments: Int, capRings: Int) -> MeshBuilder {
        let r = Swift.min(radius, length / 2)
        var profile: [Vec2] = []
        for i in 0...capRings {
            let t = -Double.pi / 2 + Double.pi / 2 * Double(i) / Double(capRings)
            profile.append(Vec2(r * cos(t), r + r * sin(t)))
        }
        for i in 0...capRings {
            let t = Double.pi / 2 * Double(i) / Double(capRings)
            profile.append(Vec2(r * cos(t), length - r + r * sin(t)))
        }
        return lathe(profile, segments: segments)
    }

    /// A torus around the Z axis, centred at the origin; `sweep` bends only part of the ring (the
    /// ends are capped).
    public static func torus(
        majorRadius: Double, minorRadius: Double, segments: Int, sides: Int,
        sweep: ClosedRange<Double> = 0...(2 * .pi)
    ) -> MeshBuilder {
        let circle = Profile.circle(centre: Vec2(majorRadius, 0), radius: minorRadius, segments: sides)
        return lathe(circle, segments: segments, closed: true, sweep: sweep)
    }

    /// A cylinder of `radius` from `a` to `b`, at any angle.
    public static func tube(
        from a: Vec3, to b: Vec3, radius: Double, segments: Int, topRadius: Double? = nil
    )
        -> MeshBuilder
    {
        let d = b - a
        return cylinder(radius: radius, topRadius: topRadius, height: d.length, segments: segments)
            .transformed(.frame(origin: a, z: d))
    }

    // MARK: - extrusions

    /// Extrudes the outline (in the XY plane, either winding, simple) along Z from -depth/2 to
    /// +depth/2. `bevel` chamfers the rims of both caps; the side walls shade smooth where the
    /// outline turns by less than `crease`. Texture: caps map the outline's bounding box, walls map u
    /// along the outline and v across the depth.
    public static func extrusion(
        _ outline: [Vec2], depth: Double, bevel: Double = 0, crease: Double = defaultCrease
    )
        -> MeshBuilder
    {
        var m = MeshBuilder()
        guard outline.count >= 3, depth > 0 else { return m }
        let p = Profile.counterClockwise(outline)
        // A bevel wider than a short edge of the outline would fold the cap over: halve it until the
        // inset outline keeps every edge's direction.
        var b = Swift.max(0, Swift.min(bevel, 0.45 * depth))
        while b > 0 && !Profile.insetKeepsShape(p, by: b) { b = b > 1e-4 ? b / 2 : 0 }
        let capOutline = b > 0 ? Profile.inset(p, by: b) : p
        let z0 = -depth / 2, z1 = depth / 2
        let normals = Profile.creasedNormals(p, closed: true, crease: crease)
        var arc = [0.0]
        for i in p.indices { arc.append(arc[i] + (p[(i + 1) % p.count] - p[i]).length) }
        let perimeter = Swift.max(arc[p.count], 1e-12)
        // Side walls between the full outlines.
        for i in p.indices {
            let j = (i + 1) % p.count
            let ni = normals[i].outgoing, nj = normals[j].incoming
            let ui = arc[i] / perimeter, uj = arc[i + 1] / perimeter
            let a = m.vertex(Vec3(p[i].x, p[i].y, z0 + b), Vec3(ni.x, ni.y, 0), Vec2(ui, 1))
            let bb = m.vertex(Vec3(p[j].x, p[j].y, z0 + b), Vec3(nj.x, nj.y, 0), Vec2(uj, 1))
            let c = m.vertex(Vec3(p[j].x, p[j].y, z1 - b), Vec3(nj.x, nj.y, 0), Vec2(uj, 0))
            let d = m.vertex(Vec3(p[i].x, p[i].y, z1 - b), Vec3(ni.x, ni.y, 0), Vec2(ui, 0))
            m.quad(a, bb, c, d)
        }
        // Chamfers from the wall to each cap.
        if b > 0 {
            for i in p.indices {
                let j = (i + 1) % p.count
                let e = (p[j] - p[i]).normalized
                let out2 = Vec2(e.y, -e.x)
                for (zCap, zWall, side) in [(z0, z0 + b, -1.0), (z1, z1 - b, 1.0)] {
                    m.facet(
                        [
                            Vec3(capOutline[i].x, capOutline[i].y, zCap), Vec3(capOutline[j].x, capOutline[j].y, zCap),
                            Vec3(p[j].x, p[j].y, zWall), Vec3(p[i].x, p[i].y, zWall),
                        ], outward: Vec3(out2.x, out2.y, side), uvScale: Vec2(1, 1))
                }
            }
        }
        // Caps.
        let triangles = Profile.triangulate(capOutline)
        let lo = p.reduce(Vec2(.infinity, .infinity)) { Vec2(Swift.min($0.x, $1.x), Swift.min($0.y, $1.y)) }
        let hi = p.reduce(Vec2(-.infinity, -.infinity)) { Vec2(Swift.max($0.x, $1.x), Swift.max($0.y, $1.y)) }
        let span = Vec2(Swift.max(hi.x - lo.x, 1e-12), Swift.max(hi.y - lo.y, 1e-12))
        for (z, normal) in [(z1, Vec3.unitZ), (z0, -Vec3.unitZ)] {
            let ids = capOutline.map { q in
                m.vertex(Vec3(q.x, q.y, z), normal, Vec2((q.x - lo.x) / span.x, 1 - (q.y - lo.y) / span.y))
            }
            for (i, j, k) in triangles {
                if normal.z > 0 { m.triangle(ids[i], ids[j], ids[k]) } else { m.triangle(ids[i], ids[k], ids[j]) }
            }
        }
        return m
    }

    /// An outline in side view — points (x, z) — extruded across the Y axis, centred on y = 0: car
    /// bodies, a hammer's head.
    public static func sideExtrusion(
        _ outlineXZ: [Vec2], width: Double, bevel: Double = 0, crease: Double = defaultCrease
    )
        -> MeshBuilder
    {
        // Canonical (X, Y, Z) to (x, y, z) = (X, -Z, Y): a rotation about X.
        extrusion(outlineXZ, depth: width, bevel: bevel, crease: crease)
            .transformed(Mat4(rows: [[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]))
    }

    /// An outline in front view — points (y, z) — extruded along the X axis, centred on x = 0:
    /// a jersey barrier's cross-section, a sign plate.
    public static func frontExtrusion(
        _ outlineYZ: [Vec2], length: Double, bevel: Double = 0, crease: Double = defaultCrease
    )
        -> MeshBuilder
    {
        // Canonical (X, Y, Z) to (x, y, z) = (Z, X, Y): a cyclic permutation, so a rotation.
        extrusion(outlineYZ, depth: length, bevel: bevel, crease: crease)
            .transformed(Mat4(rows: [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]))
    }

    /// An outline in plan — points (x, y) — extruded up from z = 0 to `height`: shelving uprights,
    /// a wrench.
    public static func planExtrusion(
        _ outlineXY: [Vec2], height: Double, bevel: Double = 0, crease: Double = defaultCrease
    )
        -> MeshBuilder
    {
        extrusion(outlineXY, depth: height, bevel: bevel, crease: crease).transformed(
            .translation(Vec3(0, 0, height / 2)))
    }

    // MARK: - containers

    /// An open-topped box with walls `wall` thick and a floor `floor` thick, standing on z = 0 and
    /// centred on the Z axis; `bottom` and `top` are the outer sizes at the foot and at the rim
    /// (a tote's walls lean out). A closed solid: the rim joins the outer and inner walls.
    public static func tray(bottom: Vec2, top: Vec2, height: Double, wall: Double, floor: Double) -> MeshBuilder {
        var m = MeshBuilder()
        func outerHalf(_ z: Double) -> Vec2 {
            let t = z / height
            return Vec2(bottom.x + (top.x - bottom.x) * t, bottom.y + (top.y - bottom.y) * t) * 0.5
        }
        func rect(_ h: Vec2, _ z: Double) -> [Vec3] {
            [Vec3(h.x, -h.y, z), Vec3(h.x, h.y, z), Vec3(-h.x, h.y, z), Vec3(-h.x, -h.y, z)]
        }
        let inset = Vec2(wall, wall)
        let ob = rect(outerHalf(0), 0), ot = rect(outerHalf(height), height)
        let ib = rect(outerHalf(floor) - inset, floor), it = rect(outerHalf(height) - inset, height)
        let uv = Vec2(Swift.max(top.x, top.y), height)
        let sides = [Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(-1, 0, 0), Vec3(0, -1, 0)]
        for k in 0..<4 {
            let k1 = (k + 1) % 4
            m.facet([ob[k], ob[k1], ot[k1], ot[k]], outward: sides[k], uvScale: uv)
            m.facet([ib[k], ib[k1], it[k1], it[k]], outward: -sides[k], uvScale: uv)
            m.facet([ot[k], ot[k1], it[k1], it[k]], outward: .unitZ, uvScale: uv)
        }
        m.facet(ob, outward: -.unitZ, uvScale: Vec2(top.x, top.y))
        m.facet(ib, outward: .unitZ, uvScale: Vec2(top.x, top.y))
        return m
    }
}

extension Mat4 {
    /// A rigid frame at `origin` whose Z axis points along `z` (X and Y chosen to be perpendicular).
    static func frame(origin: Vec3, z: Vec3) -> Mat4 {
        let w = z.normalized
        let helper = abs(w.z) < 0.9 ? Vec3.unitZ : Vec3.unitX
        let u = helper.cross(w).normalized
        let v = w.cross(u)
        return Mat4(rows: [
            [u.x, v.x, w.x, origin.x], [u.y, v.y, w.y, origin.y], [u.z, v.z, w.z, origin.z], [0, 0, 0, 1],
        ])
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import SceneCore

extension SunShadowFit {
    /// Surfaces that never rise above this height (metres) only receive shadows: ground, road,
    /// markings and flat sidewalks lie under everything else. Drawing them was most of the shadow
    /// pass (the ground plane alone covers every texel of the map).
    static let receiverOnlyHeight = 0.05
    /// A caster whose extent in the map is under this many texels leaves no shadow worth the draw.
    static let minimumCasterTexels = 1.0

    /// The surfaces worth drawing into this shadow map, in surface order: those that rise above
    /// `receiverOnlyHeight`, overlap the map's square and its depth range, and span at least
    /// `minimumCasterTexels`. A pure function of the spec and the fit.
    func casters(of spec: FrameSpec, mapSize: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(spec.surfaces.count)
        for (i, s) in spec.surfaces.enumerated() {
            let (lo, hi) = s.shape.geometry.extent
            let worldFromUnit = s.worldFromObject * Mat4.scale(s.shape.scale)
            var top = -Double.infinity
            var tlo = Vec3(.infinity, .infinity, .infinity), thi = -tlo
            for k in 0..<8 {
                let c = Vec3(k & 1 == 0 ? lo.x : hi.x, k & 2 == 0 ? lo.y : hi.y, k & 4 == 0 ? lo.z : hi.z)
                let p = worldFromUnit.transformPoint(c)
                top = Swift.max(top, p.z)
                let t = textureFromWorld.transformPoint(p)
                tlo = Vec3(Swift.min(tlo.x, t.x), Swift.min(tlo.y, t.y), Swift.min(tlo.z, t.z))
                thi = Vec3(Swift.max(thi.x, t.x), Swift.max(thi.y, t.y), Swift.max(thi.z, t.z))
            }
            guard top > Self.receiverOnlyHeight else { continue }
            guard thi.x >= 0, tlo.x <= 1, thi.y >= 0, tlo.y <= 1, thi.z >= 0 else { continue }
            guard Swift.max(thi.x - tlo.x, thi.y - tlo.y) * Double(mapSize) >= Self.minimumCasterTexels else {
                continue
            }
            out.append(i)
        }
        return out
    }
}

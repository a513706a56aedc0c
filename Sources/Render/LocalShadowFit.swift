import SceneCore

#if canImport(Glibc)
    import Glibc
#endif

/// The perspective shadow map of one local light: a square frustum from the light down its spot's
/// axis, wide enough for the cone (its outer half-angle plus `coneMargin`, at most `maxHalfAngleDeg`).
/// A point light looks straight down through the widest frustum: it casts within 80° of the
/// vertical (a lamp hanging over a room or a street) and lights through objects above that, where a
/// perspective map cannot reach (a full sphere would take a cube map: six passes per light).
///
/// Depth is reversed and infinite like the main pass: clip = (x / t, y / t, near, z) in the light's
/// frame (z along the axis, t = tan of the half-angle), so the stored depth is near / z, nearer the
/// light greater; a receiver at z is lit where near / z ≥ the stored value (`GL_GEQUAL`).
struct LocalShadowFit {
    /// Edge of each light's map in texels (one layer of a 2D array texture).
    static let mapSize = 512
    /// Widest half-angle of the frustum: tan 80° = 5.7, so a texel under the light spans
    /// 2 · 5.7 / 512 = 2.2 cm per metre of height; wider would spread the map too thin.
    static let maxHalfAngleDeg = 80.0
    /// The frustum is this much wider than the spot's outer cone, so the 2x2 filter at the cone's
    /// edge stays inside the map.
    static let coneMarginDeg = 2.0
    /// Metres in front of the light where casters begin: the lamp's own head, just above it, casts
    /// nothing.
    static let near = 0.05

    /// Clip from world for the shadow pass.
    var clipFromWorld: Mat4
    /// (s · w, t · w, near, w) from a world-axes point relative to `eye`: the shader divides by w
    /// for the map's texture coordinates; w is the depth along the light's axis. Composed in double
    /// precision around the camera, like the main pass.
    var textureFromRelative: Mat4
    /// Width of one texel (metres) per metre of depth along the axis.
    var texelPerDepth: Double
    var light: LocalLight

    init(light: LocalLight, eye: Vec3) {
        self.light = light
        let axis = light.kind == .spot ? light.direction.normalized : Vec3(0, 0, -1)
        let halfAngle =
            light.kind == .spot
            ? Swift.min(light.outerConeDeg + Self.coneMarginDeg, Self.maxHalfAngleDeg) : Self.maxHalfAngleDeg
        let t = tan(halfAngle * .pi / 180)
        let helper = abs(axis.z) < 0.99 ? Vec3.unitZ : Vec3.unitX
        let lx = helper.cross(axis).normalized
        let ly = axis.cross(lx)
        let p = light.position
        let lightFromWorld = Mat4(rows: [
            [lx.x, lx.y, lx.z, -lx.dot(p)],
            [ly.x, ly.y, ly.z, -ly.dot(p)],
            [axis.x, axis.y, axis.z, -axis.dot(p)],
            [0, 0, 0, 1],
        ])
        let clipFromLight = Mat4(rows: [[1 / t, 0, 0, 0], [0, 1 / t, 0, 0], [0, 0, 0, Self.near], [0, 0, 1, 0]])
        clipFromWorld = clipFromLight * lightFromWorld
        let textureFromClip = Mat4(rows: [[0.5, 0, 0, 0.5], [0, 0.5, 0, 0.5], [0, 0, 1, 0], [0, 0, 0, 1]])
        textureFromRelative = textureFromClip * clipFromWorld * Mat4.translation(eye)
        texelPerDepth = 2 * t / Double(Self.mapSize)
    }

    /// Indices in `lights` (a frame's shaded lights, `LightGrid.shaded`) of those that get a shadow
    /// map: the nearest to `eye` of those that cast, at most `LocalLight.maxShadowedPerFrame`, ties
    /// broken by index; nearest first, which is their layer order.
    static func shadowed(_ lights: [LocalLight], eye: Vec3) -> [Int] {
        let casting = lights.indices.filter { lights[$0].castsShadows }
        let keyed = casting.map { ((lights[$0].position - eye).length, $0) }
        return keyed.sorted { $0 < $1 }.prefix(LocalLight.maxShadowedPerFrame).map(\.1)
    }

    /// The surfaces worth drawing into this light's map, in surface order: those whose box meets the
    /// light's range sphere and its frustum, leaving out what only receives (surfaces that never rise
    /// above `SunShadowFit.receiverOnlyHeight`) when the light is above that. A pure function of the
    /// spec and the fit.
    func casters(of spec: FrameSpec) -> [Int] {
        var out: [Int] = []
        let lightAbove = light.position.z > SunShadowFit.receiverOnlyHeight
        for (i, s) in spec.surfaces.enumerated() {
            let (lo, hi) = s.shape.geometry.extent
            let worldFromUnit = s.worldFromObject * Mat4.scale(s.shape.scale)
            var wlo = Vec3(.infinity, .infinity, .infinity), whi = -wlo
            // Bits: all corners beyond x = w, x = -w, y = w, y = -w, in front of the near plane.
            var outside = 0b11111
            for k in 0..<8 {
                let c = Vec3(k & 1 == 0 ? lo.x : hi.x, k & 2 == 0 ? lo.y : hi.y, k & 4 == 0 ? lo.z : hi.z)
                let p = worldFromUnit.transformPoint(c)
                wlo = Vec3(Swift.min(wlo.x, p.x), Swift.min(wlo.y, p.y), Swift.min(wlo.z, p.z))
                whi = Vec3(Swift.max(whi.x, p.x), Swift.max(whi.y, p.y), Swift.max(whi.z, p.z))
                let m = clipFromWorld
                let x = m[0, 0] * p.x + m[0, 1] * p.y + m[0, 2] * p.z + m[0, 3]
                let y = m[1, 0] * p.x + m[1, 1] * p.y + m[1, 2] * p.z + m[1, 3]
                let w = m[3, 0] * p.x + m[3, 1] * p.y + m[3, 2] * p.z + m[3, 3]
                var bits = 0
                if x > w { bits |= 1 }
                if x < -w { bits |= 2 }
                if y > w { bits |= 4 }
                if y < -w { bits |= 8 }
                if w < Self.near { bits |= 16 }
                outside &= bits
            }
            guard outside == 0 else { continue }
            if lightAbove, whi.z <= SunShadowFit.receiverOnlyHeight { continue }
            // The box's nearest point to the light, within its range.
            let q = Vec3(
                Swift.min(Swift.max(light.position.x, wlo.x), whi.x),
                Swift.min(Swift.max(light.position.y, wlo.y), whi.y),
                Swift.min(Swift.max(light.position.z, wlo.z), whi.z))
            guard (q - light.position).length < light.range else { continue }
            out.append(i)
        }
        return out
    }
}

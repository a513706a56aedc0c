import SceneCore

#if canImport(Glibc)
    import Glibc
#endif

/// The sun's orthographic shadow projection, fitted to the near part of the camera's view.
///
/// The light looks along -sunDirection. Its view box is the light-space bounding box of the camera
/// frustum between the near plane and `distance` metres, widened towards the sun by `casterReach`
/// so that tall things outside the view (a building behind the camera) still cast into it. The
/// box's x and y are snapped to whole texels so a moving camera does not make shadow edges crawl.
/// Depth is reversed like the main pass: 1 at the side nearest the sun, 0 at the far side.
struct SunShadowFit {
    /// Clip from world for the shadow pass (x, y in [-1, 1], z in [0, 1], greater = nearer the sun).
    var clipFromWorld: Mat4
    /// Shadow-map texture coordinates (x, y in [0, 1]) and depth from world.
    var textureFromWorld: Mat4
    /// World metres per shadow-map texel.
    var texelMetres: Double
    /// Metres of light-space depth per unit of stored depth.
    var depthRange: Double

    /// How far towards the sun (metres) things outside the view may stand and still cast into it.
    static let casterReach = 300.0

    init(camera: Camera, sunDirection: Vec3, distance: Double, mapSize: Int) {
        let k = camera.intrinsics
        let lz = sunDirection.normalized
        let helper = abs(lz.z) < 0.99 ? Vec3.unitZ : Vec3.unitX
        let lx = helper.cross(lz).normalized
        let ly = lz.cross(lx)
        let near = Swift.min(k.near, distance)
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        for z in [near, distance] {
            for (u, v) in [(-0.5, -0.5), (Double(k.width) - 0.5, -0.5), (-0.5, Double(k.height) - 0.5)] + [
                (Double(k.width) - 0.5, Double(k.height) - 0.5)
            ] {
                let pCam = Vec3((u - k.cx) / k.fx * z, (v - k.cy) / k.fy * z, z)
                let p = camera.worldFromCamera.transformPoint(pCam)
                let q = Vec3(p.dot(lx), p.dot(ly), p.dot(lz))
                lo = Vec3(Swift.min(lo.x, q.x), Swift.min(lo.y, q.y), Swift.min(lo.z, q.z))
                hi = Vec3(Swift.max(hi.x, q.x), Swift.max(hi.y, q.y), Swift.max(hi.z, q.z))
            }
        }
        // A square map: one texel size for both axes, the box snapped to whole texels.
        let extent = Swift.max(hi.x - lo.x, hi.y - lo.y) * (1 + 2.0 / Double(mapSize))
        let texel = extent / Double(mapSize)
        let x0 = (lo.x / texel).rounded(.down) * texel, y0 = (lo.y / texel).rounded(.down) * texel
        let z0 = lo.z - 1, z1 = hi.z + Self.casterReach
        texelMetres = texel
        depthRange = z1 - z0
        // Rows of textureFromWorld: ((p.lx - x0) / extent, (p.ly - y0) / extent, (p.lz - z0) / range).
        let sx = 1 / extent, sz = 1 / (z1 - z0)
        textureFromWorld = Mat4(rows: [
            [lx.x * sx, lx.y * sx, lx.z * sx, -x0 * sx],
            [ly.x * sx, ly.y * sx, ly.z * sx, -y0 * sx],
            [lz.x * sz, lz.y * sz, lz.z * sz, -z0 * sz],
            [0, 0, 0, 1],
        ])
        let clipFromTexture = Mat4(rows: [[2, 0, 0, -1], [0, 2, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]])
        clipFromWorld = clipFromTexture * textureFromWorld
    }

    /// Shadow-map coordinates and depth of a point of `camera`'s clip space (the color pass's
    /// gl_Position), composed in double precision around the camera so that far-from-origin scenes
    /// stay exact. Its bottom row maps clip (x, y, near, z) to 1: no division needed.
    func textureFromClip(_ camera: Camera) -> Mat4 {
        let k = camera.intrinsics
        let W = Double(k.width), H = Double(k.height)
        // The inverse of `CameraIntrinsics.clipFromCamera`: clip = (a x + b z, c y + d z, near, z).
        let a = 2 * k.fx / W, b = 2 * (k.cx + 0.5) / W - 1, c = 2 * k.fy / H, d = 2 * (k.cy + 0.5) / H - 1
        let cameraFromClip = Mat4(rows: [
            [1 / a, 0, 0, -b / a], [0, 1 / c, 0, -d / c], [0, 0, 0, 1], [0, 0, 1 / k.near, 0],
        ])
        return textureFromWorld * camera.worldFromCamera * cameraFromClip
    }
}

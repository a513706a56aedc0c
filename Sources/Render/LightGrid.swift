import SceneCore

/// A frame's local lights packed for the color shader (`Shaders.weatherDeclarations`), with the view
/// cut into clusters that each list the lights that can reach them, so a pixel loops over a few
/// lights, not over all 64 (clustered forward shading, Olsson, Billeter & Assarsson 2012).
///
/// A cluster is a 32-pixel square tile of the image times one of 16 depth slices: slice k holds
/// camera depths z in [2^(k/2), 2^((k+1)/2)) metres (slice 0 everything nearer than 1.41 m, slice 15
/// everything beyond 181 m), so a pixel finds its slice from its own depth. A light is listed in the
/// clusters that its bounding sphere (`LocalLight.boundingSphere`) may touch: for each slice the
/// sphere overlaps, the screen rectangle of the sphere's part in that slab, found conservatively. A
/// street lamp near the camera then costs the near road's pixels, not the sky's or the far buildings'.
///
/// Each cluster is one RGBA32UI texel of `clusterTexels` (x: tile column * 16 + slice, y: tile row):
/// byte 0 the count, bytes 1...15 the light indices. A texel fetch is one gather on llvmpipe where a
/// storage-buffer list costs a scalar load per pixel per entry. A cluster reached by more than 15
/// lights keeps the 15 that light its centre most (a street seen at night has clusters of 2 to 25).
///
/// Light positions are relative to the camera in world axes, subtracted in double precision, so a
/// scene far from the origin shades as one at it.
struct LightGrid {
    /// Tile edge in pixels, and depth slices (both also written in `Shaders.weatherDeclarations`).
    static let tileSize = 32
    static let depthSlices = 16
    /// Floats per light: 4 vec4 (see `Shaders.weatherDeclarations`).
    static let floatsPerLight = 16
    /// Twins closer than this (metres) light the scene as one light (`merged`).
    static let twinDistance = 2.5
    /// Emission of a lamp part, at most this bright after exposure: it glows near-white, keeping a hint
    /// of its color.
    static let maxExposedEmission = 2.0
    /// Radius (metres) of the glow drawn at a light with no lamp part of its own (a `car` built-in).
    static let glowRadius = 0.07

    /// Lights listed per cluster, at most (the bytes of a texel after its count).
    static let maxLightsPerCluster = 15

    var lights: [LocalLight]
    /// What the shader loops over: `lights` with twins merged (`merged`); `lightData` packs these.
    var shaded: [LocalLight] = []
    var lightData: [Float] = []
    /// The cluster texture, row-major, 4 words per texel (see above).
    var clusterTexels: [UInt32] = []
    var tilesAcross = 0
    var tilesDown = 0
    /// Texels per row of the cluster texture: tilesAcross * depthSlices.
    var clusterTextureWidth: Int { tilesAcross * Self.depthSlices }
    /// Per surface id (index + 1) the emitted light, pre-exposure; empty when no light has a part.
    var emission: [Float] = []
    /// Glows of lights without a part: camera-frame position and radius, exposed color and alpha.
    var glows: [Float] = []

    /// Near and far depth (metres) of slice k.
    static func slice(_ k: Int) -> (near: Double, far: Double) {
        (k == 0 ? 0 : pow(2, Double(k) / 2), k == depthSlices - 1 ? .infinity : pow(2, Double(k + 1) / 2))
    }

    init(spec: FrameSpec) {
        let camera = spec.camera, k = camera.intrinsics
        lights = LocalLight.selected(spec.lighting.lights, camera: camera)
        guard !lights.isEmpty else { return }
        let eye = camera.worldFromCamera.translation, cameraFromWorld = camera.cameraFromWorld
        let exposure = spec.lighting.exposure
        tilesAcross = (k.width + Self.tileSize - 1) / Self.tileSize
        tilesDown = (k.height + Self.tileSize - 1) / Self.tileSize
        let slices = Self.depthSlices
        // Every cluster's lights, in index order: the sphere's rectangle per slice, then each cluster
        // there tested against the light's cone (or range sphere).
        var lists = [[UInt8]](repeating: [], count: tilesAcross * tilesDown * slices)
        var apexes: [Vec3] = []
        for l in lights { appendGlow(l, spec: spec, cameraFromWorld: cameraFromWorld, exposure: exposure) }
        shaded = Self.merged(lights)
        for (index, l) in shaded.enumerated() {
            appendLight(l, relativeTo: eye)
            let sphere = l.boundingSphere
            let c = cameraFromWorld.transformPoint(sphere.center), r = sphere.radius
            let apex = cameraFromWorld.transformPoint(l.position)
            apexes.append(apex)
            let axis = cameraFromWorld.transformDirection(l.direction)
            for s in 0..<slices {
                let (z0, z1) = Self.slice(s)
                guard c.z + r > z0, c.z - r < z1 else { continue }
                // The sphere's part in the slab: within its widest cross-section there, at depths
                // between the slab's faces and the sphere's.
                let d = c.z < z0 ? z0 - c.z : (c.z > z1 ? c.z - z1 : 0)
                let across = (r * r - d * d).squareRoot()
                let zs = (Swift.max(z0, c.z - r), Swift.min(z1, c.z + r))
                guard let rect = Self.screenRect(c, across, zs, k) else { continue }
                for ty in (rect.y0 / Self.tileSize)...(rect.y1 / Self.tileSize) {
                    for tx in (rect.x0 / Self.tileSize)...(rect.x1 / Self.tileSize) {
                        let bounds = Self.clusterSphere(tx, ty, zs, k)
                        guard Self.reaches(l, apex: apex, axis: axis, bounds) else { continue }
                        lists[(ty * tilesAcross + tx) * slices + s].append(UInt8(index))
                    }
                }
            }
        }
        clusterTexels = [UInt32](repeating: 0, count: 4 * lists.count)
        for (cluster, list) in lists.enumerated() where !list.isEmpty {
            var kept = list
            if kept.count > Self.maxLightsPerCluster {
                let tile = cluster / slices, s = cluster % slices
                let (z0, z1) = Self.slice(s)
                let centre = Self.clusterSphere(tile % tilesAcross, tile / tilesAcross, (z0, Swift.min(z1, 2 * z0)), k)
                    .center
                func lit(_ i: UInt8) -> Double {
                    shaded[Int(i)].irradiance(atDistance: (apexes[Int(i)] - centre).length)
                }
                kept = Array(list.sorted { (lit($0), $1) > (lit($1), $0) }.prefix(Self.maxLightsPerCluster)).sorted()
            }
            let bytes = [UInt8(kept.count)] + kept
            for (b, value) in bytes.enumerated() {
                clusterTexels[4 * cluster + b / 4] |= UInt32(value) << (8 * UInt32(b % 4))
            }
        }
    }

    /// A sphere round the part of tile (tx, ty) between depths `z.0` and `z.1` (camera frame).
    static func clusterSphere(
        _ tx: Int, _ ty: Int, _ z: (Double, Double), _ k: CameraIntrinsics
    ) -> (center: Vec3, radius: Double) {
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        let u = [Double(tx * tileSize) - 0.5, Double((tx + 1) * tileSize) - 0.5]
        let v = [Double(ty * tileSize) - 0.5, Double((ty + 1) * tileSize) - 0.5]
        for depth in [z.0, z.1] {
            for uu in u {
                for vv in v {
                    let p = Vec3((uu - k.cx) / k.fx * depth, (vv - k.cy) / k.fy * depth, depth)
                    lo = Vec3(Swift.min(lo.x, p.x), Swift.min(lo.y, p.y), Swift.min(lo.z, p.z))
                    hi = Vec3(Swift.max(hi.x, p.x), Swift.max(hi.y, p.y), Swift.max(hi.z, p.z))
                }
            }
        }
        return ((lo + hi) / 2, (hi - lo).length / 2)
    }

    /// Whether light `l` (apex and axis in the camera frame) may light something inside `bounds`:
    /// the sphere is within range, and for a spot not wholly outside the cone (the cone-sphere test
    /// of Wronski, "Cull that cone!", 2016).
    static func reaches(_ l: LocalLight, apex: Vec3, axis: Vec3, _ bounds: (center: Vec3, radius: Double)) -> Bool {
        let v = bounds.center - apex
        let distance = v.length
        guard distance < l.range + bounds.radius else { return false }
        guard l.kind == .spot, l.outerConeDeg < 90 else { return true }
        let a = l.outerConeDeg * .pi / 180
        let along = v.dot(axis)
        let off = (Swift.max(distance * distance - along * along, 0)).squareRoot()
        let outside = cos(a) * off - sin(a) * along
        return outside <= bounds.radius && along >= -bounds.radius
    }

    /// Packs a light into 4 vec4 for the shader's branch-free loop: position and 1 / range²; color
    /// times intensity and (size / 2)²; the spot cone as a ramp `dot(-l, axis) · s + o` that is 0 at
    /// the outer cone and 1 at the inner one (s = 1 / (cos inner − cos outer), o = −cos outer · s,
    /// axis scaled by s), or (0, 0, 0, 1) for a point light; the area light's wrap w as
    /// `(n·l + w) / (1 + w)` = n·l · 1/(1+w) + w/(1+w).
    private mutating func appendLight(_ l: LocalLight, relativeTo eye: Vec3) {
        let rel = l.position - eye
        var cone = [0.0, 0, 0, 1]
        if l.kind == .spot, l.outerConeDeg < 90 {
            let cosOuter = cos(l.outerConeDeg * .pi / 180)
            let cosInner = Swift.max(cos(l.innerConeDeg * .pi / 180), cosOuter + 1e-4)
            let scale = 1 / (cosInner - cosOuter)
            cone = [l.direction.x * scale, l.direction.y * scale, l.direction.z * scale, -cosOuter * scale]
        }
        let e = l.color * (l.intensity * LocalLight.unitsPerLux)
        lightData += [rel.x, rel.y, rel.z, 1 / (l.range * l.range)].map { Float($0) }
        lightData += [e.x, e.y, e.z, l.size * l.size / 4].map { Float($0) }
        lightData += cone.map { Float($0) }
        let wrap = Swift.min(l.size, 1) * 0.3
        lightData += [1 / (1 + wrap), wrap / (1 + wrap), 0, 0].map { Float($0) }
    }

    /// `lights` with each pair of twins — a vehicle's two head lights or two tail lights: the same
    /// kind, cone, color, intensity, range and direction, less than `twinDistance` apart — replaced
    /// by one light at their midpoint with their summed intensity and a size spanning both. Beyond a
    /// few metres the two light the scene as one, and the shader's cost is per light and pixel; the
    /// twins still glow on their own (`appendGlow`). Pairs form greedily in index order.
    static func merged(_ lights: [LocalLight]) -> [LocalLight] {
        var taken = [Bool](repeating: false, count: lights.count)
        var out: [LocalLight] = []
        for i in lights.indices where !taken[i] {
            var l = lights[i]
            if let j = lights.indices.first(where: { $0 > i && !taken[$0] && areTwins(lights[i], lights[$0]) }) {
                taken[j] = true
                let other = lights[j]
                l.position = (l.position + other.position) / 2
                l.intensity += other.intensity
                l.size = Swift.max(l.size, (l.position - other.position).length * 2)
                l.emitter = nil
            }
            out.append(l)
        }
        return out
    }

    static func areTwins(_ a: LocalLight, _ b: LocalLight) -> Bool {
        a.kind == b.kind && a.innerConeDeg == b.innerConeDeg && a.outerConeDeg == b.outerConeDeg
            && a.color == b.color && a.intensity == b.intensity && a.range == b.range && a.size == b.size
            && a.direction.dot(b.direction) > 0.9999 && (a.position - b.position).length < twinDistance
    }

    /// A lamp part glows (its light over its area); a light without a part gets a small glowing disc.
    private mutating func appendGlow(_ l: LocalLight, spec: FrameSpec, cameraFromWorld: Mat4, exposure: Double) {
        if let emitter = l.emitter {
            guard emitter >= 0, emitter < spec.surfaces.count else { return }
            if emission.isEmpty { emission = [Float](repeating: 0, count: (spec.surfaces.count + 1) * 4) }
            let radiance =
                l.intensity * LocalLight.unitsPerLux / Swift.max(Self.faceArea(spec.surfaces[emitter].shape), 0.01)
            let glow = l.color * Swift.min(radiance, Self.maxExposedEmission / exposure)
            let at = (emitter + 1) * 4
            emission[at] += Float(glow.x)
            emission[at + 1] += Float(glow.y)
            emission[at + 2] += Float(glow.z)
            return
        }
        let p = cameraFromWorld.transformPoint(l.position)
        guard p.z > spec.camera.intrinsics.near else { return }
        let radiance = l.intensity * LocalLight.unitsPerLux / (.pi * Self.glowRadius * Self.glowRadius)
        let c = l.color * Swift.min(radiance * exposure, Self.maxExposedEmission)
        glows += [p.x, p.y, p.z, Self.glowRadius, c.x, c.y, c.z, 1].map { Float($0) }
    }

    /// Pixel rectangle (inclusive, clamped to the image) that the box `c.xy ± r` between depths
    /// `z.0` and `z.1` covers; the whole image when the box reaches the camera's plane, nil when it
    /// projects outside the image.
    static func screenRect(
        _ c: Vec3, _ r: Double, _ z: (Double, Double), _ k: CameraIntrinsics
    ) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        var u0 = 0.0, u1 = Double(k.width - 1), v0 = 0.0, v1 = Double(k.height - 1)
        if z.0 > 1e-3 {
            // x / depth over the box is smallest at one of its corners.
            func bounds(_ x: Double) -> (Double, Double) {
                let lo = (x - r) / (x - r >= 0 ? z.1 : z.0)
                let hi = (x + r) / (x + r >= 0 ? z.0 : z.1)
                return (lo, hi)
            }
            let (x0, x1) = bounds(c.x), (y0, y1) = bounds(c.y)
            u0 = Swift.max(u0, (k.fx * x0 + k.cx).rounded(.down))
            u1 = Swift.min(u1, (k.fx * x1 + k.cx).rounded(.up))
            v0 = Swift.max(v0, (k.fy * y0 + k.cy).rounded(.down))
            v1 = Swift.min(v1, (k.fy * y1 + k.cy).rounded(.up))
        }
        guard u0 <= u1, v0 <= v1 else { return nil }
        return (Int(u0), Int(v0), Int(u1), Int(v1))
    }

    /// The largest face of a shape's bounding box (m²): a lamp part's glowing area.
    static func faceArea(_ shape: Shape) -> Double {
        let (lo, hi) = shape.geometry.extent
        let s = (hi - lo).scaled(by: shape.scale)
        return Swift.max(s.x * s.y, s.y * s.z, s.x * s.z)
    }
}

#if canImport(Glibc)
    import Glibc
#endif

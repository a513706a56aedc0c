// Coordinate conventions (documented once, in docs/COORDINATES.md):
//
//   world   right-handed, Z up, metres. The ground is the plane z = 0.
//   camera  OpenCV: x right, y down, z forward (the optical axis), metres.
//   image   pixel (i, j) is column i from the left, row j from the top; its centre is at the
//           continuous image coordinate (u, v) = (i, j) — the OpenCV convention, so K below is
//           the K that OpenCV, KITTI and COCO-style tooling expect.
//
//   u = fx * x / z + cx,   v = fy * y / z + cy
//
// The GL renderer rasterizes a pixel when its centre is inside a triangle, so a surface point
// that projects to (u, v) lands in the pixel whose centre is nearest: column round(u), row round(v).

/// The pinhole model of one camera: image size in pixels and the intrinsic matrix K.
public struct CameraIntrinsics: Hashable, Codable, Sendable {
    public var width: Int
    public var height: Int
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double
    /// Nearest distance (camera z, metres) that is drawn. There is no far plane: depth is reversed
    /// and infinite, so precision is best where it matters and nothing distant is clipped.
    public var near: Double

    public init(width: Int, height: Int, fx: Double, fy: Double, cx: Double, cy: Double, near: Double = 0.1) {
        self.width = width
        self.height = height
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
        self.near = near
    }

    /// Square pixels, the principal point at the image centre, and the given horizontal field of view.
    public init(width: Int, height: Int, horizontalFOVDegrees fov: Double, near: Double = 0.1) {
        let f = (Double(width) / 2) / tan(fov * .pi / 360)
        self.init(
            width: width, height: height, fx: f, fy: f,
            cx: Double(width - 1) / 2, cy: Double(height - 1) / 2, near: near)
    }

    /// K as three rows.
    public var K: [[Double]] { [[fx, 0, cx], [0, fy, cy], [0, 0, 1]] }

    /// Maps a camera-frame point to GL clip space for a framebuffer whose row 0 is the image's top row
    /// (the renderer draws "upside down" in GL terms so that a plain glReadPixels yields top-first rows).
    ///
    /// With window coordinates x_w = u + 1/2 and y_w = v + 1/2 (pixel centres at half-integers in GL):
    ///   x_ndc = 2 (u + 1/2) / W - 1,  y_ndc = 2 (v + 1/2) / H - 1,  z_ndc = near / z  (reversed, infinite)
    /// and clip = (x_ndc z, y_ndc z, near, z). Requires glClipControl(GL_LOWER_LEFT, GL_ZERO_TO_ONE).
    public var clipFromCamera: Mat4 {
        let W = Double(width), H = Double(height)
        return Mat4(rows: [
            [2 * fx / W, 0, 2 * (cx + 0.5) / W - 1, 0],
            [0, 2 * fy / H, 2 * (cy + 0.5) / H - 1, 0],
            [0, 0, 0, near],
            [0, 0, 1, 0],
        ])
    }
}

/// One camera: intrinsics and its pose in the world.
public struct Camera: Hashable, Codable, Sendable {
    public var intrinsics: CameraIntrinsics
    /// Maps camera-frame (OpenCV) points to world points.
    public var worldFromCamera: Mat4

    public init(intrinsics: CameraIntrinsics, worldFromCamera: Mat4) {
        self.intrinsics = intrinsics
        self.worldFromCamera = worldFromCamera
    }

    public var cameraFromWorld: Mat4 { worldFromCamera.rigidInverse }

    /// Projects a world point to continuous image coordinates and its camera depth z.
    /// Returns nil for points at or behind the camera plane.
    public func project(_ world: Vec3) -> (u: Double, v: Double, z: Double)? {
        let p = cameraFromWorld.transformPoint(world)
        guard p.z > 0 else { return nil }
        let k = intrinsics
        return (k.fx * p.x / p.z + k.cx, k.fy * p.y / p.z + k.cy, p.z)
    }

    /// A camera at `eye` looking at `target`, with the image's up direction as close to world +Z
    /// as the view allows (no roll).
    public static func lookAt(eye: Vec3, target: Vec3, up: Vec3 = .unitZ) -> Mat4 {
        let forward = (target - eye).normalized
        var right = forward.cross(up)
        if right.length < 1e-9 { right = forward.cross(.unitX) }  // looking straight up or down
        right = right.normalized
        let down = forward.cross(right)
        return Mat4(rows: [
            [right.x, down.x, forward.x, eye.x],
            [right.y, down.y, forward.y, eye.y],
            [right.z, down.z, forward.z, eye.z],
            [0, 0, 0, 1],
        ])
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension CameraIntrinsics {
    /// The same view at another resolution: focal lengths and principal point scaled with the image,
    /// so the field of view stays and only the pixel count changes. The principal point scales about
    /// the image's edge, not the first pixel's centre (pixel centres sit at integers).
    public func resized(width: Int, height: Int) -> CameraIntrinsics {
        let sx = Double(width) / Double(self.width), sy = Double(height) / Double(self.height)
        return CameraIntrinsics(
            width: width, height: height, fx: fx * sx, fy: fy * sy, cx: (cx + 0.5) * sx - 0.5,
            cy: (cy + 0.5) * sy - 0.5, near: near)
    }
}

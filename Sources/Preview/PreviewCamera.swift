import SceneCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the preview looks from: the frame's own camera, or a free camera that replaces only the
/// camera pose of the frame spec (objects, lighting and intrinsics stay those of the frame, so the
/// labels of that view are still exact).
///
/// Angles: `yaw` turns about world +Z from +X (radians), `pitch` tilts the view up from the
/// horizon, clamped short of straight up or down so the horizon never flips.
public enum PreviewCamera: Equatable {
    case scene
    /// Turns about `target` at `distance` metres: drag to orbit, pan in the view plane, zoom.
    case orbit(target: Vec3, distance: Double, yaw: Double, pitch: Double)
    /// Moves freely: WASD along the view, Q/E down and up, drag to look.
    case fly(position: Vec3, yaw: Double, pitch: Double)

    static let maxPitch = 89 * Double.pi / 180

    /// The view direction of a pose (its camera +Z in world coordinates) as yaw and pitch.
    static func angles(of worldFromCamera: Mat4) -> (yaw: Double, pitch: Double) {
        let f = worldFromCamera.transformDirection(Vec3(0, 0, 1)).normalized
        return (atan2(f.y, f.x), asin(max(-1, min(1, f.z))))
    }

    static func forward(yaw: Double, pitch: Double) -> Vec3 {
        Vec3(cos(pitch) * cos(yaw), cos(pitch) * sin(yaw), sin(pitch))
    }

    public var isFlying: Bool {
        if case .fly = self { return true }
        return false
    }

    /// The camera pose to render with; nil for the frame's own camera.
    public var worldFromCamera: Mat4? {
        switch self {
        case .scene: return nil
        case .orbit(let target, let distance, let yaw, let pitch):
            let eye = target - Self.forward(yaw: yaw, pitch: pitch) * distance
            return Camera.lookAt(eye: eye, target: target)
        case .fly(let position, let yaw, let pitch):
            return Camera.lookAt(eye: position, target: position + Self.forward(yaw: yaw, pitch: pitch))
        }
    }

    /// An orbit around the point `distance` metres ahead of `pose`, starting from that very view.
    public static func orbit(from pose: Mat4, distance: Double) -> PreviewCamera {
        let (yaw, pitch) = angles(of: pose)
        let d = max(0.1, distance)
        let target = pose.translation + forward(yaw: yaw, pitch: pitch) * d
        return .orbit(target: target, distance: d, yaw: yaw, pitch: min(maxPitch, max(-maxPitch, pitch)))
    }

    /// A fly camera at `pose`, looking where it looks.
    public static func fly(from pose: Mat4) -> PreviewCamera {
        let (yaw, pitch) = angles(of: pose)
        return .fly(position: pose.translation, yaw: yaw, pitch: min(maxPitch, max(-maxPitch, pitch)))
    }

    /// Radians per pixel of mouse drag.
    static let turnPerPixel = 0.005

    /// Dragging by (dx, dy) pixels: orbits about the target, or looks around when flying. Dragging
    /// down raises an orbiting camera (it looks down more) and tilts a flying one down.
    public mutating func rotate(dx: Double, dy: Double) {
        switch self {
        case .scene: return
        case .orbit(let target, let distance, let yaw, let pitch):
            self = .orbit(
                target: target, distance: distance, yaw: yaw - dx * Self.turnPerPixel,
                pitch: clampPitch(pitch - dy * Self.turnPerPixel))
        case .fly(let position, let yaw, let pitch):
            self = .fly(
                position: position, yaw: yaw - dx * Self.turnPerPixel,
                pitch: clampPitch(pitch - dy * Self.turnPerPixel))
        }
    }

    /// Panning an orbit by (dx, dy) pixels: the target moves in the view plane, about as far as the
    /// scene under the cursor moves.
    public mutating func pan(dx: Double, dy: Double) {
        guard case .orbit(let target, let distance, let yaw, let pitch) = self, let pose = worldFromCamera else {
            return
        }
        let right = pose.transformDirection(Vec3(1, 0, 0)), down = pose.transformDirection(Vec3(0, 1, 0))
        let metresPerPixel = distance * 0.0015
        self = .orbit(
            target: target + (right * -dx + down * -dy) * metresPerPixel, distance: distance, yaw: yaw, pitch: pitch)
    }

    /// Zooming an orbit by `steps` wheel steps (positive: closer), 10% of the distance per step.
    public mutating func zoom(steps: Double) {
        guard case .orbit(let target, let distance, let yaw, let pitch) = self else { return }
        self = .orbit(
            target: target, distance: min(10_000, max(0.1, distance * pow(0.9, steps))), yaw: yaw, pitch: pitch)
    }

    /// Flying by `forward`, `right` and `up` metres (along the view, across it, and world up).
    public mutating func move(forward: Double, right: Double, up: Double) {
        guard case .fly(let position, let yaw, let pitch) = self else { return }
        let ahead = Self.forward(yaw: yaw, pitch: pitch)
        let side = Vec3(sin(yaw), -cos(yaw), 0)
        self = .fly(position: position + ahead * forward + side * right + Vec3(0, 0, up), yaw: yaw, pitch: pitch)
    }

    private func clampPitch(_ p: Double) -> Double { min(Self.maxPitch, max(-Self.maxPitch, p)) }
}

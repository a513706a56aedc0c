// A camera rig: the scene's primary camera (the `camera` block) and the cameras mounted beside it
// (the `cameras` list), such as a stereo pair or a robot's head and wrist cameras.
//
// The rig moves as one: every frame samples the primary camera's pose (motion, jitter), and each
// other camera sits at a fixed mount relative to it. A mount is written in the primary camera's
// *body* frame, the frame people reason in when they bolt cameras together:
//
//   body    x forward along the primary's optical axis, y left, z up (metres)
//   camera  OpenCV: x right, y down, z forward (see Camera.swift)
//
//   camera OpenCV point (x, y, z)  =  body point (-y, -z, x)
//
// The mount's yaw turns the camera left about body z, pitch raises its optical axis, roll turns it
// about its own optical axis (positive: clockwise seen from behind), in that order — the same
// convention as the `camera` block's yaw_deg/pitch_deg/roll_deg relative to the world, so a rig
// camera on an unrotated primary has exactly the pose the `camera` block would give it.

/// A camera mounted on the rig beside the primary camera. Its pose is fixed relative to the
/// primary camera; its image size and lens may differ.
public struct RigCamera: Hashable, Sendable {
    /// Unique within the rig: `[a-z0-9_-]+`. Names the camera's folder in a multi-camera dataset.
    public var name: String
    /// The camera centre in the primary camera's body frame (x forward, y left, z up), metres.
    public var offset: Vec3
    /// Rotation relative to the primary camera (degrees): yaw left about body z, then pitch up,
    /// then roll about the optical axis (clockwise seen from behind).
    public var yawDeg: Double
    public var pitchDeg: Double
    public var rollDeg: Double
    public var width: Int
    public var height: Int
    public var lens: CameraLens
    public var near: Double

    public init(
        name: String, offset: Vec3, yawDeg: Double = 0, pitchDeg: Double = 0, rollDeg: Double = 0, width: Int,
        height: Int, lens: CameraLens, near: Double
    ) {
        self.name = name
        self.offset = offset
        self.yawDeg = yawDeg
        self.pitchDeg = pitchDeg
        self.rollDeg = rollDeg
        self.width = width
        self.height = height
        self.lens = lens
        self.near = near
    }

    public var intrinsics: CameraIntrinsics {
        switch lens {
        case .horizontalFOV(let fov):
            return CameraIntrinsics(width: width, height: height, horizontalFOVDegrees: fov, near: near)
        case .intrinsics(let fx, let fy, let cx, let cy):
            return CameraIntrinsics(width: width, height: height, fx: fx, fy: fy, cx: cx, cy: cy, near: near)
        }
    }

    /// Maps this camera's OpenCV coordinates to the primary camera's OpenCV coordinates: the
    /// camera's pose in the primary camera's frame. `worldFromPrimary * primaryFromCamera` is the
    /// camera's `worldFromCamera`.
    public var primaryFromCamera: Mat4 {
        let mount =
            Mat4.translation(offset) * Mat4.rotationZ(yawDeg * .pi / 180) * Mat4.rotationY(-pitchDeg * .pi / 180)
        return CameraRig.cameraFromBody * mount * CameraRig.bodyFromCamera * Mat4.rotationZ(rollDeg * .pi / 180)
    }
}

/// The scene's cameras: the primary camera (`SceneDescription.camera`) under its name, and the
/// cameras mounted beside it. A rig without extra cameras is a single-camera scene.
public struct CameraRig: Hashable, Sendable {
    /// The name the primary camera has when the `camera` block gives none.
    public static let defaultPrimaryName = "camera"

    /// The primary camera's name (`camera.name`).
    public var primaryName: String
    /// The other cameras, in file order.
    public var cameras: [RigCamera]

    public init(primaryName: String = CameraRig.defaultPrimaryName, cameras: [RigCamera] = []) {
        self.primaryName = primaryName
        self.cameras = cameras
    }

    /// OpenCV camera axes from body axes (x forward, y left, z up): (x, y, z) → (-y, -z, x).
    public static let cameraFromBody = Mat4(rows: [[0, -1, 0, 0], [0, 0, -1, 0], [1, 0, 0, 0], [0, 0, 0, 1]])
    /// Body axes from OpenCV camera axes, the inverse (and transpose) of `cameraFromBody`.
    public static let bodyFromCamera = Mat4(rows: [[0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 0, 1]])
}

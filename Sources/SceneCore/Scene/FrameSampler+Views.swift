// The views of a frame: one FrameSpec per camera of the rig (RigCamera.swift).
//
// View 0 is the primary camera and is exactly `frame(_:seed:)`. View k > 0 is the same frame —
// the same layout, lighting, weather and surfaces, the same instant — seen from camera k, whose
// pose is the primary camera's sampled pose (motion and jitter included) times its fixed mount.
// Nothing is drawn from a random stream per view, so adding a camera changes no other view.

extension SceneDescription {
    /// The cameras mounted beside the primary one, in file order (empty: a single-camera scene).
    public var cameras: [RigCamera] { rig.cameras }

    /// Every camera's name, the primary first: view k of a frame is camera `cameraNames[k]`.
    public var cameraNames: [String] { [rig.primaryName] + rig.cameras.map(\.name) }

    /// Whether the scene has more than one camera (and writes a multi-camera dataset).
    public var isMultiCamera: Bool { !rig.cameras.isEmpty }

    /// The intrinsics of view `view` (0 = the primary camera); they do not change from frame to frame.
    public func intrinsics(view: Int) -> CameraIntrinsics {
        precondition(view >= 0 && view <= rig.cameras.count, "view \(view) is not a camera of the scene")
        return view == 0 ? camera.intrinsics : rig.cameras[view - 1].intrinsics
    }

    /// Frame `index` seen by camera `view` (0 = the primary camera, equal to `frame(index, seed:)`;
    /// k > 0 = `cameras[k - 1]`). Throws like `frame(_:seed:)`.
    public func frame(_ index: Int, seed: UInt64, view: Int) throws -> FrameSpec {
        precondition(view >= 0 && view <= rig.cameras.count, "view \(view) is not a camera of the scene")
        return self.view(view, of: try frame(index, seed: seed))
    }

    /// Every view of frame `index`, in `cameraNames` order, from one sampling of the frame.
    public func frameViews(_ index: Int, seed: UInt64) throws -> [FrameSpec] {
        let primary = try frame(index, seed: seed)
        return (0...rig.cameras.count).map { view($0, of: primary) }
    }

    /// `primary` (a view-0 frame of this scene) seen by camera `view`.
    public func view(_ view: Int, of primary: FrameSpec) -> FrameSpec {
        guard view > 0 else { return primary }
        let mounted = rig.cameras[view - 1]
        var spec = primary
        spec.camera = Camera(
            intrinsics: mounted.intrinsics,
            worldFromCamera: primary.camera.worldFromCamera * mounted.primaryFromCamera)
        return spec
    }
}

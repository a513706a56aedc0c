// Frames of a multi-camera scene: one frame, several views.
//
// The render thread samples a frame once (its primary view), derives the other views from it, and
// submits them one after another to the same renderer; the views of a frame come back in order and
// travel to one encoder together, which encodes each and joins their files under the cameras'
// folders (`DatasetLayout.combine`): the sink sees one frame with every camera's files.
import Export
import Labels
import SceneCore

/// The cameras of a multi-camera frame: their folders, the primary first, and how to see the
/// primary view from each of the others.
public struct CameraViews: @unchecked Sendable {
    /// The cameras' folders in the dataset, the primary first; at least two.
    public var folders: [String]
    /// Camera k's view (k ≥ 1) of a frame, given the frame's primary view. Pure.
    public var view: (Int, FrameSpec) -> FrameSpec

    public init(folders: [String], view: @escaping (Int, FrameSpec) -> FrameSpec) {
        self.folders = folders
        self.view = view
    }

    /// The cameras of a multi-camera scene; nil for a single-camera scene.
    public init?(scene: SceneDescription) {
        guard scene.isMultiCamera else { return nil }
        self.init(folders: scene.cameraNames) { scene.view($0, of: $1) }
    }

    /// Every view of a frame, the primary first.
    func views(of primary: FrameSpec) -> [FrameSpec] {
        [primary] + (1..<folders.count).map { view($0, primary) }
    }
}

/// A frame rendered from every camera: its views in camera order, and the cameras' folders
/// (nil for a single camera, whose files keep their plain paths).
struct RenderedViews {
    var views: [(frame: RenderedFrame, spec: FrameSpec)]
    var folders: [String]?

    var index: Int { views[0].spec.index }
}

extension FrameStage {
    /// Labels and encodes every view of a frame; a multi-camera frame's files go under their
    /// cameras' folders. A single camera encodes exactly as `labelAndEncode(_:spec:stats:)`.
    static func labelAndEncode(_ rendered: RenderedViews, stats: inout PipelineStats) throws -> EncodedFrame {
        guard let folders = rendered.folders else {
            return try labelAndEncode(rendered.views[0].frame, spec: rendered.views[0].spec, stats: &stats).0
        }
        var encoded: [(camera: String, frame: EncodedFrame)] = []
        for (folder, view) in zip(folders, rendered.views) {
            do {
                encoded.append((folder, try labelAndEncode(view.frame, spec: view.spec, stats: &stats).0))
            } catch let error as PipelineError {
                throw PipelineError(
                    frame: error.frame, stage: error.stage, underlying: "camera \(folder): \(error.underlying)")
            }
        }
        return DatasetLayout.combine(index: rendered.index, views: encoded)
    }
}

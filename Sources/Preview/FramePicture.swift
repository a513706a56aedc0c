// Preview: `scenefarm preview` — a live window for scene authors (orbit and fly cameras, frame
// stepping, label overlays, reload on save) and headless contact sheets of frames with overlays.
//
// Non-goals: no dataset writing (that is the farm and Export), no label logic of its own (every
// overlay comes from Labels, derived from the ID buffer of the very view shown), no EGL or window
// set-up (RenderContext), no argument parsing (the scenefarm command).
import Labels
import Overlays
import SceneCore

/// What the picture of a frame shows.
public enum PreviewMode: String, CaseIterable, Sendable {
    /// The lit color image.
    case rgb
    /// The semantic map in the scene's class colors.
    case semantic
    /// The instance map in hashed colors (stuff and background black).
    case instance
    /// The depth map in grey (near bright, far dark).
    case depth
}

/// Which 2D boxes are drawn over the picture, each in its object's class color.
public enum BoxOverlay: String, CaseIterable, Sendable {
    case none
    /// The tight box: the exact extent of the visible mask.
    case tight
    /// The amodal box: the extent of the unoccluded silhouette (needs a renderer that counts hidden pixels).
    case amodal

    /// The next choice of the `B` key: none → tight → amodal → none.
    public var next: BoxOverlay {
        switch self {
        case .none: return .tight
        case .tight: return .amodal
        case .amodal: return .none
        }
    }
}

/// Draws a rendered frame as people see it in the preview and its contact sheets.
public enum FramePicture {
    /// Box lines are this many pixels wide at the frame's resolution when shown 1:1.
    public static let boxThickness = 2

    /// The picture of `frame` (rendered from `spec`, labelled as `labels`) in `mode`, with `boxes`
    /// drawn `thickness` pixels wide in their class colors (white over the semantic map, where the
    /// class colors would not show).
    public static func compose(
        frame: RenderedFrame, labels: FrameLabels, spec: FrameSpec, mode: PreviewMode, boxes: BoxOverlay,
        thickness: Int = boxThickness
    ) -> RGBImage {
        let w = frame.width, h = frame.height
        var image: RGBImage
        switch mode {
        case .rgb:
            image = RGBImage(width: w, height: h, rgba: frame.color) ?? RGBImage(width: w, height: h)
        case .semantic:
            image = LabelColors.semanticImage(labels.semanticMap, width: w, height: h, classes: spec.classes)
        case .instance:
            image = LabelColors.instanceImage(labels.instanceMap, width: w, height: h)
        case .depth:
            image = LabelColors.depthImage(labels.depthMillimetres, width: w, height: h)
        }
        guard boxes != .none else { return image }
        let classColor = LabelColors.classTable(spec.classes)
        for object in labels.objects {
            let box: PixelBox
            switch boxes {
            case .none: continue
            case .tight: box = object.bbox
            case .amodal: box = object.amodal?.box ?? object.bbox
            }
            image.drawRectangle(
                x0: box.xmin, y0: box.ymin, x1: box.xmax, y1: box.ymax,
                color: mode == .semantic ? .white : classColor[max(0, min(255, object.classID))],
                thickness: thickness)
        }
        return image
    }
}

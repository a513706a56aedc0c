import Labels
import Overlays
import SceneCore

/// One column kind of a headless contact sheet.
public enum SheetOverlay: String, CaseIterable, Sendable {
    case rgb, semantic, instance, depth
    /// The color image with every object's tight box.
    case boxes
    /// The color image with every object's amodal box.
    case amodal

    var mode: PreviewMode {
        switch self {
        case .rgb, .boxes, .amodal: return .rgb
        case .semantic: return .semantic
        case .instance: return .instance
        case .depth: return .depth
        }
    }

    var boxes: BoxOverlay {
        switch self {
        case .boxes: return .tight
        case .amodal: return .amodal
        default: return .none
        }
    }
}

/// Where the cells of a contact sheet lie. Cells go left to right, then top to bottom, each a
/// caption band over a panel, with `gap` pixels around and between them:
///
/// ```
///  gap ┌──────────────┐ gap ┌──────────────┐ gap
///      │ caption      │     │ caption      │        captionHeight
///      ├──────────────┤     ├──────────────┤
///      │ panel        │     │ panel        │        panelHeight
///      └──────────────┘     └──────────────┘
///  gap
/// ```
public struct SheetLayout: Hashable, Sendable {
    public static let gap = 4
    public static let captionHeight = BitmapFont.glyphHeight + 4

    public let panelWidth: Int
    public let panelHeight: Int
    public let columns: Int
    public let rows: Int

    public init(panelWidth: Int, panelHeight: Int, columns: Int, cells: Int) {
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        self.columns = max(1, columns)
        self.rows = (max(0, cells) + self.columns - 1) / self.columns
    }

    public var width: Int { Self.gap + columns * (panelWidth + Self.gap) }
    public var height: Int { Self.gap + rows * (Self.captionHeight + panelHeight + Self.gap) }

    /// The top-left pixel of cell `cell`'s panel (below its caption).
    public func panelOrigin(cell: Int) -> (x: Int, y: Int) {
        let column = cell % columns, row = cell / columns
        return (
            Self.gap + column * (panelWidth + Self.gap),
            Self.gap + row * (Self.captionHeight + panelHeight + Self.gap) + Self.captionHeight
        )
    }
}

/// A contact sheet of frames with overlays, rendered without a window: one cell per (scene, frame,
/// overlay), scene-major then frame-major, `columns` cells per row (by default one row per frame,
/// one column per overlay). Each caption names the frame, its weather condition when the scene has
/// weather, and the overlay; with more than one scene it starts with the scene's name.
public struct PreviewSheet {
    public let image: RGBImage
    public let layout: SheetLayout
    /// Scene (index into the scenes rendered), frame index and overlay of each cell, in layout order.
    public let cells: [(scene: Int, frame: Int, overlay: SheetOverlay)]

    public static let background = Color8(24, 24, 24)
    public static let captionColor = Color8(230, 230, 230)

    /// Renders `frames` of `scene` through `renderer` (which must count hidden pixels when `overlays`
    /// holds `.amodal`), each panel the frame at `size` (nil: the scene's resolution) scaled by
    /// `scale` with nearest-neighbour sampling. Throws `FrameSamplingError`, `RenderError` or `LabelError`.
    public static func render(
        scene: PreviewScene, frames: [Int], overlays: [SheetOverlay], columns: Int? = nil, scale: Double = 0.5,
        size: PreviewSize? = nil, renderer: FrameRenderer
    ) throws -> PreviewSheet {
        try render(
            scenes: [(scene, frames)], overlays: overlays, columns: columns, scale: scale, size: size,
            renderer: renderer)
    }

    /// Renders the frames of each scene of `scenes` in turn, as `render(scene:...)` does one. Panels
    /// share one size, so scenes of different resolutions need `size`: without it they throw
    /// `PreviewError`.
    public static func render(
        scenes: [(scene: PreviewScene, frames: [Int])], overlays: [SheetOverlay], columns: Int? = nil,
        scale: Double = 0.5, size: PreviewSize? = nil, renderer: FrameRenderer
    ) throws -> PreviewSheet {
        let sizes = scenes.map {
            PreviewSize(width: $0.scene.description.camera.width, height: $0.scene.description.camera.height)
        }
        if size == nil, Set(sizes).count > 1 {
            let listed = zip(scenes, sizes).map { "\($0.scene.path) \($1)" }.joined(separator: ", ")
            throw PreviewError("the scenes differ in resolution (\(listed)): give one panel size with --size WxH")
        }
        let width = size?.width ?? sizes.first?.width ?? 1
        let height = size?.height ?? sizes.first?.height ?? 1
        let (pw, ph) = RGBImage.scaledSize(width: width, height: height, scale: scale)
        let cells = scenes.indices.flatMap { s in
            scenes[s].frames.flatMap { f in overlays.map { (scene: s, frame: f, overlay: $0) } }
        }
        let layout = SheetLayout(
            panelWidth: pw, panelHeight: ph, columns: columns ?? max(1, overlays.count), cells: cells.count)
        var sheet = RGBImage(width: layout.width, height: layout.height, fill: background)
        let thickness = max(1, Int(Double(FramePicture.boxThickness) / scale))
        var cell = 0
        for (scene, frames) in scenes {
            for index in frames {
                let spec = try scene.spec(index, size: size)
                let rendered = try renderer.render(spec)
                let labels = try LabelDeriver.derive(rendered, spec: spec)
                var words = scenes.count > 1 ? [scene.description.name] : []
                words.append(String(index))
                if let weather = spec.lighting.weather { words.append(weather.condition.rawValue) }
                for overlay in overlays {
                    let panel = FramePicture.compose(
                        frame: rendered, labels: labels, spec: spec, mode: overlay.mode, boxes: overlay.boxes,
                        thickness: thickness
                    ).scaled(by: scale)
                    let origin = layout.panelOrigin(cell: cell)
                    sheet.paste(panel, x: origin.x, y: origin.y)
                    // The caption is drawn into a band of the panel's width, so a long one is cut at the cell's edge.
                    var caption = RGBImage(width: pw, height: SheetLayout.captionHeight - 2, fill: background)
                    BitmapFont.draw(
                        (words + [overlay.rawValue]).joined(separator: " "), into: &caption, x: 1, y: 1,
                        color: captionColor)
                    sheet.paste(caption, x: origin.x, y: origin.y - SheetLayout.captionHeight)
                    cell += 1
                }
            }
        }
        return PreviewSheet(image: sheet, layout: layout, cells: cells)
    }
}

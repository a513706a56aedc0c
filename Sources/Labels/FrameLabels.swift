// Labels: everything derived from a frame's surface-ID and depth buffers plus its `FrameSpec`.
//
// Non-goals: no GL, no files, no sockets. This module only turns buffers into label values; the
// Export module decides how they are stored on disk.

import SceneCore

/// A tight 2D box in pixel indices, inclusive on both ends: the box of a single pixel at column 3,
/// row 5 is `xmin = xmax = 3`, `ymin = ymax = 5`. Its width in pixels is `xmax - xmin + 1`.
public struct PixelBox: Codable, Hashable, Sendable, CustomStringConvertible {
    public var xmin: Int
    public var ymin: Int
    public var xmax: Int
    public var ymax: Int

    public init(xmin: Int, ymin: Int, xmax: Int, ymax: Int) {
        self.xmin = xmin
        self.ymin = ymin
        self.xmax = xmax
        self.ymax = ymax
    }

    /// Width and height in pixels (inclusive extents, so a one-pixel box is 1 x 1).
    public var width: Int { xmax - xmin + 1 }
    public var height: Int { ymax - ymin + 1 }

    public var description: String { "[\(xmin), \(ymin), \(xmax), \(ymax)]" }
}

/// One visible object instance in a frame.
public struct ObjectLabel: Codable, Hashable, Sendable {
    /// The surfaces' `instanceID` (1...65535).
    public var instanceID: Int
    /// The semantic class id shared by all of the instance's surfaces.
    public var classID: Int
    /// The class's name from `FrameSpec.classes` ("unlabelled" for class id 0).
    public var className: String
    /// The exact extent of the instance's mask.
    public var bbox: PixelBox
    /// Number of visible pixels (the area of the mask), at least 1.
    public var pixels: Int
    /// The unoccluded silhouette (visible + hidden pixels), when the renderer counted hidden pixels.
    public var amodal: AmodalLabel?
    /// Where the object's geometry projects, unclipped, and the share of it outside the image.
    public var extent: ProjectedExtent?
    /// The object's 3D box, when the frame spec describes the instance.
    public var box3D: Box3DLabel?

    public init(
        instanceID: Int, classID: Int, className: String, bbox: PixelBox, pixels: Int, amodal: AmodalLabel? = nil,
        extent: ProjectedExtent? = nil, box3D: Box3DLabel? = nil
    ) {
        self.instanceID = instanceID
        self.classID = classID
        self.className = className
        self.bbox = bbox
        self.pixels = pixels
        self.amodal = amodal
        self.extent = extent
        self.box3D = box3D
    }
}

/// The object as if nothing were in front of it, counted exactly by the renderer.
public struct AmodalLabel: Codable, Hashable, Sendable {
    /// Extent of the unoccluded silhouette inside the image (inclusive pixel indices); contains `bbox`.
    public var box: PixelBox
    /// Pixels of the unoccluded silhouette inside the image (≥ the visible pixels).
    public var pixels: Int
    /// Visible pixels / unoccluded pixels, in (0, 1].
    public var visibility: Double

    public init(box: PixelBox, pixels: Int, visibility: Double) {
        self.box = box
        self.pixels = pixels
        self.visibility = visibility
    }
}

/// The projection of the object's geometry (every vertex of its meshes, clipped at the near
/// plane), in continuous image coordinates where pixel (i, j) has its centre at (i, j).
public struct ProjectedExtent: Codable, Hashable, Sendable {
    /// [umin, vmin, umax, vmax], not clipped to the image.
    public var box: [Double]
    /// Share of that box's area outside the image (the image spans u in [-0.5, W - 0.5]); 0 when
    /// the object projects entirely inside, 1 when entirely outside.
    public var truncation: Double

    public init(box: [Double], truncation: Double) {
        self.box = box
        self.truncation = truncation
    }
}

/// An oriented 3D box: size along the box's own axes (the object's X forward, Y left, Z up) and
/// the box frame (origin at the box centre) in world and camera (OpenCV) coordinates.
public struct Box3DLabel: Codable, Hashable, Sendable {
    /// [length (X), width (Y), height (Z)] in metres.
    public var size: Vec3
    public var worldFromBox: Mat4
    public var cameraFromBox: Mat4

    public init(size: Vec3, worldFromBox: Mat4, cameraFromBox: Mat4) {
        self.size = size
        self.worldFromBox = worldFromBox
        self.cameraFromBox = cameraFromBox
    }
}

/// The labels of one frame. Every map is row-major, row 0 the image's top row, `width * height`
/// values — the layout of `RenderedFrame`.
public struct FrameLabels: Hashable, Sendable {
    /// Global frame index (`RenderedFrame.index`).
    public var frame: Int
    public var width: Int
    public var height: Int
    /// Instance id per pixel; 0 for background and for "stuff" surfaces (instance id 0).
    public var instanceMap: [UInt16]
    /// Semantic class id per pixel; 0 for background and unlabelled surfaces.
    public var semanticMap: [UInt8]
    /// Camera z in millimetres, `round(z * 1000)`; 0 where no surface was drawn. Saturates at
    /// 65535 (65.535 m); a surface nearer than 0.5 mm reads 1 so that 0 always means "nothing".
    public var depthMillimetres: [UInt16]
    /// Every instance with at least one visible pixel, sorted by instance id.
    public var objects: [ObjectLabel]

    public init(
        frame: Int, width: Int, height: Int, instanceMap: [UInt16], semanticMap: [UInt8],
        depthMillimetres: [UInt16], objects: [ObjectLabel]
    ) {
        self.frame = frame
        self.width = width
        self.height = height
        self.instanceMap = instanceMap
        self.semanticMap = semanticMap
        self.depthMillimetres = depthMillimetres
        self.objects = objects
    }

    /// The largest depth a 16-bit millimetre map can hold, in metres; farther surfaces saturate.
    public static let maxDepthMetres = 65.535
}

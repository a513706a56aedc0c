/// The hidden part of an object's silhouette: the pixels it would cover if nothing occluded it but
/// where another object is in front, and their extent (inclusive pixel indices), counted by the same
/// rasterization as the ID buffer. Its visible pixels plus these are its unoccluded silhouette.
public struct InstanceCoverage: Hashable, Codable, Sendable {
    public var instanceID: Int
    /// Occluded pixels of the object; 0 when nothing hides it (or it is out of view). The box is
    /// empty (xmax < xmin) then.
    public var pixels: Int
    public var xmin: Int
    public var ymin: Int
    public var xmax: Int
    public var ymax: Int

    public init(instanceID: Int, pixels: Int, xmin: Int, ymin: Int, xmax: Int, ymax: Int) {
        self.instanceID = instanceID
        self.pixels = pixels
        self.xmin = xmin
        self.ymin = ymin
        self.xmax = xmax
        self.ymax = ymax
    }
}

/// What a renderer hands back for one frame. All buffers are row-major with row 0 the image's top
/// row, `width * height` pixels.
public struct RenderedFrame: @unchecked Sendable {
    public var index: Int
    public var width: Int
    public var height: Int
    /// Lit color, RGBA8 (sRGB-encoded), 4 bytes per pixel.
    public var color: [UInt8]
    /// Surface id per pixel: `FrameSpec.surfaceID(forIndex:)` of the nearest surface, 0 for none.
    /// Never anti-aliased, blended or filtered.
    public var surfaceIDs: [UInt32]
    /// Camera-frame z (metres along the optical axis) of the nearest surface, 0 where none.
    public var depth: [Float]
    /// Every instance's occluded pixels, sorted by instance id (empty when the renderer does not
    /// compute them).
    public var coverage: [InstanceCoverage]
    /// Seconds the renderer spent drawing this frame (CPU-side submission until the GPU finished),
    /// and copying it back to host memory.
    public var renderSeconds: Double
    public var readbackSeconds: Double

    public init(
        index: Int, width: Int, height: Int, color: [UInt8], surfaceIDs: [UInt32], depth: [Float],
        coverage: [InstanceCoverage] = [], renderSeconds: Double = 0, readbackSeconds: Double = 0
    ) {
        self.coverage = coverage
        self.index = index
        self.width = width
        self.height = height
        self.color = color
        self.surfaceIDs = surfaceIDs
        self.depth = depth
        self.renderSeconds = renderSeconds
        self.readbackSeconds = readbackSeconds
    }
}

/// A renderer as the rest of SceneFarm sees it: frames go in, buffers come out, in order.
///
/// Implementations may keep several frames in flight (the GL renderer overlaps the readback of one
/// frame with drawing the next), so the API is split into `submit` and `receive`. A renderer is
/// used from one thread at a time; the GL one must be used from the thread that created it.
public protocol FrameRenderer: AnyObject {
    /// How many frames may be submitted before `receive` must be called.
    var maxFramesInFlight: Int { get }
    /// A one-line description of the backend ("OpenGL 4.5 (Core Profile) Mesa 22.3.6 / llvmpipe").
    var backendDescription: String { get }
    /// Starts rendering `spec`.
    func submit(_ spec: FrameSpec) throws
    /// Returns the oldest submitted frame, blocking until it is ready.
    func receive() throws -> RenderedFrame
}

extension FrameRenderer {
    /// Renders one frame synchronously.
    public func render(_ spec: FrameSpec) throws -> RenderedFrame {
        try submit(spec)
        return try receive()
    }
}

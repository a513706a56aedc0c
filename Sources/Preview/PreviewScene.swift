import Foundation
import SceneCore

/// A scene as the preview uses it: loaded from disk, with the files it was read from (to watch
/// them), and its frames sampled on demand.
public struct PreviewScene: Sendable {
    public let path: String
    public let description: SceneDescription
    /// Every file the scene was built from, as paths on disk: what a change of means a reload.
    public let files: [String]
    /// The random seed frames are sampled with (the scene's unless the user chose one).
    public let seed: UInt64

    /// Loads and validates the scene at `path`. Throws `SceneLoadError` with every issue.
    ///
    /// The files watched are the scene file and every file of its folder it read (included and
    /// extended scene files, imported assets); library assets are not watched.
    public static func load(path: String, seed: UInt64? = nil) throws -> PreviewScene {
        let description = try SceneLoader.load(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        let others = description.bundle.files.keys.sorted().filter {
            $0 != description.bundle.root && !$0.hasPrefix(SceneFiles.libraryPrefix)
        }.map { directory.isEmpty ? $0 : directory + "/" + $0 }
        return PreviewScene(
            path: path, description: description, files: [path] + others, seed: seed ?? description.seed)
    }

    public var frameCount: Int { description.frameCount }

    /// The spec of frame `index`, rendered at `size` (nil: the scene's resolution) from
    /// `worldFromCamera` (nil: the frame's own camera). Throws `FrameSamplingError`.
    public func spec(_ index: Int, size: PreviewSize? = nil, worldFromCamera: Mat4? = nil) throws -> FrameSpec {
        var spec = try description.frame(index, seed: seed)
        if let size { spec.camera.intrinsics = Self.resized(spec.camera.intrinsics, to: size) }
        if let worldFromCamera { spec.camera.worldFromCamera = worldFromCamera }
        return spec
    }

    /// The same view at another resolution (`CameraIntrinsics.resized(width:height:)`).
    public static func resized(_ k: CameraIntrinsics, to size: PreviewSize) -> CameraIntrinsics {
        k.resized(width: size.width, height: size.height)
    }
}

/// A render size in pixels, `WxH` on the command line.
public struct PreviewSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Parses `WxH` (e.g. `640x360`), each side 1...16384; nil otherwise.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (1...16384).contains(w),
            (1...16384).contains(h)
        else { return nil }
        self.init(width: w, height: h)
    }

    public var description: String { "\(width)x\(height)" }
}

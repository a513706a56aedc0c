import SceneCore

// What a job of a scene writes (docs/DATASET.md):
//
//   one camera              several cameras
//   OUT/dataset.json        OUT/rig.json                the cameras, in order, and their mounts
//   OUT/rgb/000042.png      OUT/left/dataset.json       one complete native dataset per camera
//   ...                     OUT/left/rgb/000042.png
//                           OUT/right/dataset.json
//                           OUT/right/rgb/000042.png    frame N of every camera: the same instant
//
// An encoded frame of a multi-camera scene carries every camera's files, each under its camera's
// folder ("left/rgb/000042.png"), camera after camera in rig order, each camera's labels last.

/// The datasets a scene's job writes: one at the output folder, or one per camera under it plus
/// `rig.json`.
public struct DatasetLayout: Hashable, Sendable {
    /// Each camera's `dataset.json`, in rig order (one entry for a single-camera scene).
    public var infos: [DatasetInfo]
    /// The rig of a multi-camera scene; nil for a single camera.
    public var rig: CameraRigInfo?

    /// The layout of `frameCount` frames of `scene` rendered with `seed`.
    public init(scene: SceneDescription, seed: UInt64, frameCount: Int) {
        infos = scene.cameraNames.indices.map { view in
            let k = scene.intrinsics(view: view)
            return DatasetInfo(
                sceneName: scene.name, seed: seed, frameCount: frameCount, classes: scene.classes, width: k.width,
                height: k.height)
        }
        rig = scene.isMultiCamera ? CameraRigInfo(scene: scene, seed: seed, frameCount: frameCount) : nil
    }

    /// The cameras' folders, in rig order; empty for a single camera (its files have no prefix).
    public var cameraFolders: [String] { rig?.cameraNames ?? [] }

    /// The folder of camera `view`'s dataset under `root`.
    public func directory(view: Int, root: String) -> String {
        guard let rig else { return root }
        return root + "/" + rig.cameras[view].name
    }

    /// Every file of frame `frame`, relative to the output folder, in writing order: the five
    /// files of the native dataset, under each camera's folder when there are several cameras.
    public static func framePaths(frame: Int, cameraFolders: [String]) -> [String] {
        let paths = DatasetFile.allCases.map { $0.relativePath(frame: frame) }
        if cameraFolders.isEmpty { return paths }
        return cameraFolders.flatMap { camera in paths.map { camera + "/" + $0 } }
    }

    /// One encoded frame carrying every view's files, each under its camera's folder.
    public static func combine(index: Int, views: [(camera: String, frame: EncodedFrame)]) -> EncodedFrame {
        EncodedFrame(
            index: index,
            files: views.flatMap { view in
                view.frame.files.map { EncodedFile(relativePath: view.camera + "/" + $0.relativePath, bytes: $0.bytes) }
            },
            encodeSeconds: views.reduce(0) { $0 + $1.frame.encodeSeconds })
    }

    /// The inverse of `combine`: the files of each camera, relative to the camera's folder, in
    /// `cameraFolders` order. Throws an `ExportError` naming a file outside every camera's folder.
    public static func split(_ frame: EncodedFrame, cameraFolders: [String]) throws -> [EncodedFrame] {
        var files = [[EncodedFile]](repeating: [], count: cameraFolders.count)
        for file in frame.files {
            guard let slash = file.relativePath.firstIndex(of: "/"),
                let k = cameraFolders.firstIndex(of: String(file.relativePath[..<slash]))
            else {
                throw ExportError(
                    path: file.relativePath, frame: frame.index,
                    "not under a camera's folder (cameras: \(cameraFolders.joined(separator: ", ")))")
            }
            let relative = String(file.relativePath[file.relativePath.index(after: slash)...])
            files[k].append(EncodedFile(relativePath: relative, bytes: file.bytes))
        }
        return files.map { EncodedFrame(index: frame.index, files: $0) }
    }
}

/// Writes the datasets of a `DatasetLayout`: exactly a `NativeDatasetWriter` for one camera; for
/// several, one per camera folder and `rig.json`. Thread-safe like `NativeDatasetWriter`.
public final class RigDatasetWriter: @unchecked Sendable {
    public let directory: String
    public let layout: DatasetLayout
    /// One writer per camera, in rig order.
    public let writers: [NativeDatasetWriter]

    /// Creates the folders and writes every `dataset.json` (and `rig.json`).
    public init(directory: String, layout: DatasetLayout, syncFiles: Bool = false) throws {
        self.directory = directory
        self.layout = layout
        writers = try layout.infos.indices.map {
            try NativeDatasetWriter(
                directory: layout.directory(view: $0, root: directory), info: layout.infos[$0], syncFiles: syncFiles)
        }
        try layout.rig?.write(to: directory, sync: syncFiles)
    }

    /// Writes one frame (every camera's files, from `DatasetLayout.combine` for a rig) and returns
    /// the bytes written.
    @discardableResult
    public func write(_ frame: EncodedFrame) throws -> Int {
        guard layout.rig != nil else { return try writers[0].write(frame) }
        let views = try DatasetLayout.split(frame, cameraFolders: layout.cameraFolders)
        var bytes = 0
        for (writer, view) in zip(writers, views) { bytes += try writer.write(view) }
        return bytes
    }

    /// Finishes every camera's dataset (see `NativeDatasetWriter.finish`), checks that they hold
    /// the same frames, and rewrites `rig.json` with that frame count. Returns the frame count.
    @discardableResult
    public func finish() throws -> Int {
        let counts = try writers.map { try $0.finish().frameCount }
        guard var rig = layout.rig else { return counts[0] }
        guard let first = counts.first, counts.allSatisfy({ $0 == first }) else {
            let list = zip(rig.cameraNames, counts).map { "\($0) \($1)" }.joined(separator: ", ")
            throw ExportError(path: directory, "the cameras hold different numbers of complete frames (\(list))")
        }
        if rig.frameCount != first {
            rig.frameCount = first
            try rig.write(to: directory, sync: writers[0].syncFiles)
        }
        return first
    }
}

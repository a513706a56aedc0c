import Foundation
import SceneCore

/// One camera of a multi-camera dataset as `rig.json` lists it: its folder, image size,
/// intrinsics and mount on the rig.
public struct RigCameraRecord: Codable, Hashable, Sendable {
    /// The camera's name, which is also its dataset's folder under the rig folder.
    public var name: String
    public var width: Int
    public var height: Int
    /// The intrinsic matrix as three rows (OpenCV convention, as in labels/N.json).
    public var K: [[Double]]
    /// Four rows mapping this camera's OpenCV coordinates (x right, y down, z forward) to the
    /// primary camera's: the camera's pose in the primary camera's frame. Identity for the primary.
    public var primaryFromCamera: [[Double]]
    /// The inverse: the primary camera's OpenCV coordinates to this camera's (the extrinsics
    /// OpenCV's stereo functions call R and T).
    public var cameraFromPrimary: [[Double]]

    public init(name: String, intrinsics k: CameraIntrinsics, primaryFromCamera: Mat4) {
        self.name = name
        width = k.width
        height = k.height
        K = k.K
        self.primaryFromCamera = Self.rows(primaryFromCamera)
        cameraFromPrimary = Self.rows(primaryFromCamera.rigidInverse)
    }

    enum CodingKeys: String, CodingKey {
        case name, width, height, K
        case primaryFromCamera = "primary_from_camera"
        case cameraFromPrimary = "camera_from_primary"
    }

    /// Rows with negative zeros made positive, so that rig.json reads `0.0` where the mount has none.
    private static func rows(_ m: Mat4) -> [[Double]] { m.rows.map { $0.map { $0 + 0.0 } } }

    var json: JSONValue {
        func matrix(_ rows: [[Double]]) -> JSONValue { .array(rows.map { .array($0.map { .double($0) }) }) }
        return .object([
            "name": .string(name), "width": .int(width), "height": .int(height), "K": matrix(K),
            "primary_from_camera": matrix(primaryFromCamera), "camera_from_primary": matrix(cameraFromPrimary),
        ])
    }
}

/// `rig.json` of a multi-camera dataset (docs/DATASET.md, "Several cameras"): which cameras the
/// rig folder holds, in order, and how they are mounted. Each camera's folder is a complete
/// native dataset; frame N of every camera is the same instant and layout.
public struct CameraRigInfo: Codable, Hashable, Sendable {
    public static let fileName = "rig.json"
    /// The value of the "format" key, which identifies a SceneFarm rig folder.
    public static let formatName = "scenefarm-rig"
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var sceneName: String
    public var seed: UInt64
    /// Every camera's dataset holds frames 0..<frameCount.
    public var frameCount: Int
    /// The primary camera's name: the camera the rig's motion and jitter are sampled for.
    public var primary: String
    /// Every camera, the primary first.
    public var cameras: [RigCameraRecord]
    public var softwareVersion: String

    /// The rig of a multi-camera scene.
    public init(
        scene: SceneDescription, seed: UInt64, frameCount: Int, softwareVersion: String = SceneFarmVersion.string
    ) {
        formatVersion = Self.currentFormatVersion
        sceneName = scene.name
        self.seed = seed
        self.frameCount = frameCount
        primary = scene.rig.primaryName
        cameras =
            [
                RigCameraRecord(
                    name: scene.rig.primaryName, intrinsics: scene.camera.intrinsics, primaryFromCamera: .identity)
            ]
            + scene.cameras.map {
                RigCameraRecord(name: $0.name, intrinsics: $0.intrinsics, primaryFromCamera: $0.primaryFromCamera)
            }
        self.softwareVersion = softwareVersion
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case sceneName = "scene"
        case seed
        case frameCount = "frame_count"
        case primary
        case cameras
        case softwareVersion = "software_version"
    }

    public var cameraNames: [String] { cameras.map(\.name) }

    /// rig.json's content, deterministic (see `JSONValue`).
    public var json: JSONValue {
        .object([
            "format": .string(Self.formatName),
            "format_version": .int(formatVersion),
            "scene": .string(sceneName),
            "seed": .uint(seed),
            "frame_count": .int(frameCount),
            "primary": .string(primary),
            "cameras": .array(cameras.map(\.json)),
            "software_version": .string(softwareVersion),
        ])
    }

    /// Whether `directory` is a rig folder (holds a rig.json).
    public static func isRig(directory: String) -> Bool { AtomicFile.exists(directory + "/" + fileName) }

    /// Reads and checks `directory/rig.json`. Throws an `ExportError` naming the file when it is
    /// missing, malformed, of an unknown version, or lists no camera, a camera twice or a name
    /// that cannot be a folder.
    public static func read(directory: String) throws -> CameraRigInfo {
        let path = directory + "/" + fileName
        let bytes = try AtomicFile.readAll(path)
        let info: CameraRigInfo
        do {
            info = try JSONDecoder().decode(CameraRigInfo.self, from: Data(bytes))
        } catch {
            throw ExportError(path: path, "not a valid rig.json: \(NativeDatasetReader.describe(error))")
        }
        guard info.formatVersion == currentFormatVersion else {
            throw ExportError(
                path: path, "format version \(info.formatVersion); this reader knows \(currentFormatVersion)")
        }
        guard !info.cameras.isEmpty else { throw ExportError(path: path, "lists no camera") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        var seen = Set<String>()
        for camera in info.cameras {
            guard !camera.name.isEmpty, camera.name.allSatisfy({ allowed.contains($0) }) else {
                throw ExportError(path: path, "camera name \"\(camera.name)\" is not a folder name of [a-z0-9_-]")
            }
            guard seen.insert(camera.name).inserted else {
                throw ExportError(path: path, "camera \"\(camera.name)\" is listed twice")
            }
        }
        guard info.cameras[0].name == info.primary else {
            throw ExportError(
                path: path, "the primary camera \"\(info.primary)\" is not the first camera (\(info.cameras[0].name))")
        }
        return info
    }

    /// Writes `directory/rig.json` (temporary name, then rename).
    public func write(to directory: String, sync: Bool = false) throws {
        let path = directory + "/" + Self.fileName
        do {
            try AtomicFile.write(try json.serialized(), to: path, tag: 0, sync: sync)
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError(path: path, "cannot write: \(error)")
        }
    }
}

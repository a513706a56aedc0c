import ArgumentParser
import Export
import SceneCore

/// `--camera NAME`: which camera's dataset a command reads from a multi-camera dataset (a folder
/// with rig.json and one native dataset per camera, docs/DATASET.md).
struct CameraOption: ParsableArguments {
    @Option(
        name: .long,
        help: "For a multi-camera dataset (one with rig.json): the camera to read (default: the primary camera).")
    var camera: String?

    /// The native dataset to read at `path`: `path` itself, or for a multi-camera dataset the
    /// folder of `--camera` (default the primary camera, said on standard error). Exits with an
    /// error naming the cameras for an unknown camera, and for `--camera` on a single-camera dataset.
    func datasetDirectory(_ path: String) throws -> String {
        guard CameraRigInfo.isRig(directory: path) else {
            if let camera {
                throw fail(
                    CameraSelectionError(
                        "--camera \(camera): \(path) is a single-camera dataset (it has no \(CameraRigInfo.fileName)); "
                            + "leave --camera out"))
            }
            return path
        }
        let rig: CameraRigInfo
        do { rig = try CameraRigInfo.read(directory: path) } catch { throw fail(error) }
        let names = rig.cameraNames.joined(separator: ", ")
        guard let camera else {
            printError(
                "\(path) is a multi-camera dataset (cameras: \(names)); reading the primary camera \(rig.primary) "
                    + "(choose another with --camera)")
            return path + "/" + rig.primary
        }
        guard rig.cameraNames.contains(camera) else {
            throw fail(CameraSelectionError("--camera \(camera): \(path) has no such camera (cameras: \(names))"))
        }
        return path + "/" + camera
    }
}

struct CameraSelectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// "1280x720" for one camera; "2 cameras (left 1242x375, right 1242x375)" for a rig.
func describeCameras(_ scene: SceneDescription) -> String {
    func size(_ view: Int) -> String {
        let k = scene.intrinsics(view: view)
        return "\(k.width)x\(k.height)"
    }
    guard scene.isMultiCamera else { return size(0) }
    let list = scene.cameraNames.enumerated().map { "\($0.element) \(size($0.offset))" }
    return "\(list.count) cameras (\(list.joined(separator: ", ")))"
}

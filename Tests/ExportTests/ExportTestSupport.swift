import Export
import Foundation
import Labels
import SceneCore
import XCTest

/// A hand-made frame (no renderer): rectangles of surface ids over a gradient color image.
struct TestFrame {
    static let classes = [
        SemanticClass(id: 1, name: "road", color: [128, 64, 128]),
        SemanticClass(id: 2, name: "car", color: [0, 0, 142]),
        SemanticClass(id: 3, name: "pedestrian", color: [220, 20, 60]),
    ]
    /// road (stuff), a car of two surfaces (instance 3), a pedestrian (instance 7), an unseen car.
    static let surfaces: [(String, Int, Int)] = [
        ("road", 1, 0), ("car_body", 2, 3), ("car_roof", 2, 3), ("walker", 3, 7), ("hidden", 2, 9),
    ]

    var spec: FrameSpec
    var frame: RenderedFrame

    init(index: Int, width: Int = 64, height: Int = 48) {
        let camera = Camera(
            intrinsics: CameraIntrinsics(width: width, height: height, horizontalFOVDegrees: 90),
            worldFromCamera: Camera.lookAt(eye: Vec3(0, 0, 1.5), target: Vec3(20, 1, 0.5)))
        spec = FrameSpec(
            index: index, camera: camera, lighting: .daylight, classes: Self.classes,
            surfaces: Self.surfaces.map {
                Surface(
                    name: $0.0, shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .identity,
                    color: Vec3(0.5, 0.5, 0.5),
                    classID: $0.1, instanceID: $0.2)
            })
        var ids = [UInt32](repeating: 0, count: width * height)
        var depth = [Float](repeating: 0, count: width * height)
        func fill(_ id: UInt32, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ z: Float) {
            for y in max(0, y0)...min(height - 1, y1) {
                for x in max(0, x0)...min(width - 1, x1) {
                    ids[y * width + x] = id
                    depth[y * width + x] = z + Float(y) * 0.01
                }
            }
        }
        fill(1, 0, height / 2, width - 1, height - 1, 4)  // road
        fill(2, 10 + index, 15, 30 + index, 30, 12.3456)  // car body, moving right each frame
        fill(3, 14 + index, 11, 25 + index, 14, 12.5)  // car roof
        fill(4, width - 3, 5, width - 1, height - 1, 70)  // pedestrian at the right border, saturated depth
        var color = [UInt8](repeating: 255, count: width * height * 4)
        for p in 0..<(width * height) {
            color[4 * p] = UInt8(truncatingIfNeeded: p % width * 4)
            color[4 * p + 1] = UInt8(truncatingIfNeeded: p / width * 5)
            color[4 * p + 2] = UInt8(truncatingIfNeeded: Int(ids[p]) * 40)
        }
        frame = RenderedFrame(index: index, width: width, height: height, color: color, surfaceIDs: ids, depth: depth)
    }

    var labels: FrameLabels { get throws { try LabelDeriver.derive(frame, spec: spec) } }
    var encoded: EncodedFrame { get throws { try FrameEncoder.encode(frame, labels: labels, spec: spec) } }

    static func info(frames: Int, width: Int = 64, height: Int = 48) -> DatasetInfo {
        DatasetInfo(
            sceneName: "unit-test", seed: 42, frameCount: frames, classes: classes, width: width, height: height)
    }
}

/// The folder holding every test's temporary directories; the test classes remove it when done.
let temporaryBase = FileManager.default.temporaryDirectory.path + "/scenefarm-export-tests-\(getpid())"

/// A fresh directory under `temporaryBase`.
func makeTemporaryDirectory(_ name: String = #function) throws -> String {
    let path = temporaryBase + "/" + name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every regular file under `directory`, relative path → bytes.
func allFiles(_ directory: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let relative = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory),
            !isDirectory.boolValue
        {
            out[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + relative)))
        }
    }
    return out
}

/// Writes frames 0..<count through a writer and finishes it.
@discardableResult
func writeDataset(to directory: String, frames count: Int) throws -> DatasetInfo {
    let writer = try NativeDatasetWriter(directory: directory, info: TestFrame.info(frames: count))
    for i in 0..<count { try writer.write(try TestFrame(index: i).encoded) }
    return try writer.finish()
}

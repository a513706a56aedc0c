import Labels
import SceneCore

/// `labels/N.json`: one frame's camera and objects, as stored. Decoding reads the file; `json`
/// writes it.
public struct FrameLabelRecord: Codable, Hashable, Sendable {
    public struct CameraRecord: Codable, Hashable, Sendable {
        /// The intrinsic matrix K as three rows (OpenCV convention, see docs/DATASET.md).
        public var K: [[Double]]
        /// Camera (OpenCV: x right, y down, z forward) to world (Z up), four rows.
        public var worldFromCamera: [[Double]]

        enum CodingKeys: String, CodingKey {
            case K
            case worldFromCamera = "world_from_camera"
        }
    }

    public struct ObjectRecord: Codable, Hashable, Sendable {
        public var instanceID: Int
        public var classID: Int
        public var className: String
        /// [xmin, ymin, xmax, ymax], inclusive pixel indices.
        public var bbox: [Int]
        public var pixels: Int

        public init(instanceID: Int, classID: Int, className: String, bbox: [Int], pixels: Int) {
            self.instanceID = instanceID
            self.classID = classID
            self.className = className
            self.bbox = bbox
            self.pixels = pixels
        }

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id"
            case classID = "class_id"
            case className = "class"
            case bbox
            case pixels
        }
    }

    public var frame: Int
    public var width: Int
    public var height: Int
    public var camera: CameraRecord
    public var objects: [ObjectRecord]

    public init(labels: FrameLabels, spec: FrameSpec) {
        frame = labels.frame
        width = labels.width
        height = labels.height
        camera = CameraRecord(K: spec.camera.intrinsics.K, worldFromCamera: spec.camera.worldFromCamera.rows)
        objects = labels.objects.map {
            ObjectRecord(
                instanceID: $0.instanceID, classID: $0.classID, className: $0.className,
                bbox: [$0.bbox.xmin, $0.bbox.ymin, $0.bbox.xmax, $0.bbox.ymax], pixels: $0.pixels)
        }
    }

    /// The file's content, deterministic (see `JSONValue`).
    public var json: JSONValue {
        func matrix(_ rows: [[Double]]) -> JSONValue { .array(rows.map { .array($0.map { .double($0) }) }) }
        return .object([
            "frame": .int(frame),
            "width": .int(width),
            "height": .int(height),
            "camera": .object(["K": matrix(camera.K), "world_from_camera": matrix(camera.worldFromCamera)]),
            "objects": .array(
                objects.map {
                    .object([
                        "instance_id": .int($0.instanceID),
                        "class_id": .int($0.classID),
                        "class": .string($0.className),
                        "bbox": .array($0.bbox.map { .int($0) }),
                        "pixels": .int($0.pixels),
                    ])
                }),
        ])
    }
}

import Foundation
import SceneCore

/// KITTI object detection layout (the "Object development kit" format):
///
/// ```
/// OUT/training/image_2/NNNNNN.png   the color image, copied byte for byte
/// OUT/training/label_2/NNNNNN.txt   one line per kept object (below)
/// OUT/training/calib/NNNNNN.txt     P0-P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo
/// OUT/ImageSets/train.txt, val.txt, test.txt   frame names of each split part
/// ```
///
/// A label line: `type truncated occluded alpha left top right bottom h w l x y z rotation_y`.
/// - `type`: `KittiExporter.kittiType(for:)` (car → Car, pedestrian/person → Pedestrian, ...).
/// - `truncated`: the object's `truncation`; `occluded`: from `visibility` — 0 when ≥ 0.95,
///   1 when ≥ 0.5, 2 below, 3 when the dataset has no visibility (`--no-amodal`).
/// - box: the tight box as pixel edges: left = xmin, top = ymin, right = xmax + 1, bottom = ymax + 1.
/// - h w l: box height, width, length (metres); x y z: the centre of the box's bottom face in camera
///   coordinates; rotation_y: heading about the camera's Y axis, with the object's forward axis
///   (cos ry, 0, -sin ry) in camera coordinates; alpha = rotation_y - atan2(x, z), both in [-pi, pi].
/// Objects without a 3D box (frames built without instance descriptions) are left out.
public final class KittiExporter: ConcurrentDatasetExporter, @unchecked Sendable {
    private let directory: String
    private let info: DatasetInfo
    private let filter: ExportFilter
    private let split: DatasetSplit
    private let lock = NSLock()
    private var framesByPart: [DatasetSplit.Part: [Int]] = [:]
    private var tag = 0

    public init(directory: String, info: DatasetInfo, filter: ExportFilter, split: DatasetSplit) throws {
        self.directory = directory
        self.info = info
        self.filter = filter
        self.split = split
        for sub in ["training/image_2", "training/label_2", "training/calib", "ImageSets"] {
            try AtomicFile.makeDirectories(directory + "/" + sub)
        }
    }

    /// KITTI's type for a class name: KITTI's own names where they exist, else the name with its
    /// first letter upper-cased and spaces as underscores.
    public static func kittiType(for className: String) -> String {
        let known: [String: String] = [
            "car": "Car", "van": "Van", "truck": "Truck", "pedestrian": "Pedestrian", "person": "Pedestrian",
            "person_sitting": "Person_sitting", "cyclist": "Cyclist", "bicycle": "Cyclist", "tram": "Tram",
        ]
        if let k = known[className.lowercased()] { return k }
        let name = className.replacingOccurrences(of: " ", with: "_")
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    public func add(_ frame: ExportFrame) throws {
        let name = DatasetFile.frameName(frame.index)
        let t: Int = lock.withLock {
            tag += 1
            framesByPart[split.part(of: frame.index), default: []].append(frame.index)
            return tag
        }
        try AtomicFile.write(frame.rgbPNG, to: "\(directory)/training/image_2/\(name).png", tag: t, sync: false)
        let lines = frame.labels.objects.filter(filter.keeps).compactMap(Self.labelLine)
        try AtomicFile.write(
            Array((lines.map { $0 + "\n" }.joined()).utf8), to: "\(directory)/training/label_2/\(name).txt", tag: t,
            sync: false)
        try AtomicFile.write(
            Array(Self.calibration(K: frame.labels.camera.K).utf8), to: "\(directory)/training/calib/\(name).txt",
            tag: t,
            sync: false)
    }

    public func finish() throws {
        let parts = lock.withLock { framesByPart }
        for part in DatasetSplit.Part.allCases {
            let names = (parts[part] ?? []).sorted().map { DatasetFile.frameName($0) + "\n" }.joined()
            try AtomicFile.write(
                Array(names.utf8), to: "\(directory)/ImageSets/\(part.rawValue).txt", tag: 0, sync: false)
        }
    }

    /// Two decimals, as KITTI's own labels; never "-0.00".
    static func number(_ x: Double) -> String {
        let text = String(format: "%.2f", x)
        return text == "-0.00" ? "0.00" : text
    }

    /// One label line, or nil when the object has no 3D box.
    static func labelLine(_ o: FrameLabelRecord.ObjectRecord) -> String? {
        guard let box = o.box3D, box.size.count == 3, box.cameraFromBox.count == 4 else { return nil }
        let m = box.cameraFromBox
        let (l, w, h) = (box.size[0], box.size[1], box.size[2])
        // Bottom-face centre: the box centre moved half the height along the box's -Z axis.
        let x = m[0][3] - m[0][2] * h / 2, y = m[1][3] - m[1][2] * h / 2, z = m[2][3] - m[2][2] * h / 2
        // Forward (box X) axis in camera coordinates.
        let ry = normalized(atan2(-m[2][0], m[0][0]))
        let alpha = normalized(ry - atan2(x, z))
        let occluded: Int
        if let v = o.visibility { occluded = v >= 0.95 ? 0 : v >= 0.5 ? 1 : 2 } else { occluded = 3 }
        let b = o.bbox
        let fields = [
            kittiType(for: o.className), number(o.truncation ?? 0), String(occluded), number(alpha),
            number(Double(b[0])), number(Double(b[1])), number(Double(b[2] + 1)), number(Double(b[3] + 1)),
            number(h), number(w), number(l), number(x), number(y), number(z), number(ry),
        ]
        return fields.joined(separator: " ")
    }

    static func normalized(_ a: Double) -> Double {
        var r = a.truncatingRemainder(dividingBy: 2 * .pi)
        if r > .pi { r -= 2 * .pi }
        if r < -.pi { r += 2 * .pi }
        return r
    }

    /// One camera, so P0-P3 are all K [I | 0]; rectification is the identity; a virtual lidar sits at
    /// the camera centre with KITTI's velodyne axes (x forward, y left, z up).
    static func calibration(K: [[Double]]) -> String {
        func row(_ v: [Double]) -> String { v.map { String(format: "%.12e", $0) }.joined(separator: " ") }
        let p = K.count == 3 ? K.flatMap { $0 + [0] } : [Double](repeating: 0, count: 12)
        return [
            "P0: " + row(p), "P1: " + row(p), "P2: " + row(p), "P3: " + row(p),
            "R0_rect: " + row([1, 0, 0, 0, 1, 0, 0, 0, 1]),
            "Tr_velo_to_cam: " + row([0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0]),
            "Tr_imu_to_velo: " + row([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]),
        ].joined(separator: "\n") + "\n"
    }
}

import SceneCore

/// What `DatasetVerifier.verifyRig` found in a multi-camera dataset.
public struct RigVerificationReport: Sendable, CustomStringConvertible {
    public var directory: String
    public var rig: CameraRigInfo
    /// Each camera's dataset checked on its own, in rig order; a camera whose `dataset.json`
    /// cannot be read has no report (its problem is in `problems`).
    public var cameras: [(name: String, report: VerificationReport)]
    /// Problems of the rig as a whole (files relative to the rig folder): rig.json disagreeing
    /// with a camera's dataset, cameras that disagree with each other, leftover files.
    public var problems: [VerificationProblem]

    public var isClean: Bool { problems.isEmpty && cameras.allSatisfy(\.report.isClean) }

    public var problemCount: Int { problems.count + cameras.reduce(0) { $0 + $1.report.problems.count } }

    public var description: String {
        var lines = [
            "\(directory): multi-camera dataset (\(CameraRigInfo.fileName)), cameras "
                + rig.cameraNames.joined(separator: ", ") + ", \(rig.frameCount) frames per camera"
        ]
        for (name, report) in cameras {
            lines.append("  \(name): \(report.framesChecked) frames checked, \(report.problems.count) problem(s)")
            lines += report.problems.map { "    \(name)/\($0)" }
        }
        lines.append("  rig: \(problems.count) problem(s)")
        lines += problems.map { "    \($0)" }
        lines.append(
            isClean
                ? "every camera's dataset is consistent and the cameras agree with \(CameraRigInfo.fileName)"
                : "\(problemCount) problem(s) in all")
        return lines.joined(separator: "\n")
    }
}

extension DatasetVerifier {
    /// Poses of two cameras of one frame agree when their entries differ by at most this (metres,
    /// and unitless rotation entries); labels store doubles in shortest round-trip form.
    static let rigPoseTolerance = 1e-6

    /// Checks a multi-camera dataset: `rig.json`, every camera's dataset (as `verify(directory:)`
    /// does), each dataset's size, frame count, scene, seed and classes against `rig.json` and the
    /// other cameras, and in every frame each camera's K and pose against the primary camera's
    /// pose and the camera's mount. Throws only when `rig.json` cannot be read.
    public static func verifyRig(directory: String) throws -> RigVerificationReport {
        let rig = try CameraRigInfo.read(directory: directory)
        var problems: [VerificationProblem] = []
        func problem(_ frame: Int?, _ file: String, _ detail: String) {
            problems.append(VerificationProblem(frame: frame, file: file, detail: detail))
        }
        var cameras: [(name: String, report: VerificationReport)] = []
        var readers: [(camera: RigCameraRecord, reader: NativeDatasetReader)] = []
        for camera in rig.cameras {
            let folder = directory + "/" + camera.name
            let infoFile = camera.name + "/dataset.json"
            let reader: NativeDatasetReader
            let report: VerificationReport
            do {
                reader = try NativeDatasetReader(directory: folder)
                report = try verify(directory: folder)
            } catch let error as ExportError {
                problem(nil, infoFile, AtomicFile.exists(folder + "/dataset.json") ? error.detail : "missing")
                continue
            }
            cameras.append((camera.name, report))
            readers.append((camera, reader))
            let info = reader.info
            if info.width != camera.width || info.height != camera.height {
                problem(
                    nil, infoFile,
                    "size is \(info.width)x\(info.height), \(CameraRigInfo.fileName) says \(camera.width)x\(camera.height)"
                )
            }
            if info.frameCount != rig.frameCount {
                problem(
                    nil, infoFile,
                    "frame_count is \(info.frameCount), \(CameraRigInfo.fileName) says \(rig.frameCount)")
            }
            if info.sceneName != rig.sceneName || info.seed != rig.seed {
                problem(
                    nil, infoFile,
                    "scene \"\(info.sceneName)\" seed \(info.seed), \(CameraRigInfo.fileName) says "
                        + "\"\(rig.sceneName)\" seed \(rig.seed)")
            }
            if let first = readers.first, info.classes != first.reader.info.classes {
                problem(nil, infoFile, "the class table differs from camera \(first.camera.name)'s")
            }
        }
        if let primary = readers.first, primary.camera.name == rig.primary {
            let frames = readers.map(\.reader.info.frameCount).min() ?? 0
            for frame in 0..<max(0, frames) {
                problems += verifyRigFrame(frame, primary: primary.reader, cameras: readers)
            }
        }
        for name in AtomicFile.list(directory) where name.contains(".tmp") {
            problem(nil, name, "leftover temporary file")
        }
        return RigVerificationReport(directory: directory, rig: rig, cameras: cameras, problems: problems)
    }

    /// One frame's cameras against rig.json: K as listed, and world_from_camera equal to the
    /// primary camera's times primary_from_camera. Unreadable labels are the camera's own problem.
    static func verifyRigFrame(
        _ frame: Int, primary: NativeDatasetReader,
        cameras: [(camera: RigCameraRecord, reader: NativeDatasetReader)]
    ) -> [VerificationProblem] {
        guard let primaryRecord = try? primary.labels(frame: frame),
            let worldFromPrimary = matrix(primaryRecord.camera.worldFromCamera)
        else { return [] }
        var problems: [VerificationProblem] = []
        for (camera, reader) in cameras {
            guard let record = try? reader.labels(frame: frame) else { continue }
            let file = camera.name + "/" + DatasetFile.labels.relativePath(frame: frame)
            if !close(record.camera.K, camera.K, tolerance: 1e-9) {
                problems.append(
                    .init(frame: frame, file: file, detail: "camera K is not the K of \(CameraRigInfo.fileName)"))
            }
            guard let mount = matrix(camera.primaryFromCamera) else {
                problems.append(
                    .init(
                        frame: frame, file: CameraRigInfo.fileName,
                        detail: "\(camera.name): primary_from_camera is not 4x4"))
                continue
            }
            let expected = (worldFromPrimary * mount).rows
            if !close(record.camera.worldFromCamera, expected, tolerance: rigPoseTolerance) {
                problems.append(
                    .init(
                        frame: frame, file: file,
                        detail:
                            "world_from_camera is not the primary camera's pose times primary_from_camera of \(CameraRigInfo.fileName)"
                    ))
            }
        }
        return problems
    }

    private static func matrix(_ rows: [[Double]]) -> Mat4? {
        guard rows.count == 4, rows.allSatisfy({ $0.count == 4 }) else { return nil }
        return Mat4(rows: rows)
    }

    private static func close(_ a: [[Double]], _ b: [[Double]], tolerance: Double) -> Bool {
        guard a.count == b.count else { return false }
        for (ra, rb) in zip(a, b) {
            guard ra.count == rb.count else { return false }
            for (x, y) in zip(ra, rb) where abs(x - y) > tolerance * max(1, abs(x), abs(y)) { return false }
        }
        return true
    }
}

import Export
import Foundation
import ImageCodec
import Labels
import SceneCore
import XCTest

final class NativeDatasetWriterTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: temporaryBase)
        super.tearDown()
    }

    func testWrittenImagesDecodeBackToTheLabelBuffersExactly() throws {
        let dir = try makeTemporaryDirectory()
        let info = try writeDataset(to: dir, frames: 2)
        XCTAssertEqual(info.frameCount, 2)
        let reader = try NativeDatasetReader(directory: dir)
        XCTAssertEqual(reader.info, TestFrame.info(frames: 2))
        for i in 0..<2 {
            let test = TestFrame(index: i)
            let labels = try test.labels
            XCTAssertEqual(labels.objects.map(\.instanceID), [3, 7])

            let rgb = try reader.rgb(frame: i)
            XCTAssertEqual([rgb.width, rgb.height, rgb.channels, rgb.bitDepth], [64, 48, 3, 8])
            let expectedRGB = test.frame.color.enumerated().filter { $0.offset % 4 != 3 }.map(\.element)
            XCTAssertEqual(rgb.samples8, expectedRGB)

            let instance = try reader.instanceMap(frame: i)
            XCTAssertEqual([instance.channels, instance.bitDepth], [1, 16])
            XCTAssertEqual(instance.samples16, labels.instanceMap)

            let semantic = try reader.semanticMap(frame: i)
            XCTAssertEqual([semantic.channels, semantic.bitDepth], [1, 8])
            XCTAssertEqual(semantic.samples8, labels.semanticMap)

            let depth = try reader.depthMap(frame: i)
            XCTAssertEqual([depth.channels, depth.bitDepth], [1, 16])
            XCTAssertEqual(depth.samples16, labels.depthMillimetres)
            XCTAssertEqual(depth.samples16[47 * 64 + 63], 65535, "70 m saturates")
            XCTAssertEqual(depth.samples16[47 * 64], 4470, "road: 4 m + 47 * 1 cm")
            XCTAssertEqual(depth.samples16[0], 0, "no surface")

            let record = try reader.labels(frame: i)
            XCTAssertEqual(record, FrameLabelRecord(labels: labels, spec: test.spec))
            XCTAssertEqual(record.objects.map(\.bbox), [[10 + i, 11, 30 + i, 30], [61, 5, 63, 47]])
        }
    }

    func testLabelsJSONHasTheDocumentedKeysAndValues() throws {
        let dir = try makeTemporaryDirectory()
        try writeDataset(to: dir, frames: 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/labels/000000.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["frame", "width", "height", "camera", "objects", "lighting"])
        let lighting = try XCTUnwrap(json["lighting"] as? [String: Any])
        XCTAssertEqual(
            Set(lighting.keys), ["sun_direction", "sun_elevation_deg", "sun_azimuth_deg", "sun_color", "sky_color"])
        XCTAssertEqual(json["frame"] as? Int, 0)
        XCTAssertEqual(json["width"] as? Int, 64)
        XCTAssertEqual(json["height"] as? Int, 48)
        let camera = try XCTUnwrap(json["camera"] as? [String: Any])
        let spec = TestFrame(index: 0).spec
        // JSONSerialization may round the last bit of a double on Linux; the exact round trip
        // through JSONDecoder is checked in testWrittenImagesDecodeBackToTheLabelBuffersExactly.
        func assertClose(_ a: [[Double]]?, _ b: [[Double]], _ what: String) {
            XCTAssertEqual(a?.map(\.count), b.map(\.count), what)
            for (ra, rb) in zip(a ?? [], b) {
                for (x, y) in zip(ra, rb) { XCTAssertEqual(x, y, accuracy: 1e-12, what) }
            }
        }
        assertClose(camera["K"] as? [[Double]], spec.camera.intrinsics.K, "K")
        assertClose(camera["world_from_camera"] as? [[Double]], spec.camera.worldFromCamera.rows, "world_from_camera")
        let objects = try XCTUnwrap(json["objects"] as? [[String: Any]])
        XCTAssertEqual(objects.count, 2)
        XCTAssertEqual(Set(objects[0].keys), ["instance_id", "class_id", "class", "bbox", "pixels"])
        XCTAssertEqual(objects[0]["instance_id"] as? Int, 3)
        XCTAssertEqual(objects[0]["class_id"] as? Int, 2)
        XCTAssertEqual(objects[0]["class"] as? String, "car")
        XCTAssertEqual(objects[0]["bbox"] as? [Int], [10, 11, 30, 30])
        XCTAssertEqual(objects[0]["pixels"] as? Int, 21 * 16 + 12 * 4)
        XCTAssertEqual(objects[1]["class"] as? String, "pedestrian")

        let infoData = try Data(contentsOf: URL(fileURLWithPath: dir + "/dataset.json"))
        let info = try XCTUnwrap(try JSONSerialization.jsonObject(with: infoData) as? [String: Any])
        XCTAssertEqual(
            Set(info.keys),
            [
                "format", "format_version", "scene", "seed", "frame_count", "classes", "width", "height",
                "software_version",
            ])
        XCTAssertEqual(info["software_version"] as? String, SceneFarmVersion.string)
        XCTAssertEqual(info["seed"] as? Int, 42)
    }

    /// A text snapshot of one small labels file: sorted keys, fixed indentation, scalar arrays on one line.
    func testLabelsJSONSnapshot() throws {
        let camera = Camera(
            intrinsics: CameraIntrinsics(width: 4, height: 3, fx: 2, fy: 2, cx: 1.5, cy: 1),
            worldFromCamera: Camera.lookAt(eye: Vec3(0, 0, 2), target: Vec3(1, 0, 2)))
        let spec = FrameSpec(
            index: 5, camera: camera, lighting: .daylight, classes: TestFrame.classes,
            surfaces: [
                Surface(
                    name: "car \"a\"", shape: .box(size: Vec3(1, 1, 1)), worldFromObject: .identity,
                    color: Vec3(1, 0, 0), classID: 2, instanceID: 12)
            ])
        let frame = RenderedFrame(
            index: 5, width: 4, height: 3, color: [UInt8](repeating: 0, count: 48),
            surfaceIDs: [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0], depth: [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0])
        let encoded = try FrameEncoder.encode(frame, labels: try LabelDeriver.derive(frame, spec: spec), spec: spec)
        XCTAssertEqual(
            encoded.files.map(\.relativePath),
            ["rgb/000005.png", "instance/000005.png", "semantic/000005.png", "depth/000005.png", "labels/000005.json"])
        let text = String(decoding: encoded.files[4].bytes, as: UTF8.self)
        XCTAssertEqual(
            text,
            """
            {
              "camera": {
                "K": [
                  [2.0, 0.0, 1.5],
                  [0.0, 2.0, 1.0],
                  [0.0, 0.0, 1.0]
                ],
                "world_from_camera": [
                  [0.0, 0.0, 1.0, 0.0],
                  [-1.0, 0.0, 0.0, 0.0],
                  [0.0, -1.0, 0.0, 2.0],
                  [0.0, 0.0, 0.0, 1.0]
                ]
              },
              "frame": 5,
              "height": 3,
              "lighting": {
                "sky_color": [0.35, 0.42, 0.55],
                "sun_azimuth_deg": 36.86989764584402,
                "sun_color": [1.0, 0.96, 0.9],
                "sun_direction": [0.40561610125071507, 0.3042120759380363, 0.8619342151577695],
                "sun_elevation_deg": 59.53445508054011
              },
              "objects": [
                {
                  "bbox": [1, 1, 2, 2],
                  "class": "car",
                  "class_id": 2,
                  "instance_id": 12,
                  "pixels": 3
                }
              ],
              "width": 4
            }

            """)
    }

    func testWritingTwiceGivesByteIdenticalFilesAndNoTemporaryFiles() throws {
        let a = try makeTemporaryDirectory(), b = try makeTemporaryDirectory()
        try writeDataset(to: a, frames: 3)
        try writeDataset(to: b, frames: 3)
        let filesA = try allFiles(a), filesB = try allFiles(b)
        XCTAssertEqual(filesA.count, 1 + 3 * 5)
        XCTAssertEqual(filesA.keys.sorted(), filesB.keys.sorted())
        for (path, bytes) in filesA { XCTAssertEqual(bytes, filesB[path], path) }
        XCTAssertEqual(filesA.keys.filter { $0.contains(".tmp") }, [])
        // Rewriting into the same directory leaves the same bytes and still no temporary files.
        try writeDataset(to: a, frames: 3)
        XCTAssertEqual(try allFiles(a), filesA)
    }

    func testConcurrentWritesFromManyThreads() throws {
        let dir = try makeTemporaryDirectory()
        let frames = try (0..<12).map { try TestFrame(index: $0).encoded }
        let writer = try NativeDatasetWriter(directory: dir, info: TestFrame.info(frames: 12))
        let failures = NSLock()
        var errors: [Error] = []
        DispatchQueue.concurrentPerform(iterations: frames.count) { i in
            do { try writer.write(frames[i]) } catch { failures.withLock { errors.append(error) } }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        XCTAssertEqual(writer.statistics.frames, 12)
        XCTAssertEqual(writer.statistics.bytes, frames.reduce(0) { $0 + $1.byteCount })
        XCTAssertEqual(try writer.finish().frameCount, 12)
        let report = try DatasetVerifier.verify(directory: dir)
        XCTAssertTrue(report.isClean, report.description)
        XCTAssertThrowsError(try writer.write(frames[0])) { XCTAssertTrue("\($0)".contains("finished"), "\($0)") }
    }

    func testFinishCountsCompleteFramesAndRejectsGaps() throws {
        let dir = try makeTemporaryDirectory()
        let writer = try NativeDatasetWriter(directory: dir, info: TestFrame.info(frames: 10))
        for i in 0..<4 { try writer.write(try TestFrame(index: i).encoded) }
        XCTAssertEqual(try writer.finish().frameCount, 4)
        XCTAssertEqual(try NativeDatasetReader(directory: dir).info.frameCount, 4)

        let gappy = try makeTemporaryDirectory()
        let second = try NativeDatasetWriter(directory: gappy, info: TestFrame.info(frames: 3))
        try second.write(try TestFrame(index: 0).encoded)
        try second.write(try TestFrame(index: 2).encoded)
        XCTAssertThrowsError(try second.finish()) { error in
            XCTAssertEqual((error as? ExportError)?.frame, 1)
            XCTAssertTrue("\(error)".contains("labels/000001.json"), "\(error)")
        }
    }

    func testUnwritableOutputDirectoryNamesThePath() throws {
        let dir = try makeTemporaryDirectory()
        let file = dir + "/a-regular-file"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let target = file + "/dataset"
        XCTAssertThrowsError(try NativeDatasetWriter(directory: target, info: TestFrame.info(frames: 1))) { error in
            let e = error as? ExportError
            XCTAssertEqual(e?.path, target)
            XCTAssertTrue("\(error)".contains(file + " exists and is not a directory"), "\(error)")
        }
    }

    func testUnsafeRelativePathsAreRejected() throws {
        let dir = try makeTemporaryDirectory()
        let writer = try NativeDatasetWriter(directory: dir + "/out", info: TestFrame.info(frames: 1))
        for bad in ["../escape.png", "/etc/passwd", "rgb//x.png", "", "rgb/./x.png"] {
            let frame = EncodedFrame(index: 0, files: [EncodedFile(relativePath: bad, bytes: [1])])
            XCTAssertThrowsError(try writer.write(frame), bad) { XCTAssertTrue("\($0)".contains("frame 0"), "\($0)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/escape.png"))
    }

    func testEncoderRejectsBuffersOfTheWrongSize() throws {
        var test = TestFrame(index: 4)
        let labels = try test.labels
        test.frame.color.removeLast(4)
        XCTAssertThrowsError(try FrameEncoder.encode(test.frame, labels: labels, spec: test.spec)) { error in
            XCTAssertEqual((error as? ExportError)?.frame, 4)
            XCTAssertTrue("\(error)".contains("color buffer has 12284 values, expected 12288"), "\(error)")
        }
        let other = try TestFrame(index: 5).labels
        XCTAssertThrowsError(try FrameEncoder.encode(TestFrame(index: 4).frame, labels: other, spec: test.spec))
    }

    func testJSONWriterIsDeterministic() throws {
        let value = JSONValue.object([
            "b": .array([.double(0.1), .double(1e-5), .double(-0.0), .int(-3), .uint(UInt64.max)]),
            "a": .string("tab\t \"quoted\" \\ \u{1} é"), "C": .null, "d": .array([]), "e": .object([:]),
            "f": .bool(true),
        ])
        XCTAssertEqual(
            String(decoding: try value.serialized(), as: UTF8.self),
            """
            {
              "C": null,
              "a": "tab\\t \\"quoted\\" \\\\ \\u0001 é",
              "b": [0.1, 1e-05, -0.0, -3, 18446744073709551615],
              "d": [],
              "e": {},
              "f": true
            }

            """)
        XCTAssertThrowsError(try JSONValue.array([.double(.nan)]).serialized())
    }
}

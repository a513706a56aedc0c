import ArgumentParser
import Export
import FramePipeline
import Labels
import Foundation
import SceneCore

/// Options naming a scene and the part of it to render.
struct SceneOptions: ParsableArguments {
    @Argument(help: "The scene file (YAML or JSON).")
    var scene: String

    @Option(name: .long, help: "Number of frames (default: the scene's `frames`).")
    var frames: Int?

    @Option(name: .long, help: "Random seed (default: the scene's `seed`).")
    var seed: UInt64?

    func validate() throws {
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1, got \(frames).") }
    }

    /// Loads and validates the scene, printing every problem and exiting non-zero on failure.
    func load() throws -> SceneDescription {
        do {
            return try SceneLoader.load(path: scene)
        } catch {
            throw fail(error)
        }
    }
}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a scene into a dataset folder (PNG images and JSON labels).",
        discussion: """
            Writes OUT/dataset.json and, per frame N, rgb/N.png, instance/N.png, semantic/N.png, \
            depth/N.png and labels/N.json (see docs/DATASET.md). Every file is written under a \
            temporary name and renamed into place. The scene is validated before anything is written.
            """)

    @OptionGroup var sceneOptions: SceneOptions

    @Option(name: .long, help: "The dataset folder to write (created if missing).")
    var out: String

    @Option(name: .long, help: "Threads that label, encode and write frames (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        name: .long,
        help:
            "Also export while rendering, into OUT/exports/FORMAT (coco, kitti, yolo, cityscapes; repeatable). Uses the defaults of `scenefarm export`; run that command for filters and splits."
    )
    var format: [ExportFormat] = []

    @OptionGroup var renderer: RendererOptions

    func validate() throws {
        if Set(format).count != format.count { throw ValidationError("--format lists a format twice.") }
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    }

    func run() throws {
        let scene = try sceneOptions.load()
        let seed = sceneOptions.seed ?? scene.seed
        let count = sceneOptions.frames ?? scene.frameCount
        let first = try sampleFrame(scene, 0, seed: seed)
        let k = first.camera.intrinsics
        let info = DatasetInfo(
            sceneName: scene.name, seed: seed, frameCount: count, classes: scene.classes,
            width: k.width, height: k.height)
        // The dataset folder is created only once a renderer exists: a machine without a usable EGL
        // driver gets the error and no stub dataset.
        let writer = LateWriter()
        let platform = renderer.platform, coverage = !renderer.noAmodal
        let pipeline = RenderPipeline(
            makeRenderer: { try HeadlessGLRenderer(platform: platform, computesCoverage: coverage) },
            specFor: { try scene.frame($0, seed: seed) },
            encoderThreads: threads)
        let progress = ProgressReporter(total: count, label: "render")
        printError(
            "scene \(scene.name) (\(sceneOptions.scene)): \(count) frames at \(k.width)x\(k.height), seed \(seed)")
        let directory = out
        let formats = format
        let exports = LateExporters()
        do {
            let stats = try pipeline.run(
                frames: Array(0..<count), sink: { try writer.write($0) },
                labelsSink: formats.isEmpty ? nil : { try exports.add($0, $1, $2) },
                progress: progress.update,
                rendererReady: {
                    printError("renderer: \($0.backendDescription)")
                    try writer.open(directory: directory, info: info)
                    try exports.open(formats: formats, directory: directory, info: info)
                })
            _ = try writer.finish()
            try exports.finish()
            for f in formats { printError("exported \(f.rawValue) to \(directory)/exports/\(f.rawValue)") }
            printError(
                String(
                    format: "wrote %d frames to %@ in %.1f s (%.2f frames/s, %.1f MB)", stats.frames, out,
                    stats.wallSeconds, stats.framesPerSecond, Double(stats.bytesWritten) / 1e6))
        } catch {
            throw fail(error)
        }
    }
}

/// A dataset writer opened from the render thread once rendering can start.
final class LateWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var writer: NativeDatasetWriter?

    func open(directory: String, info: DatasetInfo) throws {
        let w = try NativeDatasetWriter(directory: directory, info: info)
        lock.withLock { writer = w }
    }

    private func opened() throws -> NativeDatasetWriter {
        guard let w = lock.withLock({ writer }) else { throw ExportError("the dataset was not opened") }
        return w
    }

    func write(_ frame: EncodedFrame) throws -> Int { try opened().write(frame) }
    func finish() throws -> DatasetInfo { try opened().finish() }
}

/// Exporters fed while rendering, opened from the render thread with the dataset.
final class LateExporters: @unchecked Sendable {
    private let lock = NSLock()
    private var exporters: [DatasetExporter] = []

    func open(formats: [ExportFormat], directory: String, info: DatasetInfo) throws {
        let made = try formats.map {
            try $0.makeExporter(
                directory: directory + "/exports/" + $0.rawValue, info: info, filter: ExportFilter(),
                split: DatasetSplit())
        }
        lock.withLock { exporters = made }
    }

    func add(_ encoded: EncodedFrame, _ labels: FrameLabels, _ spec: FrameSpec) throws {
        let all = lock.withLock { exporters }
        guard !all.isEmpty else { return }
        let rgbPath = DatasetFile.rgb.relativePath(frame: encoded.index)
        guard let rgb = encoded.files.first(where: { $0.relativePath == rgbPath }) else {
            throw ExportError(frame: encoded.index, "no \(rgbPath) among the encoded files")
        }
        let frame = ExportFrame(
            index: encoded.index, labels: FrameLabelRecord(labels: labels, spec: spec), instanceMap: labels.instanceMap,
            semanticMap: labels.semanticMap, rgbPNG: rgb.bytes)
        for exporter in all {
            // Exporters that do not take concurrent frames get them one at a time.
            if exporter is ConcurrentDatasetExporter {
                try exporter.add(frame)
            } else {
                try lock.withLock { try exporter.add(frame) }
            }
        }
    }

    func finish() throws {
        for exporter in lock.withLock({ exporters }) { try exporter.finish() }
    }
}

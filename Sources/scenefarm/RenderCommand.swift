import ArgumentParser
import Export
import FarmProtocol
import Foundation
import RenderContext
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
    func load() throws -> SceneDescription { try loadWithBundle().scene }

    /// The scene and every file it was built from (what a job sends to workers).
    func loadWithBundle() throws -> (scene: SceneDescription, bundle: SceneBundle) {
        do {
            return try SceneLoader.loadWithBundle(path: scene)
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
            depth/N.png and labels/N.json (see docs/DATASET.md); a scene with several cameras writes \
            OUT/rig.json and that dataset per camera, in OUT/CAMERA/. Runs the farm on this machine: a \
            coordinator and --workers local worker processes over loopback TCP, the same code path as \
            `scenefarm coordinator` and `scenefarm worker` on many machines. Every file is written under \
            a temporary name and renamed into place; the job's journal (OUT/.scenefarm) lets the same \
            command, run again after a crash or Ctrl-C, finish without rendering committed frames again. \
            The scene is validated, and the renderer started, before anything is written.
            """)

    @OptionGroup var sceneOptions: SceneOptions

    @Option(name: .long, help: "The dataset folder to write (created if missing).")
    var out: String

    @Option(name: .long, help: "Local worker processes (default: one per core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        name: .long,
        help: "Threads per worker that label, encode and checksum frames (default: cores / workers, at least 1).")
    var threads: Int?

    @Option(
        name: .long,
        help:
            "Also export while rendering, into OUT/exports/FORMAT (coco, kitti, yolo, cityscapes; repeatable). Uses the defaults of `scenefarm export`; run that command for filters and splits."
    )
    var format: [ExportFormat] = []

    @Option(name: .long, help: "Frames per lease (shard).")
    var shardSize: Int = 4

    @Flag(name: .long, help: "Log every farm event (connections, leases), not only problems.")
    var verbose = false

    @OptionGroup var renderer: RendererOptions
    @OptionGroup var labelOptions: LabelOptions

    func validate() throws {
        if Set(format).count != format.count { throw ValidationError("--format lists a format twice.") }
        if workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers).") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
        if shardSize < 1 { throw ValidationError("--shard-size must be at least 1, got \(shardSize).") }
    }

    func run() throws {
        let (scene, bundle) = try sceneOptions.loadWithBundle()
        let seed = sceneOptions.seed ?? scene.seed
        let count = sceneOptions.frames ?? scene.frameCount
        _ = try sampleFrame(scene, 0, seed: seed)
        // The driver is probed before the dataset folder exists: a machine without a usable EGL
        // driver gets the error and no stub dataset.
        do {
            let context = try EGLHeadlessContext(platform: renderer.platform)
            printError("renderer: \(context.summary)")
        } catch {
            throw fail(error)
        }
        printError(
            "scene \(scene.name) (\(sceneOptions.scene)): \(count) frames \(scene.isMultiCamera ? "from" : "at") \(describeCameras(scene)), seed \(seed), "
                + "\(workers) worker\(workers == 1 ? "" : "s")")
        let verbose = self.verbose
        let result: EmbeddedFarm.Result
        do {
            let farm = try EmbeddedFarm(
                directory: out, shardSize: shardSize,
                log: { line in
                    if verbose || EmbeddedFarm.isProblem(line) { printError(line) }
                })
            result = try farm.run(
                request: JobRequest(
                    name: "render", sceneFile: sceneOptions.scene, scene: bundle, frames: count, seed: seed,
                    options: JobOptions(computesCoverage: !labelOptions.noAmodal), formats: format.map(\.rawValue)),
                workers: workers,
                workerArguments: renderer.workerArguments + [
                    "--threads", "\(threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / workers))",
                ] + (verbose ? [] : ["--quiet"]),
                progress: ProgressReporter(total: count, label: "render"))
        } catch {
            throw fail(error)
        }
        let folders = scene.isMultiCamera ? scene.cameraNames.map { out + "/" + $0 } : [out]
        for f in format {
            for folder in folders { printError("exported \(f.rawValue) to \(folder)/exports/\(f.rawValue)") }
        }
        printError(
            String(
                format: "wrote %d frames to %@ in %.1f s (%.2f frames/s, %.1f MB)%@", count, out, result.seconds,
                Double(result.framesRendered) / max(result.seconds, 1e-9), Double(result.bytes) / 1e6,
                result.framesRendered < count ? " (\(count - result.framesRendered) were already committed)" : ""))
    }
}

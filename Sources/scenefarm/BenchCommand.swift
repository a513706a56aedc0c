import ArgumentParser
import Export
import FramePipeline
import Foundation
import Labels
import RenderContext
import SceneCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure frames per second and the milliseconds per frame of each stage.",
        discussion: """
            Renders the scene end to end — render, readback, labels, PNG encode, write — into a \
            temporary dataset (deleted afterwards unless --out is given) and prints the figures. \
            The pipelined run overlaps the stages as `scenefarm render` does; --sequential also runs \
            every stage one after another on one thread, which shows each stage's cost alone. A scene \
            with several cameras renders every camera's view of each frame: figures are per frame (all \
            views) and per view.
            """)

    @OptionGroup var sceneOptions: SceneOptions

    @Option(name: .long, help: "Keep the dataset here instead of a temporary folder.")
    var out: String?

    @Option(name: .long, help: "Frames rendered before measuring (warm-up).")
    var warmup: Int = 3

    @Option(name: .long, help: "Threads that label, encode and write frames (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Also measure every stage alone, one frame at a time on one thread.")
    var sequential = false

    @Flag(
        name: .long,
        help: "Only measure what each effect (sun shadows, fog, rain, snow, local lights) adds to a frame.")
    var effects = false

    @OptionGroup var renderer: RendererOptions
    @OptionGroup var labelOptions: LabelOptions

    func run() throws {
        let scene = try sceneOptions.load()
        let seed = sceneOptions.seed ?? scene.seed
        let count = sceneOptions.frames ?? 30
        if effects {
            if scene.isMultiCamera {
                print("effects are measured on the primary camera's view (camera \(scene.rig.primaryName))")
            }
            do {
                try Self.runEffects(
                    scene: scene, seed: seed, count: count, platform: renderer.platform,
                    coverage: !labelOptions.noAmodal)
            } catch {
                throw fail(error)
            }
            return
        }
        let first = try sampleFrame(scene, 0, seed: seed)
        let directory =
            out
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("scenefarm-bench-\(getpid())").path
        defer { if out == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let layout = DatasetLayout(scene: scene, seed: seed, frameCount: count)

        print(
            "scene:    \(scene.name) (\(sceneOptions.scene)), \(describeCameras(scene)), \(first.surfaces.count) surfaces"
        )
        print("machine:  \(ProcessInfo.processInfo.activeProcessorCount) cores")
        do {
            let writer = try RigDatasetWriter(directory: directory, layout: layout)
            let platform = renderer.platform, coverage = !labelOptions.noAmodal
            let pipeline = RenderPipeline(
                makeRenderer: { try HeadlessGLRenderer(platform: platform, computesCoverage: coverage) },
                specFor: { try scene.frame($0, seed: seed) }, cameras: CameraViews(scene: scene),
                encoderThreads: threads)
            // Warm-up frames use indices past the measured range so every measured frame is new work.
            var backend = ""
            if warmup > 0 {
                _ = try pipeline.run(
                    frames: Array(count..<(count + warmup)), sink: { try writer.write($0) },
                    rendererReady: { backend = $0.backendDescription })
            }
            let stats = try pipeline.run(
                frames: Array(0..<count), sink: { try writer.write($0) },
                rendererReady: { backend = $0.backendDescription })
            print("renderer: \(backend)")
            print("")
            print(
                String(
                    format: "pipelined (1 render thread, %d encoder threads): %d frames in %.2f s", threads,
                    stats.frames, stats.wallSeconds))
            print(
                String(
                    format: "  end to end       %8.2f frames/s   %7.1f ms/frame", stats.framesPerSecond,
                    1000 / max(stats.framesPerSecond, 1e-9)) + Self.perView(stats))
            print("  stage CPU time, summed over threads (stages overlap and share the cores):")
            Self.printStages(stats)
            print(
                String(
                    format: "  render waited for encoders %.1f ms/frame; %.2f MB/frame written",
                    stats.renderBlockedSeconds * 1000 / Double(max(stats.frames, 1)),
                    Double(stats.bytesWritten) / 1e6 / Double(max(stats.frames, 1))))
            if sequential {
                let s = try Self.runSequential(
                    scene: scene, seed: seed, count: count, writer: writer, platform: platform, coverage: coverage)
                print("")
                print(
                    String(
                        format: "sequential (one thread, stages one after another): %d frames in %.2f s", s.frames,
                        s.wallSeconds))
                print(
                    String(
                        format: "  end to end       %8.2f frames/s   %7.1f ms/frame", s.framesPerSecond,
                        1000 / max(s.framesPerSecond, 1e-9)) + Self.perView(s))
                print("  each stage alone:")
                Self.printStages(s)
            }
            _ = try writer.finish()
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            print("")
            print(String(format: "peak memory (max RSS): %.0f MB", Double(usage.ru_maxrss) / 1024))
        } catch {
            throw fail(error)
        }
    }

    /// "   93.1 ms/view (2 views per frame)" for a multi-camera scene; empty for one camera.
    static func perView(_ s: PipelineStats) -> String {
        guard s.views > s.frames, s.wallSeconds > 0 else { return "" }
        return String(
            format: "   %7.1f ms/view (%d views per frame)", s.wallSeconds * 1000 / Double(s.views),
            s.views / max(s.frames, 1))
    }

    static func printStages(_ s: PipelineStats) {
        let n = Double(max(s.frames, 1))
        let views = Double(max(s.views, 1))
        let rows: [(String, Double)] = [
            ("sample", s.sampleSeconds), ("render", s.renderSeconds), ("readback", s.readbackSeconds),
            ("labels", s.labelSeconds), ("encode", s.encodeSeconds), ("write", s.writeSeconds),
        ]
        let slowest = rows.max { $0.1 < $1.1 }?.0 ?? ""
        for (name, seconds) in rows {
            let mark = name == slowest ? "  <- slowest" : ""
            let padded = name.padding(toLength: 16, withPad: " ", startingAt: 0)
            // Sampling happens once per frame; every other stage once per view.
            let perView =
                s.views > s.frames && name != "sample"
                ? String(format: " %7.2f ms/view", seconds * 1000 / views) : ""
            print("  " + padded + String(format: " %7.2f ms/frame", seconds * 1000 / n) + perView + mark)
        }
    }

    /// Every stage in turn on this thread, so each figure is that stage alone.
    static func runSequential(
        scene: SceneDescription, seed: UInt64, count: Int, writer: RigDatasetWriter, platform: EGLPlatformChoice,
        coverage: Bool
    ) throws -> PipelineStats {
        let renderer = try HeadlessGLRenderer(platform: platform, computesCoverage: coverage)
        var s = PipelineStats()
        let start = monotonicSeconds()
        for i in 0..<count {
            let t0 = monotonicSeconds()
            let views = try scene.frameViews(i, seed: seed)
            s.sampleSeconds += monotonicSeconds() - t0
            var encoded: [(camera: String, frame: EncodedFrame)] = []
            for (name, spec) in zip(scene.cameraNames, views) {
                let t1 = monotonicSeconds()
                let frame = try renderer.render(spec)
                let t2 = monotonicSeconds()
                let labels = try LabelDeriver.derive(frame, spec: spec)
                let t3 = monotonicSeconds()
                encoded.append((name, try FrameEncoder.encode(frame, labels: labels, spec: spec)))
                let t4 = monotonicSeconds()
                s.renderSeconds += (t2 - t1) - frame.readbackSeconds
                s.readbackSeconds += frame.readbackSeconds
                s.labelSeconds += t3 - t2
                s.encodeSeconds += t4 - t3
                s.views += 1
            }
            let t4 = monotonicSeconds()
            s.bytesWritten += try writer.write(
                scene.isMultiCamera ? DatasetLayout.combine(index: i, views: encoded) : encoded[0].frame)
            s.writeSeconds += monotonicSeconds() - t4
            s.frames += 1
        }
        s.wallSeconds = monotonicSeconds() - start
        return s
    }
}

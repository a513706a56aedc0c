import ArgumentParser
import Foundation
import Render
import RenderContext
import SceneCore

enum SceneFarmVersionString { static let value = SceneFarmVersion.string }

/// What the labels hold, for the commands that decide it (a worker renders what its job says).
struct LabelOptions: ParsableArguments {
    @Flag(
        name: .long,
        help:
            "Skip the hidden-pixel pass: no amodal boxes, visibility or truncation in the labels, ~35% faster rendering."
    )
    var noAmodal = false
}

/// Which EGL driver and device every rendering command uses.
struct RendererOptions: ParsableArguments {
    @Option(name: .long, help: "Use EGL device N (see `scenefarm devices`) instead of choosing automatically.")
    var gpu: Int?

    @Flag(name: .long, help: "Force Mesa's surfaceless platform (llvmpipe on a CPU), even when a GPU is present.")
    var cpu = false

    /// The same choice as arguments for a `scenefarm worker` process.
    var workerArguments: [String] {
        if cpu { return ["--cpu"] }
        if let gpu { return ["--gpu", "\(gpu)"] }
        return []
    }

    var platform: EGLPlatformChoice {
        if cpu { return .surfaceless }
        if let gpu { return .device(gpu) }
        return .automatic
    }

    func validate() throws {
        if cpu && gpu != nil { throw ValidationError("--cpu and --gpu cannot be used together.") }
        if let gpu, gpu < 0 { throw ValidationError("--gpu must be 0 or more, got \(gpu).") }
    }
}

/// A GL renderer together with the EGL context it lives in; both belong to the creating thread.
final class HeadlessGLRenderer: FrameRenderer {
    let context: EGLHeadlessContext
    private var renderer: GLRenderer!

    init(platform: EGLPlatformChoice, computesCoverage: Bool = true) throws {
        context = try EGLHeadlessContext(platform: platform)
        renderer = try GLRenderer(computesCoverage: computesCoverage, description: context.summary)
    }

    deinit {
        renderer = nil  // release GL objects while the context is still current
    }

    var maxFramesInFlight: Int { renderer.maxFramesInFlight }
    var backendDescription: String { renderer.backendDescription }
    /// The GL renderer itself (`bench --effects` sets its shadow-map size).
    var glRenderer: GLRenderer { renderer }
    func submit(_ spec: FrameSpec) throws { try renderer.submit(spec) }
    func receive() throws -> RenderedFrame { try renderer.receive() }
}

/// Writes to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints `error` the way a user should see it and exits non-zero.
func fail(_ error: Error) -> ExitCode {
    printError("error: \(error)")
    return ExitCode.failure
}

/// Samples one frame, printing a sampling failure (e.g. a group that cannot be placed) and exiting.
func sampleFrame(_ scene: SceneDescription, _ index: Int, seed: UInt64) throws -> FrameSpec {
    do { return try scene.frame(index, seed: seed) } catch { throw fail(error) }
}

import ArgumentParser
import CAllocator
import Foundation

@main
struct SceneFarm: ParsableCommand {
    static func main() {
        tuneAllocator()
        Self.main(nil)
    }

    /// Frames are a handful of multi-megabyte buffers allocated and freed at a steady rate. glibc's
    /// defaults serve each from fresh mmap'd pages and hand them back when freed, so every frame paid
    /// for page faults and zeroing of ~40 MB (about a sixth of all CPU time, measured with perf).
    /// Keeping freed buffers in the heap lets the next frame reuse them; memory stays flat because the
    /// pipeline bounds the frames alive at once.
    static func tuneAllocator() {
        scenefarm_tune_allocator()
    }

    static let configuration = CommandConfiguration(
        commandName: "scenefarm",
        abstract: "Render randomized 3D scenes headless into perception datasets with exact labels.",
        discussion: """
            Scenes are YAML files (see docs/SCENE_FORMAT.md); datasets are folders of PNGs and JSON \
            labels (see docs/DATASET.md). Rendering uses OpenGL 4.5 over EGL: an NVIDIA GPU when one is \
            found, Mesa's llvmpipe on the CPU otherwise.
            """,
        version: SceneFarmVersionString.value,
        subcommands: [
            RenderCommand.self, BenchCommand.self, ValidateCommand.self, SampleCommand.self, VerifyCommand.self,
            SheetCommand.self, PreviewCommand.self, ExportCommand.self, DevicesCommand.self, ReportCommand.self,
            AssetsCommand.self,
            CoordinatorCommand.self, WorkerCommand.self, SubmitCommand.self, StatusCommand.self, CancelCommand.self,
        ]
    )
}

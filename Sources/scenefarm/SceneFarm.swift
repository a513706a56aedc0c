import ArgumentParser
import Foundation

@main
struct SceneFarm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenefarm",
        abstract: "Render randomized 3D scenes headless into perception datasets with exact labels.",
        discussion: """
            Scenes are YAML files (see docs/SCENE_FORMAT.md); datasets are folders of PNGs and JSON
            labels (see docs/DATASET.md). Rendering uses OpenGL 4.5 over EGL: an NVIDIA GPU when one is
            found, Mesa's llvmpipe on the CPU otherwise.
            """,
        version: SceneFarmVersionString.value,
        subcommands: [
            RenderCommand.self, BenchCommand.self, ValidateCommand.self, VerifyCommand.self, DevicesCommand.self,
        ]
    )
}

import ArgumentParser
import Foundation
import SceneCore

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Print the fully resolved frame (camera, lighting, every surface and object) as JSON.",
        discussion: """
            The frame is a pure function of (scene, seed, frame index): the output is the same on every \
            machine and every run. The JSON form (snake_case keys in a fixed order) is documented in \
            docs/SCENE_FORMAT.md, "The sample JSON".
            """)

    @Argument(help: "The scene file (YAML or JSON).")
    var scene: String

    @Option(name: .long, help: "The frame index.")
    var frame: Int = 0

    @Option(name: .long, help: "Random seed (default: the scene's `seed`).")
    var seed: UInt64?

    func validate() throws {
        guard frame >= 0 else { throw ValidationError("--frame must be 0 or more, got \(frame).") }
    }

    func run() throws {
        let description: SceneDescription
        do { description = try SceneLoader.load(path: scene) } catch { throw fail(error) }
        let seed = seed ?? description.seed
        let spec = try sampleFrame(description, frame, seed: seed)
        FileHandle.standardOutput.write(Data(spec.sampleJSON(scene: description, seed: seed).utf8))
    }
}

import ArgumentParser
import Foundation
import SceneCore

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Print the fully resolved frame (camera, lighting, every surface and object) as JSON.",
        discussion: """
            The frame is a pure function of (scene, seed, frame index): the output is the same on every \
            machine and every run.
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
        let spec = try sampleFrame(description, frame, seed: seed ?? description.seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let data = try encoder.encode(spec)
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        } catch {
            throw fail(error)
        }
    }
}

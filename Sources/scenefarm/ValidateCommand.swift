import ArgumentParser
import SceneCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scene file and print every problem with its file, line, column and field.")

    @Argument(help: "The scene file (YAML or JSON).")
    var scene: String

    func run() throws {
        let description: SceneDescription
        do {
            description = try SceneLoader.load(path: scene)
        } catch let error as SceneLoadError {
            // Every problem on its own line, `file:line:column: field: message`, then how many.
            for issue in error.issues { printError(issue.description) }
            let n = error.issues.count
            printError("\(scene): \(n) problem\(n == 1 ? "" : "s")")
            throw ExitCode.failure
        } catch {
            throw fail(error)
        }
        let frame: FrameSpec
        do { frame = try description.frame(0, seed: description.seed) } catch { throw fail(error) }
        print(
            "\(scene): ok — scene \(description.name), \(description.frameCount) frames, seed \(description.seed), "
                + "\(Self.cameraSummary(description)), \(description.classes.count) classes, "
                + "\(frame.surfaces.count) surfaces in frame 0"
        )
    }

    /// `1280x720` for a single camera; `3 cameras (left 1242x375, right 1242x375, rear 640x480)` for
    /// a rig, every camera named, the primary first.
    static func cameraSummary(_ description: SceneDescription) -> String {
        let sizes = description.cameraNames.indices.map { view in
            let k = description.intrinsics(view: view)
            return "\(k.width)x\(k.height)"
        }
        guard description.isMultiCamera else { return sizes[0] }
        let listed = zip(description.cameraNames, sizes).map { "\($0) \($1)" }
        return "\(sizes.count) cameras (\(listed.joined(separator: ", ")))"
    }
}

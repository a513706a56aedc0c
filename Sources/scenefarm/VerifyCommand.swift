import ArgumentParser
import Export

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decode a dataset back and check that its labels agree with its masks exactly.",
        discussion: """
            For every frame: each object's box is the exact extent of its mask in instance/N.png and its \
            pixel count matches; every non-zero id in instance/N.png has an object record; semantic/N.png \
            carries the object's class on every one of its pixels; all files exist with the right size. \
            A multi-camera dataset (a folder with rig.json) is checked camera by camera, and its cameras \
            against rig.json: the same frames, sizes, scene and seed, and in every frame each camera's \
            pose equal to the primary camera's times its mount.
            """)

    @Argument(help: "The dataset folder (the --out of `scenefarm render`).")
    var dataset: String

    func run() throws {
        do {
            if CameraRigInfo.isRig(directory: dataset) {
                let report = try DatasetVerifier.verifyRig(directory: dataset)
                print(report)
                if !report.isClean { throw ExitCode.failure }
                return
            }
            let report = try DatasetVerifier.verify(directory: dataset)
            print(report)
            if !report.problems.isEmpty { throw ExitCode.failure }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail(error)
        }
    }
}

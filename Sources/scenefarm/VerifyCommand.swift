import ArgumentParser
import Export

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decode a dataset back and check that its labels agree with its masks exactly.",
        discussion: """
            For every frame: each object's box is the exact extent of its mask in instance/N.png and its \
            pixel count matches; every non-zero id in instance/N.png has an object record; semantic/N.png \
            carries the object's class on every one of its pixels; all files exist with the right size.
            """)

    @Argument(help: "The dataset folder (the --out of `scenefarm render`).")
    var dataset: String

    func run() throws {
        do {
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

import ArgumentParser
import Export
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page about a dataset: classes, distributions and sample frames.")

    @Argument(help: "The dataset folder.")
    var dataset: String

    @Option(name: .long, help: "Where to write the HTML page.")
    var out: String

    @Option(name: .long, help: "How many frames to show, spread evenly over the dataset.")
    var samples: Int = 6

    @OptionGroup var cameraOption: CameraOption

    func validate() throws {
        guard (0...1000).contains(samples) else {
            throw ValidationError("--samples must be in 0...1000, got \(samples).")
        }
    }

    func run() throws {
        let directory = try cameraOption.datasetDirectory(dataset)
        do {
            let reader = try NativeDatasetReader(directory: directory)
            let html = try DatasetReport.html(dataset: reader, samples: samples)
            try DatasetReport.write(html, to: out)
            print("wrote \(out) (\(reader.info.frameCount) frames, \(html.utf8.count) bytes)")
        } catch {
            throw fail(error)
        }
    }
}

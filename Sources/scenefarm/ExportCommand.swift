import ArgumentParser
import Export
import Foundation

extension ExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert a native dataset to COCO, KITTI, YOLO or Cityscapes-style labels.",
        discussion: """
            Reads DATASET (written by `scenefarm render`) and writes OUT in the chosen format; see \
            docs/formats/. Frames go to train/val/test by a reproducible split of their index \
            (--val, --test, --split-seed). Filters leave objects out of instance and box annotations; \
            their pixels keep their class in semantic maps. Files are written under temporary names \
            and renamed into place; the files that gather all frames (COCO's annotations JSON, \
            Cityscapes' classes.json) are written last, so their presence marks a complete export.
            """)

    @Argument(help: "The native dataset folder (the --out of `scenefarm render`).")
    var dataset: String

    @Option(name: .long, help: "The format to write.")
    var format: ExportFormat

    @Option(name: .long, help: "The folder to write (created if missing).")
    var out: String

    @Option(name: .long, help: "Comma-separated class names to keep (default: all), e.g. car,person.")
    var classes: String?

    @Option(name: .long, help: "Leave out objects with fewer visible pixels.")
    var minPixels: Int = 1

    @Option(name: .long, help: "Leave out objects less visible than this (0...1; where labels carry visibility).")
    var minVisibility: Double = 0

    @Option(name: .long, help: "Leave out objects truncated more than this (0...1; where labels carry truncation).")
    var maxTruncation: Double = 1

    @Option(name: .long, help: "Fraction of frames in the val split (0...1).")
    var val: Double = 0.1

    @Option(name: .long, help: "Fraction of frames in the test split (0...1).")
    var test: Double = 0

    @Option(name: .long, help: "Seed of the train/val/test split.")
    var splitSeed: UInt64 = 0

    @Option(name: .long, help: "YOLO only: detect (boxes) or segment (polygons of each object's outline).")
    var task: YoloTask = .detect

    @Option(name: .long, help: "Threads that read and convert frames.")
    var threads: Int = 4

    @OptionGroup var cameraOption: CameraOption

    /// The class names of --classes; nil when it is not given.
    var classNames: [String]? {
        classes.map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    func validate() throws {
        if let names = classNames, names.contains(where: \.isEmpty) {
            throw ValidationError(
                "--classes must be comma-separated class names without empty entries, got '\(classes!)'.")
        }
        if minPixels < 1 { throw ValidationError("--min-pixels must be at least 1, got \(minPixels).") }
        for (name, value) in [
            ("--min-visibility", minVisibility), ("--max-truncation", maxTruncation), ("--val", val), ("--test", test),
        ]
        where !(0...1).contains(value) {
            throw ValidationError("\(name) must be in 0...1, got \(value).")
        }
        if val + test > 1 { throw ValidationError("--val plus --test must be at most 1, got \(val + test).") }
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
        let source = URL(fileURLWithPath: dataset).standardizedFileURL.path
        let target = URL(fileURLWithPath: out).standardizedFileURL.path
        if source == target || target.hasPrefix(source + "/") {
            throw ValidationError("--out must be outside the dataset folder \(dataset).")
        }
    }

    func run() throws {
        do {
            // Read the dataset before creating anything: a bad path leaves no output folder behind.
            let directory = try cameraOption.datasetDirectory(dataset)
            let reader = try NativeDatasetReader(directory: directory)
            if let names = classNames {
                let known = Set(reader.info.classes.map(\.name))
                if let unknown = names.first(where: { !known.contains($0) }) {
                    throw ValidationError(
                        "--classes: \(directory) has no class '\(unknown)'; its classes are "
                            + reader.info.classes.map(\.name).joined(separator: ", ") + ".")
                }
            }
            let filter = ExportFilter(
                classes: classNames.map(Set.init), minVisiblePixels: minPixels, minVisibility: minVisibility,
                maxTruncation: maxTruncation)
            let split = DatasetSplit(valFraction: val, testFraction: test, seed: splitSeed)
            let exporter = try format.makeExporter(
                directory: out, info: reader.info, filter: filter, split: split, yoloTask: task)
            let count = reader.info.frameCount
            printError(
                "export \(directory) (\(reader.info.sceneName), \(count) frames) as \(format.rawValue) to \(out)")
            let progress = ProgressReporter(total: count, label: "export")
            try ExportRunner.run(
                reader: reader, exporter: exporter, workers: threads, progress: { progress.update($0) })
            var parts: [String] = []
            for part in DatasetSplit.Part.allCases {
                let n = (0..<count).filter { split.part(of: $0) == part }.count
                if n > 0 { parts.append("\(part.rawValue) \(n)") }
            }
            print("exported \(count) frames (\(parts.joined(separator: ", "))) as \(format.rawValue) to \(out)")
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail(error)
        }
    }
}

extension YoloTask: ExpressibleByArgument {}

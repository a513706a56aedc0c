import ArgumentParser
import Export
import Foundation

struct SheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet",
        abstract: "Draw one dataset frame as a 2x2 PNG: color with boxes, semantic, instance and depth.")

    @Argument(help: "The dataset folder.")
    var dataset: String

    @Option(name: .long, help: "The frame index.")
    var frame: Int = 0

    @Option(name: .long, help: "Where to write the PNG.")
    var out: String

    @Option(name: .long, help: "Scale of each panel relative to the frame (0.05...1).")
    var scale: Double = 0.5

    @OptionGroup var cameraOption: CameraOption

    func validate() throws {
        guard (0.05...1).contains(scale) else { throw ValidationError("--scale must be in 0.05...1, got \(scale).") }
        guard frame >= 0 else { throw ValidationError("--frame must be 0 or more, got \(frame).") }
    }

    func run() throws {
        do {
            let directory = try cameraOption.datasetDirectory(dataset)
            let reader = try NativeDatasetReader(directory: directory)
            guard frame < reader.info.frameCount else {
                throw ValidationError(
                    "frame \(frame) is not in \(directory) (it has \(reader.info.frameCount) frames).")
            }
            let bytes = try ContactSheet.png(dataset: reader, frame: frame, scale: scale)
            let tmp = out + ".tmp-\(getpid())"
            try Data(bytes).write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, out) == 0 else {
                throw ValidationError("cannot write \(out): \(String(cString: strerror(errno)))")
            }
            print("wrote \(out)")
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail(error)
        }
    }
}

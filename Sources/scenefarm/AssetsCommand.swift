import AssetLibrary
import ArgumentParser
import Foundation

struct AssetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assets",
        abstract: "Generate or list the procedural asset library (glTF files that scenes find by name).",
        subcommands: [AssetsBuildCommand.self, AssetsListCommand.self])
}

struct AssetsBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write every library asset as .glb, and the index library.json, into a folder.",
        discussion: """
            The files are byte-identical on every run; files already up to date are left alone. The \
            repository's assets/ folder holds the committed output: regenerate it with \
            `scenefarm assets build` from the repository root after changing the library.
            """)

    @Option(name: .long, help: "The library root to write into.")
    var out: String = "assets"

    func run() throws {
        let report: LibraryWriteReport
        do { report = try ProceduralLibrary.write(to: out) } catch { throw fail(error) }
        print(
            "\(out): \(report.written.count) files written, \(report.unchanged.count) unchanged "
                + "(\(ProceduralLibrary.assets().count) assets and \(ProceduralLibrary.indexFile))")
        for path in report.written { print("  wrote \(path)") }
        for path in report.stale {
            print("  warning: \(path) is not made by the library (renamed or removed asset?); delete it if so")
        }
    }
}

struct AssetsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Print the library's assets: name, category, class, size and triangles.")

    func run() throws {
        let assets = ProceduralLibrary.assets()
        let header = ["name", "category", "class", "size (m, x × y × z)", "triangles"]
        let rows = assets.map { a -> [String] in
            let s = a.size
            return [
                a.name, a.category.rawValue, a.defaultClass,
                String(format: "%.2f × %.2f × %.2f", s.x, s.y, s.z), String(a.triangleCount),
            ]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        for row in [header] + rows {
            let cells = row.enumerated().map { c, text in
                let pad = String(repeating: " ", count: widths[c] - text.count)
                return c == row.count - 1 ? pad + text : text + pad
            }
            print(cells.joined(separator: "  "))
        }
    }
}

import Foundation
import SceneCore

/// A library file that could not be written: names the path.
public struct LibraryWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// What `ProceduralLibrary.write(to:)` did.
public struct LibraryWriteReport: Hashable, Sendable {
    /// Files (relative to the library root) whose bytes changed or that did not exist.
    public var written: [String] = []
    /// Files already up to date, left untouched.
    public var unchanged: [String] = []
    /// .glb files in the category folders that the library does not make (renamed or removed
    /// assets, or files put there by hand); reported, never deleted.
    public var stale: [String] = []
}

/// The whole library: every asset, its file, and the index `library.json`.
public enum ProceduralLibrary {
    /// The index's file name, at the library root.
    public static let indexFile = "library.json"

    /// Every asset, driving first, in a fixed order.
    public static func assets() -> [LibraryAsset] { DrivingAssets.all() + RoboticsAssets.all() }

    /// Every file the library consists of, as (path relative to the root, bytes), in a fixed order.
    public static func files(_ assets: [LibraryAsset] = assets()) -> [(path: String, bytes: [UInt8])] {
        let glbs = assets.map { (path: $0.file, bytes: GLBWriter.encode($0)) }
        return glbs + [(indexFile, index(assets, fileSizes: glbs.map(\.bytes.count)))]
    }

    /// The index: per asset its name, category, file, default class, size, triangle and byte counts,
    /// support heights and parts with their classes (documented in assets/README.md).
    public static func index(_ assets: [LibraryAsset], fileSizes: [Int]) -> [UInt8] {
        let entries: [JSONText] = zip(assets, fileSizes).map { asset, bytes in
            let s = asset.size
            var members: [(String, JSONText)] = [
                ("name", .string(asset.name)), ("category", .string(asset.category.rawValue)),
                ("file", .string(asset.file)), ("class", .string(asset.defaultClass)),
                ("size", .array([s.x, s.y, s.z].map { .fixed($0, decimals: 3) })),
                ("triangles", .int(asset.triangleCount)), ("bytes", .int(bytes)),
            ]
            if !asset.supportHeights.isEmpty {
                members.append(("support", .array(asset.supportHeights.map { .fixed($0, decimals: 3) })))
            }
            members.append(
                (
                    "parts",
                    .array(
                        asset.parts.map { p in
                            .object([("name", .string(p.name)), ("class", .string(asset.effectiveClass(of: p)))])
                        })
                ))
            return .object(members)
        }
        let json: JSONText = .object([
            ("generator", .string(GLBWriter.generator)),
            ("version", .int(1)),
            (
                "frame",
                .string(
                    "SceneFarm axes: metres, Z up, X forward, Y left; origin at the centre of the footprint on the ground"
                )
            ),
            ("assets", .array(entries)),
        ])
        return Array(json.pretty.utf8)
    }

    /// Writes every file under `root` (creating the category folders), leaving files whose bytes
    /// are already right untouched. Each file is written to a temporary name and renamed into place.
    public static func write(to root: String) throws -> LibraryWriteReport {
        let fm = FileManager.default
        let rootURL = URL(fileURLWithPath: root)
        var report = LibraryWriteReport()
        let all = files()
        for category in LibraryCategory.allCases {
            let dir = rootURL.appendingPathComponent(category.rawValue)
            do {
                try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                throw LibraryWriteError(
                    path: dir.path, message: "cannot create the folder (\(error.localizedDescription))")
            }
        }
        for (path, bytes) in all {
            let url = rootURL.appendingPathComponent(path)
            if let existing = fm.contents(atPath: url.path), [UInt8](existing) == bytes {
                report.unchanged.append(path)
                continue
            }
            do {
                try Data(bytes).write(to: url, options: .atomic)
            } catch {
                throw LibraryWriteError(path: url.path, message: "cannot write (\(error.localizedDescription))")
            }
            report.written.append(path)
        }
        let made = Set(all.map(\.path))
        for category in LibraryCategory.allCases {
            let names =
                (try? fm.contentsOfDirectory(atPath: rootURL.appendingPathComponent(category.rawValue).path)) ?? []
            for name in names.sorted() where name.hasSuffix(".glb") && !made.contains("\(category.rawValue)/\(name)") {
                report.stale.append("\(category.rawValue)/\(name)")
            }
        }
        return report
    }
}

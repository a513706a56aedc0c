import Foundation

/// Every file a scene was built from: the scene file itself, the files it includes or extends and the
/// asset files it imports, keyed by their path relative to the scene's directory (library files
/// under `@library/`). A coordinator sends the bundle to its workers, so a worker needs no copy of the
/// scene's directory or of the asset library, and every worker loads exactly the same bytes.
public struct SceneBundle: Hashable, Sendable {
    /// The key of the scene file itself.
    public var root: String
    public var files: [String: [UInt8]]

    public init(root: String, files: [String: [UInt8]]) {
        self.root = root
        self.files = files
    }

    /// A bundle of one scene file given as text (no includes, no asset files).
    public init(yaml: String, file: String) {
        let key = (file as NSString).lastPathComponent
        self.init(root: key.isEmpty ? "scene.yaml" : key, files: [key.isEmpty ? "scene.yaml" : key: Array(yaml.utf8)])
    }
}

/// A file a scene refers to that cannot be used: missing, outside the allowed roots, unreadable.
public struct SceneFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where a scene's files come from: the disk (recording every file read into `bundle`) or a bundle
/// received over the wire. Paths in scene files are relative to the file that names them and may not
/// leave the scene's directory; library assets are found by name in the library roots.
///
/// Thread-safe: loaders may read from several threads.
public final class SceneFiles: @unchecked Sendable {
    private enum Origin {
        case disk(sceneDirectory: URL, libraryRoots: [URL])
        case bundle
    }

    private let origin: Origin
    private let lock = NSLock()
    private var read: [String: [UInt8]]
    /// The root scene's key (its file name).
    public let rootKey: String
    /// How the root file is named in messages (the path the user gave).
    public let rootDisplayName: String

    /// Files on disk. `scenePath` is the scene file; `libraryRoots` the asset library folders.
    public init(scenePath: String, libraryRoots: [String] = SceneFiles.defaultLibraryRoots()) {
        let url = URL(fileURLWithPath: scenePath).standardizedFileURL.resolvingSymlinksInPath()
        origin = .disk(
            sceneDirectory: url.deletingLastPathComponent(),
            libraryRoots: libraryRoots.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() })
        rootKey = url.lastPathComponent
        rootDisplayName = scenePath
        read = [:]
    }

    /// Files from a bundle; `displayName` names the root in messages ("job 3 scene").
    public init(bundle: SceneBundle, displayName: String? = nil) {
        origin = .bundle
        rootKey = bundle.root
        rootDisplayName = displayName ?? bundle.root
        read = bundle.files
    }

    /// Every file read so far (for a disk source), or the bundle it was made from.
    public var bundle: SceneBundle {
        lock.lock()
        defer { lock.unlock() }
        return SceneBundle(root: rootKey, files: read)
    }

    /// Reads the root scene file.
    public func readRoot() throws -> [UInt8] { try readKey(rootKey, display: rootDisplayName) }

    /// The key of `path` as named in the file with key `fromKey`: relative to that file's directory,
    /// normalized; an error when it leaves the scene's directory or is absolute.
    public func key(for path: String, from fromKey: String) throws -> String {
        guard !path.isEmpty else { throw SceneFileError("expected a file path, found an empty string") }
        guard !path.hasPrefix("/") else {
            throw SceneFileError("`\(path)` is an absolute path; name files relative to the scene file")
        }
        if fromKey.hasPrefix(Self.libraryPrefix) {
            throw SceneFileError("library assets cannot refer to other files (`\(path)`)")
        }
        var parts = fromKey.split(separator: "/").map(String.init)
        parts.removeLast()
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    throw SceneFileError(
                        "`\(path)` leaves the scene's directory; files must be inside it or in the asset library")
                }
                parts.removeLast()
            default: parts.append(String(component))
            }
        }
        guard !parts.isEmpty else { throw SceneFileError("`\(path)` names a directory, not a file") }
        return parts.joined(separator: "/")
    }

    /// Reads the file `path` named in the file with key `fromKey`; returns its key and bytes.
    public func read(_ path: String, from fromKey: String) throws -> (key: String, bytes: [UInt8]) {
        let key = try key(for: path, from: fromKey)
        return (key, try readKey(key, display: path))
    }

    /// The key prefix of files from the asset library.
    public static let libraryPrefix = "@library/"

    /// Finds the library asset `name` (a file `NAME.glb` or `NAME.gltf` in a library root or one
    /// folder below it, e.g. `driving/sedan.glb`), reads it and returns its key and bytes; nil when
    /// no library has it.
    public func readLibraryAsset(_ name: String) throws -> (key: String, bytes: [UInt8])? {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { return nil }
        switch origin {
        case .bundle:
            lock.lock()
            let found = read.keys.filter { key in
                key.hasPrefix(Self.libraryPrefix) && [".glb", ".gltf"].contains { key.hasSuffix("/\(name)\($0)") }
            }.sorted().first
            let bytes = found.flatMap { read[$0] }
            lock.unlock()
            guard let found, let bytes else { return nil }
            return (found, bytes)
        case .disk(_, let roots):
            let fm = FileManager.default
            for root in roots {
                var candidates: [String] = []
                for ext in ["glb", "gltf"] { candidates.append("\(name).\(ext)") }
                let subdirs = ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted().filter { sub in
                    var isDir: ObjCBool = false
                    return !sub.hasPrefix(".")
                        && fm.fileExists(atPath: root.appendingPathComponent(sub).path, isDirectory: &isDir)
                        && isDir.boolValue
                }
                for sub in subdirs { for ext in ["glb", "gltf"] { candidates.append("\(sub)/\(name).\(ext)") } }
                for relative in candidates where fm.fileExists(atPath: root.appendingPathComponent(relative).path) {
                    let key = Self.libraryPrefix + relative
                    let bytes = try readDisk(root.appendingPathComponent(relative), display: "library asset `\(name)`")
                    store(key, bytes)
                    return (key, bytes)
                }
            }
            return nil
        }
    }

    /// The names of every library asset (`NAME` of each `NAME.glb` / `NAME.gltf` in a library root
    /// or one folder below it), sorted and without repeats: for "did you mean" hints.
    public func libraryAssetNames() -> [String] {
        var names = Set<String>()
        func add(_ file: String) {
            for ext in [".glb", ".gltf"] where file.hasSuffix(ext) { names.insert(String(file.dropLast(ext.count))) }
        }
        switch origin {
        case .bundle:
            lock.lock()
            for key in read.keys where key.hasPrefix(Self.libraryPrefix) {
                let inner = key.dropFirst(Self.libraryPrefix.count).split(separator: "/")
                if inner.count <= 2, let last = inner.last { add(String(last)) }
            }
            lock.unlock()
        case .disk(_, let roots):
            let fm = FileManager.default
            for root in roots {
                for entry in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where !entry.hasPrefix(".") {
                    add(entry)
                    let sub = root.appendingPathComponent(entry).path
                    for file in (try? fm.contentsOfDirectory(atPath: sub)) ?? [] where !file.hasPrefix(".") {
                        add(file)
                    }
                }
            }
        }
        return names.sorted()
    }

    /// Reads a file that sits beside a library asset (a .gltf's .bin or texture): `path` relative to
    /// the asset with key `assetKey`, which must stay inside its library root.
    public func readLibrarySibling(_ path: String, of assetKey: String) throws -> (key: String, bytes: [UInt8]) {
        precondition(assetKey.hasPrefix(Self.libraryPrefix))
        let inner = String(assetKey.dropFirst(Self.libraryPrefix.count))
        var parts = inner.split(separator: "/").map(String.init)
        parts.removeLast()
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                guard !parts.isEmpty else { throw SceneFileError("`\(path)` leaves the asset library") }
                parts.removeLast()
            } else {
                parts.append(String(component))
            }
        }
        let key = Self.libraryPrefix + parts.joined(separator: "/")
        return (key, try readKey(key, display: path))
    }

    /// The library roots used when none are given: `$SCENEFARM_ASSETS` (colon-separated), else the
    /// first `assets/` found beside the executable, one to four folders up from it, or in the
    /// current directory.
    public static func defaultLibraryRoots() -> [String] {
        if let env = ProcessInfo.processInfo.environment["SCENEFARM_ASSETS"], !env.isEmpty {
            return env.split(separator: ":").map(String.init)
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").standardizedFileURL
            .deletingLastPathComponent()
        var candidates: [URL] = []
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("assets"))
            candidates.append(dir.appendingPathComponent("share/scenefarm/assets"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("assets"))
        var isDir: ObjCBool = false
        for c in candidates where FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir) && isDir.boolValue
        {
            return [c.path]
        }
        return []
    }

    // MARK: - reading

    private func store(_ key: String, _ bytes: [UInt8]) {
        lock.lock()
        read[key] = bytes
        lock.unlock()
    }

    private func readKey(_ key: String, display: String) throws -> [UInt8] {
        lock.lock()
        let cached = read[key]
        lock.unlock()
        if let cached { return cached }
        switch origin {
        case .bundle:
            throw SceneFileError("`\(display)` is not in the scene bundle (\(rootDisplayName))")
        case .disk(let sceneDirectory, let roots):
            let url: URL
            var allowed: URL
            if key.hasPrefix(Self.libraryPrefix) {
                // Only reached for siblings of library assets: find the root that holds the asset.
                let inner = String(key.dropFirst(Self.libraryPrefix.count))
                guard
                    let root = roots.first(where: {
                        FileManager.default.fileExists(atPath: $0.appendingPathComponent(inner).path)
                    })
                else { throw SceneFileError("`\(display)` does not exist in the asset library") }
                url = root.appendingPathComponent(inner)
                allowed = root
            } else {
                url = sceneDirectory.appendingPathComponent(key)
                allowed = sceneDirectory
            }
            // A symbolic link may not lead out of the allowed folder.
            let resolved = url.standardizedFileURL.resolvingSymlinksInPath()
            allowed = allowed.standardizedFileURL
            guard resolved.path.hasPrefix(allowed.path.hasSuffix("/") ? allowed.path : allowed.path + "/") else {
                throw SceneFileError(
                    "`\(display)` leads outside \(key.hasPrefix(Self.libraryPrefix) ? "the asset library" : "the scene's directory") (through a symbolic link)"
                )
            }
            let bytes = try readDisk(resolved, display: display)
            store(key, bytes)
            return bytes
        }
    }

    private func readDisk(_ url: URL, display: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw SceneFileError("`\(display)` does not exist")
        }
        guard !isDirectory.boolValue else { throw SceneFileError("`\(display)` is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SceneFileError("`\(display)` cannot be read")
        }
        return [UInt8](data)
    }
}

import Yams

// The `assets` block and `asset:` references in objects, groups and environment pieces. Each asset is
// read and imported once per scene load; every problem (a missing file, an unknown library name,
// an import error, an unknown part or class) is reported at the scene field that names it.

extension SceneParser {
    static let assetKeys = ["file", "library", "units", "up", "class", "parts", "recolor", "class_hints"]
    static let assetUnits = ["m": 1.0, "cm": 0.01, "mm": 0.001]

    /// Reads `assets: {name: {...}, ...}` into the scene's asset table.
    func parseAssets(_ node: Node) {
        guard case .mapping(let m) = node else {
            read.report(
                node, "assets", "expected a mapping of asset names to {file | library, ...}, found \(describe(node))")
            return
        }
        for (key, value) in m {
            guard let name = read.string(key, "assets") else { continue }
            if let entry = parseAssetEntry(value, "assets.\(name)", name: name) {
                assetTable.entries[name] = entry
            } else {
                assetTable.failed.insert(name)
            }
        }
    }

    private func parseAssetEntry(_ node: Node, _ path: String, name: String) -> AssetEntry? {
        guard let f = read.fields(node, path, allowed: Self.assetKeys) else { return nil }
        var ok = true
        var unitScale = 1.0
        if let n = f["units"] {
            if case .scalar = n, n.tagName == .str, let s = n.string {
                if let v = Self.assetUnits[s] {
                    unitScale = v
                } else {
                    read.report(
                        n, f.path("units"),
                        "expected m, cm, mm or metres per file unit (a number greater than 0), found \"\(s)\"\(didYouMean(s, Array(Self.assetUnits.keys).sorted()))"
                    )
                    ok = false
                }
            } else if let v = read.number(n, f.path("units"), .positive) {
                unitScale = v
            } else {
                ok = false
            }
        }
        var up = AssetImportOptions.UpAxis.y
        if let n = f["up"] {
            if let s = read.choice(n, f.path("up"), AssetImportOptions.UpAxis.allCases.map(\.rawValue)) {
                up = AssetImportOptions.UpAxis(rawValue: s) ?? .y
            } else {
                ok = false
            }
        }
        var classID: Int?
        if let n = f["class"] {
            classID = classRef(n, f.path("class"))
            if classID == nil { ok = false }
        }
        let classHints = f["class_hints"].map { read.bool($0, f.path("class_hints")) } ?? true
        guard ok, let classHints else { return nil }

        let options = AssetImportOptions(unitScale: unitScale, upAxis: up)
        let asset: Asset?
        switch (f["file"], f["library"]) {
        case (let file?, nil):
            asset = read.string(file, f.path("file")).flatMap {
                importAsset(.file($0), name: name, options: options, node: file, path: f.path("file"))
            }
        case (nil, let library?):
            asset = read.string(library, f.path("library")).flatMap {
                importAsset(.library($0), name: name, options: options, node: library, path: f.path("library"))
            }
        case (.some, .some):
            collector.report(f.keyMark("library"), f.path("library"), "give either `file` or `library`, not both")
            return nil
        case (nil, nil):
            collector.report(
                f.mark, f.path("file"),
                "missing field `file` or `library` in `\(path)` (expected a file path relative to the scene, or a library asset name)"
            )
            return nil
        }
        guard let asset else { return nil }
        return resolveParts(asset, f, path: path, classID: classID, useHints: classHints)
    }

    /// Per-part classes (scene `parts:` over the file's hints) and the `recolor` list.
    private func resolveParts(_ asset: Asset, _ f: Fields, path: String, classID: Int?, useHints: Bool) -> AssetEntry? {
        var ok = true
        let names = asset.parts.map(\.name)
        var overrides: [String: Int] = [:]
        if let n = f["parts"] {
            if case .mapping(let m) = n {
                for (key, value) in m {
                    guard let part = read.string(key, f.path("parts")) else {
                        ok = false
                        continue
                    }
                    let partPath = f.path("parts") + ".\(part)"
                    guard names.contains(part) else {
                        read.report(
                            key, partPath,
                            "the asset `\(asset.name)` has no part `\(part)`\(didYouMean(part, names)) (parts: \(names.joined(separator: ", ")))"
                        )
                        ok = false
                        continue
                    }
                    guard let pf = read.fields(value, partPath, allowed: ["class"]),
                        let c = pf.required("class", "a class name").flatMap({ classRef($0, pf.path("class")) })
                    else {
                        ok = false
                        continue
                    }
                    overrides[part] = c
                }
            } else {
                read.report(
                    n, f.path("parts"), "expected a mapping of part names to {class: ...}, found \(describe(n))")
                ok = false
            }
        }
        var recolor: Set<String>?
        if let n = f["recolor"] {
            let items = read.list(n, f.path("recolor"), of: "part names") ?? []
            var set = Set<String>()
            for (i, item) in items.enumerated() {
                guard let part = read.string(item, f.path("recolor") + "[\(i)]") else {
                    ok = false
                    continue
                }
                if names.contains(part) {
                    set.insert(part)
                } else {
                    read.report(
                        item, f.path("recolor") + "[\(i)]",
                        "the asset `\(asset.name)` has no part `\(part)`\(didYouMean(part, names)) (parts: \(names.joined(separator: ", ")))"
                    )
                    ok = false
                }
            }
            recolor = set
        }
        var partClasses: [Int?] = []
        for part in asset.parts {
            if let c = overrides[part.name] {
                partClasses.append(c)
            } else if useHints, let hint = part.classHint, hint != asset.defaultClass {
                guard let c = classes.first(where: { $0.name == hint }) else {
                    collector.report(
                        f.mark, path,
                        "part `\(part.name)` of `\(asset.name)` has the class `\(hint)` in its file, which the scene's classes do not have; add the class, map the part with `parts: {\(part.name): {class: ...}}`, or set `class_hints: false`"
                    )
                    ok = false
                    partClasses.append(nil)
                    continue
                }
                partClasses.append(c.id)
            } else {
                partClasses.append(nil)
            }
        }
        guard ok else { return nil }
        return AssetEntry(asset: asset, classID: classID, partClasses: partClasses, recolor: recolor)
    }

    enum AssetSource {
        case file(String)
        case library(String)
    }

    /// Reads and imports an asset once; reports what went wrong at `node`.
    func importAsset(
        _ source: AssetSource, name: String, options: AssetImportOptions, node: Node, path: String
    )
        -> Asset?
    {
        let found: (key: String, bytes: [UInt8])
        do {
            switch source {
            case .file(let file):
                guard AssetImporter.extensions.contains(where: { file.lowercased().hasSuffix(".\($0)") }) else {
                    read.report(
                        node, path,
                        "expected an asset file ending in \(AssetImporter.extensions.map { ".\($0)" }.joined(separator: ", ")), found `\(file)`"
                    )
                    return nil
                }
                found = try files.read(file, from: fileKey(of: node))
            case .library(let library):
                guard let hit = try files.readLibraryAsset(library) else {
                    let known = files.libraryAssetNames()
                    let list =
                        known.isEmpty
                        ? "the asset library is empty or was not found"
                        : "library assets: \(known.joined(separator: ", "))"
                    read.report(node, path, "unknown library asset `\(library)`\(didYouMean(library, known)) (\(list))")
                    return nil
                }
                found = hit
            }
        } catch {
            read.report(node, path, "\(error)")
            return nil
        }
        let cacheKey = "\(found.key)|\(options.unitScale)|\(options.upAxis.rawValue)"
        if let asset = assetTable.imported[cacheKey] { return asset }
        let key = found.key
        do {
            let asset = try assetTable.loader.importer(found.bytes, key, name, options) { uri in
                key.hasPrefix(SceneFiles.libraryPrefix)
                    ? try files.readLibrarySibling(uri, of: key).bytes : try files.read(uri, from: key).bytes
            }
            guard !asset.parts.isEmpty else {
                read.report(node, path, "the asset `\(key)` has no meshes to draw")
                return nil
            }
            assetTable.imported[cacheKey] = asset
            return asset
        } catch let e as AssetImportError {
            read.report(node, path, "cannot import the asset: \(e)")
        } catch {
            read.report(node, path, "cannot import the asset `\(key)`: \(error)")
        }
        return nil
    }

    /// `asset: NAME`: an entry of the `assets` block, else a library asset imported with the
    /// defaults (metres, glTF's Y up).
    func assetReference(_ node: Node, _ path: String) -> AssetEntry? {
        guard let name = read.string(node, path) else { return nil }
        if let entry = assetTable.entries[name] { return entry }
        // An entry that failed was reported where it is written.
        if assetTable.failed.contains(name) { return nil }
        let libraryKey = "@library:" + name
        if let entry = assetTable.entries[libraryKey] { return entry }
        guard let asset = importAsset(.library(name), name: name, options: AssetImportOptions(), node: node, path: path)
        else { return nil }
        let hints = asset.parts.map { p -> Int? in
            guard let hint = p.classHint, hint != asset.defaultClass else { return nil }
            return classes.first { $0.name == hint }?.id
        }
        let unknown = asset.parts.enumerated().filter { i, p in
            p.classHint != nil && p.classHint != asset.defaultClass && hints[i] == nil
        }
        guard unknown.isEmpty else {
            let list = unknown.map { "`\($0.element.name)` (\($0.element.classHint ?? ""))" }.joined(separator: ", ")
            read.report(
                node, path,
                "the library asset `\(name)` gives its parts \(list) classes the scene does not have; add them to `classes`, or map the parts in an `assets:` entry (`parts:` or `class_hints: false`)"
            )
            return nil
        }
        let entry = AssetEntry(asset: asset, classID: nil, partClasses: hints, recolor: nil)
        assetTable.entries[libraryKey] = entry
        return entry
    }

    /// The class objects of an asset get without a `class:` of their own: the entry's, else the
    /// file's default class when the scene has it.
    func assetClass(_ entry: AssetEntry) -> Int? {
        entry.classID ?? entry.asset.defaultClass.flatMap { name in classes.first { $0.name == name }?.id }
    }

    /// The model of an object using `entry`: part classes equal to the object's collapse into it,
    /// and the object's color applies to the `recolor` parts (all parts without a list) only when
    /// the object gives a color.
    func assetModel(_ entry: AssetEntry, name: String, classID: Int, colorGiven: Bool) -> AssetModel {
        let classes = entry.partClasses.map { $0 == classID ? nil : $0 }
        let recolor = entry.asset.parts.map { p in colorGiven && (entry.recolor?.contains(p.name) ?? true) }
        return AssetModel(name: name, asset: entry.asset, partClasses: classes, recolor: recolor)
    }
}

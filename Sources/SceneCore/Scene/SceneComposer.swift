import Foundation
import Yams

// Reuse across files and named blocks, resolved on the YAML tree before any section parser runs
// (docs/SCENE_FORMAT.md, "Reuse" and "Named blocks"):
//
//   extends: base.yaml          the file deep-merges over the base (itself resolved first)
//   include: [a.yaml, b.yaml]   whole top-level sections from other files, layered over the base
//   palettes / camera_rigs / populations
//                               named blocks, substituted where `colors: NAME`, `camera: {rig: NAME}`
//                               and `groups: [{use: NAME}]` name them
//
// Layers, lowest first: the `extends` base, the included sections, the file's own fields. Each layer
// deep-merges over the one below: mappings merge key by key, any other value (lists too) replaces,
// `{append: [...]}` appends to the list below and `key: null` removes a field the layer below set.
// A `camera` that names a rig replaces the camera below it: it is that rig.
//
// Every file is composed by Yams on its own range of virtual lines (SourceMap), so each node of the
// merged tree still says which file and line it was written on, and a problem the section parsers
// find in an included file is reported in that file.

/// Reads the files of a scene through `SceneFiles` and merges them into the one tree that
/// `SceneParser` reads. Problems are reported to the collector; the tree is as complete as the
/// files allow, so that the parsers still find the problems elsewhere.
struct SceneComposer {
    /// Files may extend or include each other this many levels deep.
    static let maxDepth = 16
    /// At most this many files make one scene.
    static let maxFiles = 256
    /// Top-level keys the composer consumes; the section parsers never see them.
    static let consumedKeys = ["extends", "include", "palettes", "camera_rigs", "populations"]

    let files: SceneFiles
    let sources: SourceMap
    let collector: IssueCollector
    let read: FieldReader
    /// Each file resolved once (a file two others include is the same file); nil: it failed.
    private var resolved: [String: Node?] = [:]
    /// The files being resolved, outermost first, for cycles.
    private var chain: [String] = []
    /// Whether a file named by `extends` or `include` could not be used (reported where it is named).
    private var missedAFile = false
    /// Sections a scene must have; when a file could not be used, their absence is not reported again.
    static let requiredSections = ["classes", "camera"]
    /// The most nodes the tree walks below visit. Aliases let a small file stand for a tree of
    /// exponential size (`a: &a [1, 1]`, `b: &b [*a, *a]`, ...), which a walk over every node would never
    /// finish; past this many the walks stop and the scene is rejected.
    static let maxNodes = 1_000_000
    private let budget = NodeBudget()

    init(files: SceneFiles, sources: SourceMap, collector: IssueCollector) {
        self.files = files
        self.sources = sources
        self.collector = collector
        self.read = FieldReader(collector: collector)
    }

    /// The scene as one tree; nil (after reporting) when the scene file itself cannot be read, is not
    /// YAML or is empty. A root that is not a mapping is returned as it is, for the parser to report.
    mutating func composeScene() -> Node? {
        let display = files.rootDisplayName
        let bytes: [UInt8]
        do {
            bytes = try files.readRoot()
        } catch {
            collector.report(nil, "", "scene file \(error)")
            return nil
        }
        guard let text = Self.text(bytes) else {
            collector.report(nil, "", "scene file `\(display)` is not UTF-8 text")
            return nil
        }
        guard
            let root = compose(
                text, key: files.rootKey, displayName: display,
                empty: "the scene file is empty (expected a mapping with `format: \(SceneLoader.formatVersion)`)")
        else { return nil }
        guard case .mapping = root else { return root }
        chain = [files.rootKey]
        let merged = resolve(root, key: files.rootKey, isRoot: true)
        if missedAFile, case .mapping(let m) = merged {
            // The missing file may well have held them.
            for section in Self.requiredSections where !m.contains(where: { $0.key.scalarName == section }) {
                collector.suppress(section)
            }
        }
        return expandNamedBlocks(merged)
    }

    // MARK: reading one file

    private static func text(_ bytes: [UInt8]) -> String? {
        guard var text = String(bytes: bytes, encoding: .utf8) else { return nil }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }

    /// Composes one file on its own virtual lines; nil after reporting a YAML error or an empty file.
    private func compose(_ text: String, key: String, displayName: String, empty: String) -> Node? {
        let (offset, composable) = sources.register(key: key, displayName: displayName, text: text)
        let node: Node?
        do {
            node = try Yams.compose(yaml: composable)
        } catch {
            reportYAMLError(error, yaml: composable)
            return nil
        }
        guard let node else {
            collector.report(Position(line: offset + 1, column: 1), "", empty)
            return nil
        }
        return node
    }

    private func reportYAMLError(_ error: Error, yaml: String) {
        func contextWords(_ context: YamlError.Context?) -> String {
            guard let c = context, let (_, line) = sources.locate(virtualLine: c.mark.line) else { return "" }
            return " (\(c.text) at line \(line), column \(c.mark.column))"
        }
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            collector.report(mark, "", "invalid YAML: \(problem)\(contextWords(context))")
        case YamlError.reader(let problem, let offset, _, _):
            var mark: Position?
            if let offset {
                let prefix = yaml.prefix(offset)
                let line = prefix.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
                let column =
                    prefix.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).last.map {
                        $0.unicodeScalars.count + 1
                    } ?? 1
                mark = Position(line: line, column: column)
            }
            collector.report(mark, "", "invalid YAML: \(problem)")
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            collector.report(
                context.mark, duplicates.first ?? "",
                "invalid YAML: the field \(names) appears more than once in one mapping")
        default:
            collector.report(nil, "", "invalid YAML: \(error)")
        }
    }

    /// How messages name a file other than the scene file: its key beside the scene file's path.
    private func displayName(_ key: String) -> String {
        let directory = (files.rootDisplayName as NSString).deletingLastPathComponent
        return directory.isEmpty ? key : "\(directory)/\(key)"
    }

    // MARK: extends and include

    /// A file's tree with its `extends` base and included sections merged under its own fields.
    /// Files other than the scene file must say `format:` too; it is checked and dropped here, so the
    /// scene's version is the scene file's own.
    private mutating func resolve(_ node: Node, key: String, isRoot: Bool) -> Node {
        guard case .mapping(let mapping) = node else { return node }
        var own: [(Node, Node)] = []
        var extendsNode: Node?, includeNode: Node?
        for (k, v) in mapping {
            switch k.scalarName {
            case "extends": extendsNode = v
            case "include": includeNode = v
            case "format" where !isRoot: checkFormat(v)
            default: own.append((k, v))
            }
        }
        if !isRoot, !mapping.contains(where: { $0.key.scalarName == "format" }) {
            collector.report(
                mapping.mark, "format",
                "missing required field `format` at the top level (expected the format version, `format: \(SceneLoader.formatVersion)`)"
            )
        }
        var below: Node? = nil
        if let extendsNode { below = reference(extendsNode, "extends", from: key) }
        if let includeNode {
            let ownNames = Set(own.compactMap { $0.0.scalarName })
            if let sections = includedSections(includeNode, from: key, ownNames: ownNames) {
                below = merge(below, sections, "")
            }
        }
        return merge(below, .mapping(Node.Mapping(own, mapping.tag, mapping.style, mapping.mark)), "")
    }

    private func checkFormat(_ node: Node) {
        guard let version = read.integer(node, "format", min: 1) else { return }
        if version != SceneLoader.formatVersion {
            read.report(
                node, "format",
                "unsupported format version \(version); this build reads format \(SceneLoader.formatVersion)")
        }
    }

    /// The resolved tree of the file a path names (relative to the file `from`); nil after reporting.
    private mutating func reference(_ node: Node, _ path: String, from: String) -> Node? {
        let result = load(node, path, from: from)
        if result == nil { missedAFile = true }
        return result
    }

    private mutating func load(_ node: Node, _ path: String, from: String) -> Node? {
        guard let name = read.string(node, path) else { return nil }
        let key: String
        do {
            key = try files.key(for: name, from: from)
        } catch {
            read.report(node, path, "\(error)")
            return nil
        }
        if let start = chain.firstIndex(of: key) {
            let cycle = (chain[start...] + [key]).joined(separator: " → ")
            read.report(node, path, "`\(name)` is already being loaded: the files form a cycle, \(cycle)")
            return nil
        }
        if chain.count >= Self.maxDepth {
            read.report(
                node, path,
                "files nest more than \(Self.maxDepth) deep (\((chain + [key]).joined(separator: " → ")))")
            return nil
        }
        if let done = resolved[key] { return done }
        guard sources.sources.count < Self.maxFiles else {
            read.report(node, path, "a scene may be made of at most \(Self.maxFiles) files")
            return nil
        }
        let bytes: [UInt8]
        do {
            bytes = try files.read(name, from: from).bytes
        } catch {
            read.report(node, path, "\(error)")
            return nil
        }
        guard let text = Self.text(bytes) else {
            read.report(node, path, "`\(name)` is not UTF-8 text")
            return nil
        }
        let expected = "a mapping with `format: \(SceneLoader.formatVersion)` and top-level sections"
        guard
            let root = compose(
                text, key: key, displayName: displayName(key), empty: "the file is empty (expected \(expected))")
        else {
            resolved[key] = .some(nil)
            return nil
        }
        guard case .mapping = root else {
            read.report(root, "", "expected \(expected), found \(describe(root))")
            resolved[key] = .some(nil)
            return nil
        }
        chain.append(key)
        let result = resolve(root, key: key, isRoot: false)
        chain.removeLast()
        resolved[key] = result
        return result
    }

    /// The top-level sections of the included files as one mapping. Two files may not define one
    /// section unless the including file defines it itself (`ownNames`): then the included ones are
    /// left out and the file's own is used.
    private mutating func includedSections(_ node: Node, from: String, ownNames: Set<String>) -> Node? {
        var items: [(Node, String)] = []
        switch node {
        case .sequence(let s): items = s.enumerated().map { ($0.element, "include[\($0.offset)]") }
        case .scalar where node.tagName == .str: items = [(node, "include")]
        default:
            read.report(node, "include", "expected a file path or a list of file paths, found \(describe(node))")
            return nil
        }
        var pairs: [(key: Node, value: Node, path: String)] = []
        var clashing: Set<String> = []
        for (item, path) in items {
            guard let included = reference(item, path, from: from), case .mapping(let sections) = included else {
                continue
            }
            for (k, v) in sections {
                guard let name = k.scalarName else { continue }
                if let first = pairs.first(where: { $0.key.scalarName == name }) {
                    // The same definition reached through two files (a shared include) is no clash.
                    if first.key.mark?.line == k.mark?.line && first.key.mark?.column == k.mark?.column { continue }
                    if !ownNames.contains(name) && !clashing.contains(name) {
                        read.report(
                            item, path,
                            "the section `\(name)` is defined by two included files, at \(sources.describe(first.key.mark)) (\(first.path)) and at \(sources.describe(k.mark)); define `\(name)` in this file to choose"
                        )
                    }
                    clashing.insert(name)
                    continue
                }
                pairs.append((k, v, path))
            }
        }
        let kept = pairs.filter { !clashing.contains($0.key.scalarName ?? "") }.map { ($0.key, $0.value) }
        return .mapping(Node.Mapping(kept, Tag(.map), .block, node.mark))
    }

    /// `over` deep-merged over `below` (see the top of this file).
    private func merge(_ below: Node?, _ over: Node, _ path: String) -> Node {
        guard spend(over) else { return over }
        if case .mapping(let m) = over, m.count == 1, let (k, items) = m.first, k.scalarName == "append" {
            guard case .sequence(let added) = items else {
                read.report(items, join(path, "append"), "expected a list to append, found \(describe(items))")
                collector.suppress(path)
                return items
            }
            switch below {
            case nil: return items
            case .sequence(let base)?:
                return .sequence(Node.Sequence(Array(base) + Array(added), base.tag, base.style, m.mark))
            case let other?:
                read.report(
                    over, path,
                    "`append` adds to a list, but the value below it (at \(sources.describe(other.mark))) is \(describe(other))"
                )
                collector.suppress(path)
                return items
            }
        }
        guard case .mapping(let o) = over else { return over }
        // A camera that names a rig is that rig (with its own overrides), not the camera below.
        let startsOver = path == "camera" && o.contains { $0.key.scalarName == "rig" }
        guard case .mapping(let b)? = below, !startsOver else {
            // Nothing to merge with, but `{append: ...}` and `null` further down still need resolving.
            let pairs = o.map { pair in
                (pair.key, pair.key.scalarName.map { merge(nil, pair.value, join(path, $0)) } ?? pair.value)
            }
            return .mapping(Node.Mapping(pairs, o.tag, o.style, o.mark))
        }
        var pairs: [(Node, Node)] = []
        var taken: Set<String> = []
        for (bk, bv) in b {
            guard let name = bk.scalarName, let (ok, ov) = o.first(where: { $0.key.scalarName == name }) else {
                pairs.append((bk, bv))
                continue
            }
            taken.insert(name)
            if ov.tagName == .null { continue }  // `key: null` removes what the layer below set
            pairs.append((ok, merge(bv, ov, join(path, name))))
        }
        for (ok, ov) in o where !taken.contains(ok.scalarName ?? "\u{0}") {
            pairs.append((ok, ok.scalarName.map { merge(nil, ov, join(path, $0)) } ?? ov))
        }
        return .mapping(Node.Mapping(pairs, o.tag, o.style, o.mark))
    }

    // MARK: named blocks

    /// Substitutes `camera: {rig: NAME}`, `groups: [{use: NAME}]` and `colors: NAME`, and drops the
    /// blocks and the other keys consumed here.
    private func expandNamedBlocks(_ root: Node) -> Node {
        guard case .mapping(let m) = root else { return root }
        let palettes = namedBlocks(m, "palettes", "a list of colors")
        let rigs = namedBlocks(m, "camera_rigs", "a camera mapping")
        let populations = namedBlocks(m, "populations", "a group mapping")
        var validPalettes: [String: Node] = [:]
        for (name, node) in palettes.entries where read.palette(node, "palettes.\(name)") != nil {
            validPalettes[name] = node
        }
        for (name, node) in rigs.entries { forbidNesting(node, "camera_rigs.\(name)", key: "rig", "camera rig") }
        for (name, node) in populations.entries {
            forbidNesting(node, "populations.\(name)", key: "use", "population")
        }

        var pairs: [(Node, Node)] = []
        for (k, v) in m {
            guard let name = k.scalarName else {
                pairs.append((k, v))
                continue
            }
            if Self.consumedKeys.contains(name) { continue }
            var value = v
            if name == "camera" { value = useBlock(v, "camera", key: "rig", rigs, what: "camera rig") }
            if name == "groups", case .sequence(let items) = v {
                let expanded = items.enumerated().map {
                    useBlock($0.element, "groups[\($0.offset)]", key: "use", populations, what: "population")
                }
                value = .sequence(Node.Sequence(expanded, items.tag, items.style, items.mark))
            }
            pairs.append((k, substitutePalettes(value, name, palettes.names, validPalettes)))
        }
        return .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark))
    }

    /// The entries of a named-block section (`palettes: {name: ...}`), in file order.
    private func namedBlocks(
        _ root: Node.Mapping, _ section: String, _ what: String
    ) -> (
        names: [String], entries: [(String, Node)]
    ) {
        guard let node = root.first(where: { $0.key.scalarName == section })?.value else { return ([], []) }
        guard case .mapping(let m) = node else {
            read.report(node, section, "expected a mapping of names to \(what)s, found \(describe(node))")
            return ([], [])
        }
        var entries: [(String, Node)] = []
        for (k, v) in m {
            guard case .scalar(let s) = k, k.tagName != .null else {
                read.report(k, section, "expected a name, found \(describe(k))")
                continue
            }
            entries.append((s.string, v))
        }
        return (entries.map(\.0), entries)
    }

    private func forbidNesting(_ node: Node, _ path: String, key: String, _ what: String) {
        guard case .mapping(let m) = node else {
            read.report(node, path, "expected a mapping (a \(what)), found \(describe(node))")
            return
        }
        if let (k, _) = m.first(where: { $0.key.scalarName == key }) {
            read.report(k, join(path, key), "a \(what) cannot `\(key)` another one; write its fields out")
        }
    }

    /// `{KEY: NAME, ...overrides}` with the named block merged under the overrides. An unknown name is
    /// reported and the entry's other problems are not (they would only follow from the missing block).
    private func useBlock(
        _ node: Node, _ path: String, key: String, _ blocks: (names: [String], entries: [(String, Node)]),
        what: String
    ) -> Node {
        guard case .mapping(let m) = node, let (_, nameNode) = m.first(where: { $0.key.scalarName == key }) else {
            return node
        }
        let overrides = Node.mapping(
            Node.Mapping(m.filter { $0.key.scalarName != key }.map { ($0.key, $0.value) }, m.tag, m.style, m.mark))
        guard let name = read.string(nameNode, join(path, key)) else {
            collector.suppress(path)
            return overrides
        }
        guard let block = blocks.entries.first(where: { $0.0 == name })?.1 else {
            let section = key == "rig" ? "camera_rigs" : "populations"
            let known =
                blocks.names.isEmpty
                ? "the scene defines no `\(section)`" : "\(section): \(blocks.names.joined(separator: ", "))"
            // A file that could not be read may have defined it; that file was reported.
            if !missedAFile {
                read.report(
                    nameNode, join(path, key), "unknown \(what) `\(name)`\(didYouMean(name, blocks.names)) (\(known))")
            }
            collector.suppress(path)
            return overrides
        }
        guard case .mapping = block else {
            collector.suppress(path)  // the block itself was reported
            return overrides
        }
        return merge(block, overrides, path)
    }

    /// Replaces every `colors: NAME` with the palette's list. A name that is not a palette is reported
    /// (unless a file that could not be read may have defined it) and the field dropped (the class
    /// color stands in), and so is a palette with a bad color, which was reported where it is defined.
    private func substitutePalettes(_ node: Node, _ path: String, _ names: [String], _ valid: [String: Node]) -> Node {
        guard spend(node) else { return node }
        switch node {
        case .sequence(let s):
            let items = s.enumerated().map { substitutePalettes($0.element, "\(path)[\($0.offset)]", names, valid) }
            return .sequence(Node.Sequence(items, s.tag, s.style, s.mark))
        case .mapping(let m):
            var pairs: [(Node, Node)] = []
            for (k, v) in m {
                let field = join(path, k.scalarName ?? "")
                guard k.scalarName == "colors", case .scalar(let s) = v, v.tagName == .str else {
                    pairs.append((k, substitutePalettes(v, field, names, valid)))
                    continue
                }
                if let palette = valid[s.string] {
                    pairs.append((k, palette))
                } else if !names.contains(s.string), !missedAFile {
                    let known =
                        names.isEmpty ? "the scene defines no `palettes`" : "palettes: \(names.joined(separator: ", "))"
                    let hint = s.string.hasPrefix("#") ? "; a single color goes in `color`" : ""
                    read.report(
                        v, field, "unknown palette `\(s.string)`\(didYouMean(s.string, names)) (\(known))\(hint)")
                }
            }
            return .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark))
        default:
            return node
        }
    }
}

extension SceneComposer {
    /// Counts a visited node; false (after reporting once) when the walks have visited too many.
    private func spend(_ node: Node) -> Bool {
        budget.remaining -= 1
        guard budget.remaining < 0 else { return true }
        if budget.remaining == -1 {
            read.report(
                node, "",
                "the scene is too large: more than \(Self.maxNodes) YAML nodes once aliases are expanded (aliases of aliases nested too deep?)"
            )
        }
        return false
    }
}

/// How many more nodes the composer's walks may visit.
private final class NodeBudget {
    var remaining = SceneComposer.maxNodes
}

extension Node {
    /// The text of a scalar key (nil for anything else, and for null).
    var scalarName: String? {
        guard case .scalar(let s) = self, tagName != .null else { return nil }
        return s.string
    }
}

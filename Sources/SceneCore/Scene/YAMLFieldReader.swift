import Yams

// Typed reading of a composed YAML tree with every problem collected, not thrown: each accessor
// reports what it expected and what it found at the node's own line and column, and returns nil so
// that the caller carries on with the next field.

/// A 1-based line and column (Yams' `Mark` cannot be created outside Yams).
struct Position {
    var line: Int
    var column: Int
}

protocol HasPosition {
    var line: Int { get }
    var column: Int { get }
}

extension Mark: HasPosition {}
extension Position: HasPosition {}

extension Node {
    /// The resolved tag's name (`Tag.name` is internal to Yams).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.description) }
}

/// Collects the issues of one scene, whose nodes may come from several files: a mark's line is a
/// virtual line of `sources`, turned back into the file and its own line here.
final class IssueCollector {
    /// The scene file itself, as named in messages.
    let file: String
    let sources: SourceMap
    private var reported: [(order: (Int, Int, Int), issue: SceneIssue)] = []

    init(sources: SourceMap) {
        self.sources = sources
        self.file = sources.rootDisplayName
    }

    /// In the order they were reported.
    var issues: [SceneIssue] { reported.map(\.issue) }

    /// Sorted by file (in the order the files were read: the scene file first), then line and column;
    /// issues without a position come first.
    var sortedIssues: [SceneIssue] { reported.sorted { $0.order < $1.order }.map(\.issue) }

    /// Field paths whose further problems are not reported: they would only follow from one already
    /// reported (a group whose `use:` names no population lacks every field the population had).
    private var suppressed: [String] = []

    func suppress(_ path: String) { suppressed.append(path) }

    func report(_ mark: HasPosition?, _ path: String, _ message: String) {
        let hidden = suppressed.contains { p in
            path == p || path.hasPrefix(p + ".") || path.hasPrefix(p + "[")
        }
        if hidden { return }
        let at = location(mark, path)
        let order = (mark?.line ?? 0, mark?.column ?? 0, reported.count)
        reported.append(
            (order, SceneIssue(file: at.file, line: at.line, column: at.column, path: path, message: message)))
    }

    func location(_ mark: HasPosition?, _ path: String) -> SourceLocation {
        guard let mark, let (source, line) = sources.locate(virtualLine: mark.line) else {
            return SourceLocation(file: file, line: 0, column: 0, path: path)
        }
        return SourceLocation(file: source.displayName, line: line, column: mark.column, path: path)
    }
}

/// A bound a number must satisfy, with the words that explain it.
enum NumberBound {
    case any
    case positive
    case nonNegative
    /// lo < v < hi
    case open(Double, Double)
    /// lo <= v <= hi
    case closed(Double, Double)

    func accepts(_ v: Double) -> Bool {
        switch self {
        case .any: return true
        case .positive: return v > 0
        case .nonNegative: return v >= 0
        case .open(let lo, let hi): return v > lo && v < hi
        case .closed(let lo, let hi): return v >= lo && v <= hi
        }
    }

    var words: String {
        switch self {
        case .any: return "a number"
        case .positive: return "a number greater than 0"
        case .nonNegative: return "a number of at least 0"
        case .open(let lo, let hi): return "a number strictly between \(format(lo)) and \(format(hi))"
        case .closed(let lo, let hi): return "a number from \(format(lo)) to \(format(hi))"
        }
    }
}

/// 3.0 -> "3", 0.25 -> "0.25".
func format(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
}

/// Names a node's kind and value for "found ..." messages.
func describe(_ node: Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence(let s): return "a list of \(s.count)"
    case .alias: return "an alias"
    case .scalar(let s):
        switch node.tagName {
        case .null: return "nothing (null)"
        case .bool: return "the boolean `\(s.string)`"
        case .int, .float: return "the number \(s.string)"
        default: return "the string \"\(s.string)\""
        }
    }
}

/// Edit distance for "did you mean" hints: insertions, deletions, substitutions and swaps of two
/// neighbouring letters each cost 1 (optimal string alignment), ignoring case.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

/// The closest candidate within a distance that still reads as a typo, if any.
func suggestion(for word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word, $0)) }.sorted { $0.1 < $1.1 }
    guard let best = scored.first else { return nil }
    let limit = Swift.max(1, Swift.min(3, Swift.max(word.count, best.0.count) / 3))
    return best.1 <= limit ? best.0 : nil
}

func didYouMean(_ word: String, _ candidates: [String]) -> String {
    suggestion(for: word, among: candidates).map { "; did you mean `\($0)`?" } ?? ""
}

/// A mapping whose keys were checked against the allowed set.
struct Fields {
    let collector: IssueCollector
    let node: Node
    let path: String
    private var values: [String: Node] = [:]
    private var keyMarks: [String: Mark] = [:]

    /// Reports unknown keys (with a suggestion) and non-string keys.
    init(_ node: Node, _ mapping: Node.Mapping, path: String, allowed: [String], collector: IssueCollector) {
        self.collector = collector
        self.node = node
        self.path = path
        for (key, value) in mapping {
            guard case .scalar(let k) = key, key.tagName != .null else {
                collector.report(key.mark, path, "expected a field name, found \(describe(key))")
                continue
            }
            let name = k.string
            if allowed.contains(name) {
                values[name] = value
                keyMarks[name] = key.mark
            } else {
                let within = path.isEmpty ? "at the top level" : "in `\(path)`"
                collector.report(
                    key.mark, join(path, name),
                    "unknown field `\(name)` \(within)\(didYouMean(name, allowed)) (known fields: \(allowed.joined(separator: ", ")))"
                )
            }
        }
    }

    var mark: Mark? { node.mark }
    func has(_ key: String) -> Bool { values[key] != nil }
    subscript(key: String) -> Node? { values[key] }
    func keyMark(_ key: String) -> Mark? { keyMarks[key] }
    func path(_ key: String) -> String { join(path, key) }

    /// The value of a field that must be present; reports it missing otherwise.
    func required(_ key: String, _ expected: String) -> Node? {
        if let v = values[key] { return v }
        let within = path.isEmpty ? "at the top level" : "in `\(path)`"
        collector.report(mark, join(path, key), "missing required field `\(key)` \(within) (expected \(expected))")
        return nil
    }
}

func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

/// Typed accessors. Each returns nil after reporting when the node does not fit.
struct FieldReader {
    let collector: IssueCollector

    func report(_ node: Node, _ path: String, _ message: String) { collector.report(node.mark, path, message) }

    func fields(_ node: Node, _ path: String, allowed: [String]) -> Fields? {
        guard case .mapping(let m) = node else {
            report(
                node, path, "expected a mapping with fields \(allowed.joined(separator: ", ")), found \(describe(node))"
            )
            return nil
        }
        return Fields(node, m, path: path, allowed: allowed, collector: collector)
    }

    func list(_ node: Node, _ path: String, of what: String) -> [Node]? {
        guard case .sequence(let s) = node else {
            report(node, path, "expected a list of \(what), found \(describe(node))")
            return nil
        }
        return Array(s)
    }

    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let s) = node, node.tagName == .str else {
            report(node, path, "expected a string, found \(describe(node))")
            return nil
        }
        return s.string
    }

    /// A string that must be one of `choices`.
    func choice(_ node: Node, _ path: String, _ choices: [String]) -> String? {
        guard let s = string(node, path) else { return nil }
        guard choices.contains(s) else {
            report(
                node, path,
                "expected one of \(choices.joined(separator: ", ")), found \"\(s)\"\(didYouMean(s, choices))")
            return nil
        }
        return s
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard node.tagName == .bool, let b = node.bool else {
            report(node, path, "expected true or false, found \(describe(node))")
            return nil
        }
        return b
    }

    /// Any finite number, without a bound check.
    func rawNumber(_ node: Node) -> Double? {
        guard case .scalar = node else { return nil }
        switch node.tagName {
        case .int: return node.int.map(Double.init) ?? node.float
        case .float: return node.float.flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    func number(_ node: Node, _ path: String, _ bound: NumberBound = .any) -> Double? {
        guard let v = rawNumber(node) else {
            report(node, path, "expected \(bound.words), found \(describe(node))")
            return nil
        }
        guard bound.accepts(v) else {
            report(node, path, "expected \(bound.words), found \(format(v))")
            return nil
        }
        return v
    }

    func integer(_ node: Node, _ path: String, min: Int, max: Int = Int.max) -> Int? {
        let words = max == Int.max ? "a whole number of at least \(min)" : "a whole number from \(min) to \(max)"
        guard case .scalar = node, node.tagName == .int, let v = node.int else {
            if let d = rawNumber(node) {
                report(node, path, "expected \(words), found the fraction \(format(d))")
            } else {
                report(node, path, "expected \(words), found \(describe(node))")
            }
            return nil
        }
        guard v >= min && v <= max else {
            report(node, path, "expected \(words), found \(v)")
            return nil
        }
        return v
    }

    /// A number, `[min, max]` for a uniform draw, or a distribution mapping (see
    /// `distribution(_:_:_:)`). Every value the result can take satisfies `bound`.
    func random(_ node: Node, _ path: String, _ bound: NumberBound = .any) -> RandomValue? {
        switch node {
        case .sequence: return uniformRange(node, path, bound)
        case .mapping: return distribution(node, path, bound)
        default:
            guard rawNumber(node) != nil else {
                report(
                    node, path,
                    "expected \(bound.words), a range [min, max] or a distribution (\(Self.distributionKinds.joined(separator: ", "))), found \(describe(node))"
                )
                return nil
            }
            return number(node, path, bound).map { .fixed($0) }
        }
    }

    /// `[min, max]`, both ends satisfying `bound`.
    func uniformRange(_ node: Node, _ path: String, _ bound: NumberBound) -> RandomValue? {
        guard case .sequence(let s) = node, s.count == 2 else {
            report(node, path, "expected a number or a range [min, max], found \(describe(node))")
            return nil
        }
        let lo = number(s[0], path + "[0]", bound), hi = number(s[1], path + "[1]", bound)
        guard let lo, let hi else { return nil }
        guard lo <= hi else {
            report(
                node, path,
                "expected a range [min, max] with min <= max, found min \(format(lo)) > max \(format(hi))")
            return nil
        }
        return lo == hi ? .fixed(lo) : .uniform(min: lo, max: hi)
    }

    /// A jitter amplitude: `a` means [-a, a]; `[min, max]` and distributions are taken as written.
    func jitter(_ node: Node, _ path: String) -> RandomValue? {
        switch node {
        case .sequence, .mapping: return random(node, path)
        default:
            guard let a = number(node, path, .nonNegative) else { return nil }
            return a == 0 ? .fixed(0) : .uniform(min: -a, max: a)
        }
    }

    /// A closed interval `[min, max]` (not randomized: a region bound).
    func interval(_ node: Node, _ path: String) -> (Double, Double)? {
        guard case .sequence(let s) = node, s.count == 2 else {
            report(node, path, "expected a range [min, max], found \(describe(node))")
            return nil
        }
        guard let lo = number(s[0], path + "[0]"), let hi = number(s[1], path + "[1]") else { return nil }
        guard lo <= hi else {
            report(
                node, path, "expected a range [min, max] with min <= max, found min \(format(lo)) > max \(format(hi))")
            return nil
        }
        return (lo, hi)
    }

    /// `[a, b, ...]` of exactly `count` elements read by `element`.
    func tuple<T>(_ node: Node, _ path: String, count: Int, what: String, _ element: (Node, String) -> T?) -> [T]? {
        guard case .sequence(let s) = node, s.count == count else {
            report(node, path, "expected \(what), found \(describe(node))")
            return nil
        }
        var out: [T] = []
        for (i, n) in s.enumerated() {
            if let v = element(n, "\(path)[\(i)]") { out.append(v) }
        }
        return out.count == count ? out : nil
    }

    func vec3(_ node: Node, _ path: String) -> Vec3? {
        tuple(node, path, count: 3, what: "[x, y, z] (three numbers)") { number($0, $1) }.map {
            Vec3($0[0], $0[1], $0[2])
        }
    }

    func randomVec3(_ node: Node, _ path: String, _ bound: NumberBound = .any) -> RandomVec3? {
        tuple(node, path, count: 3, what: "[x, y, z] (three numbers or [min, max] ranges)") { random($0, $1, bound) }
            .map { RandomVec3($0[0], $0[1], $0[2]) }
    }

    /// `[r, g, b]` in sRGB 0...255 or `"#rrggbb"`; returned as sRGB 0...255 integers.
    func srgb(_ node: Node, _ path: String) -> [Int]? {
        let expected = "a color [r, g, b] with 0...255 channels or \"#rrggbb\""
        if case .scalar(let s) = node, node.tagName == .str {
            let hex = s.string
            guard hex.count == 7, hex.first == "#", let v = Int(hex.dropFirst(), radix: 16) else {
                report(node, path, "expected \(expected), found \(describe(node))")
                return nil
            }
            return [(v >> 16) & 255, (v >> 8) & 255, v & 255]
        }
        guard case .sequence(let seq) = node, seq.count == 3 else {
            report(node, path, "expected \(expected), found \(describe(node))")
            return nil
        }
        var out: [Int] = []
        for (i, n) in seq.enumerated() {
            if let c = integer(n, "\(path)[\(i)]", min: 0, max: 255) { out.append(c) }
        }
        return out.count == 3 ? out : nil
    }

    /// A color converted to linear RGB.
    func color(_ node: Node, _ path: String) -> RGB? { srgb(node, path).map(linearRGB) }

    /// A non-empty list of colors.
    func palette(_ node: Node, _ path: String) -> [RGB]? {
        guard let items = list(node, path, of: "colors") else { return nil }
        guard !items.isEmpty else {
            report(node, path, "expected at least one color, found an empty list")
            return nil
        }
        let colors = items.enumerated().compactMap { color($0.element, "\(path)[\($0.offset)]") }
        return colors.count == items.count ? colors : nil
    }
}

/// sRGB 0...255 to linear 0...1 (the IEC 61966-2-1 transfer function).
public func linearRGB(_ srgb: [Int]) -> RGB {
    func channel(_ c: Int) -> Double {
        let s = Double(c) / 255
        return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
    }
    return RGB(channel(srgb[0]), channel(srgb[1]), channel(srgb[2]))
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import Yams

/// Which file each line of a composed scene came from.
///
/// A scene may be several files (`extends`, `include`), merged into one YAML tree before the section
/// parsers run, and the parsers report problems by a node's Yams mark — a line and a column, with no
/// file. So every file is composed on its own range of *virtual* lines: file k's text is composed
/// after `offset_k` empty lines, its marks read `offset_k + line`, and `locate(virtualLine:)` turns
/// a mark back into (file, line). The scene file itself has offset 0, so a scene of one file has
/// marks that are its own lines.
final class SourceMap {
    struct Source {
        /// The file's key in `SceneFiles` (its path relative to the scene's directory).
        var key: String
        /// How messages name the file.
        var displayName: String
        /// Virtual line `offset + n` is line n of this file.
        var offset: Int
        var lineCount: Int
    }

    /// How messages name the scene file itself (and issues without a position).
    let rootDisplayName: String
    private(set) var sources: [Source] = []
    private var nextOffset = 0

    init(rootDisplayName: String) { self.rootDisplayName = rootDisplayName }

    /// Registers a file's text and returns the text to compose in its place: `text` after as many
    /// newlines as the file's offset.
    func register(key: String, displayName: String, text: String) -> (offset: Int, composable: String) {
        // Every character that may end a line (a superset of YAML's breaks): counting one too many
        // only leaves a gap, one too few would let the file's last marks fall in the next file's range.
        let lineCount = text.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        let offset = nextOffset
        sources.append(Source(key: key, displayName: displayName, offset: offset, lineCount: lineCount))
        // One spare line past the end: Yams puts end-of-input marks there.
        nextOffset += lineCount + 2
        return (offset, String(repeating: "\n", count: offset) + text)
    }

    /// The file and its own line for a virtual line; nil for line 0 (no position).
    func locate(virtualLine: Int) -> (source: Source, line: Int)? {
        guard virtualLine > 0 else { return nil }
        guard let source = sources.last(where: { $0.offset < virtualLine }) else { return nil }
        return (source, virtualLine - source.offset)
    }

    /// The file a node was read from (its key in `SceneFiles`); nil for a node without a mark.
    func key(of mark: Mark?) -> String? {
        mark.flatMap { locate(virtualLine: $0.line)?.source.key }
    }

    /// `file:line:column` of a mark, as messages write a second location.
    func describe(_ mark: Mark?) -> String {
        guard let mark, let (source, line) = locate(virtualLine: mark.line) else { return rootDisplayName }
        return "\(source.displayName):\(line):\(mark.column)"
    }
}

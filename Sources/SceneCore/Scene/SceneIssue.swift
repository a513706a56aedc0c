/// Where something sits in a scene file: the file, a 1-based line and column (0 when unknown, as for
/// a file that could not be read), and the field path (`groups[2].count`).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var path: String

    public init(file: String, line: Int, column: Int, path: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// `file:line:column` (or just `file` when the position is unknown), the form editors jump to.
    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

/// One problem found while loading a scene file.
public struct SceneIssue: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem has no position (the file could not be read).
    public var line: Int
    /// 1-based, counted in Unicode scalars; 0 when unknown.
    public var column: Int
    /// The field the problem is about, `groups[2].count`; empty for the whole file.
    public var path: String
    /// What was expected and what was found, with a "did you mean" hint where one applies.
    public var message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column, path: path) }

    /// `scenes/a.yaml:12:7: groups[2].count: expected ..., found ...`
    public var description: String {
        let position = line > 0 ? "\(file):\(line):\(column)" : file
        return path.isEmpty ? "\(position): \(message)" : "\(position): \(path): \(message)"
    }
}

/// Everything wrong with a scene file, collected in one pass. Thrown by `SceneLoader`.
public struct SceneLoadError: Error, Sendable, CustomStringConvertible {
    /// Sorted by file position; never empty.
    public var issues: [SceneIssue]

    public init(issues: [SceneIssue]) { self.issues = issues }

    /// One issue per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// A frame that could not be sampled: a group whose objects could not all be placed with their
/// `min_spacing` within the bounded number of attempts.
public struct FrameSamplingError: Error, Sendable, CustomStringConvertible {
    public var frameIndex: Int
    public var seed: UInt64
    /// The group that failed (its `count` field) in the scene file.
    public var location: SourceLocation
    public var message: String

    public init(frameIndex: Int, seed: UInt64, location: SourceLocation, message: String) {
        self.frameIndex = frameIndex
        self.seed = seed
        self.location = location
        self.message = message
    }

    public var description: String {
        "\(location): \(location.path): frame \(frameIndex) (seed \(seed)): \(message)"
    }
}

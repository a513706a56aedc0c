/// Why labels could not be derived from a frame. Always names the frame index, and the offending
/// pixel, surface or value where there is one.
///
/// A struct wrapping a kind, so that kinds can be added without breaking callers that switch.
public struct LabelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, comparable in tests: `error.kind == .surfaceIDOutOfRange`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case bufferSizeMismatch = "buffer size mismatch"
            case surfaceIDOutOfRange = "surface id out of range"
            case invalidDepth = "invalid depth"
            case invalidSpec = "invalid frame spec"
            case conflictingInstanceClass = "conflicting instance class"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A buffer's size does not match `width * height`, or the frame does not match its spec.
        public static let bufferSizeMismatch = Kind(.bufferSizeMismatch)
        /// A pixel holds a surface id beyond `spec.surfaces.count`.
        public static let surfaceIDOutOfRange = Kind(.surfaceIDOutOfRange)
        /// A pixel with a surface has a depth that is zero, negative or not a number.
        public static let invalidDepth = Kind(.invalidDepth)
        /// A surface's instance or class id is out of range or names no class in the class table.
        public static let invalidSpec = Kind(.invalidSpec)
        /// Surfaces sharing an instance id carry different class ids.
        public static let conflictingInstanceClass = Kind(.conflictingInstanceClass)

        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// The frame index the error was found in.
    public var frame: Int
    /// A human-readable account naming the pixel, surface or value.
    public var detail: String

    public init(_ kind: Kind, frame: Int, detail: String) {
        self.kind = kind
        self.frame = frame
        self.detail = detail
    }

    public var description: String { "frame \(frame): \(kind): \(detail)" }
}

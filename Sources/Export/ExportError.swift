// Export: dataset writers, the native dataset reader and its verifier.
//
// Non-goals: no rendering, no label derivation (Labels does that), no networking. Encoding
// (`FrameEncoder`) is pure and runs on any thread or machine; writing (`NativeDatasetWriter`)
// happens at the sink. The on-disk contract is documented in docs/DATASET.md.

/// Why a dataset could not be encoded, written or read. Names the path and, where there is one,
/// the frame index.
public struct ExportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or folder concerned, when there is one.
    public var path: String?
    /// The frame index concerned, when there is one.
    public var frame: Int?
    public var detail: String

    public init(path: String? = nil, frame: Int? = nil, _ detail: String) {
        self.path = path
        self.frame = frame
        self.detail = detail
    }

    public var description: String {
        var parts: [String] = []
        if let frame { parts.append("frame \(frame)") }
        if let path { parts.append(path) }
        parts.append(detail)
        return parts.joined(separator: ": ")
    }
}

/// A PNG could not be encoded, decoded or read. `message` is human readable and,
/// for file reads, names the path.
public struct PNGError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "PNGError: \(message)" }
}

extension PNGError {
    /// Builds an error from a NUL-terminated C message buffer.
    static func fromCBuffer(_ buffer: [CChar], context: String) -> PNGError {
        PNGError("\(context): \(text(of: buffer))")
    }

    static func text(of buffer: [CChar]) -> String {
        guard let end = buffer.firstIndex(of: 0), end > 0 else { return "unknown error" }
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Everything that can go wrong turning bytes into `FarmMessage`s and back. Every case names
/// what it can: the message type, the field, the sizes involved.
public enum FarmWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame's length prefix claims more than the configured maximum. Raised as soon as the
    /// 4 length bytes have arrived, before any of the body is buffered.
    case frameTooLarge(length: UInt64, maximum: Int)
    /// A frame of length 0: it cannot even hold the message type tag.
    case emptyFrame
    /// The type tag names no message of this protocol version.
    case unknownMessageType(UInt8)
    /// The body ended before `field` of `message` could be read.
    case truncated(message: String, field: String, needed: Int, available: Int)
    /// The body of `message` is longer than its fields.
    case trailingBytes(message: String, count: Int)
    /// `field` of `message` was read but is not acceptable (bad UTF-8, bad digest, bad flag...).
    case invalidField(message: String, field: String, reason: String)
    /// The peer speaks another protocol version.
    case versionMismatch(received: UInt16, expected: UInt16)
    /// A message cannot be put on the wire (a value out of the wire type's range, a frame
    /// over the maximum).
    case unencodable(message: String, field: String, reason: String)
    /// The connection closed in the middle of a frame.
    case incompleteFrameAtEnd(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .frameTooLarge(let length, let maximum):
            return "frame of \(length) bytes exceeds the maximum frame length of \(maximum) bytes"
        case .emptyFrame:
            return "empty frame: a frame must hold at least the 1-byte message type"
        case .unknownMessageType(let tag):
            return "unknown message type \(tag)"
        case .truncated(let message, let field, let needed, let available):
            return "\(message): truncated at field '\(field)': needs \(needed) bytes, \(available) left"
        case .trailingBytes(let message, let count):
            return "\(message): \(count) trailing bytes after the last field"
        case .invalidField(let message, let field, let reason):
            return "\(message): invalid field '\(field)': \(reason)"
        case .versionMismatch(let received, let expected):
            return "protocol version mismatch: peer speaks version \(received), this build speaks version \(expected)"
        case .unencodable(let message, let field, let reason):
            return "\(message): cannot encode field '\(field)': \(reason)"
        case .incompleteFrameAtEnd(let bufferedBytes):
            return "connection closed in the middle of a frame (\(bufferedBytes) bytes buffered)"
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
import NIOCore
import NIOExtras

// Framing: every message travels as one frame.
//
//   +----------------+------+------------------------+
//   | length (u32 BE)| type |          body          |
//   |    4 bytes     |  1   |     length - 1 bytes   |
//   +----------------+------+------------------------+
//                    <---------- length ------------->
//
// Outbound, `FarmMessageEncoder` writes type + body and NIOExtras' `LengthFieldPrepender`
// puts the length in front. Inbound, `FarmMessageDecoder` reads the length and checks it
// against the maximum *before* buffering the body. NIOExtras' `LengthFieldBasedFrameDecoder`
// is not used inbound because it has no maximum of its own: it accepts any length up to
// `Int32.max` and buffers until that many bytes arrive, so a peer claiming 2 GiB would make us
// hold whatever it sends.

/// Decodes length-prefixed frames into `FarmMessage`s, rejecting frames over a hard maximum.
public struct FarmMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = FarmMessage

    /// The largest accepted frame payload (type + body) in bytes.
    public let maximumFrameLength: Int

    public init(maximumFrameLength: Int = FarmProtocol.defaultMaximumFrameLength) {
        precondition(maximumFrameLength >= 1, "a frame must hold at least its type tag")
        self.maximumFrameLength = maximumFrameLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try Self.decodeFrame(from: &buffer, maximumFrameLength: maximumFrameLength) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let count = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: count)
            throw FarmWireError.incompleteFrameAtEnd(bufferedBytes: count)
        }
        return .needMoreData
    }

    /// Reads one whole frame from the front of `buffer` and decodes it; nil (consuming nothing)
    /// when the frame has not fully arrived. Throws as soon as the length prefix is bad.
    public static func decodeFrame(from buffer: inout ByteBuffer, maximumFrameLength: Int) throws -> FarmMessage? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length > 0 else { throw FarmWireError.emptyFrame }
        guard UInt64(length) <= UInt64(maximumFrameLength) else {
            throw FarmWireError.frameTooLarge(length: UInt64(length), maximum: maximumFrameLength)
        }
        let total = FarmProtocol.lengthFieldSize + Int(length)
        guard buffer.readableBytes >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: FarmProtocol.lengthFieldSize)
        let frame = buffer.readSlice(length: Int(length))!
        return try FarmMessage.decode(frame: frame)
    }
}

/// Encodes a `FarmMessage` as type + body; put `LengthFieldPrepender` (4 bytes, big-endian)
/// in front of it. Throws `FarmWireError.frameTooLarge` rather than send a frame the peer must
/// refuse.
public struct FarmMessageEncoder: MessageToByteEncoder {
    public typealias OutboundIn = FarmMessage

    public let maximumFrameLength: Int

    public init(maximumFrameLength: Int = FarmProtocol.defaultMaximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    public func encode(data: FarmMessage, out: inout ByteBuffer) throws {
        let start = out.writerIndex
        try data.encode(into: &out)
        let length = out.writerIndex - start
        guard length <= maximumFrameLength else {
            out.moveWriterIndex(to: start)
            throw FarmWireError.frameTooLarge(length: UInt64(length), maximum: maximumFrameLength)
        }
    }
}

/// The handlers a farm connection's pipeline needs, both sides alike.
public enum FarmPipeline {
    /// TCP keepalive for farm connections: a peer whose machine vanished without closing the
    /// connection (power loss, a cut cable) is noticed after about 35 s (20 s idle, then 3 probes
    /// 5 s apart) instead of the system default of over two hours. Apply to a channel with
    /// `configureKeepalive(_:)` from its initializer.
    public static func configureKeepalive(_ channel: Channel) throws {
        let options = channel.syncOptions
        try options?.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        #if canImport(Glibc)
            for (name, value) in [(TCP_KEEPIDLE, 20), (TCP_KEEPINTVL, 5), (TCP_KEEPCNT, 3)] {
                try options?.setOption(
                    ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: name)),
                    value: SocketOptionValue(value))
            }
        #endif
    }

    /// In pipeline order: the length prepender, the message encoder, the bounded decoder.
    /// The decoder's handler also refuses to buffer more than one maximal frame.
    public static func handlers(maximumFrameLength: Int = FarmProtocol.defaultMaximumFrameLength) -> [ChannelHandler] {
        [
            LengthFieldPrepender(lengthFieldBitLength: .thirtyTwoBits, lengthFieldEndianness: .big),
            MessageToByteHandler(FarmMessageEncoder(maximumFrameLength: maximumFrameLength)),
            ByteToMessageHandler(
                FarmMessageDecoder(maximumFrameLength: maximumFrameLength),
                maximumBufferSize: maximumFrameLength + FarmProtocol.lengthFieldSize),
        ]
    }

    /// Adds `handlers(maximumFrameLength:)` to a pipeline, from the channel's event loop.
    public static func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        maximumFrameLength: Int = FarmProtocol.defaultMaximumFrameLength
    ) throws {
        try pipeline.addHandlers(handlers(maximumFrameLength: maximumFrameLength))
    }
}

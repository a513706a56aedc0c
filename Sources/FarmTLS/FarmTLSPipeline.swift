import FarmProtocol
import NIOCore
import NIOSSL

/// The handlers that put TLS (or its absence) in front of a farm connection's pipeline.
///
///     coordinator:  [TransportCheck] ─ first byte 0x16 and TLS on ─▶ [NIOSSLServerHandler] [framing ...]
///     worker/client with --tls-ca:  [TLSAnswerCheck] [NIOSSLClientHandler] [TLSErrorExplainer] [framing ...]
///
/// The coordinator decides from the first byte a peer sends: a TLS ClientHello starts with a
/// handshake record (0x16); a farm `hello` starts with its length's high byte, 0 (a hello is a few
/// hundred bytes). A mismatch in either direction is refused with a plain `refuse` frame, which a
/// plain peer reads as any refusal and a TLS peer's `TLSAnswerCheck` recognises, instead of the
/// two ends waiting on each other or decoding each other's bytes as nonsense.
public enum FarmTLSPipeline {
    /// First byte of a TLS handshake record.
    static let handshakeRecord: UInt8 = 0x16
    /// TLS record content types: change_cipher_spec, alert, handshake, application_data.
    static let recordTypes: ClosedRange<UInt8> = 0x14...0x17

    /// Adds the coordinator side: call before `FarmPipeline.addHandlers`. With `tls`, a peer that
    /// speaks TLS gets `NIOSSLServerHandler` and a plain one a `FarmTLSError`; without, the reverse.
    /// The error reaches the connection's handler through `errorCaught`, before any message.
    public static func addServerHandlers(to pipeline: ChannelPipeline.SynchronousOperations, tls: FarmTLSServer?) throws
    {
        try pipeline.addHandler(TransportCheck(tls: tls))
    }

    /// Adds the worker or client side for a coordinator at `host`: call before
    /// `FarmPipeline.addHandlers`. Nothing without `tls`. Errors reach the connection's handler as
    /// `FarmTLSError`s naming what to change.
    public static func addClientHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, tls: FarmTLSClient?, host: String
    ) throws {
        guard let tls else { return }
        try pipeline.addHandler(TLSAnswerCheck())
        try pipeline.addHandler(NIOSSLClientHandler(context: tls.context, serverHostname: tls.nameToCheck(host: host)))
        try pipeline.addHandler(TLSErrorExplainer(tls: tls, host: host))
    }
}

/// The coordinator's first handler: reads the first byte, then puts TLS in or refuses, and leaves.
final class TransportCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let tls: FarmTLSServer?
    private var refused = false

    init(tls: FarmTLSServer?) {
        self.tls = tls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        let speaksTLS = first == FarmTLSPipeline.handshakeRecord
        guard speaksTLS == (tls != nil) else {
            refused = true
            let reason =
                speaksTLS
                ? "this coordinator does not use TLS (a TLS ClientHello came): connect without --tls-ca, or start "
                    + "the coordinator with --tls-cert and --tls-key"
                : "this coordinator requires TLS: connect with --tls-ca and the CA certificate that signed the "
                    + "coordinator's certificate"
            context.fireErrorCaught(FarmTLSError(.transportMismatch, reason))
            return
        }
        if let tls {
            do {
                try context.pipeline.syncOperations.addHandler(
                    NIOSSLServerHandler(context: tls.context), position: .after(self))
            } catch {
                refused = true
                context.fireErrorCaught(error)
                return
            }
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// A TLS client's first handler: the coordinator's first byte must start a TLS record. A plain
/// coordinator answers a ClientHello with a plain `refuse` frame (or any plain bytes): that becomes
/// a `FarmTLSError` carrying its reason, instead of a BoringSSL "wrong version number".
final class TLSAnswerCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        var buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        if FarmTLSPipeline.recordTypes.contains(first) {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        refused = true
        var message = FarmTLSClient.notTLS
        if case .refuse(let reason)? = try? FarmMessageDecoder.decodeFrame(from: &buffer, maximumFrameLength: 65536) {
            message = "the coordinator does not speak TLS; it answered in plain TCP: \(reason)"
        }
        context.fireErrorCaught(FarmTLSError(.transportMismatch, message))
        context.close(promise: nil)
    }
}

/// Turns NIOSSL's errors into `FarmTLSError`s that name the CA file and the flag to change.
final class TLSErrorExplainer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let tls: FarmTLSClient
    private let host: String

    init(tls: FarmTLSClient, host: String) {
        self.tls = tls
        self.host = host
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.fireErrorCaught(tls.explain(error, host: host))
    }
}

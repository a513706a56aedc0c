import NIOCore
import NIOEmbedded
import NIOTestUtils
import SceneCore
import XCTest

@testable import FarmProtocol

final class FarmMessageCodecTests: XCTestCase {
    private func makeChannel(maximumFrameLength: Int = FarmProtocol.defaultMaximumFrameLength) throws -> EmbeddedChannel
    {
        let channel = EmbeddedChannel()
        try FarmPipeline.addHandlers(to: channel.pipeline.syncOperations, maximumFrameLength: maximumFrameLength)
        return channel
    }

    /// Writes `message` out of `sender` and feeds every outbound buffer into `receiver`.
    private func send(_ message: FarmMessage, from sender: EmbeddedChannel, to receiver: EmbeddedChannel) throws {
        try sender.writeOutbound(message)
        while let bytes = try sender.readOutbound(as: ByteBuffer.self) {
            try receiver.writeInbound(bytes)
        }
    }

    func testEveryMessageRoundTripsThroughTwoPipelines() throws {
        let worker = try makeChannel()
        let coordinator = try makeChannel()
        // Every type is covered by the samples.
        XCTAssertEqual(Set(Samples.all.map(\.messageType)), Set(FarmMessageType.allCases))
        for message in Samples.all {
            try send(message, from: worker, to: coordinator)
            XCTAssertEqual(try coordinator.readInbound(as: FarmMessage.self), message, "\(message.messageType)")
            XCTAssertNil(try coordinator.readInbound(as: FarmMessage.self))
        }
        XCTAssertTrue(try worker.finish().isClean)
        XCTAssertTrue(try coordinator.finish().isClean)
    }

    func testWireLayoutOfHeartbeat() throws {
        let channel = try makeChannel()
        try channel.writeOutbound(FarmMessage.heartbeat(leaseID: 0x0102_0304_0506_0708))
        var all = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&part) }
        XCTAssertEqual(Array(all.readableBytesView), [0, 0, 0, 9, 8, 1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testDecoderVerifierByteAtATimeAndAllAtOnce() throws {
        let pairs = try Samples.all.map { message in (try Samples.frame(message), [message]) }
        XCTAssertNoThrow(
            try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
                FarmMessageDecoder(maximumFrameLength: 1024)
            })
    }

    func testManualOneByteFeeding() throws {
        let channel = try makeChannel()
        var all = ByteBuffer()
        for message in Samples.all {
            var frame = try Samples.frame(message)
            all.writeBuffer(&frame)
        }
        var received: [FarmMessage] = []
        while let byte = all.readSlice(length: 1) {
            try channel.writeInbound(byte)
            while let message = try channel.readInbound(as: FarmMessage.self) { received.append(message) }
        }
        XCTAssertEqual(received, Samples.all)
        XCTAssertTrue(try channel.finish().isClean)
    }

    private func assertInboundError(
        _ bytes: ByteBuffer, maximumFrameLength: Int = 1024, file: StaticString = #filePath, line: UInt = #line,
        _ check: (FarmWireError) -> Void
    ) throws {
        let channel = try makeChannel(maximumFrameLength: maximumFrameLength)
        XCTAssertThrowsError(try channel.writeInbound(bytes), file: file, line: line) { error in
            guard let wire = error as? FarmWireError else {
                return XCTFail("expected a FarmWireError, got \(error)", file: file, line: line)
            }
            check(wire)
        }
        XCTAssertNil(try channel.readInbound(as: FarmMessage.self), file: file, line: line)
        _ = try? channel.finish()
    }

    func testMaliciousLengths() throws {
        try assertInboundError(ByteBuffer(bytes: [0, 0, 0, 0])) { XCTAssertEqual($0, .emptyFrame) }
        // max + 1: refused from the prefix alone, no body sent.
        var tooLong = ByteBuffer()
        tooLong.writeInteger(UInt32(1025))
        try assertInboundError(tooLong) { XCTAssertEqual($0, .frameTooLarge(length: 1025, maximum: 1024)) }
        try assertInboundError(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])) {
            XCTAssertEqual($0, .frameTooLarge(length: 0xFFFF_FFFF, maximum: 1024))
            XCTAssertTrue($0.description.contains("4294967295"))
        }
        // Also at the default 64 MiB limit.
        try assertInboundError(
            ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF]), maximumFrameLength: FarmProtocol.defaultMaximumFrameLength
        ) {
            XCTAssertEqual($0, .frameTooLarge(length: 0x7FFF_FFFF, maximum: 64 << 20))
        }
    }

    func testExactlyMaximumLengthIsAccepted() throws {
        let reason = String(repeating: "x", count: 1024 - 1 - 4)
        let channel = try makeChannel(maximumFrameLength: 1024)
        try channel.writeInbound(try Samples.frame(.refuse(reason: reason)))
        XCTAssertEqual(try channel.readInbound(as: FarmMessage.self), .refuse(reason: reason))
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testEncoderRefusesOversizedMessage() throws {
        let channel = try makeChannel(maximumFrameLength: 64)
        XCTAssertThrowsError(try channel.writeOutbound(FarmMessage.refuse(reason: String(repeating: "y", count: 100))))
        {
            XCTAssertEqual($0 as? FarmWireError, .frameTooLarge(length: 105, maximum: 64))
        }
        _ = try? channel.finish()
    }

    func testTruncatedBody() throws {
        // heartbeat needs 8 bytes of lease id; give it 3.
        try assertInboundError(Samples.rawFrame([FarmMessageType.heartbeat.rawValue, 1, 2, 3])) {
            XCTAssertEqual($0, .truncated(message: "heartbeat", field: "leaseID", needed: 8, available: 3))
            XCTAssertTrue($0.description.contains("heartbeat"))
            XCTAssertTrue($0.description.contains("leaseID"))
        }
        // Every sample, cut one byte short inside its own frame, fails (unless its body is empty).
        for message in Samples.all {
            var payload = ByteBuffer()
            try message.encode(into: &payload)
            guard payload.readableBytes > 1 else { continue }
            let cut = Array(payload.readableBytesView.dropLast())
            XCTAssertThrowsError(try FarmMessage.decode(frame: ByteBuffer(bytes: cut)), "\(message.messageType)") {
                guard case .truncated(let name, _, _, _) = $0 as? FarmWireError else {
                    return XCTFail("expected truncated, got \($0)")
                }
                XCTAssertEqual(name, message.messageType.description)
            }
        }
    }

    func testLyingCountIsBoundedByFrame() throws {
        // An assignment claiming 2^32-1 frames in a 20-byte body: refused without allocating.
        var body = ByteBuffer()
        body.writeInteger(FarmMessageType.assignment.rawValue)
        body.writeInteger(UInt64(1))
        body.writeInteger(UInt32(1))
        body.writeString("j")
        body.writeInteger(UInt32.max)
        try assertInboundError(Samples.rawFrame(Array(body.readableBytesView))) {
            XCTAssertEqual(
                $0, .truncated(message: "assignment", field: "frames", needed: Int(UInt32.max) * 4, available: 0))
        }
    }

    func testUnknownTypeTag() throws {
        try assertInboundError(Samples.rawFrame([0])) { XCTAssertEqual($0, .unknownMessageType(0)) }
        try assertInboundError(Samples.rawFrame([200, 1, 2])) {
            XCTAssertEqual($0, .unknownMessageType(200))
            XCTAssertEqual($0.description, "unknown message type 200")
        }
    }

    func testTrailingBytes() throws {
        for message in Samples.all {
            var payload = ByteBuffer()
            try message.encode(into: &payload)
            payload.writeBytes([0xAB, 0xCD])
            XCTAssertThrowsError(try FarmMessage.decode(frame: payload)) {
                XCTAssertEqual($0 as? FarmWireError, .trailingBytes(message: message.messageType.description, count: 2))
            }
        }
    }

    func testInvalidFields() throws {
        // Bad UTF-8 in refuse.reason.
        try assertInboundError(Samples.rawFrame([FarmMessageType.refuse.rawValue, 0, 0, 0, 2, 0xC3, 0x28])) {
            XCTAssertEqual($0, .invalidField(message: "refuse", field: "reason", reason: "not valid UTF-8"))
        }
        // A presence flag of 2.
        var failure = ByteBuffer()
        failure.writeInteger(FarmMessageType.failure.rawValue)
        failure.writeInteger(UInt64(1))
        failure.writeInteger(UInt8(2))
        XCTAssertThrowsError(try FarmMessage.decode(frame: failure)) {
            guard case .invalidField("failure", "frame", _) = $0 as? FarmWireError else { return XCTFail("\($0)") }
        }
        // A file whose digest does not match its bytes.
        let bad = FarmMessage.frameResult(
            leaseID: 1, frameIndex: 0,
            files: [FileBlob(path: "a.png", bytes: [1, 2], sha256: Array(repeating: 0, count: 32))],
            labelsJSON: nil)
        var payload = ByteBuffer()
        try bad.encode(into: &payload)
        XCTAssertThrowsError(try FarmMessage.decode(frame: payload)) {
            guard case .invalidField("frameResult", "files.sha256", let reason) = $0 as? FarmWireError else {
                return XCTFail("\($0)")
            }
            XCTAssertTrue(reason.contains("a.png"))
        }
        // A digest that is not hex cannot be encoded.
        var ignored = ByteBuffer()
        XCTAssertThrowsError(
            try FarmMessage.job(
                jobID: "j", scene: SceneBundle(yaml: "", file: "scene.yaml"), sceneDigest: "XYZ", seed: 0, frameCount: 1
            ).encode(
                into: &ignored))
        XCTAssertThrowsError(try FarmMessage.challenge(nonce: [1, 2, 3]).encode(into: &ignored)) {
            XCTAssertEqual(
                $0 as? FarmWireError,
                .unencodable(message: "challenge", field: "nonce", reason: "has 3 bytes, needs 32"))
        }
        XCTAssertThrowsError(
            try FarmMessage.assignment(leaseID: 1, jobID: "j", frames: [-1], deadlineSeconds: 1).encode(into: &ignored))
    }

    func testVersionMismatchNamesBothVersions() throws {
        var body = ByteBuffer()
        body.writeInteger(FarmMessageType.hello.rawValue)
        body.writeInteger(UInt16(7))
        // The rest of a future hello may be anything: the version is checked first.
        body.writeBytes([0xFF, 0xFF])
        XCTAssertThrowsError(try FarmMessage.decode(frame: body)) { error in
            XCTAssertEqual(error as? FarmWireError, .versionMismatch(received: 7, expected: 2))
            let text = "\(error)"
            XCTAssertTrue(text.contains("version 7"), text)
            XCTAssertTrue(text.contains("this build speaks version 2"), text)
        }
    }

    func testIncompleteFrameAtCloseIsReported() throws {
        let channel = try makeChannel()
        var partial = try Samples.frame(.heartbeat(leaseID: 5))
        partial.moveWriterIndex(to: partial.writerIndex - 2)
        try channel.writeInbound(partial)
        XCTAssertThrowsError(try channel.finish()) {
            XCTAssertEqual($0 as? FarmWireError, .incompleteFrameAtEnd(bufferedBytes: 11))
        }
    }

    func testRandomBytesNeverCrash() throws {
        var rng = SeededGenerator(seed: 0xFA2_3)
        var decoded = 0
        var errors = 0
        for round in 0..<3000 {
            let channel = try makeChannel(maximumFrameLength: 256)
            var bytes: [UInt8]
            if round % 2 == 0 {
                // Plausible frames: a small length, a valid tag, random body.
                let length = Int.random(in: 1...40, using: &rng)
                bytes = [0, 0, 0, UInt8(length), UInt8.random(in: 1...12, using: &rng)]
                bytes += (0..<(length - 1)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            do {
                try channel.writeInbound(ByteBuffer(bytes: bytes))
                while try channel.readInbound(as: FarmMessage.self) != nil { decoded += 1 }
            } catch is FarmWireError {
                errors += 1
            }
            _ = try? channel.finish()
        }
        // The loop explored both sides: some random frames decode, most are refused.
        XCTAssertGreaterThan(errors, 0)
        XCTAssertGreaterThan(decoded, 0)
    }
}

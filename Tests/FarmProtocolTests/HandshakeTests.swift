import SceneCore
import XCTest

@testable import FarmProtocol

final class HandshakeTests: XCTestCase {
    let capabilities = WorkerCapabilities(renderer: "gl45-egl", gpuName: "NVIDIA H200", cores: 16)
    let otherNonce: [UInt8] = (0..<32).map { UInt8($0 * 5 + 1) }

    func token(_ text: String = "s3cret") throws -> FarmToken { try FarmToken(bytes: Array(text.utf8)) }

    func hello(version: UInt16 = FarmProtocol.version) -> FarmMessage {
        .hello(protocolVersion: version, workerID: "w1", capabilities: capabilities)
    }

    /// Runs a client against a server, feeding each side's sent messages to the other until
    /// neither has anything left to send. Returns every action of both sides, in order.
    func wire(
        client: inout ClientHandshake, server: inout ServerHandshake
    ) -> (client: [ClientHandshakeAction], server: [ServerHandshakeAction]) {
        var clientActions = [client.start()]
        var serverActions: [ServerHandshakeAction] = []
        var toServer: [FarmMessage] = clientActions.compactMap { if case .send(let m) = $0 { m } else { nil } }
        var rounds = 0
        while !toServer.isEmpty {
            rounds += 1
            XCTAssertLessThan(rounds, 10, "handshake does not terminate")
            var toClient: [FarmMessage] = []
            for message in toServer {
                let actions = server.receive(message)
                serverActions += actions
                toClient += actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
            }
            toServer = []
            for message in toClient {
                let actions = client.receive(message)
                clientActions += actions
                toServer += actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
            }
        }
        return (clientActions, serverActions)
    }

    func testHappyPath() throws {
        var client = ClientHandshake(workerID: "w1", capabilities: capabilities, token: try token())
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        let (clientActions, serverActions) = wire(client: &client, server: &server)
        let hmac = FarmAuthentication.authenticationCode(token: try token(), nonce: Samples.nonce)
        XCTAssertEqual(
            clientActions,
            [.send(hello()), .send(.authenticate(hmac: hmac)), .established])
        XCTAssertEqual(
            serverActions,
            [
                .send(.challenge(nonce: Samples.nonce)), .send(.welcome),
                .accept(workerID: "w1", capabilities: capabilities),
            ])
        XCTAssertEqual(client.state, .established)
        XCTAssertEqual(server.state, .accepted(workerID: "w1", capabilities: capabilities))
    }

    func testWrongTokenRefused() throws {
        var client = ClientHandshake(workerID: "w1", capabilities: capabilities, token: try token("s3creT"))
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        let (clientActions, serverActions) = wire(client: &client, server: &server)
        XCTAssertEqual(
            Array(serverActions.suffix(2)),
            [.send(.refuse(reason: "authentication failed")), .refuse(reason: "authentication failed")])
        XCTAssertEqual(clientActions.last, .refused(reason: "authentication failed"))
        XCTAssertEqual(client.state, .refused(reason: "authentication failed"))
        XCTAssertEqual(server.state, .refused(reason: "authentication failed"))
    }

    func testVersionMismatchRefusedNamingBothVersions() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        let actions = server.receive(hello(version: FarmProtocol.version + 1))
        XCTAssertEqual(actions.count, 2)
        guard case .refuse(let reason) = actions.last else { return XCTFail("not refused: \(actions)") }
        XCTAssertEqual(actions.first, .send(.refuse(reason: reason)))
        XCTAssertTrue(reason.contains("version \(FarmProtocol.version + 1)"), reason)
        XCTAssertTrue(reason.contains("version \(FarmProtocol.version)"), reason)
        XCTAssertEqual(
            reason,
            FarmWireError.versionMismatch(received: FarmProtocol.version + 1, expected: FarmProtocol.version)
                .description)
    }

    func testAuthenticateBeforeHelloRefused() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        let hmac = FarmAuthentication.authenticationCode(token: try token(), nonce: Samples.nonce)
        let actions = server.receive(.authenticate(hmac: hmac))
        let reason = "unexpected authenticate while waiting for hello"
        XCTAssertEqual(actions, [.send(.refuse(reason: reason)), .refuse(reason: reason)])
    }

    func testFrameResultBeforeWelcomeRefused() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        XCTAssertEqual(server.receive(hello()), [.send(.challenge(nonce: Samples.nonce))])
        let actions = server.receive(.frameResult(leaseID: 1, frameIndex: 0, files: [], labelsJSON: nil))
        let reason = "unexpected frameResult while waiting for authenticate"
        XCTAssertEqual(actions, [.send(.refuse(reason: reason)), .refuse(reason: reason)])
    }

    func testSecondHelloRefused() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        _ = server.receive(hello())
        let reason = "unexpected hello while waiting for authenticate"
        XCTAssertEqual(server.receive(hello()), [.send(.refuse(reason: reason)), .refuse(reason: reason)])
    }

    func testReplayedHMACFromAnotherNonceRefused() throws {
        // A recorded handshake: the right token's HMAC, but of an earlier connection's nonce.
        let recorded = FarmAuthentication.authenticationCode(token: try token(), nonce: otherNonce)
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        _ = server.receive(hello())
        XCTAssertEqual(
            server.receive(.authenticate(hmac: recorded)),
            [.send(.refuse(reason: "authentication failed")), .refuse(reason: "authentication failed")])
    }

    func testShortHMACRefused() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        _ = server.receive(hello())
        XCTAssertEqual(server.receive(.authenticate(hmac: [])).last, .refuse(reason: "authentication failed"))
    }

    func testInputAfterRefusalIgnored() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        _ = server.receive(.welcome)
        let state = server.state
        let hmac = FarmAuthentication.authenticationCode(token: try token(), nonce: Samples.nonce)
        for message in [hello(), .authenticate(hmac: hmac), .drain] {
            XCTAssertEqual(server.receive(message), [])
        }
        XCTAssertEqual(server.state, state)
    }

    func testInputAfterAcceptanceProducesNoActions() throws {
        var server = ServerHandshake(token: try token(), nonce: Samples.nonce)
        _ = server.receive(hello())
        let hmac = FarmAuthentication.authenticationCode(token: try token(), nonce: Samples.nonce)
        XCTAssertEqual(
            server.receive(.authenticate(hmac: hmac)).last, .accept(workerID: "w1", capabilities: capabilities))
        XCTAssertEqual(server.receive(.heartbeat(leaseID: 1)), [])
        XCTAssertEqual(server.state, .accepted(workerID: "w1", capabilities: capabilities))
    }

    func testClientRefused() throws {
        var client = ClientHandshake(workerID: "w1", capabilities: capabilities, token: try token())
        _ = client.start()
        XCTAssertEqual(client.receive(.refuse(reason: "nope")), [.refused(reason: "nope")])
        XCTAssertEqual(client.state, .refused(reason: "nope"))
        XCTAssertEqual(client.receive(.welcome), [])
    }

    func testClientUnexpectedMessageFails() throws {
        var client = ClientHandshake(workerID: "w1", capabilities: capabilities, token: try token())
        _ = client.start()
        let reason = "unexpected welcome while waiting for challenge"
        XCTAssertEqual(client.receive(.welcome), [.failed(reason: reason)])
        XCTAssertEqual(client.state, .failed(reason: reason))
        XCTAssertEqual(client.receive(.challenge(nonce: Samples.nonce)), [])

        var second = ClientHandshake(workerID: "w1", capabilities: capabilities, token: try token())
        _ = second.start()
        _ = second.receive(.challenge(nonce: Samples.nonce))
        XCTAssertEqual(
            second.receive(
                .job(
                    jobID: "j", scene: SceneBundle(yaml: "", file: "scene.yaml"), sceneDigest: Samples.digest, seed: 0,
                    frameCount: 1)),
            [.failed(reason: "unexpected job while waiting for welcome")])

        var unstarted = ClientHandshake(workerID: "w1", capabilities: capabilities, token: try token())
        XCTAssertEqual(
            unstarted.receive(.challenge(nonce: Samples.nonce)),
            [.failed(reason: "received challenge before the handshake started")])
    }
}

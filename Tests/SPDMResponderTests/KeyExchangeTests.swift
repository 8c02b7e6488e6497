import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// KEY_EXCHANGE / FINISH / PSK_EXCHANGE bad inputs, with the exact ERROR bytes.
@Suite("KEY_EXCHANGE, FINISH and PSK_EXCHANGE bad inputs")
struct KeyExchangeTests {
    static func keyExchangeBytes(_ version: SPDMVersion, group: DHEGroup = .secp384r1) throws -> [UInt8] {
        var out: [UInt8] = []
        KeyExchangeRequest(version: version, summaryHashType: .none, slotID: 0, requesterSessionID: 0xFFFF,
                           randomData: [UInt8](repeating: 1, count: 32), exchangeData: try DHEKeyPair(group: group).exchangeData,
                           opaqueData: SecuredMessageOpaqueData.supportedVersionList(spdmVersion: version))
            .encode(into: &out)
        return out
    }

    @Test("KEY_EXCHANGE before ALGORITHMS is UnexpectedRequest")
    func beforeAlgorithms() throws {
        let pair = SessionPair(version: .v12)
        _ = try pair.requester.perform(.getVersion) { pair.responder.respond(to: $0) }
        _ = try pair.requester.perform(.getCapabilities) { pair.responder.respond(to: $0) }
        #expect(pair.responder.respond(to: try Self.keyExchangeBytes(.v12)) == Fixtures.errorBytes(.v12, .unexpectedRequest))
        #expect(pair.responder.openSessionIDs.isEmpty)
    }

    @Test("a truncated KEY_EXCHANGE is InvalidRequest", arguments: [SPDMVersion.v11, .v12, .v13])
    func truncated(_ version: SPDMVersion) throws {
        let pair = SessionPair(version: version)
        try pair.connect()
        let full = try Self.keyExchangeBytes(version)
        for length in [5, 40, 40 + 95, full.count - 1] {
            #expect(pair.responder.respond(to: Array(full.prefix(length))) == Fixtures.errorBytes(version, .invalidRequest))
        }
        #expect(pair.responder.openSessionIDs.isEmpty)
    }

    @Test("the requester refuses KEY_EXCHANGE without the chain and without KEY_EX_CAP")
    func requesterPreconditions() throws {
        let pair = SessionPair(version: .v12)
        try pair.connect(certificate: false)
        #expect(throws: RequesterError.noCertificateChain(slot: 0)) { _ = try pair.keyExchange() }
        let noKeyEx = SessionPair(version: .v12, responderCapabilities: SessionPair.responderCapabilities.subtracting(.keyEx))
        try noKeyEx.connect()
        #expect(throws: RequesterError.capabilityMissing("KEY_EX_CAP for KEY_EXCHANGE")) { _ = try noKeyEx.keyExchange() }
    }

    @Test("FINISH with bad verify data: ERROR(DecryptError) in the session, and the session is gone", arguments: [SPDMVersion.v11, .v12, .v13])
    func finishBadVerifyData(_ version: SPDMVersion) throws {
        let pair = SessionPair(version: version)
        try pair.connect()
        let (request, state) = try pair.requester.startKeyExchange()
        var session = try pair.requester.receiveKeyExchange(pair.responder.respond(to: request), state: state, channel: pair.channel)
        var finish = try pair.requester.finishRequest(session: &session)
        finish[finish.count - 1] ^= 0x01
        let response = try session.exchange(finish, code: .finish) { try pair.deliver($0) }
        #expect(response == Fixtures.errorBytes(version, .decryptError))
        #expect(pair.responder.openSessionIDs.isEmpty)
        // A correct FINISH for that session afterwards finds no session.
        let reply = try pair.deliver(try session.seal(finish))
        #expect(reply == .plain(Fixtures.errorBytes(version, .decryptError)))
    }

    @Test("FINISH outside a handshake: SessionRequired (1.2+) or UnexpectedRequest in the clear, UnexpectedRequest in an established session",
          arguments: [SPDMVersion.v11, .v12, .v13])
    func finishOutsideHandshake(_ version: SPDMVersion) throws {
        let pair = SessionPair(version: version)
        try pair.connect()
        let finish: [UInt8] = [version.rawValue, RequestCode.finish.rawValue, 0, 0] + [UInt8](repeating: 0, count: 48)
        #expect(pair.responder.respond(to: finish) == Fixtures.errorBytes(version, version >= .v12 ? .sessionRequired : .unexpectedRequest))
        var session = try pair.keyExchange()
        let response = try session.exchange(finish, code: .finish) { try pair.deliver($0) }
        #expect(response == Fixtures.errorBytes(version, .unexpectedRequest))
        // The session is unharmed.
        try pair.exercise(&session)
    }

    @Test("PSK_EXCHANGE with an unknown hint is InvalidRequest", arguments: [SPDMVersion.v11, .v12, .v13])
    func unknownHint(_ version: SPDMVersion) throws {
        let pair = SessionPair(version: version)
        try pair.connect()
        #expect(throws: RequesterError.errorResponse(request: .pskExchange, code: .invalidRequest, data: 0)) {
            _ = try pair.pskExchange(hint: Array("nobody".utf8))
        }
        #expect(pair.responder.openSessionIDs.isEmpty)
    }

    @Test("a wrong PSK fails the requester's check of ResponderVerifyData")
    func wrongPSK() throws {
        let pair = SessionPair(version: .v13)
        try pair.connect()
        #expect(throws: RequesterError.verifyDataMismatch(request: .pskExchange)) {
            _ = try pair.pskExchange(psk: Array("not the key".utf8))
        }
    }

    @Test("a KEY_EXCHANGE_RSP with a bad signature or verify data is refused by the requester")
    func tamperedResponse() throws {
        let pair = SessionPair(version: .v13)
        try pair.connect()
        let (request, state) = try pair.requester.startKeyExchange()
        let response = pair.responder.respond(to: request)
        var badSignature = response
        badSignature[response.count - 48 - 10] ^= 0x40
        #expect(throws: RequesterError.keyExchangeSignatureInvalid(slot: 0)) {
            _ = try pair.requester.receiveKeyExchange(badSignature, state: state, channel: pair.channel)
        }
        var badVerify = response
        badVerify[response.count - 1] ^= 0x01
        #expect(throws: RequesterError.verifyDataMismatch(request: .keyExchange)) {
            _ = try pair.requester.receiveKeyExchange(badVerify, state: state, channel: pair.channel)
        }
        _ = try pair.requester.receiveKeyExchange(response, state: state, channel: pair.channel)
    }

    @Test("max_sessions: one more KEY_EXCHANGE or PSK_EXCHANGE is SessionLimitExceeded")
    func sessionLimit() throws {
        let pair = SessionPair(version: .v12, maxSessions: 2)
        try pair.connect()
        var first = try pair.keyExchange(requesterSessionID: 1)
        _ = try pair.pskExchange(requesterSessionID: 2)
        #expect(throws: RequesterError.errorResponse(request: .keyExchange, code: .sessionLimitExceeded, data: 0)) {
            _ = try pair.keyExchange(requesterSessionID: 3)
        }
        #expect(throws: RequesterError.errorResponse(request: .pskExchange, code: .sessionLimitExceeded, data: 0)) {
            _ = try pair.pskExchange(requesterSessionID: 3)
        }
        #expect(pair.responder.respond(to: try Self.keyExchangeBytes(.v12)) == Fixtures.errorBytes(.v12, .sessionLimitExceeded))
        // Ending one frees a place.
        try pair.requester.endSession(session: &first) { try pair.deliver($0) }
        var third = try pair.keyExchange(requesterSessionID: 3)
        try pair.exercise(&third)
    }
}

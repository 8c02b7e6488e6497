import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// A requester and a responder back to back (no sockets) whose DataTransferSizes make large
/// messages travel in chunks; every request that crosses is logged by code, in the clear and in
/// sessions, with the size of the biggest message each side sent.
final class LargeMessagePair: LoggedPair {
    static let responderCapabilities: CapabilityFlags = SessionPair.responderCapabilities.union(.chunk)
    static let requesterCapabilities: CapabilityFlags = SessionPair.requesterCapabilities.union(.chunk)

    let chain = TestChains.p384

    init(version: SPDMVersion, responderTransferSize: UInt32, requesterTransferSize: UInt32,
         responderMaxMessage: UInt32 = 65_536, requesterMaxMessage: UInt32 = 65_536,
         responderCapabilities: CapabilityFlags = LargeMessagePair.responderCapabilities,
         requesterCapabilities: CapabilityFlags = LargeMessagePair.requesterCapabilities,
         dhe: DHEGroups = .secp384r1, channel: SecuredChannel = .mctp) {
        var device = Fixtures.device(asym: .ecdsaP384, hash: .sha384, versions: [version], capabilities: responderCapabilities)
        device.dataTransferSize = responderTransferSize
        device.maxSPDMMessageSize = responderCapabilities.contains(.chunk) ? responderMaxMessage : responderTransferSize
        device.dhePreference = [dhe]
        device.aeadPreference = [.aes256GCM]
        device.sessionSettings.psks = [.init(hint: SessionPair.pskHint, key: SessionPair.pskKey)]
        device.sessionSettings.heartbeatPeriod = 5
        let responder = ResponderConnection(device: device, random: FixedRandom(byte: 0x5A))
        let configuration = RequesterConfiguration(
            forcedVersion: version, capabilities: requesterCapabilities, dataTransferSize: requesterTransferSize,
            maxSPDMMessageSize: requesterCapabilities.contains(.chunk) ? requesterMaxMessage : requesterTransferSize,
            dhe: DHEGroups(rawValue: 0x3F), aead: .aes256GCM, keySchedule: .spdm, trustedRoots: [TestChains.p384.root])
        super.init(responder: responder, requester: RequesterConnection(configuration: configuration, random: FixedRandom(byte: 0xC3)),
                   channel: channel)
    }

    func attest() throws -> AttestationReport {
        try requester.attest(AttestationPlan(summary: .all, measurements: .all)) { self.plain($0) }
    }

    func keyExchange() throws -> RequesterSession {
        try requester.keyExchange(summary: .all, channel: channel, exchange: { self.plain($0) }, secured: { try self.secured($0) })
    }

    func pskExchange() throws -> RequesterSession {
        try requester.pskExchange(hint: SessionPair.pskHint, psk: SessionPair.pskKey, channel: channel,
                                  exchange: { self.plain($0) }, secured: { try self.secured($0) })
    }

    /// HEARTBEAT, both key updates, signed measurements in the session, END_SESSION.
    func exercise(_ session: inout RequesterSession) throws {
        try requester.heartbeat(session: &session) { try self.secured($0) }
        try requester.updateKeys(all: false, session: &session) { try self.secured($0) }
        try requester.updateKeys(all: true, session: &session) { try self.secured($0) }
        let measurements = try requester.getMeasurements(.all(signed: true), session: &session) { try self.secured($0) }
        #expect(measurements.signatureVerified)
        #expect(measurements.blocks.map(\.index) == [1, 2, 3, 4])
        try requester.endSession(session: &session) { try self.secured($0) }
        #expect(!responder.openSessionIDs.contains(session.sessionID))
    }
}

/// DataTransferSizes of both sides: the smallest the specification allows, odd sizes, and large.
struct TransferSizes: Sendable, CustomTestStringConvertible {
    var responder: UInt32
    var requester: UInt32
    var testDescription: String { "responder \(responder), requester \(requester)" }

    static let all: [TransferSizes] = [
        .init(responder: 42, requester: 4096), .init(responder: 4096, requester: 42), .init(responder: 42, requester: 42),
        .init(responder: 64, requester: 100), .init(responder: 257, requester: 61), .init(responder: 150, requester: 1000),
    ]
}

@Suite("Large messages back to back (CHUNK_SEND / CHUNK_GET)")
struct LargeMessageBackToBackTests {
    static let versions: [SPDMVersion] = [.v12, .v13, .v14]

    @Test("attestation with chunked requests and responses", arguments: versions, TransferSizes.all)
    func attestation(_ version: SPDMVersion, sizes: TransferSizes) throws {
        let pair = LargeMessagePair(version: version, responderTransferSize: sizes.responder, requesterTransferSize: sizes.requester)
        let report = try pair.attest()
        #expect(report.chain?.anchored == true)
        #expect(report.measurementsSigned)
        #expect(report.summaryCheck == .verified)
        #expect(report.measurements.map(\.index) == [1, 2, 3, 4])
        let limit = Int(min(sizes.responder, sizes.requester))
        // No message crossed in one piece beyond the smaller DataTransferSize (GET_VERSION / GET_CAPABILITIES are small).
        #expect(pair.largestRequest <= limit)
        #expect(pair.largestResponse <= limit)
        #expect(pair.requests.contains(.chunkGet))
        if limit < 48 { #expect(pair.requests.contains(.chunkSend)) }  // NEGOTIATE_ALGORITHMS is 48 bytes
    }

    @Test("sessions (KEY_EXCHANGE, PSK) with chunked handshake and in-session messages", arguments: versions, TransferSizes.all)
    func sessions(_ version: SPDMVersion, sizes: TransferSizes) throws {
        let pair = LargeMessagePair(version: version, responderTransferSize: sizes.responder, requesterTransferSize: sizes.requester)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        #expect(session.established)
        try pair.exercise(&session)
        var psk = try pair.pskExchange()
        #expect(psk.established)
        try pair.exercise(&psk)
        let limit = Int(min(sizes.responder, sizes.requester))
        #expect(pair.largestRequest <= limit)
        #expect(pair.largestResponse <= limit)
        #expect(pair.requests.contains(.chunkSend))  // KEY_EXCHANGE carries 96 bytes of P-384 exchange data
        #expect(pair.requests.contains(.chunkGet))
    }

    @Test("FFDHE-4096 key exchange: 512-byte exchange data each way in 42-byte pieces")
    func bigKeyExchange() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 42, requesterTransferSize: 42, dhe: .ffdhe4096)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        try pair.exercise(&session)
        #expect(pair.requests.filter { $0 == .chunkSend }.count > 20)
    }

    @Test("PCI-DOE sessions with chunking")
    func pciDOE() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 42, requesterTransferSize: 42, channel: .pciDOE)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        try pair.exercise(&session)
    }

    @Test("large DataTransferSizes: nothing is chunked")
    func nothingLarge() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 4096, requesterTransferSize: 4096)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        try pair.exercise(&session)
        #expect(!pair.requests.contains(.chunkSend))
        #expect(!pair.requests.contains(.chunkGet))
    }

    @Test("a whole certificate chain in one CERTIFICATE, fetched in chunks")
    func wholeChain() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 42, requesterTransferSize: 42)
        var configuration = pair.requester.configuration
        configuration.certificatePortionLength = 0xFFFF
        pair.requester = RequesterConnection(configuration: configuration, random: FixedRandom(byte: 1))
        _ = try pair.attest()
        // One GET_CERTIFICATE: with chunking the device sends the whole chain, past its certificate_portion (1024).
        #expect(pair.chain.slot().spdmChain(hash: .sha384).count > 1024)
        #expect(pair.requests.filter { $0 == .getCertificate }.count == 1)
    }

    @Test("without CHUNK_CAP on the requester: a request over the device's DataTransferSize is refused before it is sent")
    func requesterWithoutChunk() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 42, requesterTransferSize: 4096,
                                    requesterCapabilities: SessionPair.requesterCapabilities)
        #expect(throws: RequesterError.self) { try pair.attest() }
        #expect(!pair.requests.contains(.negotiateAlgorithms))
        #expect(pair.requests == [.getVersion, .getCapabilities])
    }

    @Test("without CHUNK_CAP on the device: a response over the requester's DataTransferSize is ResponseTooLarge")
    func deviceWithoutChunk() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 4096, requesterTransferSize: 42,
                                    responderCapabilities: SessionPair.responderCapabilities)
        #expect(throws: RequesterError.errorResponse(request: .negotiateAlgorithms, code: .responseTooLarge, data: 0)) { try pair.attest() }
    }

    @Test("a transfer in a session belongs to it: not fetched in the clear, and it ends with the session")
    func sessionBound() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 42, requesterTransferSize: 4096)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        func inSession(_ message: [UInt8]) throws -> [UInt8] {
            guard case .secured(let reply) = try pair.secured(try session.seal(message)) else { throw RequesterError.securedMessage("plain reply") }
            return try session.open(reply)
        }
        let measurements = GetMeasurementsRequest(version: .v13, attributes: [], operation: 0xFF, requesterContext: [UInt8](repeating: 1, count: 8))
            .encoded(context: .unnegotiated(.v13))
        let large = try inSession(measurements)
        #expect(Array(large.prefix(4)) == [0x13, 0x7F, 0x0F, 0x00])
        let handle = large[4]
        let chunkGet = ChunkGetRequest(version: .v13, handle: handle, sequenceNumber: 0).encoded(context: .unnegotiated(.v13))
        // In the clear: not this transfer, and nothing else passes meanwhile.
        #expect(pair.responder.respond(to: chunkGet) == [0x13, 0x7F, 0x04, 0x00])
        #expect(pair.responder.respond(to: [0x13, 0x81, 0x00, 0x00]) == [0x13, 0x7F, 0x04, 0x00])
        // In the session: the first chunk.
        #expect(try inSession(chunkGet)[1] == ResponseCode.chunkResponse.rawValue)
        // The session ends (its heartbeat ran out): the transfer goes with it.
        let expired = pair.responder.expireSession(session.sessionID)
        #expect(expired)
        #expect(!pair.responder.largeMessages.inProgress)
        #expect(pair.responder.respond(to: [0x13, 0x81, 0x00, 0x00]) == [0x13, 0x7F, 0x0F, 0x00, handle &+ 1])
    }

    @Test("a record of the session that does not decrypt ends the session's transfer (DecryptError)")
    func decryptErrorEndsTransfer() throws {
        let pair = LargeMessagePair(version: .v13, responderTransferSize: 42, requesterTransferSize: 4096)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        let measurements = GetMeasurementsRequest(version: .v13, attributes: [], operation: 0xFF, requesterContext: [UInt8](repeating: 1, count: 8))
            .encoded(context: .unnegotiated(.v13))
        guard case .secured(let reply) = try pair.secured(try session.seal(measurements)) else { Issue.record("plain reply"); return }
        #expect(try session.open(reply)[2] == ErrorCode.largeResponse.rawValue)
        #expect(pair.responder.largeMessages.inProgress)
        var forged = try session.seal([0x13, 0x86, 0x00, 0x00, 0x00, 0x00])
        forged[forged.count - 1] ^= 0x01
        guard case .plain(let error) = try pair.secured(forged) else { Issue.record("sealed reply to a forged record"); return }
        #expect(error == [0x13, 0x7F, 0x06, 0x00])
        #expect(!pair.responder.largeMessages.inProgress)
    }

    @Test("session mutual authentication with chunking: the encapsulated flow and the signed FINISH in chunks",
          arguments: [MutualAuthSettings.Mode.keyExchange, .encapsulated, .encapsulatedDigests], [false, true])
    func mutualAuthentication(_ mode: MutualAuthSettings.Mode, inTheClear: Bool) throws {
        let extra: CapabilityFlags = inTheClear ? [.chunk, .handshakeInTheClear] : .chunk
        let pair = SessionPair.mutual(mode: mode, version: .v13, responderExtra: extra, requesterExtra: extra)
        var device = pair.responder.device
        device.dataTransferSize = 42
        device.maxSPDMMessageSize = 65_536
        pair.responder = ResponderConnection(device: device)
        var configuration = pair.requester.configuration
        configuration.dataTransferSize = 42
        configuration.maxSPDMMessageSize = 65_536
        pair.requester = RequesterConnection(configuration: configuration)
        var requests: [RequestCode] = []
        let plain: ([UInt8]) -> [UInt8] = { message in
            requests.append(RequestCode(rawValue: message[1]))
            let response = pair.responder.respond(to: message)
            #expect(response.count <= 42)
            return response
        }
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests, .getCertificate(slot: 0)] {
            _ = try pair.requester.perform(operation, exchange: plain)
        }
        var session = try pair.requester.keyExchange(summary: .all, channel: pair.channel, exchange: plain, secured: { try pair.deliver($0) })
        #expect(session.established && session.mutuallyAuthenticated)
        #expect(requests.contains(.chunkSend) && requests.contains(.chunkGet))
        try pair.exercise(&session)
    }
}


import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMWire
import Testing

/// GET_ENDPOINT_INFO (DSP0274 1.3) back to back: signed and unsigned, in the clear and in a session,
/// and the responder's encapsulated GET_ENDPOINT_INFO answered by the requester.
@Suite("GET_ENDPOINT_INFO")
struct EndpointInfoTests {
    static let signing: CapabilityFlags = Fixtures.capabilities.union(.endpointInfoWithSignature)

    static func pair(capabilities: CapabilityFlags = signing, version: SPDMVersion = .v13)
        -> (responder: ResponderConnection, requester: RequesterConnection) {
        var device = Fixtures.device(versions: [version], capabilities: capabilities)
        device.endpointIdentifiers = DeviceClassIdentifier(elements: [.init(registry: 3, vendorID: [0xB4, 0x1A], subIdentifiers: [[1], [2, 3]])])
        let requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p384.root], version: version))
        return (ResponderConnection(device: device), requester)
    }

    static func connect(_ responder: inout ResponderConnection, _ requester: inout RequesterConnection, chain: Bool = true) throws {
        var operations: [RequesterOperation] = [.getVersion, .getCapabilities, .negotiateAlgorithms]
        if chain { operations += [.getDigests, .getCertificate(slot: 0)] }
        for operation in operations { _ = try requester.perform(operation) { responder.respond(to: $0) } }
    }

    @Test("a signed ENDPOINT_INFO verifies over IL with the slot's leaf key and carries the configured identifiers")
    func signed() throws {
        var (responder, requester) = Self.pair()
        try Self.connect(&responder, &requester)
        let event = try requester.perform(.getEndpointInfo(EndpointInfoRequest(signed: true))) { responder.respond(to: $0) }
        guard case .endpointInfo(let result) = event else { Issue.record("no ENDPOINT_INFO"); return }
        #expect(result.signatureVerified)
        #expect(result.identifiers == responder.device.endpointInfo)
        // The IL has no memory: a second signed request verifies too.
        _ = try requester.perform(.getEndpointInfo(EndpointInfoRequest(signed: true))) { responder.respond(to: $0) }
    }

    @Test("a tampered signature or EPInfo fails the requester's check")
    func tampered() throws {
        for position in [-1, 44] {
            var (responder, requester) = Self.pair()
            try Self.connect(&responder, &requester)
            #expect(throws: RequesterError.endpointInfoSignatureInvalid(slot: 0)) {
                _ = try requester.perform(.getEndpointInfo(EndpointInfoRequest(signed: true))) { request in
                    var response = responder.respond(to: request)
                    if request[1] == RequestCode.getEndpointInfo.rawValue {
                        response[position < 0 ? response.count - 1 : position] ^= 0x01
                    }
                    return response
                }
            }
        }
    }

    @Test("unsigned: the default identifier names the device; a signature asked of EP_INFO_NO_SIG is UnsupportedRequest")
    func unsigned() throws {
        var device = Fixtures.device(versions: [.v13], capabilities: Fixtures.capabilities.union(.endpointInfoNoSignature))
        device.name = "gpu7"
        var responder = ResponderConnection(device: device)
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p384.root], version: .v13))
        try Self.connect(&responder, &requester, chain: false)
        let event = try requester.perform(.getEndpointInfo(EndpointInfoRequest(signed: false))) { responder.respond(to: $0) }
        guard case .endpointInfo(let result) = event else { Issue.record("no ENDPOINT_INFO"); return }
        #expect(!result.signatureVerified)
        #expect(result.identifiers?.elements == [.init(registry: 0, subIdentifiers: [Array("gpu7".utf8)])])
        let signed = GetEndpointInfoRequest(version: .v13, attributes: .signatureRequested, nonce: [UInt8](repeating: 1, count: 32))
        #expect(responder.respond(to: signed.encoded(context: .unnegotiated(.v13)))
                == Fixtures.errorBytes(.v13, .unsupportedRequest, RequestCode.getEndpointInfo.rawValue))
    }

    @Test("refusals: before 1.3, a bad SubCode, a short request, an empty slot")
    func refusals() {
        var old = Harness.negotiated(device: Fixtures.device(capabilities: Self.signing), version: .v12)
        #expect(old.send(GetEndpointInfoRequest(version: .v12)) == old.error(.unsupportedRequest, RequestCode.getEndpointInfo.rawValue))
        var harness = Harness.negotiated(device: Fixtures.device(capabilities: Self.signing), version: .v13)
        #expect(harness.send(GetEndpointInfoRequest(version: .v13, subCode: 2)) == harness.error(.invalidRequest))
        #expect(harness.send([0x13, 0x87, 0x01, 0x00, 0x01]) == harness.error(.invalidRequest))
        let signedShort: [UInt8] = [0x13, 0x87, 0x01, 0x00, 0x01, 0, 0, 0] + [UInt8](repeating: 0, count: 10)
        #expect(harness.send(signedShort) == harness.error(.invalidRequest))
        #expect(harness.send(GetEndpointInfoRequest(version: .v13, slotID: 5, attributes: .signatureRequested,
                                                    nonce: [UInt8](repeating: 0, count: 32))) == harness.error(.invalidRequest))
    }

    @Test("inside a session, signed")
    func inSession() throws {
        let pair = SessionPair(version: .v13, responderCapabilities: SessionPair.responderCapabilities.union(.endpointInfoWithSignature))
        try pair.connect()
        var session = try pair.keyExchange()
        let result = try pair.requester.getEndpointInfo(EndpointInfoRequest(signed: true), session: &session) { try pair.deliver($0) }
        #expect(result.signatureVerified)
    }

    @Test("encapsulated in a mutually authenticated session: the requester's signed ENDPOINT_INFO verifies")
    func encapsulatedInSession() throws {
        let pair = SessionPair.mutual(mode: .encapsulated, version: .v13, requesterExtra: .endpointInfoWithSignature)
        try pair.connect()
        var session = try pair.keyExchange()
        let armed = pair.responder.armEncapsulatedEndpointInfo()
        #expect(armed)
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(outcome.requests == [.getEndpointInfo])
        #expect(pair.responder.requesterEndpointInfo == pair.requester.configuration.endpointInfo.encoded)
        // Nothing is armed any more.
        #expect(try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }.nothingPending)
    }

    @Test("encapsulated in the clear with no requester chain known: DIGESTS and CERTIFICATE first, then a signed ENDPOINT_INFO")
    func encapsulatedInTheClear() throws {
        let pair = SessionPair.mutual(mode: .encapsulated, version: .v13, requesterExtra: .endpointInfoWithSignature)
        var device = pair.responder.device
        device.mutualAuth.provisionedRequesterChains = [:]
        pair.responder = ResponderConnection(device: device)
        try pair.connect()
        let armed = pair.responder.armEncapsulatedEndpointInfo()
        let armedTwice = pair.responder.armEncapsulatedEndpointInfo()
        #expect(armed && !armedTwice)
        let outcome = try pair.requester.processEncapsulatedRequests { pair.responder.respond(to: $0) }
        #expect(outcome.requests == [.getDigests, .getCertificate, .getEndpointInfo])
        #expect(pair.responder.requesterEndpointInfo == pair.requester.configuration.endpointInfo.encoded)
    }

    @Test("encapsulated, unsigned, for a requester with EP_INFO_NO_SIG; not armed without the requester's EP_INFO_CAP")
    func encapsulatedUnsigned() throws {
        let pair = SessionPair.mutual(mode: .encapsulated, version: .v13, requesterExtra: .endpointInfoNoSignature)
        try pair.connect()
        let armed = pair.responder.armEncapsulatedEndpointInfo()
        #expect(armed)
        let outcome = try pair.requester.processEncapsulatedRequests { pair.responder.respond(to: $0) }
        #expect(outcome.requests == [.getEndpointInfo])
        #expect(pair.responder.requesterEndpointInfo == pair.requester.configuration.endpointInfo.encoded)

        let without = SessionPair.mutual(mode: .encapsulated, version: .v13)
        try without.connect()
        let armedWithout = without.responder.armEncapsulatedEndpointInfo()
        #expect(!armedWithout)
    }
}

import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// Session mutual authentication with an ML-DSA-65 requester key (SPDM 1.4 ReqPqcAsymAlg): the
/// responder fetches the requester's ML-DSA chain with encapsulated GET_DIGESTS / GET_CERTIFICATE,
/// then verifies the 3309-byte ML-DSA signature of FINISH ("requester-finish signing").
@Suite("SPDM 1.4 mutual authentication with an ML-DSA requester key")
struct PQCMutualAuthTests {
    static let requesterChain = TestChains.mlDsa65Requester

    static func identity(slot: UInt8 = 0) throws -> RequesterCredentials {
        let chain = requesterChain
        return try RequesterCredentials(certificates: [chain.root, chain.intermediate, chain.leaf], privateKey: chain.leafKey,
                                        slotID: slot, algorithm: .pqc(.mlDsa65))
    }

    static func pair(mode: MutualAuthSettings.Mode, identity: RequesterCredentials?, requesterExtra: CapabilityFlags = []) -> PQCPair {
        let chain = TestChains.mlDsa65
        var device = PQCPair.device(pqc: .mlDsa65, kem: .mlKem768, chain: chain, transferSize: 4608, chunk: true,
                                    capabilities: PQCPair.responderCapabilities.union([.mutAuth, .encap]))
        device.requesterPQCAsymPreference = [.mlDsa65]
        device.mutualAuth = MutualAuthSettings(mode: mode, trustedRoots: [requesterChain.root],
                                               provisionedRequesterChains: [.pqc(.mlDsa65): requesterChain.certificatesDER])
        var configuration = PQCPair.configuration(roots: [chain.root], transferSize: 4608, chunk: true,
                                                  capabilities: PQCPair.requesterCapabilities.union([.mutAuth, .encap]).union(requesterExtra))
        configuration.requesterIdentity = identity
        return PQCPair(device: device, configuration: configuration)
    }

    @Test("MutAuthRequested 0x01 / 0x02 / 0x04: ReqPqcAsymAlg ML-DSA-65 negotiated, FINISH signed with ML-DSA-65; the session works",
          arguments: [MutualAuthSettings.Mode.keyExchange, .encapsulated, .encapsulatedDigests])
    func mutualAuthentication(_ mode: MutualAuthSettings.Mode) throws {
        let identity = try Self.identity()
        let pair = Self.pair(mode: mode, identity: identity)
        _ = try pair.attest()
        #expect(pair.requester.negotiated?.requesterPQCAsym == .mlDsa65)
        #expect(pair.requester.negotiated?.requesterAsym == [])
        #expect(pair.responder.negotiated?.requesterSigning == .pqc(.mlDsa65))
        var session = try pair.keyExchange()
        #expect(session.established)
        #expect(session.mutuallyAuthenticated)
        #expect(session.mutAuthRequested == MutualAuthSettings(mode: mode).keyExchangeRequest)
        let responderIdentity = pair.responder.sessions[session.sessionID]?.requesterIdentity
        #expect(responderIdentity?.spdmChain == identity.spdmChain(hash: .sha384))
        // 0x02 starts with GET_ENCAPSULATED_REQUEST; 0x04 delivers our DIGESTS right away.
        #expect(pair.requests.contains(.getEncapsulatedRequest) == (mode == .encapsulated))
        #expect(pair.requests.contains(.deliverEncapsulatedResponse) == (mode != .keyExchange))
        // FINISH: header, the ML-DSA-65 signature, RequesterVerifyData (SHA-384).
        #expect(pair.largestRequest >= 4 + PQCSignatureAlgorithm.mlDsa65.signatureSize + 48)
        try pair.exercise(&session)
    }

    @Test("an encapsulated GET_ENDPOINT_INFO in the session: the requester's ENDPOINT_INFO signed with ML-DSA-65 verifies")
    func endpointInfoSignedWithMLDSA() throws {
        let pair = Self.pair(mode: .encapsulated, identity: try Self.identity(), requesterExtra: .endpointInfoWithSignature)
        _ = try pair.attest()
        var session = try pair.keyExchange()
        let armed = pair.responder.armEncapsulatedEndpointInfo()
        #expect(armed)
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.secured($0) }
        #expect(outcome.requests == [.getEndpointInfo])
        #expect(pair.responder.requesterEndpointInfo == pair.requester.configuration.endpointInfo.encoded)
        #expect(pair.largestRequest >= PQCSignatureAlgorithm.mlDsa65.signatureSize)
        try pair.exercise(&session)
    }

    @Test("a responder trusting another root refuses the ML-DSA requester chain: no session")
    func untrustedRequesterChain() throws {
        let pair = Self.pair(mode: .encapsulated, identity: try Self.identity())
        var device = pair.responder.device
        device.mutualAuth.trustedRoots = [TestChains.mlDsa65.root]
        pair.responder = ResponderConnection(device: device)
        _ = try pair.attest()
        #expect(throws: RequesterError.errorResponse(request: .deliverEncapsulatedResponse, code: .invalidResponseCode, data: 0)) {
            _ = try pair.keyExchange()
        }
        #expect(pair.responder.sessions.values.allSatisfy { !$0.established })
    }

    @Test("a classic requester identity cannot answer a responder that selected ReqPqcAsymAlg: refused before FINISH")
    func identityOfTheOtherKind() throws {
        let pair = Self.pair(mode: .encapsulated, identity: SessionPair.requesterIdentity())
        var configuration = pair.requester.configuration
        configuration.requesterPQCAsym = .mlDsa65
        pair.requester = RequesterConnection(configuration: configuration)
        _ = try pair.attest()
        #expect(pair.requester.negotiated?.requesterPQCAsym == .mlDsa65)
        do {
            _ = try pair.keyExchange()
            Issue.record("a session opened with an RSA identity under ReqPqcAsymAlg ML-DSA-65")
        } catch RequesterError.sessionRefused(let reason) {
            #expect(reason.contains("ML_DSA_65"))
        }
    }
}

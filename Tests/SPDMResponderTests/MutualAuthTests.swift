import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMSession
@testable import SPDMResponder
import SPDMWire
import Testing

/// Mutual authentication (Handlers/Encapsulated.swift, Finish.swift, Challenge.swift): the test plays
/// the requester, with an RSA-3072 identity like DMTF's reference requester.
@Suite("Mutual authentication")
struct MutualAuthTests {
    static let requester = TestChains.rsa3072
    static let requesterAsym = SignatureAlgorithm.rsapss3072

    static func device(mode: MutualAuthSettings.Mode, roots: [Certificate], versions: [SPDMVersion] = [.v11]) -> ResponderDevice {
        var device = Fixtures.device(asym: .ecdsaP384, hash: .sha384, versions: versions,
                                     capabilities: [.cert, .chal, .mutAuth, .encap])
        device.requesterAsymPreference = [requesterAsym]
        device.mutualAuth = MutualAuthSettings(mode: mode, trustedRoots: roots)
        return device
    }

    /// VCA at 1.1 as a requester with CERT, CHAL, MUT_AUTH and ENCAP that offers RSAPSS-3072 for itself.
    static func negotiated(_ device: ResponderDevice) -> Harness {
        var harness = Harness(device: device, version: .v11)
        harness.runVersion()
        _ = harness.send(GetCapabilitiesRequest(version: .v11, flags: [.cert, .chal, .mutAuth, .encap]).encoded(context: .unnegotiated(.v11)))
        let algorithms = harness.send(NegotiateAlgorithmsRequest(
            version: .v11, baseAsym: RequesterConfiguration.allAsym, baseHash: RequesterConfiguration.allHashes,
            structures: [AlgorithmStructure(type: .requesterBaseAsym, supported: UInt16(BaseAsymAlgorithms(requesterAsym).rawValue))]
        ).encoded(context: .unnegotiated(.v11)))
        precondition(algorithms[1] == ResponseCode.algorithms.rawValue, "VCA failed: \(algorithms)")
        return harness
    }

    var spdmChain: [UInt8] {
        CertificateChainFormat.build(rootHash: Digest.hash(.sha384, Self.requester.root.der), certificatesDER: Self.requester.certificatesDER)
    }

    /// Runs CHALLENGE and the encapsulated GET_DIGESTS / GET_CERTIFICATE / CHALLENGE; returns the last reply.
    func basicFlow(_ harness: inout Harness, stopAfterCertificate: Bool = false) throws -> [UInt8] {
        let challenge = harness.send(ChallengeRequest(version: .v11, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 7, count: 32)))
        #expect(challenge[1] == ResponseCode.challengeAuth.rawValue)
        #expect(challenge[2] & 0x80 != 0, "BasicMutAuthReq")

        var messageB: [UInt8] = []
        var reply = harness.send([0x11, RequestCode.getEncapsulatedRequest.rawValue, 0, 0])
        #expect(Array(reply.prefix(4)) == [0x11, ResponseCode.encapsulatedRequest.rawValue, 1, 0])
        let getDigests = Array(reply.dropFirst(4))
        #expect(getDigests == [0x11, RequestCode.getDigests.rawValue, 0, 0])
        let digests: [UInt8] = [0x11, ResponseCode.digests.rawValue, 0, 0x01] + Digest.hash(.sha384, spdmChain)
        messageB += getDigests + digests
        reply = harness.send([0x11, RequestCode.deliverEncapsulatedResponse.rawValue, 1, 0] + digests)

        var offset = 0
        while true {
            #expect(Array(reply.prefix(4)) == [0x11, ResponseCode.encapsulatedResponseAck.rawValue, reply[2], 1])
            let request = Array(reply.dropFirst(4))
            guard request.count >= 8, request[1] == RequestCode.getCertificate.rawValue else { break }
            let asked = Int(request[6]) | Int(request[7]) << 8
            let portion = Array(spdmChain[offset..<min(spdmChain.count, offset + min(asked, 1000))])
            var certificate: [UInt8] = [0x11, ResponseCode.certificate.rawValue, 0, 0]
            certificate.appendU16(UInt16(portion.count))
            certificate.appendU16(UInt16(spdmChain.count - offset - portion.count))
            certificate += portion
            offset += portion.count
            messageB += request + certificate
            reply = harness.send([0x11, RequestCode.deliverEncapsulatedResponse.rawValue, reply[2], 0] + certificate)
            if reply[1] == ResponseCode.error.rawValue || (stopAfterCertificate && offset == spdmChain.count) { return reply }
        }

        let challengeRequest = Array(reply.dropFirst(4))
        #expect(challengeRequest.count == 36 && challengeRequest[1] == RequestCode.challenge.rawValue)
        var auth = ChallengeAuthResponse(version: .v11, slotID: 0, slotMask: 0x01, certChainHash: Digest.hash(.sha384, spdmChain),
                                         nonce: [UInt8](repeating: 9, count: 32), measurementSummaryHash: [], opaqueData: [],
                                         requesterContext: [])
        var unsigned: [UInt8] = []
        auth.encodeWithoutSignature(into: &unsigned)
        auth.signature = try SigningContext.sign(key: Self.requester.leafKey, algorithm: .classic(Self.requesterAsym), hash: .sha384, version: .v11,
                                                 context: SigningContext.mutualChallengeAuth,
                                                 transcript: messageB + challengeRequest + unsigned)
        return harness.send([0x11, RequestCode.deliverEncapsulatedResponse.rawValue, reply[2], 0] + unsigned + auth.signature)
    }

    @Test("basic mutual auth (1.1): encapsulated GET_DIGESTS, GET_CERTIFICATE, CHALLENGE; the requester's signature verifies")
    func basicGoodPath() throws {
        var harness = Self.negotiated(Self.device(mode: .basic, roots: [Self.requester.root]))
        let done = try basicFlow(&harness)
        #expect(done == [0x11, ResponseCode.encapsulatedResponseAck.rawValue, 0, 0])
        #expect(harness.responder.requesterIdentity != nil)
        // Nothing pending any more: 1.1 answers UnexpectedRequest.
        #expect(harness.send([0x11, RequestCode.getEncapsulatedRequest.rawValue, 0, 0]) == Fixtures.errorBytes(.v11, .unexpectedRequest))
    }

    @Test("a requester chain not anchored in the trusted requester roots -> ERROR, the flow ends")
    func untrustedChain() throws {
        var harness = Self.negotiated(Self.device(mode: .basic, roots: [TestChains.p384.root]))
        let reply = try basicFlow(&harness, stopAfterCertificate: true)
        #expect(reply == Fixtures.errorBytes(.v11, .invalidResponseCode))
        #expect(harness.responder.requesterIdentity == nil)
        #expect(harness.send([0x11, RequestCode.getEncapsulatedRequest.rawValue, 0, 0]) == Fixtures.errorBytes(.v11, .unexpectedRequest))
    }

    @Test("no BasicMutAuthReq when the device does not ask for it")
    func basicOnlyWhenConfigured() {
        var harness = Self.negotiated(Self.device(mode: .none, roots: [Self.requester.root]))
        let challenge = harness.send(ChallengeRequest(version: .v11, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 7, count: 32)))
        #expect(challenge[2] & 0x80 == 0)
        #expect(harness.send([0x11, RequestCode.getEncapsulatedRequest.rawValue, 0, 0]) == Fixtures.errorBytes(.v11, .unexpectedRequest))
    }

    @Test("DELIVER_ENCAPSULATED_RESPONSE with a wrong RequestID -> InvalidRequest")
    func wrongRequestID() {
        var harness = Self.negotiated(Self.device(mode: .basic, roots: [Self.requester.root]))
        _ = harness.send(ChallengeRequest(version: .v11, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 7, count: 32)))
        _ = harness.send([0x11, RequestCode.getEncapsulatedRequest.rawValue, 0, 0])
        let digests: [UInt8] = [0x11, ResponseCode.digests.rawValue, 0, 0x01] + Digest.hash(.sha384, spdmChain)
        #expect(harness.send([0x11, RequestCode.deliverEncapsulatedResponse.rawValue, 5, 0] + digests)
                == Fixtures.errorBytes(.v11, .invalidRequest))
    }

    /// A session in its handshake that asked for mutual authentication.
    func handshakingSession(_ harness: inout Harness, identity: RequesterIdentity?) -> UInt32 {
        let schedule = KeySchedule(hash: .sha384, aead: .aes256GCM, version: .v11)
        let secrets = SessionSecrets(schedule: schedule, role: .responder, encrypt: true, dheSecret: [UInt8](repeating: 1, count: 48),
                                     th1Hash: [UInt8](repeating: 2, count: 48))
        let id: UInt32 = 0xFFFF_0001
        harness.responder.sessions[id] = ResponderSession(id: id, usesPSK: false, secrets: secrets, transcript: [1, 2, 3],
                                                          awaitingFinish: true, version: .v11, mutAuthRequested: 0x02,
                                                          requesterIdentity: identity)
        return id
    }

    @Test("FINISH without the requester's signature when mutual auth was requested -> InvalidRequest")
    func finishWithoutSignature() {
        var harness = Self.negotiated(Self.device(mode: .encapsulated, roots: [Self.requester.root]))
        let identity = RequesterIdentity(slotID: 0, spdmChain: spdmChain, leafKey: Self.requester.leaf.publicKey)
        let id = handshakingSession(&harness, identity: identity)
        let finish = [0x11, RequestCode.finish.rawValue, 0, 0] + [UInt8](repeating: 0, count: 48)
        do {
            _ = try harness.responder.handleFinish(finish, sessionID: id)
            Issue.record("FINISH accepted")
        } catch let error as ResponderError {
            #expect(error.code == .invalidRequest)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("FINISH before the encapsulated flow delivered the requester's chain -> UnexpectedRequest")
    func finishBeforeChain() {
        var harness = Self.negotiated(Self.device(mode: .encapsulated, roots: [Self.requester.root]))
        let id = handshakingSession(&harness, identity: nil)
        let finish = [0x11, RequestCode.finish.rawValue, 1, 0] + [UInt8](repeating: 0, count: 384 + 48)
        do {
            _ = try harness.responder.handleFinish(finish, sessionID: id)
            Issue.record("FINISH accepted")
        } catch let error as ResponderError {
            #expect(error.code == .unexpectedRequest)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("FINISH with a requester signature that does not verify -> DecryptError")
    func finishBadSignature() {
        var harness = Self.negotiated(Self.device(mode: .encapsulated, roots: [Self.requester.root]))
        let identity = RequesterIdentity(slotID: 0, spdmChain: spdmChain, leafKey: Self.requester.leaf.publicKey)
        let id = handshakingSession(&harness, identity: identity)
        let finish = [0x11, RequestCode.finish.rawValue, 1, 0] + [UInt8](repeating: 0x5A, count: 384 + 48)
        do {
            _ = try harness.responder.handleFinish(finish, sessionID: id)
            Issue.record("FINISH accepted")
        } catch let error as ResponderError {
            #expect(error.code == .decryptError)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("verifyRequesterChain: trusted root accepted, foreign root refused")
    func chainVerification() throws {
        let good = Self.negotiated(Self.device(mode: .basic, roots: [Self.requester.root]))
        let algorithms = try #require(good.responder.negotiated)
        #expect(throws: Never.self) { _ = try good.responder.verifyRequesterChain(spdmChain, slotID: 0, algorithms: algorithms) }
        let bad = Self.negotiated(Self.device(mode: .basic, roots: [TestChains.p256.root]))
        #expect(throws: ResponderError.self) { _ = try bad.responder.verifyRequesterChain(spdmChain, slotID: 0, algorithms: algorithms) }
    }
}

import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// SPDM 1.4 post-quantum selection in ALGORITHMS (PqcAsymSel, ReqPqcAsymAlg, KEMAlg), the pqc_first
/// rule per pair, a hybrid slot serving the chain that fits the negotiation, and a bad ML-KEM key.
@Suite("NEGOTIATE_ALGORITHMS with post-quantum algorithms")
struct PostQuantumNegotiationTests {
    static let sessionCapabilities: CapabilityFlags = [.cert, .chal, .measWithSignature, .encrypt, .mac, .keyEx, .mutAuth, .encap]

    /// ML-DSA-65 and, for a hybrid device, ECDSA P-384, both in slot 0.
    static func device(hybrid: Bool, pqcFirst: Bool) -> ResponderDevice {
        var slot = hybrid ? TestChains.p384.slot() : TestChains.mlDsa65.slot()
        if hybrid {
            let pqc = TestChains.mlDsa65
            slot.otherAlgorithmChains = [.init(certificatesDER: pqc.certificatesDER, rootCertificateDER: pqc.root.der, privateKey: pqc.leafKey)]
        }
        var device = ResponderDevice(name: "pqc", versions: [.v12, .v13, .v14], capabilities: sessionCapabilities,
                                     hashPreference: [.sha384], asymPreference: hybrid ? [.ecdsaP384] : [],
                                     dhePreference: hybrid ? [.secp384r1] : [], aeadPreference: [.aes256GCM],
                                     requesterAsymPreference: [.rsapss3072], slots: [slot], measurements: Fixtures.measurements)
        device.pqcAsymPreference = [.mlDsa65]
        device.requesterPQCAsymPreference = [.mlDsa65]
        device.kemPreference = [.mlKem768]
        device.pqcFirst = pqcFirst
        return device
    }

    /// Everything DMTF's reference requester offers at 1.4: classic and post-quantum side by side.
    static func offer(_ version: SPDMVersion = .v14, pqc: Bool = true) -> NegotiateAlgorithmsRequest {
        var structures = [AlgorithmStructure(type: .dhe, supported: DHEGroups([.secp384r1, .secp256r1]).rawValue),
                          AlgorithmStructure(type: .aead, supported: AEADSuites.aes256GCM.rawValue),
                          AlgorithmStructure(type: .requesterBaseAsym, supported: BaseAsymAlgorithms.rsapss3072.requesterStructureBits),
                          AlgorithmStructure(type: .keySchedule, supported: KeySchedules.spdm.rawValue)]
        if pqc {
            structures += [AlgorithmStructure(type: .requesterPQCAsym, supported: PQCAsymAlgorithms([.mlDsa44, .mlDsa65, .mlDsa87]).requesterStructureBits),
                           AlgorithmStructure(type: .kem, supported: KEMAlgorithms([.mlKem512, .mlKem768, .mlKem1024]).rawValue)]
        }
        return NegotiateAlgorithmsRequest(version: version, otherParams: .opaqueDataFormat1, baseAsym: [.ecdsaP384, .ecdsaP256],
                                          baseHash: .sha384, pqcAsym: pqc ? [.mlDsa44, .mlDsa65, .mlDsa87] : [],
                                          structures: structures)
    }

    static func connected(_ device: ResponderDevice, version: SPDMVersion = .v14) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runVersion()
        _ = harness.send(GetCapabilitiesRequest(version: version, flags: [.cert, .chal, .encrypt, .mac, .keyEx, .mutAuth, .encap],
                                                dataTransferSize: 8192, maxSPDMMessageSize: 8192))
        return harness
    }

    @Test("a post-quantum device selects ML-DSA-65, ML-KEM-768 and the ML-DSA requester key; the classic fields stay 0")
    func postQuantumDevice() throws {
        var harness = Self.connected(Self.device(hybrid: false, pqcFirst: false))
        let response = try AlgorithmsResponse(decoding: harness.send(Self.offer()), context: .unnegotiated(.v14))
        #expect(response.pqcAsym == .mlDsa65)
        #expect(response.baseAsym.isEmpty)
        #expect(response.structures.map(\.type) == [.dhe, .aead, .requesterBaseAsym, .keySchedule, .requesterPQCAsym, .kem])
        #expect(response.structure(.dhe)?.supported == 0)
        #expect(response.structure(.kem)?.supported == KEMAlgorithms.mlKem768.rawValue)
        // The device takes RSAPSS_3072 requesters too, and without pqc_first the classic requester key wins.
        #expect(response.structure(.requesterBaseAsym)?.supported == BaseAsymAlgorithms.rsapss3072.requesterStructureBits)
        #expect(response.structure(.requesterPQCAsym)?.supported == 0)
        let negotiated = try #require(harness.responder.negotiated)
        #expect(negotiated.signing == .pqc(.mlDsa65))
        #expect(negotiated.kem == .mlKem768 && negotiated.dhe.isEmpty)
        #expect(negotiated.wireContext.signatureSize == 3309)
        #expect(KeyExchangeMechanism(negotiated) == .kem(.mlKem768))
    }

    @Test("a hybrid device: pqc_first decides each pair; a requester offering no PQC gets the classic algorithms",
          arguments: [true, false])
    func hybrid(_ pqcFirst: Bool) throws {
        var harness = Self.connected(Self.device(hybrid: true, pqcFirst: pqcFirst))
        let response = try AlgorithmsResponse(decoding: harness.send(Self.offer()), context: .unnegotiated(.v14))
        #expect(response.pqcAsym == (pqcFirst ? .mlDsa65 : []))
        #expect(response.baseAsym == (pqcFirst ? [] : .ecdsaP384))
        #expect(response.structure(.dhe)?.supported == (pqcFirst ? 0 : DHEGroups.secp384r1.rawValue))
        #expect(response.structure(.kem)?.supported == (pqcFirst ? KEMAlgorithms.mlKem768.rawValue : 0))
        #expect(response.structure(.requesterPQCAsym)?.supported == (pqcFirst ? PQCAsymAlgorithms.mlDsa65.requesterStructureBits : 0))
        #expect(response.structure(.requesterBaseAsym)?.supported == (pqcFirst ? 0 : BaseAsymAlgorithms.rsapss3072.requesterStructureBits))

        var classic = Self.connected(Self.device(hybrid: true, pqcFirst: pqcFirst))
        let fallback = try AlgorithmsResponse(decoding: classic.send(Self.offer(pqc: false)), context: .unnegotiated(.v14))
        #expect(fallback.baseAsym == .ecdsaP384 && fallback.pqcAsym.isEmpty)
        #expect(fallback.structures.count == 4)
    }

    @Test("a hybrid slot serves, per connection, the chain that fits the negotiated algorithm")
    func hybridSlot() throws {
        for pqcFirst in [true, false] {
            var harness = Self.connected(Self.device(hybrid: true, pqcFirst: pqcFirst))
            _ = harness.send(Self.offer())
            let digests = try DigestsResponse(decoding: harness.send(GetDigestsRequest(version: .v14)), context: harness.context)
            let chain = pqcFirst ? TestChains.mlDsa65 : TestChains.p384
            let expected = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, chain.root.der), certificatesDER: chain.certificatesDER)
            #expect(digests.digests == [Digest.hash(.sha384, expected)], "pqc_first \(pqcFirst)")
        }
    }

    @Test("before 1.4 there is no post-quantum selection: a device with only an ML-DSA key has no common algorithm",
          arguments: [SPDMVersion.v12, .v13])
    func beforeVersion14(_ version: SPDMVersion) {
        var harness = Self.connected(Self.device(hybrid: false, pqcFirst: true), version: version)
        #expect(harness.send(Self.offer(version, pqc: false)) == Fixtures.errorBytes(version, .invalidRequest))
        // AlgTypes 6 and 7 are 1.4's.
        var withStructures = Self.connected(Self.device(hybrid: true, pqcFirst: true), version: version)
        var request = Self.offer(version, pqc: true)
        request.pqcAsym = []
        #expect(withStructures.send(request) == Fixtures.errorBytes(version, .invalidRequest))
    }

    @Test("the PqcAsymAlgo field and AlgTypes 6 and 7 round-trip at 1.4 and are reserved before")
    func wire() throws {
        let request = Self.offer()
        let bytes = request.encoded(context: .unnegotiated(.v14))
        #expect(Array(bytes[16..<20]) == [0x07, 0, 0, 0])
        #expect(try NegotiateAlgorithmsRequest(decoding: bytes, context: .unnegotiated(.v14)) == request)
        var older = Self.offer(.v13, pqc: false)
        older.pqcAsym = .mlDsa65
        #expect(Array(older.encoded(context: .unnegotiated(.v13))[16..<20]) == [0, 0, 0, 0])
        let response = AlgorithmsResponse(version: .v14, measurementSpecification: .dmtf, otherParams: [], measurementHash: [],
                                          baseAsym: [], baseHash: .sha384, pqcAsym: .mlDsa87)
        let responseBytes = response.encoded(context: .unnegotiated(.v14))
        #expect(Array(responseBytes[20..<24]) == [0x04, 0, 0, 0])
        #expect(try AlgorithmsResponse(decoding: responseBytes, context: .unnegotiated(.v14)).pqcAsym == .mlDsa87)
    }

    @Test("GET_KEY_PAIR_INFO reports an ML-DSA key pair in PqcAsymAlgoCapabilities and CurrentPqcAsymAlgo")
    func keyPairInfo() throws {
        var device = Self.device(hybrid: false, pqcFirst: true)
        device.capabilities.insert(.getKeyPairInfo)
        var harness = Self.connected(device)
        _ = harness.send(Self.offer())
        let info = try KeyPairInfoResponse(decoding: harness.send(GetKeyPairInfoRequest(version: .v14, keyPairID: 1)), context: harness.context)
        #expect(info.pqcAsymAlgorithmCapabilities == PQCAsymAlgorithms.mlDsa65.rawValue)
        #expect(info.currentPqcAsymAlgorithm == PQCAsymAlgorithms.mlDsa65.rawValue)
        #expect(info.currentAsymAlgorithm.isEmpty)
        #expect(info.publicKeyInfo == TestChains.mlDsa65.leafKey.publicKey.algorithmIdentifierDER)
    }

    @Test("KEY_EXCHANGE with an ML-KEM encapsulation key that fails FIPS 203's modulus check is InvalidRequest")
    func badEncapsulationKey() throws {
        var harness = Self.connected(Self.device(hybrid: false, pqcFirst: true))
        _ = harness.send(Self.offer())
        var request: [UInt8] = []
        KeyExchangeRequest(version: .v14, summaryHashType: .none, slotID: 0, requesterSessionID: 0xFFFF,
                           randomData: [UInt8](repeating: 1, count: 32),
                           exchangeData: [UInt8](repeating: 0xFF, count: KEMAlgorithm.mlKem768.encapsulationKeySize),
                           opaqueData: SecuredMessageOpaqueData.supportedVersionList(spdmVersion: .v14))
            .encode(into: &request)
        #expect(harness.send(request) == Fixtures.errorBytes(.v14, .invalidRequest))
        #expect(harness.responder.openSessionIDs.isEmpty)
        // A DHE-sized exchange (the wrong length for ML-KEM-768) does not parse either.
        #expect(harness.send(try KeyExchangeTests.keyExchangeBytes(.v14)) == Fixtures.errorBytes(.v14, .invalidRequest))
    }
}

/// CAPABILITIES' Supported Algorithms block (1.3+, GET_CAPABILITIES Param1 bit 0), post-quantum
/// algorithms included at 1.4.
@Suite("GET_CAPABILITIES Supported Algorithms block")
struct SupportedAlgorithmsBlockTests {
    static func request(_ version: SPDMVersion, chunk: Bool) -> [UInt8] {
        GetCapabilitiesRequest(version: version, flags: chunk ? [.cert, .chunk] : [.cert], dataTransferSize: 4096,
                               maxSPDMMessageSize: chunk ? 65536 : 4096, param1: CapabilitiesResponse.supportedAlgorithmsFlag)
            .encoded(context: .unnegotiated(version))
    }

    static func device() -> ResponderDevice {
        var device = PostQuantumNegotiationTests.device(hybrid: true, pqcFirst: true)
        device.capabilities.insert(.chunk)
        return device
    }

    @Test("at 1.4 the block lists the classic and the post-quantum algorithms; at 1.3 no PqcAsymAlgo nor AlgTypes 6 and 7",
          arguments: [SPDMVersion.v13, .v14])
    func block(_ version: SPDMVersion) throws {
        var harness = Harness(device: Self.device(), version: version)
        harness.runVersion()
        let bytes = harness.send(Self.request(version, chunk: true))
        #expect(bytes[2] == CapabilitiesResponse.supportedAlgorithmsFlag)
        let response = try CapabilitiesResponse(decoding: bytes, context: .unnegotiated(version))
        let block = try #require(response.supportedAlgorithms)
        #expect(block.baseAsym == .ecdsaP384 && block.baseHash == .sha384)
        #expect(block.pqcAsym == (version >= .v14 ? .mlDsa65 : []))
        let types: [AlgorithmStructure.AlgType] = version >= .v14
            ? [.dhe, .aead, .requesterBaseAsym, .keySchedule, .requesterPQCAsym, .kem] : [.dhe, .aead, .requesterBaseAsym, .keySchedule]
        #expect(block.structures.map(\.type) == types)
        #expect(bytes.count == 20 + SupportedAlgorithms.fixedSize + 4 * types.count)
        #expect(response.encoded(context: .unnegotiated(version)) == bytes)
        // The block is part of the VCA transcript: the connection goes on to ALGORITHMS as usual.
        #expect(harness.responder.state == .afterCapabilities)
    }

    @Test("without the requester's CHUNK_CAP the request is InvalidRequest; a device without CHUNK_CAP sends no block")
    func chunkRule() throws {
        var noChunk = Harness(device: Self.device(), version: .v13)
        noChunk.runVersion()
        #expect(noChunk.send(Self.request(.v13, chunk: false)) == Fixtures.errorBytes(.v13, .invalidRequest))
        var device = Self.device()
        device.capabilities.remove(.chunk)
        var plain = Harness(device: device, version: .v13)
        plain.runVersion()
        let bytes = plain.send(Self.request(.v13, chunk: true))
        #expect(bytes[2] == 0 && bytes.count == 20)
    }
}

import Testing
@testable import SPDMWire

@Suite("Provisioning PDU layouts")
struct ProvisioningLayoutTests {
    let context13 = WireContext(version: .v13, hashSize: 48)

    @Test("GET_CSR 1.3: KeyPairID in Param1, CertModel | tag << 3 | Overwrite << 7 in Param2, lengths little-endian")
    func getCSR() throws {
        let request = GetCSRRequest(version: .v13, keyPairID: 1,
                                    attributes: .init(certificateModel: .deviceCert, trackingTag: 3, overwrite: true),
                                    requesterInfo: [0xAA, 0xBB], opaqueData: [0xCC])
        #expect(request.encoded(context: context13) == [0x13, 0xED, 0x01, 0x99, 0x02, 0x00, 0x01, 0x00, 0xAA, 0xBB, 0xCC])
        let decoded = try GetCSRRequest(decoding: [0x13, 0xED, 0x01, 0x99, 0x02, 0x00, 0x01, 0x00, 0xAA, 0xBB, 0xCC], context: context13)
        #expect(decoded.attributes.certificateModel == .deviceCert && decoded.attributes.trackingTag == 3 && decoded.attributes.overwrite)
        #expect(decoded.attributes.with(trackingTag: 6).trackingTag == 6 && decoded.attributes.with(trackingTag: 6).overwrite)
    }

    @Test("GET_CSR 1.2: Param1/Param2 are reserved, neither sent nor read")
    func getCSR12() throws {
        let decoded = try GetCSRRequest(decoding: [0x12, 0xED, 0x07, 0xFF, 0x00, 0x00, 0x00, 0x00], context: .unnegotiated(.v12))
        #expect(decoded.keyPairID == 0 && decoded.attributes.rawValue == 0)
        #expect(GetCSRRequest(version: .v12, keyPairID: 7, attributes: .init(rawValue: 0xFF)).encoded(context: .unnegotiated(.v12))
                == [0x12, 0xED, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
    }

    @Test("GET_CSR whose lengths run past the message does not decode")
    func getCSRLengths() {
        #expect(throws: WireError.self) {
            try GetCSRRequest(decoding: [0x13, 0xED, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x30, 0x00], context: self.context13)
        }
    }

    @Test("CSR: CSRLength, Reserved, the DER")
    func csr() {
        #expect(CSRResponse(version: .v12, csr: [0x30, 0x00]).encoded(context: context13) == [0x12, 0x6D, 0, 0, 0x02, 0x00, 0, 0, 0x30, 0x00])
    }

    @Test("SET_CERTIFICATE 1.3: SlotID | SetCertModel << 4 | Erase << 7, KeyPairID in Param2")
    func setCertificate() throws {
        let request = SetCertificateRequest(version: .v13, slotID: 2, certificateModel: .deviceCert, keyPairID: 5, certificateChain: [0x01])
        #expect(request.encoded(context: context13) == [0x13, 0xEE, 0x12, 0x05, 0x01])
        let erase = SetCertificateRequest(version: .v13, slotID: 1, erase: true, keyPairID: 2, certificateChain: [])
        #expect(erase.encoded(context: context13) == [0x13, 0xEE, 0x81, 0x02])
        // 1.2 has neither model, erase nor key pair.
        let old = try SetCertificateRequest(decoding: [0x12, 0xEE, 0xF3, 0x09, 0xAB], context: .unnegotiated(.v12))
        #expect(old.slotID == 3 && old.certificateModel == .none && !old.erase && old.keyPairID == 0 && old.certificateChain == [0xAB])
        #expect(SetCertificateResponse(version: .v13, slotID: 2).encoded(context: context13) == [0x13, 0x6E, 0x02, 0x00])
    }

    @Test("GET_KEY_PAIR_INFO and KEY_PAIR_INFO 1.3 bytes")
    func keyPairInfo() {
        #expect(GetKeyPairInfoRequest(version: .v13, keyPairID: 1).encoded(context: context13) == [0x13, 0xFC, 0, 0, 0x01])
        let info = KeyPairInfoResponse(version: .v13, totalKeyPairs: 2, keyPairID: 1, capabilities: [.erasable, .keyUsage],
                                       keyUsageCapabilities: .spdm, currentKeyUsage: .challenge,
                                       asymAlgorithmCapabilities: .ecc384, currentAsymAlgorithm: .ecc384,
                                       associatedSlotMask: 0x01, publicKeyInfo: [0x30, 0x00])
        #expect(info.encoded(context: context13) == [0x13, 0x7C, 0, 0, 0x02, 0x01, 0x0A, 0x00, 0x0F, 0x00, 0x02, 0x00,
                                                     0x10, 0, 0, 0, 0x10, 0, 0, 0, 0x02, 0x00, 0x01, 0x30, 0x00])
    }

    @Test("KEY_PAIR_INFO 1.4: PQC fields of any length, the first four bytes taken")
    func keyPairInfoPQC() throws {
        let base: [UInt8] = [0x14, 0x7C, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0]
        let decoded = try KeyPairInfoResponse(decoding: base + [2, 0x07, 0x01, 6, 0x02, 0, 0, 0, 0xFF, 0xFF],
                                              context: .unnegotiated(.v14))
        #expect(decoded.pqcAsymAlgorithmCapabilities == 0x0107 && decoded.currentPqcAsymAlgorithm == 0x02)
        #expect(throws: WireError.self) { try KeyPairInfoResponse(decoding: base + [2, 0x07], context: .unnegotiated(.v14)) }
    }

    @Test("SET_KEY_PAIR_INFO: Erase is five bytes; Change carries the desired fields (and 1.4 the PQC one)")
    func setKeyPairInfo() {
        #expect(SetKeyPairInfoRequest(version: .v13, operation: .erase, keyPairID: 1).encoded(context: context13) == [0x13, 0xFD, 0x01, 0x00, 0x01])
        let change = SetKeyPairInfoRequest(version: .v13, operation: .change, keyPairID: 1, desiredKeyUsage: .keyExchange,
                                           desiredAsymAlgorithm: .ecc384, desiredAssociatedSlotMask: 0x02)
        #expect(change.encoded(context: context13) == [0x13, 0xFD, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0, 0, 0, 0x02])
        var v14 = change
        v14.version = .v14
        #expect(v14.encoded(context: .unnegotiated(.v14)).suffix(5) == [0x04, 0, 0, 0, 0])
        #expect(SetKeyPairInfoAckResponse(version: .v13).encoded(context: context13) == [0x13, 0x7D, 0, 0])
    }

    @Test("DIGESTS 1.3 multi-key: digests, then KeyPairIDs, CertificateInfos, KeyUsageMasks")
    func multiKeyDigests() {
        var context = WireContext(version: .v13, hashSize: 2)
        let digests = DigestsResponse(version: .v13, supportedSlotMask: 0x03, provisionedSlotMask: 0x03, digests: [[0xA1, 0xA2], [0xB1, 0xB2]],
                                      keyPairIDs: [1, 2], certificateInfos: [1, 2], keyUsageMasks: [.spdm, .keyExchange])
        #expect(digests.encoded(context: context) == [0x13, 0x01, 0x03, 0x03, 0xA1, 0xA2, 0xB1, 0xB2])
        context.multiKeyConnection = true
        #expect(digests.encoded(context: context) == [0x13, 0x01, 0x03, 0x03, 0xA1, 0xA2, 0xB1, 0xB2, 1, 2, 1, 2, 0x0F, 0x00, 0x01, 0x00])
        // 1.2 never carries them.
        var old = digests
        old.version = .v12
        #expect(old.encoded(context: context).count == 8)
    }
}

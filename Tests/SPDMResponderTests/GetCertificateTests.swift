import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_CERTIFICATE handler")
struct GetCertificateTests {
    static func request(_ version: SPDMVersion = .v12, slot: UInt8 = 0, offset: UInt16, length: UInt16) -> [UInt8] {
        GetCertificateRequest(version: version, slotID: slot, offset: offset, length: length).encoded(context: .unnegotiated(version))
    }

    @Test("portions reassemble into the slot's SPDM chain", arguments: SPDMVersion.all)
    func goodPath(_ version: SPDMVersion) throws {
        let device = Fixtures.device(certificatePortionLimit: 1024)
        var harness = Harness.negotiated(device: device, version: version)
        let chain = device.slots[0].spdmChain(hash: .sha384)
        var assembled: [UInt8] = []
        while true {
            let response = harness.send(Self.request(version, offset: UInt16(assembled.count), length: 400))
            let certificate = try CertificateResponse(decoding: response, context: harness.context)
            #expect(Array(response.prefix(4)) == [version.rawValue, 0x02, 0x00, 0x00])
            #expect(certificate.portion.count == min(400, chain.count - assembled.count))
            assembled += certificate.portion
            #expect(Int(certificate.remainderLength) == chain.count - assembled.count)
            if certificate.remainderLength == 0 { break }
        }
        #expect(assembled == chain)
        #expect(Array(chain.prefix(2)) == [UInt8(chain.count & 0xFF), UInt8(chain.count >> 8)])
    }

    @Test("the device's portion limit caps a larger ask")
    func portionLimit() throws {
        var harness = Harness.negotiated(device: Fixtures.device(certificatePortionLimit: 100))
        let response = harness.send(Self.request(offset: 0, length: 0xFFFF))
        #expect(try CertificateResponse(decoding: response, context: harness.context).portion.count == 100)
    }

    @Test("truncated -> InvalidRequest", arguments: [4, 5, 6, 7])
    func truncated(_ length: Int) {
        var harness = Harness.negotiated()
        #expect(harness.send(Array(Self.request(offset: 0, length: 100).prefix(length))) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("offset beyond the chain, or an empty slot -> InvalidRequest")
    func badParameters() {
        let device = Fixtures.device()
        let size = UInt16(device.slots[0].spdmChain(hash: .sha384).count)
        var harness = Harness.negotiated(device: device)
        #expect(harness.send(Self.request(offset: size, length: 10)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(offset: 0xFFFF, length: 10)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(slot: 1, offset: 0, length: 10)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(slot: 7, offset: 0, length: 10)) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("SlotSizeRequested ignores Offset and Length, even past the chain (a crash once)",
          arguments: [UInt16(0), 1, 0x7FFF, 0xFFFF])
    func slotSizeWithAnyOffset(_ offset: UInt16) throws {
        let device = Fixtures.device()
        let chain = device.slots[0].spdmChain(hash: .sha384)
        var harness = Harness.negotiated(device: device, version: .v13)
        let request = GetCertificateRequest(version: .v13, slotID: 0, offset: offset, length: 0xFFFF,
                                            attributes: GetCertificateRequest.slotSizeRequested)
        let response = harness.send(request.encoded(context: .unnegotiated(.v13)))
        #expect(response.count == 8)
        let certificate = try CertificateResponse(decoding: response, context: harness.context)
        #expect(certificate.portion.isEmpty)
        #expect(Int(certificate.remainderLength) == chain.count)
        // The connection goes on: a normal portion request still works.
        let next = harness.send(GetCertificateRequest(version: .v13, slotID: 0, offset: 0, length: 16)
            .encoded(context: .unnegotiated(.v13)))
        #expect(try CertificateResponse(decoding: next, context: harness.context).portion == Array(chain.prefix(16)))
    }

    @Test("before ALGORITHMS -> UnexpectedRequest")
    func wrongState() {
        var afterCapabilities = Harness.afterCapabilities()
        #expect(afterCapabilities.send(Self.request(offset: 0, length: 10)) == [0x12, 0x7F, 0x04, 0x00])
        var fresh = Harness()
        #expect(fresh.send(Self.request(offset: 0, length: 10)) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("another version than the connection's -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.negotiated(version: .v13)
        #expect(harness.send(Self.request(.v12, offset: 0, length: 10)) == [0x13, 0x7F, 0x41, 0x00])
    }

    @Test("a device without CERT_CAP -> UnsupportedRequest")
    func unsupported() {
        var harness = Harness.negotiated(device: Fixtures.device(capabilities: [.chal]))
        #expect(harness.send(Self.request(offset: 0, length: 10)) == [0x12, 0x7F, 0x07, 0x82])
    }
}

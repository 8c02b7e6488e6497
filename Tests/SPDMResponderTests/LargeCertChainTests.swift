import SPDMCore
import SPDMCrypto
@testable import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_CERTIFICATE 1.4 LargeCertChain (LARGE_RESP_CAP) and DataTooLarge")
struct LargeCertChainTests {
    static func device(chainBytes: Int? = nil, capabilities: CapabilityFlags = Fixtures.capabilities.union(.largeResponse)) -> ResponderDevice {
        var slot = TestChains.p384.slot()
        if let chainBytes { slot.certificatesDER = (0..<chainBytes).map { UInt8(truncatingIfNeeded: $0) } }
        return Fixtures.device(capabilities: capabilities, slots: [slot])
    }

    static func large(offset: UInt32, length: UInt32) -> [UInt8] {
        GetCertificateRequest(version: .v14, slotID: 0, large: .init(offset: offset, length: length)).encoded(context: .unnegotiated(.v14))
    }

    @Test("the large form: 16-byte request and response header, 32-bit lengths, the same chain; B holds both whole")
    func largeForm() throws {
        let device = Self.device()
        let chain = device.slots[0].spdmChain(hash: .sha384)
        var harness = Harness.negotiated(device: device, version: .v14)
        var assembled: [UInt8] = []
        while assembled.count < chain.count {
            let before = harness.responder.transcript.messageB
            let request = Self.large(offset: UInt32(assembled.count), length: 500)
            let response = harness.send(request)
            #expect(Array(response.prefix(8)) == [0x14, 0x02, 0x80, 0x00, 0, 0, 0, 0])
            let certificate = try CertificateResponse(decoding: response, context: harness.context)
            assembled += certificate.portion
            #expect(certificate.largeRemainderLength == UInt32(chain.count - assembled.count))
            #expect(harness.responder.transcript.messageB == before + request + response)
        }
        #expect(assembled == chain)
    }

    @Test("the large form without LARGE_RESP_CAP -> UnsupportedRequest; cut short -> InvalidRequest")
    func refused() {
        var harness = Harness.negotiated(device: Self.device(capabilities: Fixtures.capabilities), version: .v14)
        #expect(harness.send(Self.large(offset: 0, length: 100)) == [0x14, 0x7F, 0x07, 0x82])
        var capable = Harness.negotiated(device: Self.device(), version: .v14)
        #expect(capable.send(Array(Self.large(offset: 0, length: 100).prefix(12))) == [0x14, 0x7F, 0x01, 0x00])
        #expect(capable.send(Self.large(offset: 0x0001_0000, length: 100)) == [0x14, 0x7F, 0x01, 0x00])  // past the chain
    }

    @Test("a chain over 65535 bytes: DataTooLarge with its length in the 16-bit form at 1.4, served in the large form")
    func chainOver64K() throws {
        let device = Self.device(chainBytes: 70_000)
        let total = device.slots[0].spdmChain(hash: .sha384).count
        var harness = Harness.negotiated(device: device, version: .v14)
        let error = harness.send(GetCertificateRequest(version: .v14, slotID: 0, offset: 0, length: 100).encoded(context: .unnegotiated(.v14)))
        #expect(error == [0x14, 0x7F, 0x12, 0x00, UInt8(total & 0xFF), UInt8(total >> 8 & 0xFF), UInt8(total >> 16), 0])
        let response = harness.send(Self.large(offset: 0x0001_0000, length: 64))
        let certificate = try CertificateResponse(decoding: response, context: harness.context)
        #expect(certificate.portion == Array(device.slots[0].spdmChain(hash: .sha384)[0x0001_0000..<0x0001_0040]))
        #expect(certificate.largeRemainderLength == UInt32(total - 0x0001_0040))

        var old = Harness.negotiated(device: device, version: .v13)
        #expect(old.send(GetCertificateRequest(version: .v13, slotID: 0, offset: 0, length: 100).encoded(context: .unnegotiated(.v13)))
                == [0x13, 0x7F, 0x05, 0x00])
    }
}

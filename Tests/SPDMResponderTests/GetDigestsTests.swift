import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_DIGESTS handler")
struct GetDigestsTests {
    @Test("DIGESTS carries the hash of each provisioned chain", arguments: SPDMVersion.all)
    func goodPath(_ version: SPDMVersion) {
        let device = Fixtures.device()
        var harness = Harness.negotiated(device: device, version: version)
        let digest = Digest.hash(.sha384, device.slots[0].spdmChain(hash: .sha384))
        let supported: UInt8 = version >= .v13 ? 0x01 : 0x00
        #expect(harness.send([version.rawValue, 0x81, 0x00, 0x00]) == [version.rawValue, 0x01, supported, 0x01] + digest)
    }

    @Test("two slots: two digests in slot order")
    func twoSlots() {
        let slots = [TestChains.p384.slot(0), TestChains.p384.slot(3)]
        var harness = Harness.negotiated(device: Fixtures.device(slots: slots), version: .v13)
        let response = harness.send([0x13, 0x81, 0x00, 0x00])
        #expect(Array(response.prefix(4)) == [0x13, 0x01, 0x09, 0x09])
        #expect(response.count == 4 + 2 * 48)
    }

    @Test("shorter than the header -> InvalidRequest")
    func truncated() {
        var harness = Harness.negotiated()
        #expect(harness.send([0x12, 0x81, 0x00]) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("before ALGORITHMS -> UnexpectedRequest")
    func wrongState() {
        var fresh = Harness()
        #expect(fresh.send([0x10, 0x81, 0x00, 0x00]) == [0x10, 0x7F, 0x04, 0x00])
        var afterVersion = Harness.afterVersion()
        #expect(afterVersion.send([0x12, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x04, 0x00])
        var afterCapabilities = Harness.afterCapabilities()
        #expect(afterCapabilities.send([0x12, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("another version than the connection's -> VersionMismatch", arguments: [0x10, 0x11, 0x13] as [UInt8])
    func versionMismatch(_ version: UInt8) {
        var harness = Harness.negotiated()
        #expect(harness.send([version, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x41, 0x00])
    }

    @Test("a device without CERT_CAP -> UnsupportedRequest")
    func unsupported() {
        var harness = Harness.negotiated(device: Fixtures.device(capabilities: [.chal, .measWithSignature]))
        #expect(harness.send([0x12, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x07, 0x81])
    }
}

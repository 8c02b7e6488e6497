import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_CAPABILITIES handler")
struct GetCapabilitiesTests {
    @Test("1.0: a bare header, answered with the 1.0 flags")
    func goodPath10() {
        var harness = Harness.afterVersion(version: .v10)
        // CERT | CHAL | MEAS_CAP=10b = 0x16; CTExponent 12.
        #expect(harness.send([0x10, 0xE1, 0x00, 0x00]) == [0x10, 0x61, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00])
        #expect(harness.responder.state == .afterCapabilities)
        #expect(harness.responder.version == .v10)
    }

    @Test("1.2: DataTransferSize and MaxSPDMmsgSize are exchanged")
    func goodPath12() {
        var harness = Harness.afterVersion(version: .v12)
        let request: [UInt8] = [0x12, 0xE1, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00]
        #expect(harness.send(request) == [0x12, 0x61, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00,
                                          0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00])
        #expect(harness.responder.peer.dataTransferSize == 512)
        #expect(harness.responder.peer.ctExponent == 5)
    }

    @Test("truncated -> InvalidRequest", arguments: [(SPDMVersion.v11, 11), (.v11, 8), (.v12, 19), (.v12, 12), (.v13, 4)])
    func truncated(_ version: SPDMVersion, _ length: Int) {
        var harness = Harness.afterVersion(version: version)
        let request = Array(harness.getCapabilities().prefix(length))
        // Before a version is fixed, an ERROR carries the request's version when the device offers it
        // (as SPDM-Responder-Validator assertion 2.4.3 requires).
        #expect(harness.send(request) == [version.rawValue, 0x7F, 0x01, 0x00])
        #expect(harness.responder.state == .afterVersion)
    }

    @Test("1.2 size rules: DataTransferSize >= 42, MaxSPDMmsgSize >= it, equal without CHUNK_CAP")
    func sizes() {
        for (transfer, maximum) in [(41, 41), (4096, 2048), (1024, 4096)] as [(UInt32, UInt32)] {
            var harness = Harness.afterVersion()
            let request = GetCapabilitiesRequest(version: .v12, dataTransferSize: transfer, maxSPDMMessageSize: maximum)
            #expect(harness.send(request) == [0x12, 0x7F, 0x01, 0x00], "\(transfer)/\(maximum)")
        }
        var chunking = Harness.afterVersion()
        let request = GetCapabilitiesRequest(version: .v12, flags: .chunk, dataTransferSize: 1024, maxSPDMMessageSize: 4096)
        #expect(chunking.send(request)[1] == ResponseCode.capabilities.rawValue)
    }

    @Test("forbidden requester flag combinations -> InvalidRequest",
          arguments: [CapabilityFlags.encrypt, .keyEx, .pskWithContext, [.handshakeInTheClear, .encrypt, .pskWithoutContext], [.cert, .pubKeyID, .chal]])
    func badFlags(_ flags: CapabilityFlags) {
        var harness = Harness.afterVersion(version: .v11)
        #expect(harness.send(GetCapabilitiesRequest(version: .v11, flags: flags)) == [0x11, 0x7F, 0x01, 0x00])
    }

    @Test("out of order -> UnexpectedRequest")
    func wrongState() {
        var fresh = Harness()
        #expect(fresh.send(fresh.getCapabilities()) == [0x12, 0x7F, 0x04, 0x00])
        var twice = Harness.afterCapabilities()
        #expect(twice.send(twice.getCapabilities()) == [0x12, 0x7F, 0x04, 0x00])
        var negotiated = Harness.negotiated()
        #expect(negotiated.send(negotiated.getCapabilities()) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("a version the device does not offer -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.afterVersion(device: Fixtures.device(versions: [.v10, .v11, .v12]), version: .v13)
        #expect(harness.send(harness.getCapabilities()) == [0x10, 0x7F, 0x41, 0x00])
        #expect(harness.send([0x20, 0xE1, 0x00, 0x00]) == [0x10, 0x7F, 0x41, 0x00])
        #expect(harness.responder.state == .afterVersion)
    }

    @Test("an unknown request code after GET_CAPABILITIES -> UnsupportedRequest")
    func unknownCode() {
        var harness = Harness.afterCapabilities(version: .v11)
        #expect(harness.send([0x11, 0xAA, 0x00, 0x00]) == [0x11, 0x7F, 0x07, 0xAA])
    }
}

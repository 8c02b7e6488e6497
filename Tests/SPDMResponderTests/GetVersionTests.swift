import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_VERSION handler")
struct GetVersionTests {
    @Test("VERSION lists every offered version, as 1.0")
    func goodPath() {
        var harness = Harness()
        #expect(harness.send([0x10, 0x84, 0x00, 0x00])
                == [0x10, 0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x10, 0x00, 0x11, 0x00, 0x12, 0x00, 0x13, 0x00, 0x14])
        #expect(harness.responder.state == .afterVersion)

        var narrow = Harness(device: Fixtures.device(versions: [.v12, .v11]))
        #expect(narrow.send(Harness.getVersion()) == [0x10, 0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x11, 0x00, 0x12])
    }

    @Test("a GET_VERSION padded after its header is still answered")
    func trailingBytes() {
        var harness = Harness()
        #expect(harness.send([0x10, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])[1] == ResponseCode.version.rawValue)
    }

    @Test("shorter than the header -> InvalidRequest", arguments: [[], [0x10], [0x10, 0x84], [0x10, 0x84, 0x00]] as [[UInt8]])
    func truncated(_ request: [UInt8]) {
        var harness = Harness()
        #expect(harness.send(request) == [0x10, 0x7F, 0x01, 0x00])
        #expect(harness.responder.state == .notStarted)
    }

    @Test("GET_VERSION not sent as 1.0 -> VersionMismatch", arguments: [0x11, 0x12, 0x13, 0x14, 0x20, 0x00] as [UInt8])
    func versionMismatch(_ version: UInt8) {
        var harness = Harness()
        #expect(harness.send([version, 0x84, 0x00, 0x00]) == [0x10, 0x7F, 0x41, 0x00])
        #expect(harness.responder.state == .notStarted)
    }

    @Test("GET_VERSION restarts a negotiated connection")
    func restarts() {
        var harness = Harness.negotiated()
        #expect(harness.send(Harness.getVersion())[1] == ResponseCode.version.rawValue)
        #expect(harness.responder.state == .afterVersion)
        #expect(harness.responder.negotiated == nil)
        // The old connection's requests are out of order now.
        #expect(harness.send([0x12, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("an unknown request code -> UnsupportedRequest naming the code", arguments: [0x01, 0x80, 0x99, 0xC0, 0xF5] as [UInt8])
    func unknownCode(_ code: UInt8) {
        var fresh = Harness()
        #expect(fresh.send([0x10, code, 0x00, 0x00]) == [0x10, 0x7F, 0x07, code])
        var negotiated = Harness.negotiated()
        #expect(negotiated.send([0x12, code, 0x00, 0x00]) == [0x12, 0x7F, 0x07, code])
    }

    @Test("requests this responder does not implement -> UnsupportedRequest",
          arguments: [RequestCode.keyExchange, .finish, .pskExchange, .heartbeat, .endSession, .getCSR, .vendorDefinedRequest])
    func unimplemented(_ code: RequestCode) {
        var harness = Harness.negotiated()
        #expect(harness.send([0x12, code.rawValue, 0x00, 0x00]) == [0x12, 0x7F, 0x07, code.rawValue])
    }
}

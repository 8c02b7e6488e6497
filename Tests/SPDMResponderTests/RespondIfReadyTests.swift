import SPDMResponder
import SPDMWire
import Testing

/// The state machine never has a response pending: ResponseNotReady and the held response are the
/// daemon's fault layer's (Tests/SPDMDaemonTests/ConnectionFaultsTests.swift).
@Suite("RESPOND_IF_READY handler")
struct RespondIfReadyTests {
    @Test("nothing pending, or before GET_VERSION -> UnexpectedRequest")
    func nothingPending() {
        var fresh = Harness()
        #expect(fresh.send([0x10, 0xFF, 0x81, 0x01]) == [0x10, 0x7F, 0x04, 0x00])
        var idle = Harness.negotiated()
        #expect(idle.send([0x12, 0xFF, 0x81, 0x01]) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("shorter than the header -> InvalidRequest")
    func truncated() {
        var harness = Harness.negotiated()
        #expect(harness.send([0x12, 0xFF, 0x81]) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("another version than the connection's -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.negotiated()
        #expect(harness.send([0x11, 0xFF, 0x81, 0x01]) == [0x12, 0x7F, 0x41, 0x00])
    }
}

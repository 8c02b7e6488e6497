import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
import SPDMWire
import Testing

/// Events through the real daemon (DSP0274 1.3 §10.27): a session subscribes, the control API changes
/// a measurement and replaces a slot, and the requester receives MeasurementChanged and
/// CertificateChanged in the encapsulated SEND_EVENT of its next poll.
@Suite("events from control-API changes reach subscribed sessions", .serialized)
struct EventsEndToEndTests {
    static let config = TestDevice("e0", capabilities: TestDevice.sessionCapabilities + ["ENCAP", "EVENT"], tables: [
        "[[device.measurement]]\nindex = 2\ntype = \"version\"\nrepresentation = \"raw\"\nvalue = \"v1\"", TestDevice.referencePSK,
    ]).toml

    @Test("a measurement set through the control API arrives as MeasurementChanged; nothing arrives for an unsubscribed session")
    func measurementChanged() throws {
        let daemon = try TestDaemon(config: Self.config)
        let connection = try PlatformSocket(tcpPort: try #require(daemon.port("e0")))
        #expect(connection.hello())
        let configuration = RequesterConfiguration(
            capabilities: [.cert, .chal, .encrypt, .mac, .pskWithoutContext, .encap],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes256GCM], keySchedule: .spdm, allowUnanchoredChains: true)
        var requester = RequesterConnection(configuration: configuration)
        let secured: SecuredExchange = connection.exchangeSecured
        try connection.negotiate(&requester)
        var session = try requester.pskExchange(hint: Array("TestPskHint".utf8) + [0], psk: Array("TestPskData".utf8) + [0],
                                                requesterSessionID: 0xFFFF, channel: .mctp, exchange: connection.plainExchange,
                                                secured: secured)
        let offered = try requester.subscribeAllEvents(session: &session, via: secured)
        #expect(offered.first?.eventTypes == [1, 2, 4])
        #expect(try requester.processEncapsulatedRequests(session: &session, via: secured).nothingPending)
        let put = ControlSocket.request(daemon.controlSocket, "PUT", "/v1/devices/e0/measurements/2", body: "{\"value\": \"v2\"}")
        #expect(put?.status == 200, "\(put?.body ?? "no answer")")
        let outcome = try requester.processEncapsulatedRequests(session: &session, via: secured)
        #expect(outcome.events.map(\.summary) == ["MeasurementChanged indices 2"])
        try requester.subscribeEvents([], session: &session, via: secured)
        _ = ControlSocket.request(daemon.controlSocket, "PUT", "/v1/devices/e0/measurements/2", body: "{\"value\": \"v3\"}")
        #expect(try requester.processEncapsulatedRequests(session: &session, via: secured).nothingPending)
        try requester.endSession(session: &session, via: secured)
        #expect(daemon.stop() == 0)
    }
}

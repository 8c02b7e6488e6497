import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
import SPDMWire
import Testing

/// What changes on a device reaches requests inside a secure session opened before the change:
/// the daemon refreshes a connection's device before every request, in the clear and in sessions.
@Suite("device changes reach open sessions", .serialized)
struct RefreshInSessionTests {
    static let config = TestDevice("s0", capabilities: TestDevice.sessionCapabilities, tables: [
        "[[device.measurement]]\nindex = 2\ntype = \"version\"\nrepresentation = \"raw\"\nvalue = \"v1\"", TestDevice.referencePSK,
    ]).toml

    @Test("a measurement set through the control API is what the next MEASUREMENTS inside an open session reports")
    func measurementInSession() throws {
        let daemon = try TestDaemon(config: Self.config)
        let connection = try PlatformSocket(tcpPort: try #require(daemon.port("s0")))
        #expect(connection.hello())
        let configuration = RequesterConfiguration(
            capabilities: [.cert, .chal, .encrypt, .mac, .pskWithoutContext],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes256GCM], keySchedule: .spdm, allowUnanchoredChains: true)
        var requester = RequesterConnection(configuration: configuration)
        let secured: SecuredExchange = connection.exchangeSecured
        try connection.negotiate(&requester)
        var session = try requester.pskExchange(hint: Array("TestPskHint".utf8) + [0], psk: Array("TestPskData".utf8) + [0],
                                                requesterSessionID: 0xFFFF, channel: .mctp, exchange: connection.plainExchange,
                                                secured: secured)
        func measurementTwo() throws -> [UInt8]? {
            try requester.getMeasurements(MeasurementRequest(operation: 2), session: &session, via: secured).blocks.first?.value
        }
        #expect(try measurementTwo() == Array("v1".utf8))
        let put = ControlSocket.request(daemon.controlSocket, "PUT", "/v1/devices/s0/measurements/2", body: "{\"value\": \"v2\"}")
        #expect(put?.status == 200, "\(put?.body ?? "no answer")")
        #expect(try measurementTwo() == Array("v2".utf8))
        try requester.endSession(session: &session, via: secured)
        #expect(daemon.stop() == 0)
    }
}

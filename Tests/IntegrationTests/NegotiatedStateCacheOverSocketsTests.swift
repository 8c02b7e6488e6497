import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMWire
import Testing

/// CACHE_CAP through the real daemon: a requester that negotiated on one connection reconnects and,
/// without VCA, gets DIGESTS and a PSK session whose transcript covers the cached VCA; END_SESSION
/// with the clearing indicator makes the device forget it; a device without CACHE_CAP never resumes.
@Suite("Negotiated State cache against the real daemon", .serialized)
struct NegotiatedStateCacheOverSocketsTests {
    static let capabilities = ["CERT", "CHAL", "ENCRYPT", "MAC", "PSK", "HBEAT", "KEY_UPD"]
    static let config = TestDevice("cache0", capabilities: capabilities + ["CACHE"], tables: [TestDevice.referencePSK]).toml
        + TestDevice("plain0", capabilities: capabilities, tables: [TestDevice.referencePSK]).toml
    static let hint = Array("TestPskHint".utf8) + [0], psk = Array("TestPskData".utf8) + [0]

    static func requester() -> RequesterConnection {
        RequesterConnection(configuration: RequesterConfiguration(
            forcedVersion: .v13, capabilities: [.cert, .chal, .encrypt, .mac, .pskWithoutContext, .heartbeat, .keyUpdate],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes256GCM], keySchedule: .spdm, allowUnanchoredChains: true))
    }

    static func pskSession(_ requester: inout RequesterConnection, _ connection: PlatformSocket, end clear: Bool) throws {
        var session = try requester.pskExchange(hint: hint, psk: psk, requesterSessionID: 0xFFFF, channel: .mctp,
                                                exchange: connection.plainExchange, secured: connection.exchangeSecured)
        try requester.heartbeat(session: &session, via: connection.exchangeSecured)
        try requester.endSession(session: &session, clearNegotiatedState: clear, via: connection.exchangeSecured)
    }

    @Test("resume after reconnect, forget after END_SESSION with the clearing indicator")
    func resume() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("cache0"))
        var requester = Self.requester()
        let first = try PlatformSocket(tcpPort: port)
        #expect(first.hello())
        try first.negotiate(&requester)
        try Self.pskSession(&requester, first, end: false)

        // The reconnect: no GET_VERSION, the same requester state.
        let second = try PlatformSocket(tcpPort: port)
        #expect(second.hello())
        _ = try requester.perform(.getDigests, exchange: second.plainExchange)
        try Self.pskSession(&requester, second, end: true)
        #expect(daemon.waitFor("resuming the cached negotiated state"), "\(daemon.text)")

        // Cleared: a third connection must start with GET_VERSION.
        let third = try PlatformSocket(tcpPort: port)
        #expect(third.hello())
        #expect(third.exchange([0x13, 0x81, 0x00, 0x00]) == [0x13, 0x7F, ErrorCode.unexpectedRequest.rawValue, 0x00])
        #expect(daemon.stop() == 0)
    }

    @Test("a device without CACHE_CAP does not resume")
    func withoutCache() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("plain0"))
        var requester = Self.requester()
        let first = try PlatformSocket(tcpPort: port)
        #expect(first.hello())
        try first.negotiate(&requester)
        let second = try PlatformSocket(tcpPort: port)
        #expect(second.hello())
        #expect(second.exchange([0x13, 0x81, 0x00, 0x00]) == [0x13, 0x7F, ErrorCode.unexpectedRequest.rawValue, 0x00])
        #expect(daemon.stop() == 0)
    }
}

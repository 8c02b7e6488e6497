import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
import SPDMWire
import Testing

/// Open sessions are visible while they are open: GET /v1/sessions and `spdmctl sessions` list
/// them with their kind, version, algorithms and heartbeat; spdm_sessions counts them; requests
/// inside sessions are counted; and they disappear when ended or when their connection closes.
@Suite("sessions are visible in the control API and metrics", .serialized)
struct SessionVisibilityTests {
    static let hint = Array("TestPskHint".utf8) + [0]
    static let psk = Array("TestPskData".utf8) + [0]
    static let config = TestDevice("sess0", capabilities: TestDevice.sessionCapabilities,
                                   keys: ["heartbeat_period = 30", "max_sessions = 4"], tables: [TestDevice.referencePSK]).toml

    static func requester() -> RequesterConnection {
        RequesterConnection(configuration: RequesterConfiguration(
            capabilities: [.cert, .chal, .encrypt, .mac, .keyEx, .pskWithoutContext, .heartbeat, .keyUpdate],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes128GCM, .aes256GCM, .chacha20Poly1305], keySchedule: .spdm,
            trustedRoots: [], allowUnanchoredChains: true))
    }

    static func sessions(_ daemon: TestDaemon) throws -> [[String: Any]] {
        let reply = try curl(daemon.controlSocket, "GET", "/v1/sessions")
        #expect(reply.status == 200)
        return json(reply.body) as? [[String: Any]] ?? []
    }

    /// The value of one metrics line (`name{labels} value`), 0 when absent.
    static func metric(_ daemon: TestDaemon, _ prefix: String) throws -> Double {
        let text = try curl(daemon.controlSocket, "GET", "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test("a KEY_EXCHANGE and a PSK session read back through curl, spdmctl and /metrics, then gone")
    func sessionsReadBack() throws {
        guard curlPath != nil else {
            Issue.record("curl is not installed (make deps installs it)")
            return
        }
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("sess0"))
        #expect(try Self.sessions(daemon).isEmpty)

        // Connection 1: a KEY_EXCHANGE session, a HEARTBEAT inside it.
        let first = try PlatformSocket(tcpPort: port)
        #expect(first.hello())
        var keyExchangeRequester = Self.requester()
        try first.negotiate(&keyExchangeRequester)
        _ = try keyExchangeRequester.perform(.getDigests, exchange: first.plainExchange)
        _ = try keyExchangeRequester.perform(.getCertificate(slot: 0), exchange: first.plainExchange)
        var keyExchangeSession = try keyExchangeRequester.keyExchange(channel: .mctp, exchange: first.plainExchange,
                                                                      secured: first.exchangeSecured)
        try keyExchangeRequester.heartbeat(session: &keyExchangeSession, via: first.exchangeSecured)

        // Connection 2: a PSK session.
        let second = try PlatformSocket(tcpPort: port)
        #expect(second.hello())
        var pskRequester = Self.requester()
        try second.negotiate(&pskRequester)
        var pskSession = try pskRequester.pskExchange(hint: Self.hint, psk: Self.psk, channel: .mctp,
                                                      exchange: second.plainExchange, secured: second.exchangeSecured)

        let listed = try Self.sessions(daemon)
        #expect(listed.count == 2, "\(listed)")
        let byKind = Dictionary(listed.map { ($0["kind"] as? String ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        let keyExchange = try #require(byKind["KEY_EXCHANGE"])
        let pskListed = try #require(byKind["PSK"])
        #expect(keyExchange["device"] as? String == "sess0")
        #expect(keyExchange["session_id"] as? String == String(format: "0x%08x", keyExchangeSession.sessionID))
        #expect(pskListed["session_id"] as? String == String(format: "0x%08x", pskSession.sessionID))
        #expect(keyExchange["version"] as? String == "1.3")
        #expect(keyExchange["heartbeat_period"] as? Int == 30)
        #expect(keyExchange["last_heartbeat"] is String, "the HEARTBEAT was answered: \(keyExchange)")
        #expect(pskListed["last_heartbeat"] == nil)
        #expect(keyExchange["started"] is String)
        let algorithms = keyExchange["algorithms"] as? [String: String] ?? [:]
        #expect(algorithms["aead"] != nil && algorithms["dhe"] != nil && algorithms["hash"] != nil, "\(algorithms)")
        #expect(keyExchange["connection"] as? Int != pskListed["connection"] as? Int)

        let table = try spdmctl(["sessions", "--control-socket", daemon.controlSocket])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains(String(format: "0x%08x", keyExchangeSession.sessionID)) && table.stdout.contains("KEY_EXCHANGE")
                && table.stdout.contains("PSK"), "\(table.stdout)")

        #expect(try Self.metric(daemon, "spdm_sessions{device=\"sess0\"}") == 2)
        #expect(try Self.metric(daemon, "spdm_handshake_seconds_count{device=\"sess0\"}") == 2)
        // The HEARTBEAT and the FINISH travelled inside a session and are counted.
        #expect(try Self.metric(daemon, "spdm_requests_total{device=\"sess0\",code=\"HEARTBEAT\"}") == 1)
        #expect(try Self.metric(daemon, "spdm_requests_total{device=\"sess0\",code=\"FINISH\"}") == 1)

        // END_SESSION removes the PSK session; closing connection 1 removes the other.
        try pskRequester.endSession(session: &pskSession, via: second.exchangeSecured)
        let afterEnd = try Self.sessions(daemon)
        #expect(afterEnd.map { $0["kind"] as? String } == ["KEY_EXCHANGE"], "\(afterEnd)")
        #expect(try Self.metric(daemon, "spdm_sessions{device=\"sess0\"}") == 1)
        #expect(try Self.metric(daemon, "spdm_requests_total{device=\"sess0\",code=\"END_SESSION\"}") == 1)

        Glibc.shutdown(first.fd, Int32(SHUT_RDWR))
        var gone = false
        for _ in 0..<200 where !gone {
            gone = try Self.sessions(daemon).isEmpty
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the session of a closed connection is still listed")
        #expect(try Self.metric(daemon, "spdm_sessions{device=\"sess0\"}") == 0)
        #expect(daemon.stop() == 0)
    }

    @Test("GET_VERSION inside the same connection tears its sessions down, and they leave the list")
    func getVersionEndsSessions() throws {
        guard curlPath != nil else { return }
        let daemon = try TestDaemon(config: Self.config)
        let connection = try PlatformSocket(tcpPort: try #require(daemon.port("sess0")))
        #expect(connection.hello())
        var requester = Self.requester()
        try connection.negotiate(&requester)
        _ = try requester.pskExchange(hint: Self.hint, psk: Self.psk, channel: .mctp,
                                      exchange: connection.plainExchange, secured: connection.exchangeSecured)
        #expect(try Self.sessions(daemon).count == 1)
        #expect(connection.versionWorks())
        #expect(try Self.sessions(daemon).isEmpty)
        #expect(try Self.metric(daemon, "spdm_sessions{device=\"sess0\"}") == 0)
        #expect(daemon.stop() == 0)
    }
}

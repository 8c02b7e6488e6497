import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
import SPDMWire
import Testing

/// DSP0274 §10.19: a session that promised a HeartbeatPeriod and then hears nothing for twice
/// that period is terminated by the responder; HEARTBEATs keep it alive. The daemon times this
/// (the responder state machine has no clock).
@Suite("heartbeat timeout on the real daemon", .serialized)
struct HeartbeatTimeoutTests {
    static let config = TestDevice("hb0", capabilities: TestDevice.sessionCapabilities, keys: ["heartbeat_period = 1"],
                                   tables: [TestDevice.referencePSK]).toml

    @Test("HEARTBEATs every half second keep a 1 s-period session; silence ends it, not the other one")
    func timeout() throws {
        let daemon = try TestDaemon(config: Self.config)
        let connection = try PlatformSocket(tcpPort: try #require(daemon.port("hb0")))
        #expect(connection.hello())
        let configuration = RequesterConfiguration(
            capabilities: [.cert, .chal, .encrypt, .mac, .pskWithoutContext, .heartbeat, .keyUpdate],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes256GCM], keySchedule: .spdm, allowUnanchoredChains: true)
        var requester = RequesterConnection(configuration: configuration)
        let plain = connection.plainExchange
        let secured: SecuredExchange = connection.exchangeSecured
        try connection.negotiate(&requester)
        let hint = Array("TestPskHint".utf8) + [0], psk = Array("TestPskData".utf8) + [0]
        var kept = try requester.pskExchange(hint: hint, psk: psk, requesterSessionID: 0xFFFF, channel: .mctp, exchange: plain, secured: secured)
        var silent = try requester.pskExchange(hint: hint, psk: psk, requesterSessionID: 0xFFFE, channel: .mctp, exchange: plain, secured: secured)
        #expect(kept.heartbeatPeriod == 1)
        #expect(try Self.listedSessions(daemon) == [kept.sessionID, silent.sessionID].sorted())

        // Six HEARTBEATs half a second apart: three seconds, more than twice the period.
        for _ in 0..<6 {
            Thread.sleep(forTimeInterval: 0.5)
            try requester.heartbeat(session: &kept, via: secured)
        }
        #expect(daemon.waitFor("session terminated: no message within twice its HeartbeatPeriod"), "\(daemon.text)")
        #expect {
            try requester.heartbeat(session: &silent, via: secured)
        } throws: { error in
            guard case RequesterError.errorResponse(_, let code, _) = error else { return false }
            return code == .decryptError
        }
        // The timed-out session left the control API's list; the kept one is still there.
        #expect(try Self.listedSessions(daemon) == [kept.sessionID])
        try requester.heartbeat(session: &kept, via: secured)
        try requester.endSession(session: &kept, via: secured)
        #expect(try Self.listedSessions(daemon).isEmpty)
        #expect(daemon.stop() == 0)
    }

    /// The session ids `spdmctl sessions --json` lists.
    static func listedSessions(_ daemon: TestDaemon) throws -> [UInt32] {
        let result = try runSeparately(Products.path("spdmctl"), ["sessions", "--control-socket", daemon.controlSocket, "--json"])
        let sessions = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return sessions.compactMap { ($0["session_id"] as? String).flatMap { UInt32($0.dropFirst(2), radix: 16) } }.sorted()
    }
}

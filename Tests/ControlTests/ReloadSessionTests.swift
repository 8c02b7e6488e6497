import Foundation
import SPDMTestSupport
import SPDMRequester
import SPDMTransport
import SPDMWire
import Testing

/// Reload while a secure session is open on a device the reload does not change: the session (its
/// keys and sequence numbers live in that connection) keeps working through a valid reload that
/// changes, adds and removes other devices, and through a refused one.
@Suite("reload keeps an open session on an unchanged device", .serialized)
struct ReloadSessionTests {
    static let hint = Array("TestPskHint".utf8) + [0]
    static let psk = Array("TestPskData".utf8) + [0]

    static let keep = TestDevice("keep0", capabilities: TestDevice.sessionCapabilities.filter { $0 != "KEY_EX" },
                                 tables: [TestDevice.referencePSK]).toml

    @Test("PSK session on keep0 answers HEARTBEAT before, between and after reloads")
    func sessionSurvivesReload() throws {
        let daemon = try TestDaemon(config: Self.keep + ReloadTests.device("change0") + ReloadTests.device("remove0"))
        let connection = try PlatformSocket(tcpPort: try #require(daemon.port("keep0")))
        #expect(connection.hello())

        let configuration = RequesterConfiguration(
            capabilities: [.cert, .chal, .encrypt, .mac, .pskWithoutContext, .heartbeat, .keyUpdate],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes128GCM, .aes256GCM, .chacha20Poly1305], keySchedule: .spdm,
            trustedRoots: [], allowUnanchoredChains: true)
        var requester = RequesterConnection(configuration: configuration)
        let plain = connection.plainExchange
        let secured: SecuredExchange = connection.exchangeSecured
        try connection.negotiate(&requester)
        var session = try requester.pskExchange(hint: Self.hint, psk: Self.psk, channel: .mctp, exchange: plain, secured: secured)
        try requester.heartbeat(session: &session, via: secured)

        // A valid reload: change0 changes, remove0 goes, add0 comes; keep0 is untouched.
        try daemon.rewriteConfig(Self.keep + ReloadTests.device("change0", value: "fw 2") + ReloadTests.device("add0"))
        let reload = try spdmctl(["reload", "--control-socket", daemon.controlSocket, "--json"])
        #expect(reload.status == 0, "\(reload.stdout) \(reload.stderr)")
        try requester.heartbeat(session: &session, via: secured)
        try requester.keyUpdate(.updateKey, session: &session, via: secured)
        try requester.heartbeat(session: &session, via: secured)

        // A refused reload changes nothing; the session goes on.
        try daemon.rewriteConfig(Self.keep + "[[device]]\nname = \"bad0\"\ntcp = \"127.0.0.1:0\"\ntransport = \"carrier-pigeon\"\n")
        let refused = try spdmctl(["reload", "--control-socket", daemon.controlSocket])
        #expect(refused.status != 0)
        try requester.heartbeat(session: &session, via: secured)
        try requester.endSession(session: &session, via: secured)
        #expect(daemon.stop() == 0)
    }
}

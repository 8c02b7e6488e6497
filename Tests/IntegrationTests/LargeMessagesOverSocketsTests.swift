import Foundation
import SPDMTestSupport
import Testing

/// The real daemon with devices whose DataTransferSize is the smallest the specification allows
/// (42, with CHUNK): spdmctl attests and opens sessions through CHUNK_SEND / CHUNK_GET over MCTP on
/// TCP and PCI-DOE on a Unix socket (whose binding pads every message to dwords).
@Suite("Large messages against the real daemon", .serialized)
struct LargeMessagesOverSocketsTests {
    static let capabilities = ["CERT", "CHAL", "MEAS_SIG", "MEAS_FRESH", "ENCRYPT", "MAC", "KEY_EX", "PSK_WITH_CONTEXT", "HBEAT", "KEY_UPD", "CHUNK"]
    static let sizes = ["data_transfer_size = 42", "max_spdm_msg_size = 65536", "heartbeat_period = 10"]
    static let config = TestDevice("tcp0", capabilities: capabilities, keys: sizes, tables: [TestDevice.referencePSK]).toml
        + TestDevice("unix0", transport: "pci-doe", listener: "unix = \"unix0.sock\"\nunix_mode = \"0600\"", capabilities: capabilities,
                     keys: sizes, tables: [TestDevice.referencePSK]).toml

    @Test("attest and sessions at several requester DataTransferSizes, versions 1.2-1.3, MCTP and PCI-DOE")
    func chunked() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("tcp0"))
        let root = daemon.directory + "/state/ca/ecp256/ca.cert.der"
        let spdmctl = Products.path("spdmctl")
        let endpoints: [[String]] = [["--connect", "127.0.0.1:\(port)"],
                                     ["--unix", daemon.directory + "/run/unix0.sock", "--transport", "pci-doe"]]
        for endpoint in endpoints {
            for (version, transferSize) in [("1.2", "42"), ("1.3", "57"), ("1.3", "4096")] {
                let attest = try runProcess(spdmctl, ["attest"] + endpoint + ["--root", root, "--version", version,
                                                                             "--transfer-size", transferSize, "--meas", "one-by-one"])
                #expect(attest.status == 0, "attest \(endpoint) \(version) \(transferSize): \(attest.output)")
            }
            let session = try runProcess(spdmctl, ["session"] + endpoint + ["--root", root, "--transfer-size", "42", "--sessions", "2", "--json"])
            #expect(session.status == 0, "session \(endpoint): \(session.output)")
            let psk = try runProcess(spdmctl, ["session"] + endpoint + ["--psk", "cstr:TestPskHint:cstr:TestPskData", "--json"])
            #expect(psk.status == 0, "psk session \(endpoint): \(psk.output)")
        }
        // Without CHUNK_CAP the requester cannot send CHALLENGE (44 bytes at 1.3) to a 42-byte device.
        let refused = try runProcess(spdmctl, ["attest", "--connect", "127.0.0.1:\(port)", "--root", root, "--no-chunk"])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("chunking was not negotiated"), "\(refused.output)")
        #expect(daemon.isRunning)
        #expect(daemon.stop() == 0)
    }
}

import Foundation
import SPDMTestSupport
import Testing

/// `spdmctl provision` against the real daemon: key pair info, a CSR into a file, chains into slot 0
/// (in the clear) and slot 1 (inside a PSK session), key pair changes and their errors, and the
/// ResetRequired exit status.
@Suite("spdmctl provision against the real daemon", .serialized)
struct ProvisioningOverSocketsTests {
    static let capabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "PSK", "HBEAT", "KEY_UPD",
                               "SET_CERT", "CSR", "GET_KEY_PAIR_INFO", "SET_KEY_PAIR_INFO", "MULTI_KEY_NEG"]
    static let config = TestDevice("prov0", capabilities: capabilities, keys: ["supported_slots = [0, 1]"],
                                   tables: [TestDevice.referencePSK]).toml
        + TestDevice("reset0", capabilities: capabilities + ["CERT_INSTALL_RESET"], tables: [TestDevice.referencePSK]).toml

    @Test("key pairs, a CSR, installs in the clear and in a session, key pair errors, ResetRequired")
    func provision() throws {
        let daemon = try TestDaemon(config: Self.config)
        let address = "127.0.0.1:\(try #require(daemon.port("prov0")))"
        let spdmctl = Products.path("spdmctl")
        let psk = ["--session", "--psk", "cstr:TestPskHint:cstr:TestPskData"]
        let bundle = daemon.directory + "/state/ca/ecp256/bundle_responder.certchain.der"

        let pairs = try runProcess(spdmctl, ["provision", "key-pairs", "--connect", address])
        #expect(pairs.status == 0 && pairs.output.contains("key pair 1/1: algorithm ECC256"), "\(pairs.output)")
        #expect(pairs.output.contains("slots 0"), "\(pairs.output)")

        let csrFile = daemon.directory + "/prov0.csr"
        let csr = try runProcess(spdmctl, ["provision", "csr", "--connect", address, "--subject", "CN=it device,O=Lab", "--out", csrFile])
        #expect(csr.status == 0 && csr.output.contains("CSR for key pair 1"), "\(csr.output)")
        let verified = try runProcess("/usr/bin/openssl", ["req", "-inform", "DER", "-in", csrFile, "-verify", "-noout", "-subject"])
        #expect(verified.status == 0 && verified.output.contains("CN = it device"), "\(verified.output)")

        let slot0 = try runProcess(spdmctl, ["provision", "install", "--connect", address, "--chain", bundle])
        #expect(slot0.status == 0 && slot0.output.contains("slot 0: 3 certificates installed"), "\(slot0.output)")
        let clear1 = try runProcess(spdmctl, ["provision", "install", "--connect", address, "--slot", "1", "--chain", bundle])
        #expect(clear1.status == 2 && clear1.output.contains("UnexpectedRequest"), "\(clear1.output)")
        let session1 = try runProcess(spdmctl, ["provision", "install", "--connect", address, "--slot", "1", "--chain", bundle] + psk)
        #expect(session1.status == 0 && session1.output.contains("slot 1: 3 certificates installed"), "\(session1.output)")

        let busy = try runProcess(spdmctl, ["provision", "set-key-pair", "--connect", address, "--id", "1", "--operation", "erase"])
        #expect(busy.status == 2 && busy.output.contains("OperationFailed"), "\(busy.output)")
        let change = try runProcess(spdmctl, ["provision", "set-key-pair", "--connect", address, "--id", "1", "--usage", "CHALLENGE,KEY_EX",
                                              "--slots", "0"])
        #expect(change.status == 0 && change.output.contains("change acknowledged"), "\(change.output)")
        let erase = try runProcess(spdmctl, ["provision", "erase", "--connect", address, "--slot", "1"] + psk)
        #expect(erase.status == 0 && erase.output.contains("slot 1 erased"), "erase: \(erase.status) \(erase.output)")

        let reset = try runProcess(spdmctl, ["provision", "csr", "--connect", "127.0.0.1:\(try #require(daemon.port("reset0")))",
                                             "--out", daemon.directory + "/reset.csr"])
        #expect(reset.status == 9 && reset.output.contains("CSRTrackingTag 1"), "\(reset.output)")

        let usage = try runProcess(spdmctl, ["provision", "install", "--connect", address, "--chain", bundle, "--slot", "9"])
        #expect(usage.status == 64, "\(usage.output)")
        #expect(daemon.isRunning)
        #expect(daemon.stop() == 0)
    }
}

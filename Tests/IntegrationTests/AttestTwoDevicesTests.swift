import Foundation
import SPDMTestSupport
import Testing

/// The acceptance test of the foundation: the real daemon with a TCP device and a Unix-socket
/// device, both attested at the same time by spdmctl with full verification to the builtin root.
@Suite("spdmctl attests the real daemon", .serialized)
struct AttestTwoDevicesTests {
    @Test("two devices, one TCP (MCTP) and one Unix socket (PCI-DOE), attested at once")
    func twoDevicesAtOnce() async throws {
        let daemon = try TestDaemon(config: FramingRobustnessTests.config)
        let port = try #require(daemon.port("tcp0"))
        let root = daemon.directory + "/state/ca/ecp256/ca.cert.der"
        let spdmctl = Products.path("spdmctl")
        async let tcp = Task.detached {
            try runProcess(spdmctl, ["attest", "--connect", "127.0.0.1:\(port)", "--transport", "mctp", "--root", root, "--json"])
        }.value
        async let unix = Task.detached {
            try runProcess(spdmctl, ["attest", "--unix", daemon.directory + "/run/unix0.sock", "--transport", "pci-doe",
                                     "--root", root, "--json"])
        }.value
        let results = try await [tcp, unix]
        for result in results {
            #expect(result.status == 0, "spdmctl failed: \(result.output)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            #expect(json?["ok"] as? Bool == true, "\(result.output)")
            #expect((json?["verified"] as? [String])?.isEmpty == false)
        }
        #expect(daemon.stop() == 0)
    }

    @Test("attesting against the wrong root fails with a clear message")
    func wrongRoot() throws {
        let daemon = try TestDaemon(config: FramingRobustnessTests.config.replacingOccurrences(
            of: "[[device]]\nname = \"unix0\"", with: "[[device]]\nname = \"other\"\ntcp = \"127.0.0.1:0\"\n[[device.slot]]\ngenerate = { algorithm = \"ECDSA_P384\" }\n[[device.measurement]]\nindex = 1\ntype = \"version\"\nvalue = \"1\"\n\n[[device]]\nname = \"unix0\""))
        let port = try #require(daemon.port("tcp0"))
        let wrongRoot = daemon.directory + "/state/ca/ecp384/ca.cert.der"
        let result = try runProcess(Products.path("spdmctl"), ["attest", "--connect", "127.0.0.1:\(port)", "--root", wrongRoot])
        #expect(result.status == 4, "a certificate_chain failure: \(result.output)")
        #expect(result.output.lowercased().contains("root") || result.output.lowercased().contains("chain"), "\(result.output)")
        #expect(daemon.stop() == 0)
    }
}

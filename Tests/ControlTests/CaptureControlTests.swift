import Foundation
import SPDMTestSupport
import Testing

/// `spdmctl capture` against the real daemon: the file holds the frames of a real attestation.
@Suite("packet capture through the control API", .serialized)
struct CaptureControlTests {
    static let config = TestDevice("cap0").toml + TestDevice("tcpbind0", transport: "tcp").toml

    /// The (link type, [packet]) of a pcap file written by the daemon.
    static func packets(_ path: String) throws -> (linkType: UInt32, packets: [[UInt8]]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ offset: Int) -> UInt32 { bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        #expect(u32(0) == 0xA1B2_C3D4)
        var packets: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = Int(u32(offset + 8))
            packets.append(Array(bytes[offset + 16 ..< min(bytes.count, offset + 16 + length)]))
            offset += 16 + length
        }
        return (u32(20), packets)
    }

    @Test("start, attest, stop: every request and response is in the pcap behind its MCTP header; status and stop report the count")
    func captureAnAttestation() throws {
        let daemon = try TestDaemon(config: Self.config)
        let ctl = { (arguments: [String]) in try spdmctl(arguments + ["--control-socket", daemon.controlSocket]) }
        let path = daemon.directory + "/cap0.pcap"
        let idle = try ctl(["capture", "status", "cap0"])
        #expect(idle.status == 0)
        #expect(idle.stdout.contains("cap0: no capture"), "\(idle.stdout)")

        let started = try ctl(["capture", "start", "cap0", path])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.contains("capturing into \(path)"), "\(started.stdout)")
        let port = try #require(daemon.port("cap0"))
        let attest = try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der"])
        #expect(attest.status == 0, "\(attest.stdout) \(attest.stderr)")

        let status = try ctl(["capture", "status", "cap0", "--json"])
        let document = json(status.stdout) as? [String: Any] ?? [:]
        #expect(document["running"] as? Bool == true)
        #expect(document["link_type"] as? Int == 291)
        let counted = document["packets"] as? Int ?? 0
        let stopped = try ctl(["capture", "stop", "cap0"])
        #expect(stopped.status == 0)
        #expect(stopped.stdout.contains("captured into \(path)"), "\(stopped.stdout)")

        let (linkType, packets) = try Self.packets(path)
        #expect(linkType == 291)
        #expect(packets.count >= counted && counted >= 8, "\(packets.count) packets, status said \(counted)")
        #expect(packets.allSatisfy { $0.starts(with: [0x00, 0x00, 0x00, 0xC0]) })
        // SPDM message codes after the MCTP header and message type 0x05, in order.
        let codes = packets.compactMap { $0.count >= 7 && $0[4] == 0x05 ? $0[6] : nil }
        #expect(Array(codes.prefix(6)) == [0x84, 0x04, 0xE1, 0x61, 0xE3, 0x63], "GET_VERSION .. ALGORITHMS: \(codes.map { String($0, radix: 16) })")
        #expect(codes.contains(0xE0) && codes.contains(0x60), "GET_MEASUREMENTS and MEASUREMENTS")

        // After stop nothing more is written.
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        _ = try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der"])
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == size)
    }

    @Test("a TCP-binding device or a relative path is refused with 400 and a reason")
    func refused() throws {
        let daemon = try TestDaemon(config: Self.config)
        let tcp = try curl(daemon.controlSocket, "PUT", "/v1/devices/tcpbind0/capture", body: #"{"path": "/tmp/x.pcap"}"#)
        #expect(tcp.status == 400)
        #expect(tcp.body.contains("MCTP and PCI-DOE only"), "\(tcp.body)")
        let relative = try curl(daemon.controlSocket, "PUT", "/v1/devices/cap0/capture", body: #"{"path": "x.pcap"}"#)
        #expect(relative.status == 400)
        #expect(relative.body.contains("must be absolute"), "\(relative.body)")
    }
}

import Foundation
import SPDMTransport
import Testing
@testable import SPDMDaemon

/// The pcap bytes, as DMTF's spdm_requester_emu --pcap writes them (Capture/PcapFormat.swift).
@Suite("pcap capture format")
struct PcapFormatTests {
    @Test("global header: magic a1b2c3d4, 2.4, snaplen 0x10000, link type 291 MCTP / 292 PCI-DOE; TCP and NONE have none")
    func globalHeader() {
        #expect(PcapFormat.globalHeader(linkType: 291) == [
            0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
            0x00, 0x00, 0x01, 0x00, 0x23, 0x01, 0x00, 0x00,
        ])
        #expect(PcapFormat.linkType(.mctp) == 291)
        #expect(PcapFormat.linkType(.pciDOE) == 292)
        #expect(PcapFormat.linkType(.tcp) == nil)
        #expect(PcapFormat.linkType(.none) == nil)
    }

    @Test("an MCTP record carries the 4-byte MCTP header (tag 0xC0) before the message; PCI-DOE the message alone")
    func records() {
        let getVersion: [UInt8] = [0x05, 0x10, 0x84, 0x00, 0x00]
        #expect(PcapFormat.record(getVersion, transport: .mctp, seconds: 0x0102_0304, microseconds: 7) == [
            0x04, 0x03, 0x02, 0x01, 0x07, 0, 0, 0, 0x09, 0, 0, 0, 0x09, 0, 0, 0,
            0x00, 0x00, 0x00, 0xC0, 0x05, 0x10, 0x84, 0x00, 0x00,
        ])
        let doe: [UInt8] = [0x01, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x84, 0x00, 0x00]
        let record = PcapFormat.record(doe, transport: .pciDOE, seconds: 1, microseconds: 2)
        #expect(Array(record[8..<16]) == [12, 0, 0, 0, 12, 0, 0, 0])
        #expect(Array(record[16...]) == doe)
    }

    @Test("a packet over the snap length is cut there, orig_len keeps its size")
    func snapLength() {
        let big = [UInt8](repeating: 0xAB, count: 70_000)
        let record = PcapFormat.record(big, transport: .mctp, seconds: 0, microseconds: 0)
        #expect(record.count == 16 + 0x1_0000)
        #expect(Array(record[8..<12]) == [0x00, 0x00, 0x01, 0x00])
        #expect(Array(record[12..<16]) == withUnsafeBytes(of: UInt32(70_004).littleEndian) { Array($0) })
    }

    @Test("a capture writes a readable file record by record; stop ends it; a relative path or a TCP device is refused")
    func deviceCapture() throws {
        let path = FileManager.default.temporaryDirectory.path + "/capture-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = DeviceCapture(transport: .mctp)
        #expect(capture.record([0x05, 0x10, 0x84, 0x00, 0x00]) == nil, "nothing recorded while off")
        try capture.start(path: path)
        #expect(capture.record([0x05, 0x10, 0x84, 0x00, 0x00]) == nil)
        #expect(capture.record([0x05, 0x10, 0x04, 0x00, 0x00, 0x00]) == nil)
        let status = try #require(capture.stop())
        #expect(status.packets == 2)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == status.bytes)
        #expect(bytes.count == 24 + (16 + 9) + (16 + 10))
        #expect(Array(bytes[24 + 16 ..< 24 + 25]) == [0x00, 0x00, 0x00, 0xC0, 0x05, 0x10, 0x84, 0x00, 0x00])
        #expect(capture.stop() == nil)
        #expect(throws: DeviceCapture.Failure.self) { try capture.start(path: "relative.pcap") }
        #expect(throws: DeviceCapture.Failure.self) { try DeviceCapture(transport: .tcp).start(path: path) }
    }
}

import SPDMTransport
import Testing

@Suite("Transport bindings")
struct BindingTests {
    @Test("MCTP: message type 0x05 carries SPDM, 0x06 secured SPDM, others pass through")
    func mctp() throws {
        let binding = MCTPBinding()
        #expect(try binding.decode([0x05, 0x10, 0x84, 0, 0]) == .spdm([0x10, 0x84, 0, 0]))
        #expect(try binding.decode([0x06, 1, 2]) == .securedSPDM([1, 2]))
        #expect(try binding.decode([0x01, 0x80, 0x00, 0x02]) == .other(type: 0x01, body: [0x80, 0x00, 0x02]))
        #expect(binding.encode(.spdm([0x10, 0x04])) == [0x05, 0x10, 0x04])
        #expect(throws: BindingError.empty) { try binding.decode([]) }
    }

    @Test("PCI-DOE: header, dword length and padding round-trip")
    func doe() throws {
        let binding = PCIDOEBinding()
        let message: [UInt8] = [0x12, 0x84, 0, 0, 0xAA]  // 5 bytes -> padded to 8
        let payload = binding.encode(.spdm(message))
        #expect(payload.count == 16)
        #expect(Array(payload.prefix(8)) == [0x01, 0x00, 0x01, 0x00, 4, 0, 0, 0])
        #expect(try binding.decode(payload) == .spdm(message + [0, 0, 0]))
    }

    @Test("PCI-DOE: discovery lists DOE discovery, SPDM and secured SPDM in turn")
    func doeDiscovery() throws {
        let binding = PCIDOEBinding()
        let request = binding.encode(.bindingControl(request: [0, 0, 0, 0]))
        guard case .bindingControl(let body) = try binding.decode(request) else {
            Issue.record("discovery request not recognised")
            return
        }
        let first = try #require(binding.controlResponse(to: body))
        #expect(Array(first.suffix(4)) == [0x01, 0x00, 0x00, 0x01])
        let second = try #require(binding.controlResponse(to: [1, 0, 0, 0]))
        #expect(Array(second.suffix(4)) == [0x01, 0x00, 0x01, 0x02])
        let last = try #require(binding.controlResponse(to: [2, 0, 0, 0]))
        #expect(Array(last.suffix(4)) == [0x01, 0x00, 0x02, 0x00])
    }

    @Test("PCI-DOE: the largest data object (2^18 dwords) has Length 0 both ways")
    func doeLargest() throws {
        let binding = PCIDOEBinding()
        let message = [UInt8](repeating: 0x5A, count: (1 << 20) - 8)
        let payload = binding.encode(.spdm(message))
        #expect(payload.count == 1 << 20)
        #expect(Array(payload[4..<8]) == [0, 0, 0, 0])
        #expect(try binding.decode(payload) == .spdm(message))
    }

    @Test("PCI-DOE: a length beyond the payload is malformed")
    func doeBadLength() {
        #expect(throws: BindingError.self) { try PCIDOEBinding().decode([0x01, 0x00, 0x01, 0x00, 9, 0, 0, 0]) }
    }

    @Test("TCP (DSP0287): length, binding version and message type")
    func tcp() throws {
        let binding = TCPBinding()
        let payload = binding.encode(.spdm([0x12, 0x04]))
        #expect(payload == [2, 0, 0x01, 0x05, 0x12, 0x04])
        #expect(try binding.decode(payload) == .spdm([0x12, 0x04]))
    }

    @Test("transport names parse as configs spell them")
    func names() {
        #expect(TransportType(name: "pci-doe") == .pciDOE)
        #expect(TransportType(name: "PCI_DOE") == .pciDOE)
        #expect(TransportType(name: "mctp") == .mctp)
        #expect(TransportType(name: "carrier-pigeon") == nil)
    }
}

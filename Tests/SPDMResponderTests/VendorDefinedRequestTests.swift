import SPDMRequester
import SPDMResponder
import SPDMWire
import Testing

@Suite("VENDOR_DEFINED_REQUEST handler")
struct VendorDefinedRequestTests {
    static let pciSig: [UInt8] = [0x01, 0x00]

    static let handlers = VendorDefinedHandlers([
        // A static answer to one exact payload.
        VendorDefinedHandler(standardID: 3, vendorID: pciSig, request: [0x01, 0x10, 0x81], prefix: false,
                             response: [.bytes([0x01, 0x10, 0x01, 0x01, 0x10])]),
        // KEY_PROG -> KP_ACK: fixed bytes and request slices.
        VendorDefinedHandler(standardID: 3, vendorID: pciSig, request: [0x00, 0x02], prefix: true,
                             response: [.bytes([0x00, 0x03]), .request(from: 2, to: 5), .bytes([0x00]), .request(from: 6, to: 8)]),
        // Echo of anything else under the DMTF registry, after a fixed header.
        VendorDefinedHandler(standardID: 0, vendorID: [], request: [], prefix: true,
                             response: [.bytes([0xEC]), .request(from: 0, to: nil)]),
        // A longer prefix wins over a shorter one.
        VendorDefinedHandler(standardID: 0, vendorID: [], request: [0x42], prefix: true, response: [.bytes([0x42, 0x42])]),
    ])

    static func harness(version: SPDMVersion = .v13, capabilities: CapabilityFlags = Fixtures.capabilities,
                        peer: CapabilityFlags = []) -> Harness {
        var device = Fixtures.device(capabilities: capabilities)
        device.vendorDefined = handlers
        var harness = Harness(device: device, version: version)
        harness.runVersion()
        _ = harness.send(GetCapabilitiesRequest(version: version, flags: peer, dataTransferSize: 4096, maxSPDMMessageSize: 4096)
            .encoded(context: .unnegotiated(version)))
        precondition(harness.send(harness.negotiateAlgorithms())[1] == ResponseCode.algorithms.rawValue)
        return harness
    }

    static func request(_ version: SPDMVersion, standard: UInt16, vendor: [UInt8], _ payload: [UInt8], large: Bool = false) -> [UInt8] {
        VendorDefinedRequest(version: version, fields: VendorDefinedFields(standardID: standard, vendorID: vendor, payload: payload, large: large))
            .encoded(context: .unnegotiated(version))
    }

    static func response(_ bytes: [UInt8]) throws -> VendorDefinedFields {
        try VendorDefinedResponse(decoding: bytes, context: .unnegotiated(SPDMVersion(rawValue: bytes[0]))).fields
    }

    @Test("a static answer, a rule of fixed bytes and request slices, an echo; the longest prefix wins")
    func answers() throws {
        var harness = Self.harness()
        let version = try harness.send(Self.request(.v13, standard: 3, vendor: Self.pciSig, [0x01, 0x10, 0x81]))
        #expect(version == [0x13, 0x7E, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x05, 0x00, 0x01, 0x10, 0x01, 0x01, 0x10])
        let keyProg: [UInt8] = [0x00, 0x02, 0x00, 0x00, 0x07, 0x00, 0x20, 0x01] + [UInt8](repeating: 0x5A, count: 40)
        #expect(try Self.response(harness.send(Self.request(.v13, standard: 3, vendor: Self.pciSig, keyProg))).payload
                == [0x00, 0x03, 0x00, 0x00, 0x07, 0x00, 0x20, 0x01])
        #expect(try Self.response(harness.send(Self.request(.v13, standard: 0, vendor: [], [1, 2, 3]))).payload == [0xEC, 1, 2, 3])
        #expect(try Self.response(harness.send(Self.request(.v13, standard: 0, vendor: [], [0x42, 9]))).payload == [0x42, 0x42])
    }

    @Test("no handler -> UnsupportedRequest; before NEGOTIATE_ALGORITHMS -> UnexpectedRequest")
    func refused() {
        var harness = Self.harness()
        #expect(harness.send(Self.request(.v13, standard: 3, vendor: [0x98, 0x1E], [0x00, 0x00])) == [0x13, 0x7F, 0x07, 0xFE])
        #expect(harness.send(Self.request(.v13, standard: 3, vendor: Self.pciSig, [0x01, 0x10, 0x81, 0x00])) == [0x13, 0x7F, 0x07, 0xFE])
        var early = Harness.afterVersion(device: Fixtures.device(), version: .v13)
        early.send(early.getCapabilities())
        #expect(early.send(Self.request(.v13, standard: 0, vendor: [], [1]))[1] == 0x7F)
    }

    @Test("a payload too short for its rule, a VendorID of the wrong length, a truncated request -> InvalidRequest")
    func invalid() {
        var harness = Self.harness()
        #expect(harness.send(Self.request(.v13, standard: 3, vendor: Self.pciSig, [0x00, 0x02, 0x00])) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(.v13, standard: 0, vendor: [0x01, 0x00], [1])) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send([0x13, 0xFE, 0x00, 0x00, 0x03, 0x00]) == [0x13, 0x7F, 0x01, 0x00])
    }

    @Test("the 1.4 large form needs LARGE_RESP_CAP on both sides and is answered in the large form")
    func largeForm() throws {
        var without = Self.harness(version: .v14)
        #expect(without.send(Self.request(.v14, standard: 0, vendor: [], [7], large: true)) == [0x14, 0x7F, 0x01, 0x00])
        var with = Self.harness(version: .v14, capabilities: Fixtures.capabilities.union(.largeResponse), peer: [.largeResponse])
        let answer = with.send(Self.request(.v14, standard: 0, vendor: [], [7], large: true))
        #expect(answer[2] == 0x80)
        #expect(try Self.response(answer) == VendorDefinedFields(standardID: 0, vendorID: [], payload: [0xEC, 7], large: true))
    }

    @Test("inside an established session, over MCTP and PCI-DOE")
    func inSession() throws {
        for channel in [SecuredChannel.mctp, .pciDOE] {
            var device = Fixtures.device(asym: .ecdsaP384, hash: .sha384, versions: [.v13], capabilities: SessionPair.responderCapabilities)
            device.vendorDefined = Self.handlers
            device.dhePreference = [.secp384r1]
            device.aeadPreference = [.aes256GCM]
            let pair = SessionPair(version: .v13, channel: channel, device: device)
            try pair.connect()
            var session = try pair.pskExchange()
            let reply = try session.exchange(Self.request(.v13, standard: 3, vendor: Self.pciSig, [0x01, 0x10, 0x81]),
                                             code: .vendorDefinedRequest) { try pair.deliver($0) }
            #expect(try Self.response(reply).payload == [0x01, 0x10, 0x01, 0x01, 0x10])
            try pair.exercise(&session)
        }
    }
}

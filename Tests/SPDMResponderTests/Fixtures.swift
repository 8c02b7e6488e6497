import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMWire

// FixedRandom, TestChain and TestChains live in SPDMTestFixtures (shared with the fuzz targets).
@_exported import SPDMTestFixtures

enum Fixtures {
    static let capabilities: CapabilityFlags = [.cert, .chal, .measWithSignature]

    /// Four contiguous measurements: two TCB digests, a raw version string, a non-TCB digest.
    static let measurements = MeasurementTable(entries: [
        .init(index: 1, type: .immutableROM, value: Array("boot rom".utf8), representation: .digest, tcb: true),
        .init(index: 2, type: .mutableFirmware, value: Array("firmware 2.1".utf8), representation: .digest, tcb: true),
        .init(index: 3, type: .version, value: Array("2.1.0".utf8), representation: .raw, tcb: false),
        .init(index: 4, type: .hardwareConfiguration, value: [0x01, 0x02, 0x03], representation: .digest, tcb: false),
    ])

    static func device(asym: SignatureAlgorithm = .ecdsaP384, hash: HashAlgorithm = .sha384,
                       versions: [SPDMVersion] = SPDMVersion.all, capabilities: CapabilityFlags = Fixtures.capabilities,
                       certificatePortionLimit: Int = 1024,
                       slots: [CertificateSlot]? = nil) -> ResponderDevice {
        ResponderDevice(name: "test-\(asym.rawValue)-\(hash.rawValue)", versions: versions, capabilities: capabilities,
                        hashPreference: [hash], asymPreference: [asym], slots: slots ?? [TestChains.chain(for: asym).slot()],
                        measurements: measurements, certificatePortionLimit: certificatePortionLimit)
    }

    static func requesterConfiguration(roots: [Certificate], version: SPDMVersion? = nil) -> RequesterConfiguration {
        RequesterConfiguration(forcedVersion: version, trustedRoots: roots)
    }

    static func errorBytes(_ version: SPDMVersion, _ code: ErrorCode, _ data: UInt8 = 0) -> [UInt8] {
        [version.rawValue, 0x7F, code.rawValue, data]
    }
}

/// A responder driven with raw request bytes, for the per-handler tests.
struct Harness {
    var responder: ResponderConnection
    var version: SPDMVersion

    init(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) {
        responder = ResponderConnection(device: device, random: FixedRandom())
        self.version = version
    }

    var context: WireContext { responder.negotiated?.wireContext ?? .unnegotiated(version) }

    mutating func send(_ request: [UInt8]) -> [UInt8] { responder.respond(to: request) }
    mutating func send(_ message: some SPDMEncodable) -> [UInt8] { send(message.encoded(context: context)) }

    static func getVersion() -> [UInt8] { GetVersionRequest().encoded(context: .unnegotiated(.v10)) }

    func getCapabilities() -> [UInt8] {
        GetCapabilitiesRequest(version: version, dataTransferSize: 4096, maxSPDMMessageSize: 4096).encoded(context: .unnegotiated(version))
    }

    func negotiateAlgorithms() -> [UInt8] {
        NegotiateAlgorithmsRequest(version: version, baseAsym: RequesterConfiguration.allAsym, baseHash: RequesterConfiguration.allHashes)
            .encoded(context: .unnegotiated(version))
    }

    @discardableResult mutating func runVersion() -> [UInt8] { send(Self.getVersion()) }
    @discardableResult mutating func runCapabilities() -> [UInt8] { runVersion(); return send(getCapabilities()) }
    @discardableResult mutating func runNegotiate() -> [UInt8] { runCapabilities(); return send(negotiateAlgorithms()) }

    static func afterVersion(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runVersion()
        return harness
    }

    static func afterCapabilities(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runCapabilities()
        return harness
    }

    static func negotiated(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        let response = harness.runNegotiate()
        precondition(response[1] == ResponseCode.algorithms.rawValue, "VCA failed: \(response)")
        return harness
    }

    func error(_ code: ErrorCode, _ data: UInt8 = 0) -> [UInt8] { Fixtures.errorBytes(version, code, data) }
}

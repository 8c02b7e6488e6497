import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMWire
import Testing

/// GET_MEASUREMENT_EXTENSION_LOG (DSP0274 1.3, MEL_CAP) back to back: the DMTF log format, its
/// consistency with the hash-extend measurement, portions, chunking, sessions, and the log growing
/// when a measurement changes.
@Suite("Measurement extension log")
struct MeasurementExtensionLogTests {
    static let extendIndex: UInt8 = 5
    static let table = MeasurementTable(entries: Fixtures.measurements.entries + [
        .init(index: extendIndex, type: .hashExtendMeasurement, value: [], representation: .digest, tcb: false),
    ], log: [
        .init(type: .informational, value: Array("ROM".utf8)),
        .init(type: .mutableFirmware, value: Array("boot firmware image".utf8), representation: .digest),
        .init(type: .version, value: [0x0A, 0x03, 0x00, 0x01]),
    ])
    static let capabilities: CapabilityFlags = Fixtures.capabilities.union(.mel)

    static func device(table: MeasurementTable = table) -> ResponderDevice {
        var device = Fixtures.device(versions: [.v13, .v14], capabilities: capabilities)
        device.measurements = table
        return device
    }

    static func requester(capabilities: CapabilityFlags = [], dataTransferSize: UInt32 = 4096, maxMessage: UInt32 = 4096) -> RequesterConnection {
        RequesterConnection(configuration: RequesterConfiguration(capabilities: capabilities, dataTransferSize: dataTransferSize,
                                                                  maxSPDMMessageSize: maxMessage, trustedRoots: [TestChains.p384.root]))
    }

    @Test("the hash-extend value is the fold of Hash(previous || entry) over the log's entries of its index")
    func extendedValue() {
        let log = Self.table.extensionLog(hash: .sha384)
        var expected = [UInt8](repeating: 0, count: 48)
        for entry in log.entries { expected = Digest.hash(.sha384, expected + entry.encoded) }
        #expect(MeasurementExtension.extendedValue(of: log, index: Self.extendIndex, hash: .sha384) == expected)
        #expect(MeasurementExtension.extendedValue(of: log, index: 9, hash: .sha384) == [UInt8](repeating: 0, count: 48))
        #expect(log.entries.map(\.melIndex) == [1, 2, 3])
        #expect(log.entries.allSatisfy { $0.measurementIndex == Self.extendIndex })
        // A digest event is logged as its hash under the negotiated measurement hash.
        #expect(log.entries[1].value == Digest.hash(.sha384, Array("boot firmware image".utf8)) && !log.entries[1].isRawBitStream)
        let block = Self.table.blocks([Self.table.entry(Self.extendIndex)!], hash: .sha384, rawRequested: true)[0]
        #expect(block.valueType == .hashExtendMeasurement && !block.isRawBitStream && block.value == expected)
    }

    @Test("attest: the log retrieved in the DMTF format extends to the signed hash-extend measurement", arguments: [SPDMVersion.v13, .v14])
    func attest(_ version: SPDMVersion) throws {
        var responder = ResponderConnection(device: Self.device())
        var requester = RequesterConnection(configuration: RequesterConfiguration(forcedVersion: version, trustedRoots: [TestChains.p384.root]))
        let report = try requester.attest(AttestationPlan()) { responder.respond(to: $0) }
        #expect(report.algorithms.melSpecification == MeasurementExtensionLog.specificationDMTF)
        #expect(report.measurementExtensionLog == Self.table.extensionLog(hash: .sha384))
        #expect(report.verified.contains { $0.hasPrefix("measurement extension log (3 entries) extends to hash-extend measurement 5") })
    }

    @Test("a small DataTransferSize without chunking: the log comes in several portions")
    func portions() throws {
        var responder = ResponderConnection(device: Self.device())
        var requester = Self.requester(dataTransferSize: 42, maxMessage: 42)
        var requests = 0
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try requester.perform(operation) { responder.respond(to: $0) }
        }
        let event = try requester.perform(.getMeasurementExtensionLog) { request in
            requests += 1
            let response = responder.respond(to: request)
            #expect(response.count <= 42)
            return response
        }
        guard case .measurementExtensionLog(let log) = event else { Issue.record("no log"); return }
        #expect(log == Self.table.extensionLog(hash: .sha384))
        #expect(requests == (log.encoded.count + 29) / 30)
    }

    @Test("with chunking the whole log is one MEASUREMENT_EXTENSION_LOG fetched with CHUNK_GET")
    func chunked() throws {
        var device = Self.device()
        device.capabilities.insert(.chunk)
        device.dataTransferSize = 42
        var responder = ResponderConnection(device: device)
        var requester = Self.requester(capabilities: .chunk, dataTransferSize: 42, maxMessage: 65536)
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try requester.perform(operation) { responder.respond(to: $0) }
        }
        var codes: [UInt8] = []
        let event = try requester.perform(.getMeasurementExtensionLog) { request in
            codes.append(request[1])
            return responder.respond(to: request)
        }
        guard case .measurementExtensionLog(let log) = event else { Issue.record("no log"); return }
        #expect(log == Self.table.extensionLog(hash: .sha384))
        #expect(codes.filter { $0 == RequestCode.getMeasurementExtensionLog.rawValue }.count == 1)
        #expect(codes.contains(RequestCode.chunkGet.rawValue))
    }

    @Test("a measurement change extends the log and the hash-extend measurement; a value set at its index is an event")
    func changeExtends() throws {
        var table = Self.table
        let changed = table.set(index: 2, value: Array("firmware 2.2".utf8))
        #expect(changed)
        #expect(table.log.count == 4)
        #expect(table.log.last == .init(type: .mutableFirmware, value: Array("firmware 2.2".utf8), representation: .digest))
        let extended = table.set(index: Self.extendIndex, value: Array("runtime event".utf8))
        #expect(extended)
        #expect(table.log.count == 5 && table.log.last?.type == .informational)
        #expect(table.entry(Self.extendIndex)?.value == [])

        var responder = ResponderConnection(device: Self.device())
        var requester = Self.requester()
        _ = try requester.attest(AttestationPlan()) { responder.respond(to: $0) }
        responder.updateMeasurements(table)
        var again = Self.requester()
        let report = try again.attest(AttestationPlan()) { responder.respond(to: $0) }
        #expect(report.measurementExtensionLog?.entries.count == 5)
        #expect(report.measurements.first { $0.index == Self.extendIndex }?.value
                == MeasurementExtension.extendedValue(of: table.extensionLog(hash: .sha384), index: Self.extendIndex, hash: .sha384))
    }

    @Test("a log that does not extend to the measurement fails the requester's check")
    func inconsistent() throws {
        var responder = ResponderConnection(device: Self.device())
        var requester = Self.requester()
        #expect(throws: RequesterError.self) {
            _ = try requester.attest(AttestationPlan()) { request in
                var response = responder.respond(to: request)
                if request[1] == RequestCode.getMeasurementExtensionLog.rawValue { response[response.count - 1] ^= 0x01 }
                return response
            }
        }
    }

    @Test("refusals: Offset past the log, a short request, no MEL format negotiated, before 1.3")
    func refusals() {
        var harness = Harness(device: Self.device(), version: .v13)
        harness.runCapabilities()
        _ = harness.send(NegotiateAlgorithmsRequest(version: .v13, measurementSpecification: .dmtf, baseAsym: RequesterConfiguration.allAsym,
                                                    baseHash: RequesterConfiguration.allHashes, melSpecification: 1)
            .encoded(context: .unnegotiated(.v13)))
        #expect(harness.send(GetMeasurementExtensionLogRequest(version: .v13, offset: 10_000, length: 10)) == harness.error(.invalidRequest))
        #expect(harness.send([0x13, 0xEF, 0, 0, 0, 0, 0, 0]) == harness.error(.invalidRequest))
        let portion = harness.send(GetMeasurementExtensionLogRequest(version: .v13, offset: 16, length: 11))
        #expect(portion.count == 12 + 11 && portion[1] == ResponseCode.measurementExtensionLog.rawValue)

        var withoutFormat = Harness.negotiated(device: Self.device(), version: .v13)
        #expect(withoutFormat.send(GetMeasurementExtensionLogRequest(version: .v13, offset: 0, length: 100))
                == withoutFormat.error(.unexpectedRequest))
        var device = Self.device()
        device.versions = [.v12]
        var old = Harness.negotiated(device: device, version: .v12)
        #expect(old.send(GetMeasurementExtensionLogRequest(version: .v12, offset: 0, length: 100))
                == old.error(.unsupportedRequest, RequestCode.getMeasurementExtensionLog.rawValue))
    }

    @Test("inside a session")
    func inSession() throws {
        var device = Self.device()
        device.capabilities.formUnion(SessionPair.responderCapabilities)
        device.versions = [.v13]
        device.dhePreference = [.secp384r1]
        device.aeadPreference = [.aes256GCM]
        let pair = SessionPair(version: .v13, device: device)
        try pair.connect()
        var session = try pair.keyExchange()
        let log = try pair.requester.getMeasurementExtensionLog(session: &session) { try pair.deliver($0) }
        #expect(log == Self.table.extensionLog(hash: .sha384))
    }
}

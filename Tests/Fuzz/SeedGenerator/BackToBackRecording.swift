import SPDMFuzzSupport
import SPDMRequester
import SPDMResponder
import SPDMTestFixtures
import SPDMWire

/// Every message of one back-to-back run at `version`: VCA, DIGESTS, CERTIFICATE, CHALLENGE,
/// MEASUREMENTS, then (1.1+) a KEY_EXCHANGE session and a PSK session.
struct BackToBackRecording {
    let version: SPDMVersion
    /// Plain request/response pairs in order.
    private(set) var plain: [(request: [UInt8], response: [UInt8])] = []
    /// Secured records (request record, reply record) in order.
    private(set) var secured: [(request: [UInt8], response: [UInt8])] = []
    /// How many plain exchanges VCA took, and VCA plus DIGESTS and the CERTIFICATE series.
    private(set) var afterVCA = 0
    private(set) var afterCertificate = 0

    init(_ version: SPDMVersion) {
        self.version = version
        var responder = ResponderConnection(device: FuzzDevice.responderDevice(), random: FixedRandom())
        var requester = RequesterConnection(configuration: FuzzDevice.requesterConfiguration(version: version), random: FixedRandom())
        var plain: [(request: [UInt8], response: [UInt8])] = []
        var secured: [(request: [UInt8], response: [UInt8])] = []
        let exchange: ([UInt8]) -> [UInt8] = { request in
            let response = responder.respond(to: request)
            plain.append((request, response))
            return response
        }
        let securedExchange: SecuredExchange = { record in
            let outcome = responder.handleSecured(record, format: .mctp, mctpTyped: true)
            secured.append((record, outcome.record ?? outcome.plainResponse ?? []))
            return outcome.record.map(SecuredReply.secured) ?? .plain(outcome.plainResponse ?? [])
        }
        do {
            for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
                _ = try requester.perform(operation, exchange: exchange)
            }
            afterVCA = plain.count
            _ = try requester.perform(.getDigests, exchange: exchange)
            _ = try requester.perform(.getCertificate(slot: 0), exchange: exchange)
            afterCertificate = plain.count
            for operation: RequesterOperation in [.challenge(slot: 0, summary: .all), .getMeasurements(.all(signed: true)),
                                                  .getMeasurements(.totalCount), .getMeasurements(.index(1, signed: false))] {
                _ = try requester.perform(operation, exchange: exchange)
            }
            if version >= .v11 {
                var session = try requester.keyExchange(summary: .all, channel: .mctp, exchange: exchange, secured: securedExchange)
                try requester.heartbeat(session: &session, via: securedExchange)
                try requester.endSession(session: &session, via: securedExchange)
                var psk = try requester.pskExchange(hint: FuzzDevice.pskHint, psk: FuzzDevice.pskKey, channel: .mctp,
                                                    exchange: exchange, secured: securedExchange)
                try requester.heartbeat(session: &psk, via: securedExchange)
            }
        } catch {
            fatalError("back-to-back run at \(version) failed: \(error)")
        }
        self.plain = plain
        self.secured = secured
    }
}

/// The SPDM requests a requester sends inside an established session (plaintext, before sealing).
enum SessionRequests {
    static func header(_ version: SPDMVersion, _ code: RequestCode, _ param1: UInt8 = 0, _ param2: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: code.rawValue, param1: param1, param2: param2).encode(into: &out)
        return out
    }

    static func all(_ version: SPDMVersion) -> [[UInt8]] {
        [
            header(version, .heartbeat),
            header(version, .keyUpdate, KeyUpdateOperation.updateKey.rawValue, 0x11),
            header(version, .keyUpdate, KeyUpdateOperation.verifyNewKey.rawValue, 0x12),
            header(version, .keyUpdate, KeyUpdateOperation.updateAllKeys.rawValue, 0x13),
            header(version, .keyUpdate, KeyUpdateOperation.verifyNewKey.rawValue, 0x14),
            GetMeasurementsRequest(version: version, attributes: .signatureRequested, operation: 0xFF,
                                   nonce: [UInt8](repeating: 0x42, count: 32)).encoded(context: .unnegotiated(version)),
            header(version, .getDigests),
            GetCertificateRequest(version: version, slotID: 0, offset: 0, length: 0x200).encoded(context: .unnegotiated(version)),
            header(version, .endSession),
        ]
    }

    /// PLDM GetTID (MCTP type 0x01), what the reference requester sends inside a session.
    static let pldmGetTID: [UInt8] = [0x01, 0x80, 0x00, 0x02]
}

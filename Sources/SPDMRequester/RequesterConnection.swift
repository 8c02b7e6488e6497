import SPDMCore
import SPDMCrypto
import SPDMWire

/// The pure requester state machine of one connection, the mirror of `ResponderConnection`:
/// `start(_:)` returns the bytes of a request, `receive(_:)` consumes the response and either
/// asks for one more message to be sent (the next GET_CERTIFICATE portion, a RESPOND_IF_READY) or
/// completes the operation with a verified result. No I/O, no clock; randomness is injected.
///
/// `perform(_:exchange:)` is the thin driver loop that runs one operation over any transport.
public struct RequesterConnection: Sendable {
    public internal(set) var configuration: RequesterConfiguration
    let random: any RequesterRandomSource

    /// Versions the responder listed in VERSION.
    public internal(set) var responderVersions: [SPDMVersion] = []
    /// The version chosen after VERSION (fixed by GET_CAPABILITIES).
    public internal(set) var version: SPDMVersion?
    public internal(set) var responderCapabilities: CapabilitiesResponse?
    public internal(set) var negotiated: NegotiatedAlgorithms?
    /// DIGESTS, by slot.
    public internal(set) var digests: [UInt8: [UInt8]] = [:]
    public internal(set) var supportedSlotMask: UInt8 = 0
    public internal(set) var provisionedSlotMask: UInt8 = 0
    /// What a multi-key DIGESTS said of each slot (1.3), by slot.
    public internal(set) var slotKeyPairs: [UInt8: SlotKeyPair] = [:]
    /// Verified chains, by slot.
    public internal(set) var chains: [UInt8: VerifiedCertificateChain] = [:]
    /// True once a CHALLENGE_AUTH verified (until the next GET_VERSION).
    public internal(set) var authenticated = false

    var transcript = Transcript()
    var pending: Pending?
    /// The Handle of our next CHUNK_SEND transfer in the clear (LargeMessageTransfer.swift).
    var nextChunkSendHandle: UInt8 = 0

    public init(configuration: RequesterConfiguration = RequesterConfiguration(),
                random: any RequesterRandomSource = SystemRequesterRandom()) {
        self.configuration = configuration
        self.random = random
    }

    /// The operation in flight.
    struct Pending: Sendable {
        var operation: RequesterOperation
        var code: RequestCode
        /// The request bytes that go into the transcript (not a RESPOND_IF_READY).
        var request: [UInt8]
        var notReadyAttempts = 0
        var nonce: [UInt8] = []
        var requesterContext: [UInt8] = []
        var certificate: CertificateAssembly?
        /// The measurement extension log so far (GET_MEASUREMENT_EXTENSION_LOG portions).
        var log: [UInt8] = []
    }

    struct CertificateAssembly: Sendable {
        var slot: UInt8
        var bytes: [UInt8] = []
        var total: Int?
        var certificateInfo: UInt8 = 0
    }

    /// Builds the request that starts `operation`.
    public mutating func start(_ operation: RequesterOperation) throws -> [UInt8] {
        guard pending == nil else { throw RequesterError.invalidState("\(pending!.code) is still in flight") }
        let code = operation.requestCode
        var next = Pending(operation: operation, code: code, request: [])
        if code != .getVersion { _ = try connectionVersion(for: code) }
        switch operation {
        case .getVersion: next.request = startGetVersion()
        case .getCapabilities: next.request = try startGetCapabilities()
        case .negotiateAlgorithms: next.request = try startNegotiateAlgorithms()
        case .getDigests: next.request = try startGetDigests()
        case .getCertificate(let slot): next.request = try startGetCertificate(slot: slot, pending: &next)
        case let .challenge(slot, summary): next.request = try startChallenge(slot: slot, summary: summary, pending: &next)
        case .getMeasurements(let request): next.request = try startGetMeasurements(request, pending: &next)
        case .getCSR(let request): next.request = try startGetCSR(request)
        case .setCertificate(let install): next.request = try startSetCertificate(install)
        case .getKeyPairInfo(let id): next.request = try startGetKeyPairInfo(id)
        case .setKeyPairInfo(let change): next.request = try startSetKeyPairInfo(change)
        case .getEndpointInfo(let request): next.request = try startGetEndpointInfo(request, pending: &next)
        case .getMeasurementExtensionLog: next.request = try startGetMeasurementExtensionLog(pending: &next)
        case .vendorDefined(let fields): next.request = try startVendorDefined(fields)
        }
        // The same reset rules the responder applies before handling the request.
        if code != .getVersion { transcript.willHandle(request: code, authenticated: authenticated) }
        pending = next
        return next.request
    }

    /// Consumes the response to the last message sent.
    public mutating func receive(_ response: [UInt8]) throws -> RequesterAction {
        guard var current = pending else { throw RequesterError.invalidState("a response arrived with no request in flight") }
        pending = nil
        guard let header = try? MessageHeader(peeking: response) else {
            throw RequesterError.malformedResponse(request: current.code, reason: "\(response.count) bytes, shorter than the SPDM header")
        }
        if header.code == ResponseCode.error.rawValue {
            let error = try decode(current.code) { try ErrorResponse(decoding: response, context: .unnegotiated(header.version)) }
            if error.code == .responseNotReady, current.code != .getVersion, let version {
                guard error.extendedData.count >= 4 else {
                    throw RequesterError.malformedResponse(request: current.code, reason: "ResponseNotReady without its 4 bytes of extended data")
                }
                guard error.extendedData[1] == current.code.rawValue else {
                    throw RequesterError.malformedResponse(
                        request: current.code, reason: "ResponseNotReady names request 0x\(String(error.extendedData[1], radix: 16))")
                }
                guard current.notReadyAttempts < configuration.maximumNotReadyRetries else {
                    throw RequesterError.notReadyRetriesExhausted(request: current.code, attempts: current.notReadyAttempts)
                }
                current.notReadyAttempts += 1
                pending = current
                return .send(RespondIfReadyRequest(version: version, requestCode: current.code, token: error.extendedData[2])
                    .encoded(context: .unnegotiated(version)))
            }
            throw RequesterError.errorResponse(request: current.code, code: error.code, data: error.data)
        }
        guard header.code == current.operation.responseCode.rawValue else {
            throw RequesterError.unexpectedResponse(request: current.code, code: header.code)
        }
        switch current.operation {
        case .getVersion: return try receiveVersion(response, pending: current)
        case .getCapabilities: return try receiveCapabilities(response, pending: current)
        case .negotiateAlgorithms: return try receiveAlgorithms(response, pending: current)
        case .getDigests: return try receiveDigests(response, pending: current)
        case .getCertificate: return try receiveCertificate(response, pending: current)
        case .challenge: return try receiveChallengeAuth(response, pending: current)
        case .getMeasurements: return try receiveMeasurements(response, pending: current)
        case .getCSR: return try receiveCSR(response, pending: current)
        case .setCertificate(let install): return try receiveSetCertificate(response, install: install, pending: current)
        case .getKeyPairInfo(let id): return try receiveKeyPairInfo(response, id: id, pending: current)
        case .setKeyPairInfo: return try receiveSetKeyPairInfoAck(response, pending: current)
        case .getEndpointInfo(let request): return try receiveEndpointInfo(response, request: request, pending: current)
        case .getMeasurementExtensionLog: return try receiveMeasurementExtensionLog(response, pending: current)
        case .vendorDefined(let fields): return try receiveVendorDefined(response, request: fields, pending: current)
        }
    }

    /// Runs one operation to completion: `exchange` sends a request message and returns the response.
    public mutating func perform(_ operation: RequesterOperation, exchange: ([UInt8]) throws -> [UInt8]) throws -> RequesterEvent {
        var message = try start(operation)
        while true {
            let response: [UInt8]
            do {
                response = try exchangeLarge(message, exchange: exchange)
            } catch {
                pending = nil
                throw error
            }
            switch try receive(response) {
            case .send(let next): message = next
            case .completed(let event): return event
            }
        }
    }

    // MARK: Large messages

    /// The large message rules this connection negotiated (none before CAPABILITIES 1.2+).
    public var largeMessageTransfer: LargeMessageTransfer {
        LargeMessageTransfer(version: version, ours: configuration, responder: responderCapabilities, nextHandle: nextChunkSendHandle)
    }

    /// One plain request and its whole response: CHUNK_SEND for a large request, CHUNK_GET for a
    /// large response (LargeMessageTransfer.swift); `exchange` carries each message. For drivers that
    /// run the building blocks themselves (`startKeyExchange` / `receiveKeyExchange`, ...).
    public mutating func exchangeLarge(_ request: [UInt8], exchange: ([UInt8]) throws -> [UInt8]) throws -> [UInt8] {
        var transfer = largeMessageTransfer
        defer { nextChunkSendHandle = transfer.nextHandle }
        return try transfer.exchange(request, send: exchange)
    }

    // MARK: Helpers shared by the operations

    /// The negotiated algorithms, or an API-misuse error naming the request.
    func algorithms(for code: RequestCode) throws -> NegotiatedAlgorithms {
        guard let negotiated else { throw RequesterError.invalidState("\(code) before NEGOTIATE_ALGORITHMS") }
        return negotiated
    }

    func connectionVersion(for code: RequestCode) throws -> SPDMVersion {
        guard let version else { throw RequesterError.invalidState("\(code) before GET_VERSION") }
        return version
    }

    /// Runs a decoder, turning its failure into `malformedResponse`.
    func decode<T>(_ code: RequestCode, _ body: () throws -> T) throws -> T {
        try decodeResponse(code, body)
    }

    /// The response's exact bytes: a binding may pad (PCI-DOE pads to dwords), so the transcript
    /// takes only as many bytes as the message's own fields describe.
    func exact(_ response: [UInt8], length: Int, code: RequestCode) throws -> [UInt8] {
        guard response.count >= length else {
            throw RequesterError.malformedResponse(request: code, reason: "\(response.count) bytes, its fields need \(length)")
        }
        return Array(response.prefix(length))
    }

    func checkVersion(_ response: [UInt8], code: RequestCode, expected: SPDMVersion) throws {
        let got = try MessageHeader(peeking: response).version
        guard got == expected else { throw RequesterError.versionMismatch(request: code, expected: expected, got: got) }
    }

    func randomBytes(_ count: Int) -> [UInt8] {
        let bytes = random.bytes(count)
        precondition(bytes.count == count, "RequesterRandomSource returned \(bytes.count) bytes, asked for \(count)")
        return bytes
    }
}

/// One requester operation (one request, or a GET_CERTIFICATE series).
public enum RequesterOperation: Sendable, Hashable {
    case getVersion
    case getCapabilities
    case negotiateAlgorithms
    case getDigests
    /// Retrieves the whole chain of `slot` in portions and verifies it.
    case getCertificate(slot: UInt8)
    case challenge(slot: UInt8, summary: MeasurementSummaryHashType)
    case getMeasurements(MeasurementRequest)
    /// GET_CSR (1.2+; Operations/Provisioning.swift).
    case getCSR(CSRRequest)
    /// SET_CERTIFICATE (1.2+): install or (1.3) erase a slot's chain.
    case setCertificate(CertificateInstall)
    /// GET_KEY_PAIR_INFO (1.3+).
    case getKeyPairInfo(UInt8)
    /// SET_KEY_PAIR_INFO (1.3+).
    case setKeyPairInfo(KeyPairChange)
    /// GET_ENDPOINT_INFO (1.3+; Operations/EndpointInfo.swift).
    case getEndpointInfo(EndpointInfoRequest)
    /// The whole measurement extension log, in portions (1.3+; Operations/MeasurementExtensionLog.swift).
    case getMeasurementExtensionLog
    /// VENDOR_DEFINED_REQUEST (Operations/VendorDefined.swift).
    case vendorDefined(VendorDefinedFields)

    public var requestCode: RequestCode {
        switch self {
        case .getVersion: return .getVersion
        case .getCapabilities: return .getCapabilities
        case .negotiateAlgorithms: return .negotiateAlgorithms
        case .getDigests: return .getDigests
        case .getCertificate: return .getCertificate
        case .challenge: return .challenge
        case .getMeasurements: return .getMeasurements
        case .getCSR: return .getCSR
        case .setCertificate: return .setCertificate
        case .getKeyPairInfo: return .getKeyPairInfo
        case .setKeyPairInfo: return .setKeyPairInfo
        case .getEndpointInfo: return .getEndpointInfo
        case .getMeasurementExtensionLog: return .getMeasurementExtensionLog
        case .vendorDefined: return .vendorDefinedRequest
        }
    }

    var responseCode: ResponseCode {
        switch self {
        case .getVersion: return .version
        case .getCapabilities: return .capabilities
        case .negotiateAlgorithms: return .algorithms
        case .getDigests: return .digests
        case .getCertificate: return .certificate
        case .challenge: return .challengeAuth
        case .getMeasurements: return .measurements
        case .getCSR: return .csr
        case .setCertificate: return .setCertificateRsp
        case .getKeyPairInfo: return .keyPairInfo
        case .setKeyPairInfo: return .setKeyPairInfoAck
        case .getEndpointInfo: return .endpointInfo
        case .getMeasurementExtensionLog: return .measurementExtensionLog
        case .vendorDefined: return .vendorDefinedResponse
        }
    }
}

/// One GET_MEASUREMENTS.
public struct MeasurementRequest: Sendable, Hashable {
    /// 0 = total count, 1...0xFE = one index, 0xFF = all.
    public var operation: UInt8
    public var signed: Bool
    public var slot: UInt8
    public var rawBitStream: Bool

    public init(operation: UInt8, signed: Bool = false, slot: UInt8 = 0, rawBitStream: Bool = false) {
        self.operation = operation
        self.signed = signed
        self.slot = slot
        self.rawBitStream = rawBitStream
    }

    public static let totalCount = MeasurementRequest(operation: GetMeasurementsRequest.operationTotalCount)
    public static func all(signed: Bool, slot: UInt8 = 0) -> MeasurementRequest {
        MeasurementRequest(operation: GetMeasurementsRequest.operationAll, signed: signed, slot: slot)
    }
    public static func index(_ index: UInt8, signed: Bool, slot: UInt8 = 0) -> MeasurementRequest {
        MeasurementRequest(operation: index, signed: signed, slot: slot)
    }
}

/// What `receive(_:)` asks the driver to do next.
public enum RequesterAction: Sendable {
    case send([UInt8])
    case completed(RequesterEvent)
}

/// The verified outcome of an operation.
public enum RequesterEvent: Sendable {
    case version(SPDMVersion)
    case capabilities(CapabilitiesResponse)
    case algorithms(NegotiatedAlgorithms)
    case digests([UInt8: [UInt8]])
    case certificateChain(VerifiedCertificateChain)
    case challengeAuth(ChallengeResult)
    case measurements(MeasurementsResult)
    /// A DER PKCS#10 request whose signature verified with its own key.
    case csr([UInt8])
    /// SET_CERTIFICATE_RSP for this slot.
    case certificateSet(slot: UInt8)
    case keyPairInfo(KeyPairInfoResponse)
    case keyPairInfoSet
    case endpointInfo(EndpointInfoResult)
    case measurementExtensionLog(MeasurementExtensionLog)
    /// The VENDOR_DEFINED_RESPONSE fields.
    case vendorDefined(VendorDefinedFields)
}

/// KeyPairID, CertificateInfo and KeyUsageMask of one slot in a multi-key DIGESTS.
public struct SlotKeyPair: Sendable, Hashable {
    public var keyPairID: UInt8
    public var certificateModel: CertificateModel
    public var keyUsage: KeyUsageMask

    public init(keyPairID: UInt8, certificateModel: CertificateModel, keyUsage: KeyUsageMask) {
        self.keyPairID = keyPairID
        self.certificateModel = certificateModel
        self.keyUsage = keyUsage
    }
}

/// A chain that passed every check of `getCertificate`.
public struct VerifiedCertificateChain: Sendable {
    public var slot: UInt8
    /// The SPDM chain as retrieved (Length, Reserved, RootHash, certificates).
    public var spdmChain: [UInt8]
    public var rootHash: [UInt8]
    public var certificates: [Certificate]
    /// CertificateInfo from CERTIFICATE Param2 (1.3+).
    public var certificateInfo: UInt8
    /// False when no trusted root was configured (the chain is only internally consistent).
    public var anchored: Bool
    /// Slot 0xFF: the responder's raw public key, provisioned instead of retrieved (PUB_KEY_ID_CAP);
    /// `spdmChain` then holds its DER SubjectPublicKeyInfo and `certificates` is empty.
    public var rawPublicKey: PublicKey? = nil
    public var leaf: Certificate { certificates[certificates.count - 1] }
    /// The key that signs for this slot: the leaf's, or the raw public key.
    public var leafKey: PublicKey { rawPublicKey ?? leaf.publicKey }

    /// The responder's public key known in advance, standing for SlotID 0xFF.
    public static func rawPublicKey(_ key: PublicKey) -> VerifiedCertificateChain {
        VerifiedCertificateChain(slot: 0xFF, spdmChain: key.subjectPublicKeyInfoDER, rootHash: [], certificates: [], certificateInfo: 0,
                                 anchored: true, rawPublicKey: key)
    }
}

extension RequesterConnection {
    /// Provisions the responder's raw public key (DSP0274 PUB_KEY_ID_CAP): CHALLENGE, signed
    /// measurements and KEY_EXCHANGE may then name SlotID 0xFF, checked against this key, with its
    /// DER SubjectPublicKeyInfo hashed where a certificate chain would be.
    public mutating func provisionResponderPublicKey(_ key: PublicKey) {
        configuration.responderPublicKey = key
        chains[0xFF] = .rawPublicKey(key)
    }
}

public struct ChallengeResult: Sendable {
    public var slot: UInt8
    public var slotMask: UInt8
    public var certChainHash: [UInt8]
    public var nonce: [UInt8]
    public var summaryType: MeasurementSummaryHashType
    public var measurementSummaryHash: [UInt8]
    public var opaqueData: [UInt8]
    public var basicMutualAuthRequested: Bool
}

public struct MeasurementsResult: Sendable {
    public var request: MeasurementRequest
    /// Param1 of a total-count response.
    public var totalCount: Int?
    public var blocks: [MeasurementBlock]
    public var contentChanged: UInt8
    public var nonce: [UInt8]
    public var opaqueData: [UInt8]
    /// True when the response was signed and its signature verified over L1.
    public var signatureVerified: Bool
}

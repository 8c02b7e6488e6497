import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS (DSP0274 §10.3-10.5): message A of the transcript.
///
/// At 1.4 NEGOTIATE_ALGORITHMS also offers the post-quantum algorithms: PqcAsymAlgo (+16) and the
/// AlgStructures ReqPqcAsymAlg (type 6) and KEMAlg (type 7), sent after KeySchedule (type 5). ALGORITHMS
/// answers with PqcAsymSel (+20) and one echo per structure sent; every selection is one-hot or 0 and
/// among what was offered, and at most one of each pair BaseAsymSel / PqcAsymSel, DHE / KEMAlg and
/// ReqBaseAsymAlg / ReqPqcAsymAlg is set (the responder's PQC-first policy picks).
extension RequesterConnection {
    // MARK: GET_VERSION -> VERSION

    mutating func startGetVersion() -> [UInt8] {
        // A new connection starts here, as the responder resets on GET_VERSION.
        responderVersions = []
        version = nil
        responderCapabilities = nil
        negotiated = nil
        digests = [:]
        chains = configuration.responderPublicKey.map { [0xFF: .rawPublicKey($0)] } ?? [:]
        slotKeyPairs = [:]
        supportedSlotMask = 0
        provisionedSlotMask = 0
        authenticated = false
        transcript.reset()
        return GetVersionRequest().encoded(context: .unnegotiated(.v10))
    }

    mutating func receiveVersion(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        try checkVersion(response, code: pending.code, expected: .v10)
        let message = try decode(pending.code) { try VersionResponse(decoding: response, context: .unnegotiated(.v10)) }
        let bytes = try exact(response, length: 6 + 2 * message.versions.count, code: pending.code)
        let offered = configuration.versions
        let chosen: SPDMVersion
        if let forced = configuration.forcedVersion {
            guard message.versions.contains(forced) else {
                throw RequesterError.noCommonVersion(requester: [forced], responder: message.versions)
            }
            chosen = forced
        } else {
            guard let best = message.versions.filter({ offered.contains($0) }).max() else {
                throw RequesterError.noCommonVersion(requester: offered, responder: message.versions)
            }
            chosen = best
        }
        responderVersions = message.versions
        version = chosen
        transcript.appendVCA(pending.request + bytes)
        return .completed(.version(chosen))
    }

    // MARK: GET_CAPABILITIES -> CAPABILITIES

    func startGetCapabilities() throws -> [UInt8] {
        let version = try connectionVersion(for: .getCapabilities)
        guard responderCapabilities == nil, negotiated == nil else {
            throw RequesterError.invalidState("GET_CAPABILITIES twice (send GET_VERSION to start over)")
        }
        return GetCapabilitiesRequest(version: version, ctExponent: configuration.ctExponent, flags: configuration.capabilities,
                                      dataTransferSize: configuration.dataTransferSize,
                                      maxSPDMMessageSize: configuration.maxSPDMMessageSize)
            .encoded(context: .unnegotiated(version))
    }

    mutating func receiveCapabilities(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let version = try connectionVersion(for: pending.code)
        try checkVersion(response, code: pending.code, expected: version)
        let message = try decode(pending.code) { try CapabilitiesResponse(decoding: response, context: .unnegotiated(version)) }
        let bytes = try exact(response, length: version >= .v12 ? 20 : 12, code: pending.code)
        if version >= .v12 {
            guard message.dataTransferSize >= 42 else {
                throw RequesterError.malformedResponse(request: pending.code, reason: "DataTransferSize \(message.dataTransferSize) below 42")
            }
            guard message.maxSPDMMessageSize >= message.dataTransferSize else {
                throw RequesterError.malformedResponse(request: pending.code, reason: "MaxSPDMmsgSize below DataTransferSize")
            }
        }
        if message.flags.isSuperset(of: CapabilityFlags.measurementsAny) {
            throw RequesterError.malformedResponse(request: pending.code, reason: "MEAS_CAP is 11b (reserved)")
        }
        responderCapabilities = message
        transcript.appendVCA(pending.request + bytes)
        return .completed(.capabilities(message))
    }

    // MARK: NEGOTIATE_ALGORITHMS -> ALGORITHMS

    func startNegotiateAlgorithms() throws -> [UInt8] {
        let version = try connectionVersion(for: .negotiateAlgorithms)
        guard responderCapabilities != nil else { throw RequesterError.invalidState("NEGOTIATE_ALGORITHMS before GET_CAPABILITIES") }
        guard negotiated == nil else { throw RequesterError.invalidState("NEGOTIATE_ALGORITHMS twice") }
        var otherParams = configuration.otherParams.subtracting(.multiKeyConnection)
        if requestsMultiKeyConnection(version: version) { otherParams.insert(.multiKeyConnection) }
        return NegotiateAlgorithmsRequest(version: version, measurementSpecification: configuration.measurementSpecification,
                                          otherParams: version >= .v12 ? otherParams : [],
                                          baseAsym: configuration.baseAsym, baseHash: configuration.baseHash,
                                          pqcAsym: version >= .v14 ? configuration.pqcAsym : [],
                                          melSpecification: version >= .v13 ? MeasurementExtensionLog.specificationDMTF : 0,
                                          structures: offeredStructures(version: version))
            .encoded(context: .unnegotiated(version))
    }

    mutating func receiveAlgorithms(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let version = try connectionVersion(for: pending.code)
        try checkVersion(response, code: pending.code, expected: version)
        let message = try decode(pending.code) { try AlgorithmsResponse(decoding: response, context: .unnegotiated(version)) }
        let bytes = try exact(response, length: message.encodedLength, code: pending.code)
        let flags = responderCapabilities?.flags ?? []

        func selection<T: OptionSet & Sendable>(_ value: T, offered: T, name: String, required: Bool) throws -> T
            where T.RawValue: FixedWidthInteger, T.Element == T {
            if value.rawValue == 0 {
                if required { throw RequesterError.negotiationFailed("no \(name) selected") }
                return value
            }
            guard value.isSingleBit else { throw RequesterError.negotiationFailed("\(name) selects several algorithms (0x\(String(value.rawValue, radix: 16)))") }
            guard offered.contains(value) else { throw RequesterError.negotiationFailed("\(name) 0x\(String(value.rawValue, radix: 16)) was not offered") }
            return value
        }

        let needsHash = !flags.intersection([.cert, .chal, .measNoSignature, .measWithSignature, .keyEx, .pskWithoutContext, .pskWithContext]).isEmpty
        let needsAsym = !flags.intersection([.chal, .measWithSignature, .keyEx]).isEmpty
        let measures = !flags.intersection(.measurementsAny).isEmpty
        let hashBits = try selection(message.baseHash, offered: configuration.baseHash, name: "BaseHashSel", required: needsHash)
        let asymBits = try selection(message.baseAsym, offered: configuration.baseAsym, name: "BaseAsymSel", required: false)
        // 1.4 PqcAsymSel: one-hot or 0, and offered (the decoder reads it as 0 before 1.4).
        let pqcAsymBits = try selection(message.pqcAsym, offered: version >= .v14 ? configuration.pqcAsym : [],
                                        name: "PqcAsymSel", required: false)
        // DSP0274 1.4: at most one of BaseAsymSel and PqcAsymSel; exactly one when a signature is needed.
        try atMostOne(("BaseAsymSel", asymBits.rawValue), ("PqcAsymSel", pqcAsymBits.rawValue))
        if needsAsym && asymBits.isEmpty && pqcAsymBits.isEmpty {
            throw RequesterError.negotiationFailed("no BaseAsymSel or PqcAsymSel selected")
        }
        let measurementBits = try selection(message.measurementHash, offered: configuration.acceptedMeasurementHash,
                                            name: "MeasurementHashAlgo", required: measures)
        let measurementSpec = try selection(message.measurementSpecification, offered: configuration.measurementSpecification,
                                            name: "MeasurementSpecificationSel", required: measures)
        var otherParams: OtherParams = []
        if version >= .v12 {
            let opaque = message.otherParams.intersection([.opaqueDataFormat0, .opaqueDataFormat1])
            otherParams = try selection(opaque, offered: configuration.otherParams, name: "OtherParamsSelection opaque format", required: false)
            if message.otherParams.contains(.multiKeyConnection) { otherParams.insert(.multiKeyConnection) }
        }
        // 1.3 MULTI_KEY_CONN_RSP is what this requester asked for; the response's bit is
        // MULTI_KEY_CONN_REQ, only for a requester with MULTI_KEY_CAP.
        let multiKeyResponder = requestsMultiKeyConnection(version: version)
        let multiKeyRequester = version >= .v13 && message.otherParams.contains(.multiKeyConnection)
        if multiKeyRequester && configuration.capabilities.intersection([.multiKeyOnly, .multiKeyNegotiated]).isEmpty {
            throw RequesterError.negotiationFailed("MULTI_KEY_CONN_REQ selected for a requester without MULTI_KEY_CAP")
        }
        let hash = hashBits.hashAlgorithm
        let asym = asymBits.signatureAlgorithm
        if !hashBits.isEmpty && hash == nil { throw RequesterError.negotiationFailed("BaseHashSel 0x\(String(hashBits.rawValue, radix: 16)) unknown") }
        if !asymBits.isEmpty && asym == nil { throw RequesterError.negotiationFailed("BaseAsymSel 0x\(String(asymBits.rawValue, radix: 16)) unknown") }
        let pqcAsym = try known(pqcAsymBits, "PqcAsymSel", \.signatureAlgorithm)
        guard message.extAsym.isEmpty, message.extHash.isEmpty else {
            throw RequesterError.negotiationFailed("responder selected extended algorithms, none were offered")
        }

        var dhe: DHEGroups = []
        var aead: AEADSuites = []
        var requesterAsym: BaseAsymAlgorithms = []
        var keySchedule: KeySchedules = []
        var requesterPQCAsym: PQCAsymAlgorithms = []
        var kem: KEMAlgorithms = []
        try checkEchoedStructures(message.structures, version: version)
        for structure in message.structures {
            switch structure.type {
            case .dhe:
                dhe = try selection(DHEGroups(rawValue: structure.supported), offered: configuration.dhe, name: "DHE", required: false)
            case .aead:
                aead = try selection(AEADSuites(rawValue: structure.supported), offered: configuration.aead, name: "AEAD", required: false)
            case .requesterBaseAsym:
                requesterAsym = try selection(BaseAsymAlgorithms(rawValue: UInt32(structure.supported)), offered: configuration.offeredRequesterAsym,
                                              name: "ReqBaseAsymAlg", required: false)
            case .keySchedule:
                keySchedule = try selection(KeySchedules(rawValue: structure.supported), offered: configuration.keySchedule,
                                            name: "KeySchedule", required: false)
            case .requesterPQCAsym:
                requesterPQCAsym = try selection(PQCAsymAlgorithms(rawValue: UInt32(structure.supported)),
                                                 offered: configuration.offeredRequesterPQCAsym, name: "ReqPqcAsymAlg", required: false)
            case .kem:
                kem = try selection(KEMAlgorithms(rawValue: structure.supported), offered: configuration.kem, name: "KEMAlg", required: false)
            default:
                throw RequesterError.negotiationFailed("ALGORITHMS carries AlgType \(structure.type.rawValue), which was not sent")
            }
        }

        // DSP0274 1.4: at most one of DHE and KEMAlg, and of ReqBaseAsymAlg and ReqPqcAsymAlg.
        try atMostOne(("DHE", UInt32(dhe.rawValue)), ("KEMAlg", UInt32(kem.rawValue)))
        try atMostOne(("ReqBaseAsymAlg", requesterAsym.rawValue), ("ReqPqcAsymAlg", requesterPQCAsym.rawValue))
        let kemAlgorithm = try known(kem, "KEMAlg", \.kemAlgorithm)
        let requesterPQCAlgorithm = try known(requesterPQCAsym, "ReqPqcAsymAlg", \.signatureAlgorithm)

        // MELspecificationSel (1.3+): DMTF, offered, or nothing; only from a responder with MEL_CAP.
        let melSpecification = version >= .v13 ? message.melSpecification : 0
        guard melSpecification == 0 || (melSpecification == MeasurementExtensionLog.specificationDMTF && flags.contains(.mel)) else {
            throw RequesterError.negotiationFailed("MELspecificationSel 0x\(String(melSpecification, radix: 16)) without MEL_CAP or not offered")
        }
        var result = NegotiatedAlgorithms(
            version: version, hash: hash, asym: asym, measurementHash: measurementBits.hashAlgorithm,
            measurementRawBitStreamOnly: measurementBits == .rawBitStreamOnly, measurementSpecification: measurementSpec,
            otherParams: otherParams, dhe: dhe, aead: aead, requesterAsym: requesterAsym, keySchedule: keySchedule,
            multiKeyConnectionResponder: multiKeyResponder, multiKeyConnectionRequester: multiKeyRequester)
        result.melSpecification = melSpecification
        result.pqcAsym = pqcAsym
        result.requesterPQCAsym = requesterPQCAlgorithm
        result.kem = kemAlgorithm
        negotiated = result
        transcript.appendVCA(pending.request + bytes)
        return .completed(.algorithms(result))
    }

    /// Whether NEGOTIATE_ALGORITHMS asks for a multi-key connection (DSP0274 1.3 OtherParams bit 4):
    /// always to a MULTI_KEY_ONLY responder, to a MULTI_KEY_NEG one when the configuration's
    /// OtherParams has the bit, never otherwise or before 1.3.
    func requestsMultiKeyConnection(version: SPDMVersion) -> Bool {
        guard version >= .v13, let flags = responderCapabilities?.flags else { return false }
        switch flags.intersection([.multiKeyOnly, .multiKeyNegotiated]) {
        case .multiKeyOnly: return true
        case .multiKeyNegotiated: return configuration.otherParams.contains(.multiKeyConnection)
        default: return false
        }
    }
}

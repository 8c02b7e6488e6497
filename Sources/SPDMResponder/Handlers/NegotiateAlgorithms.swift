import SPDMCore
import SPDMCrypto
import SPDMWire

/// NEGOTIATE_ALGORITHMS -> ALGORITHMS (DSP0274 §10.5). The device's preference order decides among
/// the algorithms both sides support.
extension ResponderConnection {
    mutating func handleNegotiateAlgorithms(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        guard let version else { throw ResponderError.unexpectedRequest("NEGOTIATE_ALGORITHMS before GET_CAPABILITIES") }
        let message = try NegotiateAlgorithmsRequest(decoding: request, context: .unnegotiated(version))
        let maximumLength = version >= .v11 ? 0x80 : 0x40
        guard message.declaredLength <= maximumLength else {
            throw ResponderError.invalidRequest("NEGOTIATE_ALGORITHMS Length \(message.declaredLength) over \(maximumLength)")
        }
        guard message.extAsym.count + message.extHash.count <= (version >= .v11 ? 20 : 8) else {
            throw ResponderError.invalidRequest("too many extended algorithms")
        }
        let types = message.structures.map(\.type.rawValue)
        guard Set(types).count == types.count else { throw ResponderError.invalidRequest("an AlgType appears twice") }
        if version >= .v12 {
            // 1.4 adds AlgType 6 (ReqPqcAsymAlg) and 7 (KEMAlg).
            let knownTypes: ClosedRange<UInt8> = version >= .v14 ? 2...7 : 2...5
            guard types == types.sorted(), types.allSatisfy({ knownTypes.contains($0) }) else {
                throw ResponderError.invalidRequest("AlgStructures out of order or of unknown type")
            }
        }

        // Process: only algorithms the negotiated version defines can be selected (EdDSA, SM2 and
        // SM3 arrive with 1.2).
        let caps = device.capabilities
        let offeredHash = message.baseHash.intersection(BaseHashAlgorithms.defined(in: version))
        let offeredAsym = message.baseAsym.intersection(BaseAsymAlgorithms.defined(in: version))
        let hash = device.hashPreference.first { offeredHash.contains(BaseHashAlgorithms($0)) }
        let needsHash = !caps.intersection([.cert, .chal, .measNoSignature, .measWithSignature, .keyEx, .pskWithoutContext, .pskWithContext]).isEmpty
        if needsHash && hash == nil {
            throw ResponderError.invalidRequest("no common base hash algorithm")
        }
        let provisionedKeys = device.servedSigningKeys
        var asym = device.asymPreference.first { algorithm in
            offeredAsym.contains(BaseAsymAlgorithms(algorithm)) && provisionedKeys.contains { $0.matches(algorithm) }
        }
        var pqcAsym = version >= .v14 ? device.pqcAsymPreference.first { algorithm in
            message.pqcAsym.contains(PQCAsymAlgorithms(algorithm)) && provisionedKeys.contains { $0.matches(algorithm) }
        } : nil
        let measures = !caps.intersection(.measurementsAny).isEmpty
        let measurementSpec: MeasurementSpecification = measures && message.measurementSpecification.contains(.dmtf) ? .dmtf : []
        var measurementHash: HashAlgorithm? = nil
        var measurementHashBits = MeasurementHashAlgorithms()
        if measures {
            if device.measurementRawBitStreamOnly {
                measurementHashBits = .rawBitStreamOnly
            } else {
                let usable = device.measurementHashPreference.filter {
                    BaseHashAlgorithms.defined(in: version).contains(BaseHashAlgorithms($0))
                }
                let choice = hash.flatMap { usable.contains($0) ? $0 : nil } ?? usable.first
                measurementHash = choice
                if let choice { measurementHashBits = MeasurementHashAlgorithms(baseHash: BaseHashAlgorithms(choice)) }
            }
        }
        var otherParams: OtherParams = []
        if version >= .v12 {
            if message.otherParams.contains(.opaqueDataFormat1) { otherParams.insert(.opaqueDataFormat1) }
            else if message.otherParams.contains(.opaqueDataFormat0) { otherParams.insert(.opaqueDataFormat0) }
        }
        let (multiKeyResponder, multiKeyRequester) = try multiKeyConnections(version: version, requested: message.otherParams)
        // MELspecificationSel (1.3+): the DMTF log format when this device keeps a log (MEL_CAP) and
        // measures, and the requester offers it.
        let melSpecification: UInt8 = version >= .v13 && caps.contains(.mel) && measurementHash != nil
            && message.melSpecification & MeasurementExtensionLog.specificationDMTF != 0 ? MeasurementExtensionLog.specificationDMTF : 0
        if multiKeyRequester { otherParams.insert(.multiKeyConnection) }
        let sessions = !caps.intersection([.keyEx, .pskWithoutContext, .pskWithContext]).isEmpty
        var dhe = sessions && caps.contains(.keyEx)
            ? device.dhePreference.first { message.structure(.dhe).map { DHEGroups(rawValue: $0.supported) }?.contains($0) ?? false } ?? []
            : []
        let aead = sessions
            ? device.aeadPreference.first { message.structure(.aead).map { AEADSuites(rawValue: $0.supported) }?.contains($0) ?? false } ?? []
            : []
        var requesterAsym: BaseAsymAlgorithms = caps.contains(.mutAuth)
            ? device.requesterAsymPreference.map { BaseAsymAlgorithms($0) }.first { algorithm in
                message.structure(.requesterBaseAsym).map { BaseAsymAlgorithms(rawValue: UInt32($0.supported)) }?.contains(algorithm) ?? false
            } ?? []
            : []
        var requesterPQCAsym = version >= .v14 && caps.contains(.mutAuth)
            ? device.requesterPQCAsymPreference.first { algorithm in
                message.structure(.requesterPQCAsym).map { PQCAsymAlgorithms(rawValue: UInt32($0.supported)) }?.contains(PQCAsymAlgorithms(algorithm)) ?? false
            }
            : nil
        var kem = version >= .v14 && sessions && caps.contains(.keyEx)
            ? device.kemPreference.first { algorithm in
                message.structure(.kem).map { KEMAlgorithms(rawValue: $0.supported) }?.contains(KEMAlgorithms(algorithm)) ?? false
            }
            : nil
        // DSP0274 1.4: at most one of BaseAsymSel / PqcAsymSel, of ReqBaseAsymAlg / ReqPqcAsymAlg and of
        // DHE / KEMAlg is selected. Each pair is decided on its own, by the device's pqc_first policy.
        if device.pqcFirst {
            if pqcAsym != nil { asym = nil }
            if requesterPQCAsym != nil { requesterAsym = [] }
            if kem != nil { dhe = [] }
        } else {
            if asym != nil { pqcAsym = nil }
            if !requesterAsym.isEmpty { requesterPQCAsym = nil }
            if !dhe.isEmpty { kem = nil }
        }
        let needsAsym = !caps.intersection([.chal, .measWithSignature, .keyEx]).isEmpty
        if needsAsym && asym == nil && pqcAsym == nil {
            throw ResponderError.invalidRequest("no common asymmetric algorithm (BaseAsymAlgo or PqcAsymAlgo)")
        }
        let keySchedule: KeySchedules = sessions && (message.structure(.keySchedule).map { KeySchedules(rawValue: $0.supported) }?.contains(.spdm) ?? false)
            ? .spdm : []

        // Build: answer every structure the requester sent, with our selection.
        var structures: [AlgorithmStructure] = []
        for structure in message.structures {
            switch structure.type {
            case .dhe: structures.append(AlgorithmStructure(type: .dhe, supported: dhe.rawValue))
            case .aead: structures.append(AlgorithmStructure(type: .aead, supported: aead.rawValue))
            case .requesterBaseAsym: structures.append(AlgorithmStructure(type: .requesterBaseAsym, supported: requesterAsym.requesterStructureBits))
            case .keySchedule: structures.append(AlgorithmStructure(type: .keySchedule, supported: keySchedule.rawValue))
            case .requesterPQCAsym:
                structures.append(AlgorithmStructure(type: .requesterPQCAsym,
                                                     supported: requesterPQCAsym.map { PQCAsymAlgorithms($0).requesterStructureBits } ?? 0))
            case .kem: structures.append(AlgorithmStructure(type: .kem, supported: kem.map { KEMAlgorithms($0).rawValue } ?? 0))
            default: break
            }
        }
        let response = AlgorithmsResponse(
            version: version, measurementSpecification: measurementSpec, otherParams: otherParams,
            measurementHash: measurementHashBits, baseAsym: asym.map { BaseAsymAlgorithms($0) } ?? [],
            baseHash: hash.map { BaseHashAlgorithms($0) } ?? [], pqcAsym: pqcAsym.map { PQCAsymAlgorithms($0) } ?? [],
            melSpecification: melSpecification, structures: structures
        ).encoded(context: .unnegotiated(version))

        // Update
        negotiated = NegotiatedAlgorithms(
            version: version, hash: hash, asym: asym, measurementHash: measurementHash,
            measurementRawBitStreamOnly: device.measurementRawBitStreamOnly && measures,
            measurementSpecification: measurementSpec, otherParams: otherParams, dhe: dhe, aead: aead,
            requesterAsym: requesterAsym, keySchedule: keySchedule,
            multiKeyConnectionResponder: multiKeyResponder, multiKeyConnectionRequester: multiKeyRequester)
        negotiated?.melSpecification = melSpecification
        negotiated?.pqcAsym = pqcAsym
        negotiated?.requesterPQCAsym = requesterPQCAsym
        negotiated?.kem = kem
        state = .negotiated
        transcript.appendVCA(Array(request.prefix(message.declaredLength)) + response)
        return response
    }

    /// MULTI_KEY_CONN_RSP and MULTI_KEY_CONN_REQ (DSP0274 1.3 OtherParams bit 4). The request's bit
    /// asks for a multi-key connection to this device: refused (InvalidRequest) by a device without
    /// MULTI_KEY_CAP, required by a MULTI_KEY_ONLY one. The response's bit says whether the
    /// requester's slots are multi-key: yes for a MULTI_KEY_ONLY requester, no otherwise (this
    /// responder does not ask a MULTI_KEY_NEG requester for it). Both are false before 1.3.
    func multiKeyConnections(version: SPDMVersion, requested: OtherParams) throws -> (responder: Bool, requester: Bool) {
        guard version >= .v13 else { return (false, false) }
        let ours = device.capabilities.intersection([.multiKeyOnly, .multiKeyNegotiated])
        let theirs = peer.flags.intersection([.multiKeyOnly, .multiKeyNegotiated])
        guard theirs != [.multiKeyOnly, .multiKeyNegotiated] else {
            throw ResponderError.invalidRequest("the requester's MULTI_KEY_CAP holds the reserved value 11b")
        }
        let responder: Bool
        if requested.contains(.multiKeyConnection) {
            guard !ours.isEmpty else { throw ResponderError.invalidRequest("MULTI_KEY_CONN requested of a device without MULTI_KEY_CAP") }
            responder = true
        } else {
            guard ours != .multiKeyOnly else { throw ResponderError.invalidRequest("this device only takes multi-key connections") }
            responder = false
        }
        return (responder, theirs == .multiKeyOnly)
    }
}

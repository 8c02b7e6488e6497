import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_CAPABILITIES -> CAPABILITIES (DSP0274 §10.4). Fixes the connection's version.
extension ResponderConnection {
    mutating func handleGetCapabilities(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let requestVersion = try MessageHeader(peeking: request).version
        let size = GetCapabilitiesRequest.expectedSize(requestVersion)
        guard request.count >= size else {
            throw ResponderError.invalidRequest("GET_CAPABILITIES at \(requestVersion) needs \(size) bytes, got \(request.count)")
        }
        let message = try GetCapabilitiesRequest(decoding: request, context: .unnegotiated(requestVersion))
        if requestVersion >= .v12 {
            guard message.dataTransferSize >= LargeMessage.minimumDataTransferSize else {
                throw ResponderError.invalidRequest("DataTransferSize \(message.dataTransferSize) below MinDataTransferSize \(LargeMessage.minimumDataTransferSize)")
            }
            guard message.maxSPDMMessageSize >= message.dataTransferSize else {
                throw ResponderError.invalidRequest("MaxSPDMmsgSize below DataTransferSize")
            }
            if !message.flags.contains(.chunk) && message.maxSPDMMessageSize != message.dataTransferSize {
                throw ResponderError.invalidRequest("without CHUNK_CAP MaxSPDMmsgSize must equal DataTransferSize")
            }
        }
        if requestVersion >= .v11 { try Self.validateRequesterFlags(message.flags) }
        // 1.3 Param1 bit 0 asks for the Supported Algorithms block, which only a requester with
        // CHUNK_CAP may ask for (libspdm's responder refuses it too).
        let wantsAlgorithms = requestVersion >= .v13 && message.param1 & CapabilitiesResponse.supportedAlgorithmsFlag != 0
        if wantsAlgorithms && !message.flags.contains(.chunk) {
            throw ResponderError.invalidRequest("the Supported Algorithms block asked for without CHUNK_CAP")
        }

        // Process + build: the block only from a device with CHUNK_CAP.
        let flags = device.capabilities.intersection(CapabilityFlags.responderMask(for: requestVersion))
        let response = CapabilitiesResponse(version: requestVersion, ctExponent: device.ctExponent, flags: flags,
                                            dataTransferSize: device.dataTransferSize,
                                            maxSPDMMessageSize: device.maxSPDMMessageSize,
                                            supportedAlgorithms: wantsAlgorithms && flags.contains(.chunk)
                                                ? device.supportedAlgorithms(version: requestVersion) : nil)
            .encoded(context: .unnegotiated(requestVersion))

        // Update
        version = requestVersion
        peer = PeerCapabilities(flags: message.flags, ctExponent: message.ctExponent,
                                dataTransferSize: message.dataTransferSize, maxSPDMMessageSize: message.maxSPDMMessageSize)
        state = .afterCapabilities
        transcript.appendVCA(Array(request.prefix(size)) + response)
        return response
    }

    /// The requester flag combinations DSP0274 forbids (Table "Requester flag fields", 1.1+).
    static func validateRequesterFlags(_ flags: CapabilityFlags) throws {
        if flags.contains(.pskWithContext) {
            throw ResponderError.invalidRequest("requester PSK_CAP must be 0 or 1")
        }
        let secured = !flags.intersection([.encrypt, .mac]).isEmpty
        let exchanges = !flags.intersection([.keyEx, .pskWithoutContext]).isEmpty
        if secured != exchanges {
            throw ResponderError.invalidRequest("ENCRYPT_CAP/MAC_CAP and KEY_EX_CAP/PSK_CAP must be set together")
        }
        if flags.contains(.handshakeInTheClear) && !flags.contains(.keyEx) {
            throw ResponderError.invalidRequest("HANDSHAKE_IN_THE_CLEAR_CAP needs KEY_EX_CAP")
        }
        // A requester has a certificate or a raw public key, not both (libspdm's responder refuses it too).
        if flags.isSuperset(of: [.cert, .pubKeyID]) {
            throw ResponderError.invalidRequest("CERT_CAP and PUB_KEY_ID_CAP exclude each other")
        }
    }
}

extension ResponderDevice {
    /// The Supported Algorithms block (1.3+): every algorithm this device could select at `version`,
    /// the AlgStructures it has something for (DHE, AEAD, ReqBaseAsymAlg, KeySchedule; at 1.4
    /// ReqPqcAsymAlg and KEMAlg), in AlgType order.
    func supportedAlgorithms(version: SPDMVersion) -> SupportedAlgorithms {
        let sessions = !capabilities.intersection([.keyEx, .pskWithoutContext, .pskWithContext]).isEmpty
        let keyExchange = capabilities.contains(.keyEx)
        let mutual = capabilities.contains(.mutAuth)
        let pqc = version >= .v14
        var structures: [AlgorithmStructure] = []
        func add(_ type: AlgorithmStructure.AlgType, _ bits: UInt16) {
            if bits != 0 { structures.append(AlgorithmStructure(type: type, supported: bits)) }
        }
        add(.dhe, keyExchange ? dhePreference.reduce(0) { $0 | $1.rawValue } : 0)
        add(.aead, sessions ? aeadPreference.reduce(0) { $0 | $1.rawValue } : 0)
        add(.requesterBaseAsym, mutual ? requesterAsymPreference.reduce(0) { $0 | BaseAsymAlgorithms($1).requesterStructureBits } : 0)
        add(.keySchedule, sessions ? KeySchedules.spdm.rawValue : 0)
        if pqc {
            add(.requesterPQCAsym, mutual ? requesterPQCAsymPreference.reduce(0) { $0 | PQCAsymAlgorithms($1).requesterStructureBits } : 0)
            add(.kem, keyExchange ? kemPreference.reduce(0) { $0 | KEMAlgorithms($1).rawValue } : 0)
        }
        let measures = !capabilities.intersection(.measurementsAny).isEmpty
        return SupportedAlgorithms(
            measurementSpecification: measures ? .dmtf : [],
            otherParams: OtherParams([.opaqueDataFormat0, .opaqueDataFormat1])
                .union(capabilities.intersection([.multiKeyOnly, .multiKeyNegotiated]).isEmpty ? [] : .multiKeyConnection),
            baseAsym: asymPreference.reduce(into: BaseAsymAlgorithms()) { $0.insert(BaseAsymAlgorithms($1)) }
                .intersection(BaseAsymAlgorithms.defined(in: version)),
            baseHash: hashPreference.reduce(into: BaseHashAlgorithms()) { $0.insert(BaseHashAlgorithms($1)) }
                .intersection(BaseHashAlgorithms.defined(in: version)),
            pqcAsym: pqc ? pqcAsymPreference.reduce(into: PQCAsymAlgorithms()) { $0.insert(PQCAsymAlgorithms($1)) } : [],
            melSpecification: capabilities.contains(.mel) && measures ? MeasurementExtensionLog.specificationDMTF : 0,
            structures: structures)
    }
}

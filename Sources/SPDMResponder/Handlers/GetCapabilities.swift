import SPDMCore
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

        // Process + build
        let flags = device.capabilities.intersection(CapabilityFlags.responderMask(for: requestVersion))
        let response = CapabilitiesResponse(version: requestVersion, ctExponent: device.ctExponent, flags: flags,
                                            dataTransferSize: device.dataTransferSize,
                                            maxSPDMMessageSize: device.maxSPDMMessageSize)
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

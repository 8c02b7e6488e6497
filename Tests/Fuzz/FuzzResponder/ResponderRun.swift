import SPDMFuzzSupport
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire

/// One fuzz input's run: a copy of a prepared responder and, in session states, the requester's
/// session secrets, kept in step with the responder's (sequence numbers, KEY_UPDATE).
struct ResponderRun {
    enum Route: UInt8 {
        case plain = 0, sealedSPDM, sealedApplicationData, rawRecord
        /// The OOB_ENCAP_ENDPOINT_INFO platform command (the message is ignored): arms the encapsulated
        /// GET_ENDPOINT_INFO that a later GET_ENCAPSULATED_REQUEST takes.
        case armEncapsulatedEndpointInfo
    }

    var responder: ResponderConnection
    var channel: SecuredChannel
    var sessionID: UInt32
    /// The requester's half of the session's keys (nil outside sessions).
    var secrets: SessionSecrets?

    init(_ state: PreparedConnection) {
        responder = state.responder
        channel = state.channel
        sessionID = state.session?.sessionID ?? 0xFFFF_FFFF
        secrets = state.session?.secrets
    }

    mutating func send(_ message: [UInt8], route: Route) {
        switch route {
        case .plain: checkResponse(responder.respond(to: message), to: message)
        case .sealedSPDM: sealed(channel.mctpTyped ? [MCTPType.spdm] + message : message)
        case .sealedApplicationData: sealed(message)
        case .rawRecord: record(message)
        case .armEncapsulatedEndpointInfo: _ = responder.armEncapsulatedEndpointInfo()
        }
    }

    /// A raw record: whatever it holds, the answer is a sealed record, a plain SPDM ERROR, or nothing.
    private mutating func record(_ bytes: [UInt8]) {
        let outcome = responder.handleSecured(bytes, format: channel.format, mctpTyped: channel.mctpTyped)
        if let plain = outcome.plainResponse { checkResponse(plain, to: bytes) }
    }

    /// Seals `application` with the requester's current keys, delivers it and opens the reply, so the
    /// next sealed request is in sequence. A KEY_UPDATE the responder acknowledges moves the keys
    /// here as it did there (DSP0274 §10.20: UpdateKey moves the request direction once the request
    /// is sealed; UpdateAllKeys both, the ACK already under the new response key).
    private mutating func sealed(_ application: [UInt8]) {
        guard var keys = secrets else { return record(application) }
        guard let sealedRecord = try? keys.seal(sessionID: sessionID, application, format: channel.format) else { return }
        let outcome = responder.handleSecured(sealedRecord, format: channel.format, mctpTyped: channel.mctpTyped)
        if let plain = outcome.plainResponse { checkResponse(plain, to: application) }
        defer { secrets = keys }
        guard let reply = outcome.record else { return }
        if let operation = keyUpdateOperation(application) {
            var updated = keys
            updated.updateKeys(request: true, response: operation == .updateAllKeys)
            if let opened = try? updated.open(reply, format: channel.format), isKeyUpdateAck(opened) {
                keys = updated
                return
            }
        }
        guard let opened = try? keys.open(reply, format: channel.format) else {
            // A FINISH / PSK_FINISH that verified moved the responder to the data keys, which the
            // harness cannot follow; once established, the keys must stay in step.
            return fuzzCheck(keys.phase == .handshake, "the responder's sealed reply does not open with the session's keys")
        }
        if channel.mctpTyped, opened.first == MCTPType.spdm {
            checkResponse(Array(opened.dropFirst()), to: application)
        } else if !channel.mctpTyped {
            checkResponse(opened, to: application)
        }
    }

    private func spdmMessage(_ application: [UInt8]) -> [UInt8]? {
        guard channel.mctpTyped else { return application }
        guard application.first == MCTPType.spdm else { return nil }
        return Array(application.dropFirst())
    }

    private func keyUpdateOperation(_ application: [UInt8]) -> KeyUpdateOperation? {
        guard let message = spdmMessage(application), message.count >= 4, message[1] == RequestCode.keyUpdate.rawValue else { return nil }
        let operation = KeyUpdateOperation(rawValue: message[2])
        return operation == .updateKey || operation == .updateAllKeys ? operation : nil
    }

    private func isKeyUpdateAck(_ application: [UInt8]) -> Bool {
        guard let message = spdmMessage(application), message.count >= 4 else { return false }
        return message[1] == ResponseCode.keyUpdateAck.rawValue
    }

    /// Every response is an SPDM message: a header whose code is a response code (bit 7 clear).
    private func checkResponse(_ response: [UInt8], to request: [UInt8]) {
        fuzzCheck(response.count >= MessageHeader.size && response[1] & 0x80 == 0,
                  "response \(response.prefix(8)) to request \(request.prefix(8)) is no SPDM response")
    }
}

enum MCTPType {
    static let spdm: UInt8 = 0x05
}

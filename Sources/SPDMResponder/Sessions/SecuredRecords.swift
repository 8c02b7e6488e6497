import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// The result of one secured record.
public struct SecuredOutcome: Sendable {
    public var sessionID: UInt32?
    /// The secured reply record (session id first), or nil when none is sent in the session.
    public var record: [UInt8]?
    /// A reply sent in the clear instead (ERROR(DecryptError) for a record that did not verify).
    public var plainResponse: [UInt8]?
    public var request: RequestCode?
    public var error: ResponderError?
    /// Why the record was dropped, when it was.
    public var dropped: String?
    /// An application message of another MCTP type (logged by the daemon).
    public var applicationMessageType: UInt8?
    /// The request a last CHUNK_SEND carried (reassembled from its chunks).
    public var reassembled: RequestCode?
    /// The session ended with this record (END_SESSION).
    public var sessionEnded = false
    /// `answerInstead` answered the request; the device did not see it.
    public var answeredInstead = false
}

/// Secured records (DSP0277): opening a record, routing its application data (an SPDM request, or
/// an application message of another type), and sealing the reply.
extension ResponderConnection {
    /// Handles one DSP0277 secured record. `mctpTyped`: the application data starts with an MCTP
    /// message type (0x05 SPDM, 0x01 PLDM, ...) as on MCTP; PCI-DOE carries the SPDM message bare.
    /// `answerInstead` may answer an SPDM request before the device sees it (nil: the device handles it).
    /// `beforeSealing` sees each SPDM request and its response in the clear and returns what is
    /// sealed (the daemon's fault layer; the state machine's own state is already settled).
    public mutating func handleSecured(_ record: [UInt8], format: SecuredMessageFormat, mctpTyped: Bool,
                                       beforeSealing: (_ request: [UInt8], _ response: [UInt8]) -> [UInt8] = { $1 },
                                       answerInstead: (_ request: [UInt8]) -> [UInt8]? = { _ in nil }) -> SecuredOutcome {
        var outcome = SecuredOutcome()
        guard let sessionID = SecuredMessage.sessionID(of: record), var session = sessions[sessionID] else {
            droppedRecordCount += 1
            outcome.dropped = "unknown session id"
            outcome.plainResponse = errorResponse(ResponderError(.decryptError, "unknown session"), to: nil)
            return outcome
        }
        outcome.sessionID = sessionID
        let applicationData: [UInt8]
        do {
            applicationData = try session.secrets.open(record, format: format)
            sessions[sessionID] = session
        } catch {
            sessions[sessionID] = session  // keeps the drop counter
            // DecryptError ends a chunk transfer of the session (DSP0274 1.3, large message transfer).
            largeMessages.abandon(session: sessionID)
            outcome.dropped = "\(error)"
            outcome.plainResponse = errorResponse(ResponderError(.decryptError, "\(error)"), to: nil)
            return outcome
        }

        var message = applicationData
        if mctpTyped {
            guard let type = message.first else {
                outcome.dropped = "empty application data"
                return outcome
            }
            message.removeFirst()
            if type & 0x7F != 0x05 {
                outcome.applicationMessageType = type
                guard let reply = applicationReply(type: type, body: message) else { return outcome }
                outcome.record = seal(sessionID, reply, format: format)
                return outcome
            }
        }

        // An SPDM request inside the session; `answerInstead` (the daemon's fault layer: Busy, an
        // ERROR, a held response for RESPOND_IF_READY) may answer it before the device sees it.
        if let answer = answerInstead(message) {
            outcome.request = message.count >= 2 ? RequestCode(rawValue: message[1]) : nil
            outcome.answeredInstead = true
            let appResponse = mctpTyped ? [0x05] + answer : answer
            outcome.record = seal(sessionID, appResponse, format: format)
            return outcome
        }
        let handled = handle(message, inSession: sessionID)
        outcome.request = handled.request
        outcome.error = handled.error
        outcome.reassembled = handled.reassembled
        let delivered = beforeSealing(message, handled.response)
        let appResponse = mctpTyped ? [0x05] + delivered : delivered
        outcome.record = seal(sessionID, appResponse, format: format)
        // ERROR(DecryptError) inside a session (FINISH / PSK_FINISH verify data that does not
        // verify) ends that session once the error is sealed (DSP0274 §10.16; libspdm frees it too).
        if handled.error?.code == .decryptError {
            expireSession(sessionID)
            outcome.sessionEnded = true
            return outcome
        }
        switch handled.followUp {
        case .none: break
        case .establish(let th2Hash):
            sessions[sessionID]?.secrets.establish(th2Hash: th2Hash)
        case .terminate:
            expireSession(sessionID)
            outcome.sessionEnded = true
        }
        return outcome
    }

    private mutating func seal(_ sessionID: UInt32, _ applicationData: [UInt8], format: SecuredMessageFormat) -> [UInt8]? {
        guard var session = sessions[sessionID] else { return nil }
        var padding: [UInt8] = []
        if format.maxRandomPadding > 0 {
            let count = Int(randomBytes(1)[0]) % format.maxRandomPadding + 1
            padding = randomBytes(count)
        }
        defer { sessions[sessionID] = session }
        return try? session.secrets.seal(sessionID: sessionID, applicationData, format: format, padding: padding)
    }
}

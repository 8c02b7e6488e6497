import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// How secured records travel on one connection's transport binding.
public struct SecuredChannel: Sendable, Hashable {
    /// Sequence number size and padding of the record (DSP0277 binding rules).
    public var format: SecuredMessageFormat
    /// The application data starts with an MCTP message type (0x05 SPDM) as on MCTP; PCI-DOE
    /// carries the SPDM message bare.
    public var mctpTyped: Bool

    public init(format: SecuredMessageFormat, mctpTyped: Bool) {
        self.format = format
        self.mctpTyped = mctpTyped
    }

    public static let mctp = SecuredChannel(format: .mctp, mctpTyped: true)
    public static let pciDOE = SecuredChannel(format: .pciDOE, mctpTyped: false)
}

/// What came back for a secured record: another secured record, or a message in the clear (the
/// responder's ERROR(DecryptError) for a record it could not open).
public enum SecuredReply: Sendable, Hashable {
    case secured([UInt8])
    case plain([UInt8])
}

/// Sends one secured record and returns what the responder answered.
public typealias SecuredExchange = ([UInt8]) throws -> SecuredReply

/// The requester's half of one SPDM session (DSP0274 §"Session", DSP0277): the session id, the
/// key schedule state from SPDMSession (request direction sent, response direction received) and
/// the session transcript.
public struct RequesterSession: Sendable {
    public let sessionID: UInt32
    public let usesPSK: Bool
    public let version: SPDMVersion
    /// HeartbeatPeriod from KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP (0: no heartbeat).
    public let heartbeatPeriod: UInt8
    public let measurementSummaryHash: [UInt8]
    /// The secured-message version the responder selected (nil when it sent no opaque data).
    public let securedMessageVersion: UInt16?
    public let channel: SecuredChannel
    public internal(set) var secrets: SessionSecrets
    /// TH bytes: A || (Hash(Ct) ||) K || F...
    var transcript: [UInt8]
    /// L1/L2 of GET_MEASUREMENTS inside this session.
    var messageM: [UInt8] = []
    /// Set after END_SESSION_ACK: no more records may be sent.
    public internal(set) var ended = false
    /// KEY_EXCHANGE_RSP MutAuthRequested: 0, 0x01 (FINISH signature only), 0x02 (encapsulated
    /// flow), 0x04 (encapsulated flow starting with our DIGESTS).
    public internal(set) var mutAuthRequested: UInt8 = 0
    /// ReqSlotID for FINISH: KEY_EXCHANGE_RSP SlotIDParam, or the requester slot number that
    /// ENCAPSULATED_RESPONSE_ACK named.
    public internal(set) var requesterSlotID: UInt8 = 0
    /// Both sides have HANDSHAKE_IN_THE_CLEAR_CAP: FINISH (and the encapsulated mutual-auth flow
    /// before it) travel as plain messages, and FINISH_RSP carries ResponderVerifyData.
    public internal(set) var handshakeInTheClear = false
    /// True once FINISH with our signature was accepted (FINISH_RSP arrived).
    public internal(set) var mutuallyAuthenticated = false
    /// An encapsulated KEY_UPDATE UpdateKey was acknowledged; VerifyNewKey has not come yet.
    var encapsulatedKeyUpdatePending = false
    var padding: any RequesterRandomSource
    /// Large messages inside the session: each chunk message is a record of its own (LargeMessageTransfer.swift).
    var largeMessages: LargeMessageTransfer = .none

    public var established: Bool { secrets.phase == .established }
    public var encrypts: Bool { secrets.encrypt }

    /// Seals one SPDM message (with the MCTP type byte where the channel needs it).
    public mutating func seal(_ message: [UInt8]) throws -> [UInt8] {
        guard !ended else { throw RequesterError.invalidState("session 0x\(String(sessionID, radix: 16)) has ended") }
        let application = channel.mctpTyped ? [0x05] + message : message
        var randomPadding: [UInt8] = []
        if channel.format.maxRandomPadding > 0 {
            let count = Int(padding.bytes(1).first ?? 0) % channel.format.maxRandomPadding + 1
            randomPadding = padding.bytes(count)
        }
        return try secrets.seal(sessionID: sessionID, application, format: channel.format, padding: randomPadding)
    }

    /// Opens one received record and returns the SPDM message inside.
    public mutating func open(_ record: [UInt8]) throws -> [UInt8] {
        guard SecuredMessage.sessionID(of: record) == sessionID else {
            throw RequesterError.securedMessage("record for session 0x\(String(SecuredMessage.sessionID(of: record) ?? 0, radix: 16)), expected 0x\(String(sessionID, radix: 16))")
        }
        let application: [UInt8]
        do {
            application = try secrets.open(record, format: channel.format)
        } catch {
            throw RequesterError.securedMessage("\(error)")
        }
        guard channel.mctpTyped else { return application }
        guard let type = application.first, type & 0x7F == 0x05 else {
            throw RequesterError.securedMessage("application data is not an SPDM message (MCTP type \(application.first.map { String($0) } ?? "none"))")
        }
        return Array(application.dropFirst())
    }

    /// One request/response in the session: seals `message`, sends it, opens the reply. A reply in
    /// the clear is the responder's ERROR (DecryptError for a record it could not open). A large
    /// request goes in CHUNK_SEND records, a large response comes in CHUNK_RESPONSE records, each
    /// sealed on its own; what returns is the whole response.
    /// `movingResponseKey`: the message acknowledges the responder's UpdateKey (encapsulated
    /// KEY_UPDATE_ACK), so the receive direction moves to its next secret once it is sealed and the
    /// reply is opened with the new key (DSP0274 §10.20).
    public mutating func exchange(_ message: [UInt8], code: RequestCode, via send: SecuredExchange,
                                  movingResponseKey: Bool = false) throws -> [UInt8] {
        var transfer = largeMessages
        defer { largeMessages.nextHandle = transfer.nextHandle }
        var moving = movingResponseKey
        return try transfer.exchange(message) { record in
            defer { moving = false }
            return try exchangeRecord(record, code: code, via: send, movingResponseKey: moving)
        }
    }

    /// One SPDM message sealed in one record, and the SPDM message of the reply.
    private mutating func exchangeRecord(_ message: [UInt8], code: RequestCode, via send: SecuredExchange,
                                         movingResponseKey: Bool) throws -> [UInt8] {
        let record = try seal(message)
        if movingResponseKey { secrets.updateKeys(request: false, response: true) }
        switch try send(record) {
        case .secured(let reply):
            return try open(reply)
        case .plain(let reply):
            if let header = try? MessageHeader(peeking: reply), header.code == ResponseCode.error.rawValue,
               let error = try? ErrorResponse(decoding: reply, context: .unnegotiated(header.version)) {
                throw RequesterError.errorResponse(request: code, code: error.code, data: error.data)
            }
            throw RequesterError.securedMessage("\(code) answered in the clear (\(reply.count) bytes)")
        }
    }
}

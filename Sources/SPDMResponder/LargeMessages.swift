import SPDMWire

/// The large SPDM message transfers of one connection (DSP0274 1.2+ "Large SPDM message transfer
/// mechanism"). A large message is one larger than the DataTransferSize of its receiver (or, for
/// this device, than its own DataTransferSize, which it also uses as its transmit size). When both
/// sides have CHUNK_CAP:
///
///     large request:   CHUNK_SEND ... CHUNK_SEND(LAST_CHUNK)  ->  CHUNK_SEND_ACK ... CHUNK_SEND_ACK + response
///     large response:  request  ->  ERROR(LargeResponse, Handle);  CHUNK_GET ...  ->  CHUNK_RESPONSE ... (LAST_CHUNK)
///
/// The whole request and the whole response go into the transcripts exactly as if they had been sent
/// in one piece (the handlers append them); the chunk messages and ERROR(LargeResponse) never do.
/// At most one transfer runs on a connection; until it ends, any request other than its chunk
/// requests is answered ERROR(UnexpectedRequest) and the transfer goes on, except GET_VERSION, which
/// ends it (DSP0274 1.3: "The chunked transfer shall not be interrupted by any commands that are not
/// part of the chunk transfer sequence, with the exception of GET_VERSION"). A transfer inside a
/// session belongs to that session and ends with it.
struct LargeMessageTransfers: Sendable {
    /// A large request arriving in CHUNK_SEND messages (Handlers/ChunkSend.swift).
    var incoming: IncomingLargeRequest?
    /// A large response waiting to be fetched with CHUNK_GET (Handlers/ChunkGet.swift).
    var outgoing: OutgoingLargeResponse?
    /// The Handle of the next large response; it counts up (and wraps) so a stale CHUNK_GET of an
    /// earlier transfer never matches a later one.
    var nextResponseHandle: UInt8 = 0

    var inProgress: Bool { incoming != nil || outgoing != nil }

    /// Ends the transfers of `sessionID` (the session ended, or one of its records failed to decrypt).
    mutating func abandon(session sessionID: UInt32) {
        if incoming?.sessionID == sessionID { incoming = nil }
        if outgoing?.sessionID == sessionID { outgoing = nil }
    }

    mutating func abandonAll() {
        incoming = nil
        outgoing = nil
    }
}

struct IncomingLargeRequest: Sendable {
    /// The Handle the requester chose (CHUNK_SEND Param2).
    var handle: UInt8
    /// The session the transfer runs in, nil in the clear.
    var sessionID: UInt32?
    /// LargeMessageSize of the first chunk.
    var size: Int
    var bytes: [UInt8]
    var lastSequenceNumber: UInt32
}

struct OutgoingLargeResponse: Sendable {
    var handle: UInt8
    var sessionID: UInt32?
    var message: [UInt8]
    var sent = 0
    var nextSequenceNumber: UInt32 = 0
    /// What the response would have done once sealed (establish or end its session): done once the
    /// last chunk is sealed, when the requester holds the whole response.
    var followUp: SessionFollowUp
}

/// What dispatching one request produced, before the size decision (`settle`).
struct Dispatched: Sendable {
    var response: [UInt8]
    /// In a session: what to do once the response is sealed.
    var followUp: SessionFollowUp = .none
    /// The request a final CHUNK_SEND carried, and the error it was answered with inside CHUNK_SEND_ACK.
    var reassembled: RequestCode?
    var carriedError: ResponderError?
}

extension ResponderConnection {
    /// Both sides have CHUNK_CAP on a 1.2+ connection.
    var chunkingNegotiated: Bool {
        guard let version, version >= .v12 else { return false }
        return device.capabilities.contains(.chunk) && peer.flags.contains(.chunk)
    }

    /// The largest message sent in one piece on this 1.2+ connection: the requester's DataTransferSize
    /// and, when chunking is negotiated, this device's own DataTransferSize as well (its transmit
    /// buffer, as libspdm's sender_data_transfer_size). Nil before GET_CAPABILITIES 1.2+ fixed one.
    var transmitLimit: Int? {
        guard let version, version >= .v12, peer.dataTransferSize > 0 else { return nil }
        let peerLimit = Int(peer.dataTransferSize)
        return chunkingNegotiated ? min(peerLimit, Int(device.dataTransferSize)) : peerLimit
    }

    /// The transfer gate, after the request gate: while a transfer runs only its own chunk requests
    /// (in its own session or in the clear) pass; GET_VERSION passes and ends the transfer.
    mutating func admitDuringLargeTransfer(_ code: RequestCode, sessionID: UInt32?) throws {
        if code == .getVersion {
            largeMessages.abandonAll()
            return
        }
        if let outgoing = largeMessages.outgoing, !(code == .chunkGet && outgoing.sessionID == sessionID) {
            throw ResponderError.unexpectedRequest(
                "\(code) while a large response (handle \(outgoing.handle)) waits for CHUNK_GET\(Self.place(outgoing.sessionID))")
        }
        if let incoming = largeMessages.incoming, !(code == .chunkSend && incoming.sessionID == sessionID) {
            throw ResponderError.unexpectedRequest(
                "\(code) while a large request (handle \(incoming.handle)) arrives in CHUNK_SEND\(Self.place(incoming.sessionID))")
        }
    }

    private static func place(_ sessionID: UInt32?) -> String {
        sessionID.map { " in session 0x\(String($0, radix: 16))" } ?? " in the clear"
    }

    /// The one size decision, after dispatch, for every response in the clear or in a session
    /// (`overhead`: the bytes of a CHUNK_SEND_ACK the response travels in):
    ///   - it fits the transmit limit: it goes as it is;
    ///   - else, with chunking negotiated and within the requester's MaxSPDMmsgSize: the connection
    ///     keeps it for CHUNK_GET and answers ERROR(LargeResponse, Handle);
    ///   - else ERROR(ResponseTooLarge), thrown so that the commit point drops every state change the
    ///     request made.
    mutating func settle(_ dispatched: Dispatched, in sessionID: UInt32?, overhead: Int = 0) throws -> Dispatched {
        guard let version, let limit = transmitLimit else { return dispatched }
        let size = dispatched.response.count
        if size + overhead <= limit { return dispatched }
        guard chunkingNegotiated else {
            throw ResponderError.responseTooLarge(
                size: size, "a \(size)-byte response exceeds DataTransferSize \(peer.dataTransferSize) and chunking was not negotiated")
        }
        guard size <= Int(peer.maxSPDMMessageSize) else {
            throw ResponderError.responseTooLarge(size: size, "a \(size)-byte response exceeds the requester's MaxSPDMmsgSize \(peer.maxSPDMMessageSize)")
        }
        if !LargeMessage.wideSequenceNumbers(version) {
            let chunks = LargeMessage.chunkCount(messageSize: size, transferSize: limit)
            guard chunks <= LargeMessage.maximumChunksBefore14 else {
                throw ResponderError.responseTooLarge(size: size, "a \(size)-byte response needs \(chunks) chunks, more than ChunkSeqNo counts")
            }
        }
        let handle = largeMessages.nextResponseHandle
        largeMessages.nextResponseHandle &+= 1
        largeMessages.outgoing = OutgoingLargeResponse(handle: handle, sessionID: sessionID, message: dispatched.response,
                                                       followUp: dispatched.followUp)
        var held = dispatched
        held.response = ErrorResponse(version: version, code: .largeResponse, extendedData: [handle]).encoded(context: .unnegotiated(version))
        held.followUp = .none
        return held
    }

    /// CHUNK_SEND and CHUNK_GET need CHUNK_CAP of the requester too (the request gate checked this
    /// device's and the version); the connection's version.
    func chunkingVersion(_ code: RequestCode) throws -> SPDMVersion {
        guard let version, version >= .v12 else { throw ResponderError.unsupportedRequest(code) }
        guard peer.flags.contains(.chunk) else {
            throw ResponderError.unexpectedRequest("\(code) from a requester without CHUNK_CAP")
        }
        return version
    }
}

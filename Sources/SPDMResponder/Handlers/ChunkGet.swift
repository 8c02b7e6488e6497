import SPDMWire

/// CHUNK_GET -> CHUNK_RESPONSE (DSP0274 1.2+ "CHUNK_GET request and CHUNK_RESPONSE response
/// messages"): the next chunk of the large response that ERROR(LargeResponse) announced
/// (LargeMessages.swift). Each chunk fills the transmit limit; the first also carries
/// LargeMessageSize; the last has LAST_CHUNK set and ends the transfer.
///
/// A CHUNK_GET that is wrong (another Handle, a ChunkSeqNo other than the next one, a duplicate) is
/// ERROR(InvalidRequest) and the transfer goes on (DSP0274 1.3: such errors "shall not interrupt the
/// chunk transfer sequence"); with no large response waiting it is ERROR(UnexpectedRequest).
extension ResponderConnection {
    mutating func handleChunkGet(_ request: [UInt8], sessionID: UInt32?) throws -> Dispatched {
        // Validate
        let version = try chunkingVersion(.chunkGet)
        guard request.count >= ChunkGetRequest.size(version) else {
            throw ResponderError.invalidRequest("CHUNK_GET needs \(ChunkGetRequest.size(version)) bytes at \(version), got \(request.count)")
        }
        let message = try ChunkGetRequest(decoding: request, context: .unnegotiated(version))
        guard var transfer = largeMessages.outgoing, transfer.sessionID == sessionID, let limit = transmitLimit else {
            throw ResponderError.unexpectedRequest("CHUNK_GET with no large response waiting")
        }
        guard message.handle == transfer.handle else {
            throw ResponderError.invalidRequest("CHUNK_GET Handle \(message.handle), the large response has Handle \(transfer.handle)")
        }
        guard message.sequenceNumber == transfer.nextSequenceNumber else {
            throw ResponderError.invalidRequest("CHUNK_GET ChunkSeqNo \(message.sequenceNumber), expected \(transfer.nextSequenceNumber)")
        }

        // Process + build
        let first = transfer.nextSequenceNumber == 0
        let room = limit - LargeMessage.chunkHeaderSize - (first ? LargeMessage.largeMessageSizeField : 0)
        let count = min(room, transfer.message.count - transfer.sent)
        let last = transfer.sent + count == transfer.message.count
        let response = ChunkResponse(
            version: version, handle: transfer.handle, lastChunk: last, sequenceNumber: transfer.nextSequenceNumber,
            largeMessageSize: first ? UInt32(transfer.message.count) : nil,
            chunk: Array(transfer.message[transfer.sent..<transfer.sent + count])
        ).encoded(context: .unnegotiated(version))

        // Update
        transfer.sent += count
        transfer.nextSequenceNumber &+= 1
        largeMessages.outgoing = last ? nil : transfer
        return Dispatched(response: response, followUp: last ? transfer.followUp : .none)
    }
}

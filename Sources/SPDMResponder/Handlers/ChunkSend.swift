import SPDMWire

/// CHUNK_SEND -> CHUNK_SEND_ACK (DSP0274 1.2+ "CHUNK_SEND request and CHUNK_SEND_ACK response
/// messages"): reassembles a large request (LargeMessages.swift). Each chunk is acknowledged; once
/// the LAST_CHUNK completes LargeMessageSize, the reassembled request goes through the normal
/// dispatch (request gate, transcripts, handler, size decision) and its response travels back in
/// ResponseToLargeRequest of the last CHUNK_SEND_ACK — as ERROR(LargeResponse) when that response is
/// itself large, to be fetched with CHUNK_GET.
///
/// Errors in the chunk sequence (another Handle, a ChunkSeqNo other than the next, a chunk beyond
/// DataTransferSize or LargeMessageSize, a LargeMessageSize beyond MaxSPDMmsgSize, a short chunk
/// before the last) end the transfer: CHUNK_SEND_ACK with EARLY_ERROR_DETECTED carries the ERROR
/// (InvalidRequest; RequestTooLarge for LargeMessageSize). A CHUNK_SEND too short for its fixed
/// fields, at a version without chunking or from a requester without CHUNK_CAP gets a plain ERROR.
extension ResponderConnection {
    /// Requests that may not be reassembled from CHUNK_SEND: the VCA openers, which precede any
    /// chunking, and the chunk and retry requests themselves (libspdm refuses them too).
    static let requestsNeverChunked: Set<RequestCode> = [.getVersion, .getCapabilities, .chunkSend, .chunkGet, .respondIfReady]

    mutating func handleChunkSend(_ request: [UInt8], sessionID: UInt32?) throws -> Dispatched {
        // Validate the fixed fields: without them there is no Handle or ChunkSeqNo to acknowledge.
        let version = try chunkingVersion(.chunkSend)
        guard request.count >= LargeMessage.chunkHeaderSize else {
            throw ResponderError.invalidRequest("CHUNK_SEND needs \(LargeMessage.chunkHeaderSize) bytes, got \(request.count)")
        }
        let (handle, sequenceNumber) = try ChunkSendRequest.peekHandleAndSequence(request)
        let ack = ChunkSendAckResponse(version: version, handle: handle, sequenceNumber: sequenceNumber)

        // Process: take the chunk, or end the transfer on an early error.
        do {
            let message: ChunkSendRequest
            do {
                message = try ChunkSendRequest(decoding: request, context: .unnegotiated(version))
            } catch {
                throw ResponderError(decoding: error)
            }
            try acceptChunk(message, sessionID: sessionID, version: version)
        } catch let error as ResponderError {
            largeMessages.incoming = nil
            var early = ack
            early.earlyErrorDetected = true
            early.responseToLargeRequest = errorResponse(error, to: .chunkSend)
            return Dispatched(response: early.encoded(context: .unnegotiated(version)), carriedError: error)
        }
        guard let incoming = largeMessages.incoming, incoming.bytes.count == incoming.size else {
            return Dispatched(response: ack.encoded(context: .unnegotiated(version)))
        }

        // Build: the reassembled request's response, inside the last CHUNK_SEND_ACK.
        largeMessages.incoming = nil
        var answer = dispatchReassembled(incoming.bytes, sessionID: sessionID,
                                         overhead: ChunkSendAckResponse.headerSize(version))
        var last = ack
        last.responseToLargeRequest = answer.response
        answer.response = last.encoded(context: .unnegotiated(version))
        return answer
    }

    /// Checks one chunk against the transfer in progress (or starts one) and appends it.
    private mutating func acceptChunk(_ message: ChunkSendRequest, sessionID: UInt32?, version: SPDMVersion) throws {
        let first = message.sequenceNumber == 0
        let chunkMessageSize = ChunkSendRequest.size(chunkSize: message.chunk.count, first: first)
        guard chunkMessageSize <= Int(device.dataTransferSize) else {
            throw ResponderError.invalidRequest("a \(chunkMessageSize)-byte CHUNK_SEND exceeds DataTransferSize \(device.dataTransferSize)")
        }
        guard var incoming = largeMessages.incoming else {
            try startTransfer(message, sessionID: sessionID, version: version, chunkMessageSize: chunkMessageSize)
            return
        }
        guard message.handle == incoming.handle else {
            throw ResponderError.invalidRequest("CHUNK_SEND Handle \(message.handle) in the transfer of Handle \(incoming.handle)")
        }
        guard !first, message.sequenceNumber == incoming.lastSequenceNumber &+ 1 else {
            throw ResponderError.invalidRequest("CHUNK_SEND ChunkSeqNo \(message.sequenceNumber), expected \(incoming.lastSequenceNumber &+ 1)")
        }
        let total = incoming.bytes.count + message.chunk.count
        guard total <= incoming.size else {
            throw ResponderError.invalidRequest("CHUNK_SEND chunks add up to \(total) bytes, LargeMessageSize is \(incoming.size)")
        }
        if message.lastChunk {
            guard total == incoming.size else {
                throw ResponderError.invalidRequest("LAST_CHUNK after \(total) of \(incoming.size) bytes")
            }
        } else {
            guard total < incoming.size else { throw ResponderError.invalidRequest("the chunk completes the large request without LAST_CHUNK") }
            guard chunkMessageSize >= LargeMessage.minimumDataTransferSize else {
                throw ResponderError.invalidRequest("a CHUNK_SEND before the last of \(chunkMessageSize) bytes, below MinDataTransferSize")
            }
        }
        incoming.bytes += message.chunk
        incoming.lastSequenceNumber = message.sequenceNumber
        largeMessages.incoming = incoming
    }

    private mutating func startTransfer(_ message: ChunkSendRequest, sessionID: UInt32?, version: SPDMVersion,
                                        chunkMessageSize: Int) throws {
        guard message.sequenceNumber == 0, let largeMessageSize = message.largeMessageSize else {
            throw ResponderError.invalidRequest("CHUNK_SEND ChunkSeqNo \(message.sequenceNumber) with no large request in transfer")
        }
        guard !message.lastChunk else { throw ResponderError.invalidRequest("LAST_CHUNK on the first chunk: the request is not large") }
        guard largeMessageSize <= device.maxSPDMMessageSize else {
            throw ResponderError(.requestTooLarge, "LargeMessageSize \(largeMessageSize) exceeds MaxSPDMmsgSize \(device.maxSPDMMessageSize)")
        }
        let size = Int(largeMessageSize)
        guard message.chunk.count < size else {
            throw ResponderError.invalidRequest("the first chunk holds \(message.chunk.count) bytes of a \(size)-byte large request")
        }
        guard chunkMessageSize >= LargeMessage.minimumDataTransferSize else {
            throw ResponderError.invalidRequest("a first CHUNK_SEND of \(chunkMessageSize) bytes, below MinDataTransferSize")
        }
        if !LargeMessage.wideSequenceNumbers(version) {
            let chunks = LargeMessage.chunkCount(messageSize: size, transferSize: Int(device.dataTransferSize))
            guard chunks <= LargeMessage.maximumChunksBefore14 else {
                throw ResponderError(.requestTooLarge, "a \(size)-byte request needs \(chunks) chunks, more than ChunkSeqNo counts")
            }
        }
        largeMessages.incoming = IncomingLargeRequest(handle: message.handle, sessionID: sessionID, size: size,
                                                      bytes: message.chunk, lastSequenceNumber: 0)
    }

    /// The reassembled request through the normal dispatch, on a copy of the connection adopted once
    /// its response is settled (the enclosing commit point persists what it acknowledged); an error
    /// becomes the ERROR inside CHUNK_SEND_ACK and leaves the connection as the request found it.
    private mutating func dispatchReassembled(_ request: [UInt8], sessionID: UInt32?, overhead: Int) -> Dispatched {
        let header: MessageHeader
        do {
            header = try MessageHeader(peeking: request)
        } catch {
            let mapped = ResponderError(decoding: error)
            return Dispatched(response: errorResponse(mapped, to: .chunkSend), carriedError: mapped)
        }
        let code = RequestCode(rawValue: header.code)
        var attempt = self
        do {
            guard !Self.requestsNeverChunked.contains(code) else {
                throw ResponderError.invalidRequest("\(code) cannot travel in CHUNK_SEND")
            }
            var dispatched: Dispatched
            if let sessionID {
                dispatched = try attempt.dispatchInSession(code, header: header, request: request, sessionID: sessionID)
            } else {
                dispatched = try attempt.dispatch(code, header: header, request: request)
            }
            dispatched = try attempt.settle(dispatched, in: sessionID, overhead: overhead)
            dispatched.reassembled = code
            self = attempt
            return dispatched
        } catch let error as ResponderError {
            if error.keepsStateChanges { self = attempt }
            // At the connection's version (fixed by CAPABILITIES before any chunk), GET_VERSION included.
            return Dispatched(response: errorResponse(error), reassembled: code, carriedError: error)
        } catch {
            let mapped = ResponderError(decoding: error)
            return Dispatched(response: errorResponse(mapped), reassembled: code, carriedError: mapped)
        }
    }
}

import SPDMWire

/// The requester's side of large SPDM messages (DSP0274 1.2+ "Large SPDM message transfer
/// mechanism"), one layer under every operation: an operation hands it a whole request and gets the
/// whole response back, so transcripts and checks see complete messages and never a chunk.
///
///     request larger than the send limit:  CHUNK_SEND(seq 0, LargeMessageSize) ... CHUNK_SEND(LAST_CHUNK)
///                                          each answered CHUNK_SEND_ACK; the last carries the response
///     response ERROR(LargeResponse, H):    CHUNK_GET(H, 0) ... until CHUNK_RESPONSE has LAST_CHUNK
///
/// The send limit is the responder's DataTransferSize, and with chunking also our own (our transmit
/// size, as the responder uses its own). Without chunking a request over the responder's
/// DataTransferSize is refused here, before it is sent.
public struct LargeMessageTransfer: Sendable, Hashable {
    /// Nil before GET_CAPABILITIES 1.2+ told the responder's sizes: everything goes as it is.
    var version: SPDMVersion?
    var chunking = false
    var sendLimit = Int.max
    /// Our MaxSPDMmsgSize: the largest response we reassemble.
    var receiveLimit = Int.max
    /// The responder's MaxSPDMmsgSize: the largest request it reassembles.
    var responderMaxMessageSize = Int.max
    /// The Handle of our next CHUNK_SEND transfer (counts up, wraps).
    var nextHandle: UInt8 = 0

    /// No large message rules (before 1.2, or before CAPABILITIES).
    public static let none = LargeMessageTransfer()

    /// The rules of a connection whose GET_CAPABILITIES exchanged `responder` at `version`.
    init(version: SPDMVersion?, ours: RequesterConfiguration, responder: CapabilitiesResponse?, nextHandle: UInt8) {
        self.nextHandle = nextHandle
        guard let version, version >= .v12, let responder, responder.dataTransferSize > 0 else { return }
        self.version = version
        chunking = ours.capabilities.contains(.chunk) && responder.flags.contains(.chunk)
        let theirs = Int(responder.dataTransferSize)
        sendLimit = chunking ? min(theirs, Int(ours.dataTransferSize)) : theirs
        receiveLimit = Int(ours.maxSPDMMessageSize)
        responderMaxMessageSize = Int(responder.maxSPDMMessageSize)
    }

    private init() {}

    /// Sends `request` through `send` (one message there, its reply back) and returns the whole response.
    mutating func exchange(_ request: [UInt8], send: ([UInt8]) throws -> [UInt8]) throws -> [UInt8] {
        let code = (try? MessageHeader(peeking: request)).map { RequestCode(rawValue: $0.code) } ?? RequestCode(rawValue: 0)
        var response: [UInt8]
        if request.count > sendLimit {
            guard chunking, code != .getVersion, code != .getCapabilities else {
                throw RequesterError.messageTooLarge(
                    request: code, reason: "\(request.count) bytes, over the responder's DataTransferSize \(sendLimit), and chunking was not negotiated")
            }
            response = try sendInChunks(request, code: code, send: send)
        } else {
            response = try send(request)
        }
        if let handle = try largeResponseHandle(response, code: code) {
            response = try fetchInChunks(handle: handle, code: code, send: send)
        }
        return response
    }

    /// The Handle of an ERROR(LargeResponse), or nil for any other response.
    private func largeResponseHandle(_ response: [UInt8], code: RequestCode) throws -> UInt8? {
        guard let header = try? MessageHeader(peeking: response), header.code == ResponseCode.error.rawValue,
              header.param1 == ErrorCode.largeResponse.rawValue else { return nil }
        guard chunking, header.version == version else {
            throw RequesterError.malformedResponse(request: code, reason: "ERROR(LargeResponse) without chunking negotiated on this connection")
        }
        guard response.count > MessageHeader.size else {
            throw RequesterError.malformedResponse(request: code, reason: "ERROR(LargeResponse) without its Handle")
        }
        return response[MessageHeader.size]
    }

    // MARK: CHUNK_SEND

    private mutating func sendInChunks(_ request: [UInt8], code: RequestCode, send: ([UInt8]) throws -> [UInt8]) throws -> [UInt8] {
        guard let version else { throw RequesterError.invalidState("CHUNK_SEND before GET_CAPABILITIES") }
        guard request.count <= responderMaxMessageSize else {
            throw RequesterError.messageTooLarge(request: code, reason: "\(request.count) bytes, over the responder's MaxSPDMmsgSize \(responderMaxMessageSize)")
        }
        let chunks = LargeMessage.chunkCount(messageSize: request.count, transferSize: sendLimit)
        if !LargeMessage.wideSequenceNumbers(version) && chunks > LargeMessage.maximumChunksBefore14 {
            throw RequesterError.messageTooLarge(request: code, reason: "\(request.count) bytes need \(chunks) chunks, more than ChunkSeqNo counts")
        }
        let handle = nextHandle
        nextHandle &+= 1
        var sent = 0
        var sequenceNumber: UInt32 = 0
        while true {
            let first = sequenceNumber == 0
            let room = sendLimit - LargeMessage.chunkHeaderSize - (first ? LargeMessage.largeMessageSizeField : 0)
            let count = min(room, request.count - sent)
            let last = sent + count == request.count
            let chunk = ChunkSendRequest(version: version, handle: handle, lastChunk: last, sequenceNumber: sequenceNumber,
                                         largeMessageSize: first ? UInt32(request.count) : nil,
                                         chunk: Array(request[sent..<sent + count]))
            let reply = try send(chunk.encoded(context: .unnegotiated(version)))
            sent += count
            // A responder may answer the last chunk with a bare ERROR(LargeResponse) (libspdm does).
            if last, let header = try? MessageHeader(peeking: reply), header.code == ResponseCode.error.rawValue,
               header.param1 == ErrorCode.largeResponse.rawValue {
                return reply
            }
            try checkResponse(reply, code: .chunkSend, expected: .chunkSendAck, version: version)
            let ack = try decodeResponse(.chunkSend) { try ChunkSendAckResponse(decoding: reply, context: .unnegotiated(version)) }
            guard ack.handle == handle, ack.sequenceNumber == sequenceNumber else {
                throw RequesterError.malformedResponse(
                    request: .chunkSend, reason: "CHUNK_SEND_ACK for handle \(ack.handle) chunk \(ack.sequenceNumber), sent handle \(handle) chunk \(sequenceNumber)")
            }
            if ack.earlyErrorDetected {
                let error = try decodeResponse(.chunkSend) { try ErrorResponse(decoding: ack.responseToLargeRequest, context: .unnegotiated(version)) }
                throw RequesterError.errorResponse(request: code, code: error.code, data: error.data)
            }
            if last {
                guard ack.responseToLargeRequest.count >= MessageHeader.size else {
                    throw RequesterError.malformedResponse(request: .chunkSend, reason: "the last CHUNK_SEND_ACK carries no response")
                }
                return ack.responseToLargeRequest
            }
            sequenceNumber += 1
        }
    }

    // MARK: CHUNK_GET

    private func fetchInChunks(handle: UInt8, code: RequestCode, send: ([UInt8]) throws -> [UInt8]) throws -> [UInt8] {
        guard let version else { throw RequesterError.invalidState("CHUNK_GET before GET_CAPABILITIES") }
        var message: [UInt8] = []
        var total = 0
        var sequenceNumber: UInt32 = 0
        while true {
            let reply = try send(ChunkGetRequest(version: version, handle: handle, sequenceNumber: sequenceNumber)
                .encoded(context: .unnegotiated(version)))
            try checkResponse(reply, code: .chunkGet, expected: .chunkResponse, version: version)
            let chunk = try decodeResponse(.chunkGet) { try ChunkResponse(decoding: reply, context: .unnegotiated(version)) }
            guard chunk.handle == handle, chunk.sequenceNumber == sequenceNumber else {
                throw RequesterError.malformedResponse(
                    request: .chunkGet, reason: "CHUNK_RESPONSE for handle \(chunk.handle) chunk \(chunk.sequenceNumber), asked handle \(handle) chunk \(sequenceNumber)")
            }
            if let size = chunk.largeMessageSize {
                guard size > 0, Int(size) <= receiveLimit else {
                    throw RequesterError.messageTooLarge(request: code, reason: "a \(size)-byte large response, over our MaxSPDMmsgSize \(receiveLimit)")
                }
                total = Int(size)
            }
            message += chunk.chunk
            guard message.count <= total else {
                throw RequesterError.malformedResponse(request: .chunkGet, reason: "chunks add up to \(message.count) bytes, LargeMessageSize is \(total)")
            }
            if chunk.lastChunk {
                guard message.count == total else {
                    throw RequesterError.malformedResponse(request: .chunkGet, reason: "LAST_CHUNK after \(message.count) of \(total) bytes")
                }
                return message
            }
            // Every chunk before the last brings bytes: a responder cannot keep us fetching forever.
            guard !chunk.chunk.isEmpty, message.count < total else {
                throw RequesterError.malformedResponse(request: .chunkGet, reason: "chunk \(sequenceNumber) brings no bytes or completes without LAST_CHUNK")
            }
            guard LargeMessage.wideSequenceNumbers(version) || sequenceNumber < UInt32(LargeMessage.maximumChunksBefore14 - 1) else {
                throw RequesterError.malformedResponse(request: .chunkGet, reason: "more chunks than ChunkSeqNo counts")
            }
            sequenceNumber += 1
        }
    }
}

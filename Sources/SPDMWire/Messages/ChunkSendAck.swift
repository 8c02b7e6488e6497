/// CHUNK_SEND_ACK (DSP0274 1.2+ "CHUNK_SEND_ACK response message format"): the Responder's answer to
/// each CHUNK_SEND. After the last chunk, or after an error detected early, it carries a response.
///
///     +0 Version | +1 0x05 | +2 Param1: attributes (bit0 EARLY_ERROR_DETECTED) | +3 Param2: Handle
///     1.2/1.3: +4 ChunkSeqNo (2) | +6 ResponseToLargeRequest (variable)
///     1.4:     +4 ChunkSeqNo (4) | +8 ResponseToLargeRequest (variable)
///
/// ResponseToLargeRequest is empty for chunks before the last; after the last chunk it is the response
/// to the reassembled request (an ERROR(LargeResponse) when that response is itself large); with
/// EARLY_ERROR_DETECTED it is the ERROR that ended the transfer.
public struct ChunkSendAckResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var handle: UInt8
    public var earlyErrorDetected: Bool
    public var sequenceNumber: UInt32
    public var responseToLargeRequest: [UInt8]

    public static let earlyErrorAttribute: UInt8 = 0x01

    public init(version: SPDMVersion, handle: UInt8, earlyErrorDetected: Bool = false, sequenceNumber: UInt32,
                responseToLargeRequest: [UInt8] = []) {
        self.version = version
        self.handle = handle
        self.earlyErrorDetected = earlyErrorDetected
        self.sequenceNumber = sequenceNumber
        self.responseToLargeRequest = responseToLargeRequest
    }

    /// The bytes before ResponseToLargeRequest.
    public static func headerSize(_ version: SPDMVersion) -> Int { LargeMessage.wideSequenceNumbers(version) ? 8 : 6 }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        earlyErrorDetected = header.param1 & Self.earlyErrorAttribute != 0
        handle = header.param2
        sequenceNumber = try ChunkFields.readSequenceNumber(&reader, version: header.version)
        responseToLargeRequest = reader.readRest()
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.chunkSendAck.rawValue,
                      param1: earlyErrorDetected ? Self.earlyErrorAttribute : 0, param2: handle).encode(into: &out)
        ChunkFields.appendSequenceNumber(sequenceNumber, to: &out, version: version)
        out.append(contentsOf: responseToLargeRequest)
    }
}

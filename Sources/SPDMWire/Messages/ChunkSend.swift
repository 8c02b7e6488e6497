/// CHUNK_SEND (DSP0274 1.2+ "CHUNK_SEND request and CHUNK_SEND_ACK response messages"): one chunk of
/// a large request.
///
///     +0 Version | +1 0x85 | +2 Param1: attributes (bit0 LAST_CHUNK) | +3 Param2: Handle
///     1.2/1.3: +4 ChunkSeqNo (2) | +6 Reserved (2) | +8 ChunkSize (4)
///     1.4:     +4 ChunkSeqNo (4)                   | +8 ChunkSize (4)
///     ChunkSeqNo 0 only: +12 LargeMessageSize (4) | then SPDMchunk[ChunkSize]
///
/// The Requester picks the Handle; ChunkSeqNo counts up from 0 without wrapping.
public struct ChunkSendRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var handle: UInt8
    public var lastChunk: Bool
    public var sequenceNumber: UInt32
    /// The size of the whole large request; carried (and set after decoding) only when ChunkSeqNo is 0.
    public var largeMessageSize: UInt32?
    public var chunk: [UInt8]

    public static let lastChunkAttribute: UInt8 = 0x01

    public init(version: SPDMVersion, handle: UInt8, lastChunk: Bool = false, sequenceNumber: UInt32,
                largeMessageSize: UInt32? = nil, chunk: [UInt8]) {
        self.version = version
        self.handle = handle
        self.lastChunk = lastChunk
        self.sequenceNumber = sequenceNumber
        self.largeMessageSize = sequenceNumber == 0 ? largeMessageSize : nil
        self.chunk = chunk
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        lastChunk = header.param1 & Self.lastChunkAttribute != 0
        handle = header.param2
        let fields = try ChunkFields(decoding: &reader, version: header.version)
        sequenceNumber = fields.sequenceNumber
        largeMessageSize = fields.largeMessageSize
        chunk = fields.chunk
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.chunkSend.rawValue, param1: lastChunk ? Self.lastChunkAttribute : 0,
                      param2: handle).encode(into: &out)
        ChunkFields(sequenceNumber: sequenceNumber, largeMessageSize: largeMessageSize, chunk: chunk).encode(into: &out, version: version)
    }

    /// The encoded size of a chunk message carrying `chunkSize` bytes.
    public static func size(chunkSize: Int, first: Bool) -> Int {
        LargeMessage.chunkHeaderSize + (first ? LargeMessage.largeMessageSizeField : 0) + chunkSize
    }

    /// Handle and ChunkSeqNo of a CHUNK_SEND whose fixed 12 bytes are present, even when the rest
    /// does not decode (the Responder echoes them in CHUNK_SEND_ACK with EARLY_ERROR_DETECTED).
    public static func peekHandleAndSequence(_ bytes: [UInt8]) throws -> (handle: UInt8, sequenceNumber: UInt32) {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        return (header.param2, try ChunkFields.readSequenceNumber(&reader, version: header.version))
    }
}

/// CHUNK_RESPONSE (DSP0274 1.2+ "CHUNK_RESPONSE response message format"): one chunk of a large
/// response, answering CHUNK_GET.
///
///     +0 Version | +1 0x06 | +2 Param1: attributes (bit0 LAST_CHUNK) | +3 Param2: Handle
///     1.2/1.3: +4 ChunkSeqNo (2) | +6 Reserved (2) | +8 ChunkSize (4)
///     1.4:     +4 ChunkSeqNo (4)                   | +8 ChunkSize (4)
///     ChunkSeqNo 0 only: +12 LargeMessageSize (4) | then SPDMchunk[ChunkSize]
public struct ChunkResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var handle: UInt8
    public var lastChunk: Bool
    public var sequenceNumber: UInt32
    /// The size of the whole large response; carried (and set after decoding) only when ChunkSeqNo is 0.
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
        MessageHeader(version: version, code: ResponseCode.chunkResponse.rawValue, param1: lastChunk ? Self.lastChunkAttribute : 0,
                      param2: handle).encode(into: &out)
        ChunkFields(sequenceNumber: sequenceNumber, largeMessageSize: largeMessageSize, chunk: chunk).encode(into: &out, version: version)
    }
}

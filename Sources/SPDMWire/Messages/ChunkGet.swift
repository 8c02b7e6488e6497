/// CHUNK_GET (DSP0274 1.2+ "CHUNK_GET request and CHUNK_RESPONSE response messages"): asks for the
/// next chunk of the large response an ERROR(LargeResponse) announced with its Handle.
///
///     +0 Version | +1 0x86 | +2 Param1: Reserved | +3 Param2: Handle
///     1.2/1.3: +4 ChunkSeqNo (2)        (6 bytes)
///     1.4:     +4 ChunkSeqNo (4)        (8 bytes)
public struct ChunkGetRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var handle: UInt8
    public var sequenceNumber: UInt32

    public init(version: SPDMVersion, handle: UInt8, sequenceNumber: UInt32) {
        self.version = version
        self.handle = handle
        self.sequenceNumber = sequenceNumber
    }

    public static func size(_ version: SPDMVersion) -> Int { LargeMessage.wideSequenceNumbers(version) ? 8 : 6 }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        handle = header.param2
        sequenceNumber = try ChunkFields.readSequenceNumber(&reader, version: header.version)
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.chunkGet.rawValue, param2: handle).encode(into: &out)
        ChunkFields.appendSequenceNumber(sequenceNumber, to: &out, version: version)
    }
}

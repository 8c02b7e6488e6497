/// Sizes of the large SPDM message transfer mechanism (DSP0274 1.2+ "Large SPDM message transfer
/// mechanism", CHUNK_SEND / CHUNK_GET; GET_CAPABILITIES DataTransferSize and MaxSPDMmsgSize).
///
/// A large SPDM message is one larger than the DataTransferSize of the endpoint receiving it; when
/// both endpoints have CHUNK_CAP it travels in chunks: a request in CHUNK_SEND messages, a response
/// behind ERROR(LargeResponse) in CHUNK_RESPONSE messages fetched with CHUNK_GET. The chunk messages
/// themselves never enter a transcript; the whole large message does, as if sent in one piece.
public enum LargeMessage {
    /// MinDataTransferSize: the smallest DataTransferSize an endpoint may report (DSP0274 1.2+,
    /// GET_CAPABILITIES / CAPABILITIES "DataTransferSize ... shall be at least MinDataTransferSize").
    public static let minimumDataTransferSize = 42

    /// Before 1.4 ChunkSeqNo is 16 bits and may not wrap: at most this many chunks per message.
    public static let maximumChunksBefore14 = 65_536

    /// The fixed part of CHUNK_SEND and CHUNK_RESPONSE (header, ChunkSeqNo [+ Reserved], ChunkSize),
    /// the same 12 bytes at every version.
    public static let chunkHeaderSize = 12
    /// LargeMessageSize, carried by the first chunk (ChunkSeqNo 0) only.
    public static let largeMessageSizeField = 4

    /// Whether ChunkSeqNo is 32 bits (1.4+) or 16 bits.
    public static func wideSequenceNumbers(_ version: SPDMVersion) -> Bool { version >= .v14 }

    /// How many chunks a message of `size` bytes needs when every chunk message may be at most
    /// `transferSize` bytes (the first chunk also carries LargeMessageSize).
    public static func chunkCount(messageSize size: Int, transferSize: Int) -> Int {
        let room = transferSize - chunkHeaderSize
        guard room > largeMessageSizeField, size > 0 else { return size > 0 ? Int.max : 0 }
        let first = room - largeMessageSizeField
        guard size > first else { return 1 }
        return 1 + (size - first + room - 1) / room
    }
}

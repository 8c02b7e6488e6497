/// The layout CHUNK_SEND and CHUNK_RESPONSE share (DSP0274 1.2+ Tables "CHUNK_SEND request message
/// format" and "CHUNK_RESPONSE response message format"):
///
///     1.2/1.3: +4 ChunkSeqNo (2) | +6 Reserved (2) | +8 ChunkSize (4)
///     1.4:     +4 ChunkSeqNo (4)                   | +8 ChunkSize (4)
///     then, only when ChunkSeqNo is 0: +12 LargeMessageSize (4); then SPDMchunk[ChunkSize]
///
/// Bytes after SPDMchunk (a binding's padding) are ignored.
struct ChunkFields: Hashable, Sendable {
    var sequenceNumber: UInt32
    var largeMessageSize: UInt32?
    var chunk: [UInt8]

    init(sequenceNumber: UInt32, largeMessageSize: UInt32?, chunk: [UInt8]) {
        self.sequenceNumber = sequenceNumber
        self.largeMessageSize = largeMessageSize
        self.chunk = chunk
    }

    init(decoding reader: inout WireReader, version: SPDMVersion) throws {
        if LargeMessage.wideSequenceNumbers(version) {
            sequenceNumber = try reader.readU32("ChunkSeqNo")
        } else {
            sequenceNumber = UInt32(try reader.readU16("ChunkSeqNo"))
            try reader.skip(2, "Reserved")
        }
        let chunkSize = try reader.readU32("ChunkSize")
        largeMessageSize = sequenceNumber == 0 ? try reader.readU32("LargeMessageSize") : nil
        guard chunkSize <= UInt32(reader.remaining) else {
            throw WireError.truncated(field: "SPDMchunk", needed: Int(chunkSize), available: reader.remaining)
        }
        chunk = try reader.readBytes(Int(chunkSize), "SPDMchunk")
    }

    func encode(into out: inout [UInt8], version: SPDMVersion) {
        if LargeMessage.wideSequenceNumbers(version) {
            out.appendU32(sequenceNumber)
        } else {
            out.appendU16(UInt16(truncatingIfNeeded: sequenceNumber))
            out.appendU16(0)
        }
        out.appendU32(UInt32(truncatingIfNeeded: chunk.count))
        if sequenceNumber == 0 { out.appendU32(largeMessageSize ?? 0) }
        out.append(contentsOf: chunk)
    }

    /// ChunkSeqNo alone: 2 bytes before 1.4, 4 from 1.4 (CHUNK_GET, CHUNK_SEND_ACK).
    static func readSequenceNumber(_ reader: inout WireReader, version: SPDMVersion) throws -> UInt32 {
        LargeMessage.wideSequenceNumbers(version) ? try reader.readU32("ChunkSeqNo") : UInt32(try reader.readU16("ChunkSeqNo"))
    }

    static func appendSequenceNumber(_ sequenceNumber: UInt32, to out: inout [UInt8], version: SPDMVersion) {
        if LargeMessage.wideSequenceNumbers(version) {
            out.appendU32(sequenceNumber)
        } else {
            out.appendU16(UInt16(truncatingIfNeeded: sequenceNumber))
        }
    }
}

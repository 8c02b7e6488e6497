import ArgumentParser
import SPDMWire

/// `--transfer-size`, `--max-message-size`, `--no-chunk`: what the requester says of its buffers in
/// GET_CAPABILITIES (1.2+) and whether it offers CHUNK_CAP, so that large messages travel in chunks
/// (CHUNK_SEND / CHUNK_GET) when the responder offers it too (`attest` and `session`).
struct MessageSizeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("DataTransferSize to advertise (1.2+): the largest message received in one piece, at least 42.",
                                            valueName: "bytes"))
    var transferSize: UInt32 = 4096

    @Option(name: .long, help: ArgumentHelp("MaxSPDMmsgSize to advertise (1.2+): the largest message reassembled from chunks; "
                                                + "default 131072, or --transfer-size with --no-chunk.", valueName: "bytes"))
    var maxMessageSize: UInt32?

    @Flag(name: .customLong("no-chunk"), help: "Do not offer CHUNK_CAP: every message must fit DataTransferSize.")
    var noChunk = false

    static let defaultMaxMessageSize: UInt32 = 131_072

    func validate() throws {
        guard transferSize >= LargeMessage.minimumDataTransferSize else {
            throw ValidationError("--transfer-size must be at least \(LargeMessage.minimumDataTransferSize) (MinDataTransferSize)")
        }
        if let maxMessageSize {
            guard maxMessageSize >= transferSize else { throw ValidationError("--max-message-size must be at least --transfer-size") }
            if noChunk && maxMessageSize != transferSize {
                throw ValidationError("with --no-chunk, --max-message-size must equal --transfer-size (DSP0274: without CHUNK_CAP they are equal)")
            }
        }
    }

    /// CHUNK_CAP unless --no-chunk.
    var capabilities: CapabilityFlags { noChunk ? [] : .chunk }

    var dataTransferSize: UInt32 { transferSize }

    var maxSPDMMessageSize: UInt32 {
        if noChunk { return transferSize }
        return maxMessageSize ?? max(Self.defaultMaxMessageSize, transferSize)
    }
}

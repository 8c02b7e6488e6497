import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMWire
import Testing

/// CHUNK_SEND messages of one large request, cut for a 42-byte DataTransferSize.
struct ChunkedRequest {
    var version: SPDMVersion
    var handle: UInt8
    var message: [UInt8]
    var transferSize = 42

    /// The chunks: the first carries LargeMessageSize, the last has LAST_CHUNK.
    var chunks: [ChunkSendRequest] {
        var result: [ChunkSendRequest] = []
        var sent = 0
        while sent < message.count {
            let first = result.isEmpty
            let room = transferSize - 12 - (first ? 4 : 0)
            let count = min(room, message.count - sent)
            result.append(ChunkSendRequest(version: version, handle: handle, lastChunk: sent + count == message.count,
                                           sequenceNumber: UInt32(result.count), largeMessageSize: first ? UInt32(message.count) : nil,
                                           chunk: Array(message[sent..<sent + count])))
            sent += count
        }
        return result
    }

    func encoded(_ chunk: ChunkSendRequest) -> [UInt8] { chunk.encoded(context: .unnegotiated(version)) }
}

@Suite("CHUNK_SEND handler")
struct ChunkSendTests {
    /// NEGOTIATE_ALGORITHMS 1.2 with four AlgStructures: 48 bytes, over a 42-byte DataTransferSize.
    static func negotiate(_ version: SPDMVersion = .v12) -> [UInt8] {
        NegotiateAlgorithmsRequest(version: version, baseAsym: RequesterConfiguration.allAsym, baseHash: RequesterConfiguration.allHashes,
                                   structures: [AlgorithmStructure(type: .dhe, supported: 0x3F), AlgorithmStructure(type: .aead, supported: 0x07),
                                                AlgorithmStructure(type: .requesterBaseAsym, supported: 0x0FFF),
                                                AlgorithmStructure(type: .keySchedule, supported: 0x01)])
            .encoded(context: .unnegotiated(version))
    }

    /// After VCA up to CAPABILITIES (the requester with CHUNK_CAP), on a 42-byte device.
    static func afterCapabilities(_ device: ResponderDevice = ChunkFixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runVersion()
        _ = harness.send(GetCapabilitiesRequest(version: version, flags: .chunk, dataTransferSize: 4096, maxSPDMMessageSize: 65_536)
            .encoded(context: .unnegotiated(version)))
        return harness
    }

    @Test("NEGOTIATE_ALGORITHMS in two chunks: an empty ACK, then the ACK with ALGORITHMS; transcripts as if sent in one piece")
    func negotiateInChunks() throws {
        var harness = Self.afterCapabilities()
        let request = ChunkedRequest(version: .v12, handle: 9, message: Self.negotiate())
        let chunks = request.chunks
        #expect(chunks.count == 2 && request.encoded(chunks[0]).count == 42)
        #expect(harness.send(request.encoded(chunks[0])) == [0x12, 0x05, 0x00, 0x09, 0x00, 0x00])
        // ALGORITHMS with four AlgStructures is 52 bytes, over 42 - 6: it is large too.
        #expect(harness.send(request.encoded(chunks[1])) == [0x12, 0x05, 0x00, 0x09, 0x01, 0x00, 0x12, 0x7F, 0x0F, 0x00, 0x00])
        let algorithms = try ChunkFixtures.fetch(&harness, handle: 0)

        // The same request sent in one piece (this device accepts what it can hold).
        var plain = Self.afterCapabilities()
        #expect(plain.send(Self.negotiate()) == [0x12, 0x7F, 0x0F, 0x00, 0x00])
        #expect(algorithms == (try ChunkFixtures.fetch(&plain, handle: 0)))
        // VCA holds the reassembled request and the whole ALGORITHMS, never a chunk message.
        #expect(harness.responder.transcript.vca == plain.responder.transcript.vca)
        #expect(harness.responder.state == .negotiated)
    }

    @Test("the response to the large request is itself large: ERROR(LargeResponse) inside the ACK, then CHUNK_GET")
    func largeResponseInAck() throws {
        var harness = Self.afterCapabilities(ChunkFixtures.device(), version: .v13)
        let request = ChunkedRequest(version: .v13, handle: 3, message: Self.negotiate(.v13))
        #expect(harness.send(request.encoded(request.chunks[0])) == [0x13, 0x05, 0x00, 0x03, 0x00, 0x00])
        // ALGORITHMS with four AlgStructures is 52 bytes: over 42 - 6.
        #expect(harness.send(request.encoded(request.chunks[1])) == [0x13, 0x05, 0x00, 0x03, 0x01, 0x00, 0x13, 0x7F, 0x0F, 0x00, 0x00])
        let algorithms = try ChunkFixtures.fetch(&harness, handle: 0)
        #expect(try AlgorithmsResponse(decoding: algorithms, context: .unnegotiated(.v13)).structures.count == 4)
        #expect(harness.responder.state == .negotiated)
    }

    @Test("1.4: 32-bit ChunkSeqNo in CHUNK_SEND and CHUNK_SEND_ACK")
    func version14() {
        var harness = Self.afterCapabilities(ChunkFixtures.device(transferSize: 42), version: .v14)
        let request = ChunkedRequest(version: .v14, handle: 1, message: Self.negotiate(.v14))
        #expect(harness.send(request.encoded(request.chunks[0])) == [0x14, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00])
        #expect(Array(harness.send(request.encoded(request.chunks[1])).prefix(8)) == [0x14, 0x05, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00])
    }

    /// The early-error ACK: EARLY_ERROR_DETECTED, the Handle and ChunkSeqNo sent, then ERROR(code).
    static func early(_ handle: UInt8, _ sequenceNumber: UInt8, _ code: ErrorCode) -> [UInt8] {
        [0x12, 0x05, 0x01, handle, sequenceNumber, 0x00, 0x12, 0x7F, code.rawValue, 0x00]
    }

    @Test("errors in the chunk sequence end the transfer with EARLY_ERROR_DETECTED")
    func earlyErrors() {
        let message = [UInt8](repeating: 0xE3, count: 100)
        let request = ChunkedRequest(version: .v12, handle: 5, message: message)
        let chunks = request.chunks

        // Another Handle in the middle.
        var harness = Self.afterCapabilities()
        #expect(harness.send(request.encoded(chunks[0])) == [0x12, 0x05, 0x00, 0x05, 0x00, 0x00])
        var other = chunks[1]
        other.handle = 6
        #expect(harness.send(request.encoded(other)) == Self.early(6, 1, .invalidRequest))
        #expect(!harness.responder.largeMessages.inProgress)
        // The transfer is gone: its next chunk is refused too.
        #expect(harness.send(request.encoded(chunks[1])) == Self.early(5, 1, .invalidRequest))

        // Out of order, and a repeated chunk.
        harness = Self.afterCapabilities()
        _ = harness.send(request.encoded(chunks[0]))
        #expect(harness.send(request.encoded(chunks[2])) == Self.early(5, 2, .invalidRequest))
        harness = Self.afterCapabilities()
        _ = harness.send(request.encoded(chunks[0]))
        _ = harness.send(request.encoded(chunks[1]))
        #expect(harness.send(request.encoded(chunks[1])) == Self.early(5, 1, .invalidRequest))
        harness = Self.afterCapabilities()
        _ = harness.send(request.encoded(chunks[0]))
        #expect(harness.send(request.encoded(chunks[0])) == Self.early(5, 0, .invalidRequest))

        // LargeMessageSize over MaxSPDMmsgSize: RequestTooLarge.
        harness = Self.afterCapabilities(ChunkFixtures.device(maxMessage: 99))
        #expect(harness.send(request.encoded(chunks[0])) == Self.early(5, 0, .requestTooLarge))

        // A chunk message over DataTransferSize (43 bytes).
        harness = Self.afterCapabilities()
        let big = ChunkSendRequest(version: .v12, handle: 5, sequenceNumber: 0, largeMessageSize: 100, chunk: [UInt8](repeating: 1, count: 27))
        #expect(harness.send(request.encoded(big)) == Self.early(5, 0, .invalidRequest))

        // LAST_CHUNK on the first chunk; LAST_CHUNK before LargeMessageSize is reached; a short chunk before the last.
        harness = Self.afterCapabilities()
        var lastFirst = chunks[0]
        lastFirst.lastChunk = true
        #expect(harness.send(request.encoded(lastFirst)) == Self.early(5, 0, .invalidRequest))
        harness = Self.afterCapabilities()
        _ = harness.send(request.encoded(chunks[0]))
        var lastEarly = chunks[1]
        lastEarly.lastChunk = true
        #expect(harness.send(request.encoded(lastEarly)) == Self.early(5, 1, .invalidRequest))
        harness = Self.afterCapabilities()
        _ = harness.send(request.encoded(chunks[0]))
        var short = chunks[1]
        short.chunk = Array(short.chunk.prefix(10))
        #expect(harness.send(request.encoded(short)) == Self.early(5, 1, .invalidRequest))

        // A chunk beyond LargeMessageSize; a ChunkSize beyond the message; a first chunk without LargeMessageSize.
        harness = Self.afterCapabilities()
        _ = harness.send(request.encoded(chunks[0]))
        _ = harness.send(request.encoded(chunks[1]))
        var beyond = chunks[2]
        beyond.chunk += [0, 0, 0]
        #expect(harness.send(request.encoded(beyond)) == Self.early(5, 2, .invalidRequest))
        harness = Self.afterCapabilities()
        #expect(harness.send(Array(request.encoded(chunks[0]).dropLast(3))) == Self.early(5, 0, .invalidRequest))
        #expect(harness.send([0x12, 0x85, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]) == Self.early(5, 0, .invalidRequest))
        // A later chunk with no transfer in progress.
        #expect(harness.send(request.encoded(chunks[1])) == Self.early(5, 1, .invalidRequest))
    }

    @Test("plain ERRORs: too short, before CAPABILITIES, at 1.1, without CHUNK on the device or the requester")
    func plainErrors() {
        var harness = Self.afterCapabilities()
        #expect(harness.send([0x12, 0x85, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]) == harness.error(.invalidRequest))

        var early = Harness(device: ChunkFixtures.device(), version: .v12)
        early.runVersion()
        #expect(early.send([0x12, 0x85, 0x00, 0x05] + [UInt8](repeating: 0, count: 38)) == early.error(.unexpectedRequest))

        var old = ChunkFixtures.negotiated(version: .v11)
        #expect(old.send([0x11, 0x85, 0x00, 0x05] + [UInt8](repeating: 0, count: 38)) == old.error(.unsupportedRequest, 0x85))

        var noChunk = ChunkFixtures.negotiated(ChunkFixtures.device(transferSize: 4096, capabilities: Fixtures.capabilities))
        #expect(noChunk.send([0x12, 0x85, 0x00, 0x05] + [UInt8](repeating: 0, count: 38)) == noChunk.error(.unsupportedRequest, 0x85))

        var plainRequester = ChunkFixtures.negotiated(chunk: false)
        #expect(plainRequester.send([0x12, 0x85, 0x00, 0x05] + [UInt8](repeating: 0, count: 38)) == plainRequester.error(.unexpectedRequest))
    }

    @Test("the reassembled request is refused inside the last ACK: GET_VERSION, a failing request; the connection stays as it was")
    func carriedErrors() throws {
        var harness = ChunkFixtures.negotiated()
        var getVersion = [UInt8](repeating: 0, count: 50)
        getVersion[0] = 0x10
        getVersion[1] = 0x84
        var request = ChunkedRequest(version: .v12, handle: 2, message: getVersion)
        _ = harness.send(request.encoded(request.chunks[0]))
        #expect(harness.send(request.encoded(request.chunks[1])) == [0x12, 0x05, 0x00, 0x02, 0x01, 0x00, 0x12, 0x7F, 0x01, 0x00])
        #expect(harness.responder.state == .negotiated)

        // GET_MEASUREMENTS for an index that does not exist, padded to 50 bytes: InvalidRequest in the ACK.
        let before = harness.responder.transcript
        var measurements = GetMeasurementsRequest(version: .v12, attributes: [], operation: 9).encoded(context: harness.context)
        measurements += [UInt8](repeating: 0, count: 50 - measurements.count)
        request = ChunkedRequest(version: .v12, handle: 3, message: measurements)
        _ = harness.send(request.encoded(request.chunks[0]))
        #expect(harness.send(request.encoded(request.chunks[1])) == [0x12, 0x05, 0x00, 0x03, 0x01, 0x00, 0x12, 0x7F, 0x01, 0x00])
        #expect(harness.responder.transcript.messageB == before.messageB)
        #expect(!harness.responder.largeMessages.inProgress)
        let outcome = harness.responder.handle([0x12, 0x81, 0x00, 0x00])
        #expect(outcome.error == nil)
    }

    @Test("another request while a large request arrives: UnexpectedRequest, and the transfer goes on")
    func interruption() throws {
        var harness = Self.afterCapabilities()
        let request = ChunkedRequest(version: .v12, handle: 4, message: Self.negotiate())
        _ = harness.send(request.encoded(request.chunks[0]))
        #expect(harness.send(harness.negotiateAlgorithms()) == harness.error(.unexpectedRequest))
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0)) == harness.error(.unexpectedRequest))
        let outcome = harness.responder.handle(request.encoded(request.chunks[1]))
        #expect(outcome.request == .chunkSend && outcome.reassembled == .negotiateAlgorithms && outcome.error == nil)
        #expect(harness.responder.state == .negotiated)
    }
}

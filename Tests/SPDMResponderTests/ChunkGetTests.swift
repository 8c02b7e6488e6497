import SPDMCore
import SPDMCrypto
@testable import SPDMResponder
import SPDMWire
import Testing

/// A device with CHUNK and the smallest DataTransferSize, driven with raw bytes.
enum ChunkFixtures {
    static func device(transferSize: UInt32 = 42, maxMessage: UInt32 = 4096, capabilities: CapabilityFlags = Fixtures.capabilities.union(.chunk),
                       versions: [SPDMVersion] = SPDMVersion.all) -> ResponderDevice {
        var device = Fixtures.device(versions: versions, capabilities: capabilities)
        device.dataTransferSize = transferSize
        device.maxSPDMMessageSize = maxMessage
        return device
    }

    /// VCA with a requester that has CHUNK_CAP (unless `chunk` is false) and the given DataTransferSize.
    static func negotiated(_ device: ResponderDevice = device(), version: SPDMVersion = .v12, requesterTransferSize: UInt32 = 4096,
                           chunk: Bool = true) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runVersion()
        let capabilities = harness.send(GetCapabilitiesRequest(
            version: version, flags: chunk ? .chunk : [], dataTransferSize: requesterTransferSize,
            maxSPDMMessageSize: chunk ? 65_536 : requesterTransferSize).encoded(context: .unnegotiated(version)))
        precondition(capabilities[1] == ResponseCode.capabilities.rawValue, "CAPABILITIES failed: \(capabilities)")
        let algorithms = harness.send(harness.negotiateAlgorithms())
        precondition(algorithms[1] == ResponseCode.algorithms.rawValue, "ALGORITHMS failed: \(algorithms)")
        return harness
    }

    static func chunkGet(_ version: SPDMVersion, handle: UInt8, _ sequenceNumber: UInt32) -> [UInt8] {
        ChunkGetRequest(version: version, handle: handle, sequenceNumber: sequenceNumber).encoded(context: .unnegotiated(version))
    }

    /// Fetches the large response behind handle `handle` with CHUNK_GET; checks each chunk.
    static func fetch(_ harness: inout Harness, handle: UInt8) throws -> [UInt8] {
        var message: [UInt8] = []
        var sequenceNumber: UInt32 = 0
        while true {
            let reply = harness.send(chunkGet(harness.version, handle: handle, sequenceNumber))
            let chunk = try ChunkResponse(decoding: reply, context: .unnegotiated(harness.version))
            #expect(reply.count <= Int(harness.responder.device.dataTransferSize))
            #expect(chunk.handle == handle && chunk.sequenceNumber == sequenceNumber)
            message += chunk.chunk
            if chunk.lastChunk { return message }
            sequenceNumber += 1
        }
    }
}

@Suite("CHUNK_GET handler")
struct ChunkGetTests {
    @Test("a 52-byte DIGESTS behind ERROR(LargeResponse): two CHUNK_RESPONSEs of 42 and 38 bytes, the same DIGESTS as in one piece")
    func digestsInChunks() throws {
        var harness = ChunkFixtures.negotiated()
        let error = harness.send(GetDigestsRequest(version: .v12))
        #expect(error == [0x12, 0x7F, 0x0F, 0x00, 0x00])  // LargeResponse, Handle 0

        let first = harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0))
        #expect(first.count == 42)
        #expect(Array(first.prefix(16)) == [0x12, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 26, 0, 0, 0, 52, 0, 0, 0])
        let second = harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 1))
        #expect(Array(second.prefix(12)) == [0x12, 0x06, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 26, 0, 0, 0])
        let digests = Array(first.dropFirst(16)) + Array(second.dropFirst(12))

        var plain = ChunkFixtures.negotiated(ChunkFixtures.device(transferSize: 4096))
        #expect(digests == plain.send(GetDigestsRequest(version: .v12)))
        // The transfer is over: another CHUNK_GET finds nothing waiting; the next large response has Handle 1.
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 2)) == harness.error(.unexpectedRequest))
        #expect(harness.send(GetDigestsRequest(version: .v12)) == [0x12, 0x7F, 0x0F, 0x00, 0x01])
    }

    @Test("transcripts: the whole large response is in B, the chunk messages are not (CHALLENGE_AUTH verifies)")
    func transcripts() throws {
        var harness = ChunkFixtures.negotiated()
        _ = harness.send(GetDigestsRequest(version: .v12))
        let digests = try ChunkFixtures.fetch(&harness, handle: 0)
        #expect(harness.responder.transcript.messageB == [0x12, 0x81, 0x00, 0x00] + digests)
        _ = harness.send(GetDigestsRequest(version: .v12))
        _ = try ChunkFixtures.fetch(&harness, handle: 1)
        #expect(harness.responder.transcript.messageB == [0x12, 0x81, 0x00, 0x00] + digests)
        #expect(harness.responder.largeMessages.inProgress == false)
    }

    @Test("wrong Handle, skipped or repeated ChunkSeqNo: InvalidRequest, and the transfer goes on")
    func badChunkGet() throws {
        var harness = ChunkFixtures.negotiated()
        _ = harness.send(GetDigestsRequest(version: .v12))
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 1, 0)) == harness.error(.invalidRequest))
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 1)) == harness.error(.invalidRequest))
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0))[1] == ResponseCode.chunkResponse.rawValue)
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0)) == harness.error(.invalidRequest))  // duplicate
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 2)) == harness.error(.invalidRequest))
        #expect(harness.send([0x12, 0x86, 0x00, 0x00, 0x01]) == harness.error(.invalidRequest))  // short
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 1))[2] == 0x01)  // LAST_CHUNK
    }

    @Test("another request during the transfer: UnexpectedRequest and the transfer goes on; GET_VERSION ends it")
    func interruptions() throws {
        var harness = ChunkFixtures.negotiated()
        _ = harness.send(GetDigestsRequest(version: .v12))
        #expect(harness.send(GetDigestsRequest(version: .v12)) == harness.error(.unexpectedRequest))
        #expect(harness.send(GetCertificateRequest(version: .v12, slotID: 0, offset: 0, length: 16)) == harness.error(.unexpectedRequest))
        #expect(harness.send(ChunkSendRequest(version: .v12, handle: 0, sequenceNumber: 0, largeMessageSize: 100, chunk: [UInt8](repeating: 0, count: 26)))
                == harness.error(.unexpectedRequest))
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0))[1] == ResponseCode.chunkResponse.rawValue)
        harness.runVersion()
        #expect(!harness.responder.largeMessages.inProgress)
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 1)) == harness.error(.unexpectedRequest))
    }

    @Test("CHUNK_GET with nothing waiting, at 1.1, without CHUNK on the device or on the requester")
    func refused() {
        var harness = ChunkFixtures.negotiated()
        #expect(harness.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0)) == harness.error(.unexpectedRequest))

        var old = ChunkFixtures.negotiated(version: .v11)
        #expect(old.send([0x11, 0x86, 0x00, 0x00, 0x00, 0x00]) == old.error(.unsupportedRequest, 0x86))

        var noChunk = ChunkFixtures.negotiated(ChunkFixtures.device(transferSize: 4096, capabilities: Fixtures.capabilities))
        #expect(noChunk.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0)) == noChunk.error(.unsupportedRequest, 0x86))

        var plainRequester = ChunkFixtures.negotiated(chunk: false)
        #expect(plainRequester.send(ChunkFixtures.chunkGet(.v12, handle: 0, 0)) == plainRequester.error(.unexpectedRequest))
    }

    @Test("1.4: 32-bit ChunkSeqNo in CHUNK_GET (8 bytes) and CHUNK_RESPONSE")
    func version14() throws {
        var harness = ChunkFixtures.negotiated(version: .v14)
        #expect(harness.send(GetDigestsRequest(version: .v14)) == [0x14, 0x7F, 0x0F, 0x00, 0x00])
        #expect(harness.send([0x14, 0x86, 0x00, 0x00, 0x00, 0x00]) == harness.error(.invalidRequest))  // the 1.2 form
        let first = harness.send(ChunkFixtures.chunkGet(.v14, handle: 0, 0))
        #expect(Array(first.prefix(12)) == [0x14, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 26, 0, 0, 0])
        let rest = try ChunkResponse(decoding: harness.send(ChunkFixtures.chunkGet(.v14, handle: 0, 1)), context: .unnegotiated(.v14))
        #expect(rest.lastChunk && rest.sequenceNumber == 1)
    }

    @Test("the requester's DataTransferSize decides too: a small requester buffer makes the device chunk")
    func requesterSize() throws {
        var harness = ChunkFixtures.negotiated(ChunkFixtures.device(transferSize: 4096), requesterTransferSize: 60)
        let response = harness.send(GetMeasurementsRequest(version: .v12, attributes: [], operation: 0xFF))
        #expect(response == [0x12, 0x7F, 0x0F, 0x00, 0x00])
        let measurements = try ChunkFixtures.fetch(&harness, handle: 0)
        #expect(try MeasurementsResponse(decoding: measurements, context: harness.context, signed: false).blocks.count == 4)
    }
}

@Suite("The size decision after dispatch")
struct ResponseSizeTests {
    @Test("ResponseTooLarge (no CHUNK on the requester): ERROR with the size, and the connection is as it was")
    func responseTooLarge() throws {
        var harness = ChunkFixtures.negotiated(ChunkFixtures.device(transferSize: 4096), requesterTransferSize: 100, chunk: false)
        // A measurement run in progress (L1/L2): the total count.
        #expect(harness.send(GetMeasurementsRequest(version: .v12, attributes: [], operation: 0))[1] == ResponseCode.measurements.rawValue)
        let before = harness.responder
        #expect(!before.transcript.messageM.isEmpty)
        let challenge = ChallengeRequest(version: .v12, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 7, count: 32))
        let response = harness.send(challenge)
        // CHALLENGE_AUTH at 1.2 with P-384: 4 + 48 + 32 + 2 + 96 = 182 bytes, over 100. ResponseSize in ExtendedErrorData.
        #expect(response == [0x12, 0x7F, 0x0D, 0x00, 182, 0, 0, 0])
        // Not authenticated, transcripts as before (CHALLENGE reset M, as it was going to), no transfer.
        #expect(harness.responder.state == .negotiated)
        #expect(harness.responder.transcript.messageB == before.transcript.messageB)
        #expect(harness.responder.transcript.vca == before.transcript.vca)
        #expect(harness.responder.transcript.messageM == before.transcript.messageM)
        #expect(!harness.responder.largeMessages.inProgress)
        // GET_MEASUREMENTS (unsigned, all) too large: the L1/L2 run is not extended.
        #expect(Array(harness.send(GetMeasurementsRequest(version: .v12, attributes: [], operation: 0xFF)).prefix(4)) == [0x12, 0x7F, 0x0D, 0x00])
        #expect(harness.responder.transcript.messageM == before.transcript.messageM)
        // The connection still works: a signed count (small) closes the run.
        #expect(harness.send(GetDigestsRequest(version: .v12))[1] == ResponseCode.digests.rawValue)
    }

    @Test("ResponseTooLarge over the requester's MaxSPDMmsgSize even with chunking")
    func overMaxMessage() throws {
        var harness = Harness(device: ChunkFixtures.device(), version: .v12)
        harness.runVersion()
        _ = harness.send(GetCapabilitiesRequest(version: .v12, flags: .chunk, dataTransferSize: 42, maxSPDMMessageSize: 60)
            .encoded(context: .unnegotiated(.v12)))
        _ = harness.send(harness.negotiateAlgorithms())
        let response = harness.send(GetMeasurementsRequest(version: .v12, attributes: [], operation: 0xFF))
        #expect(Array(response.prefix(4)) == [0x12, 0x7F, 0x0D, 0x00])
        #expect(!harness.responder.largeMessages.inProgress)
        #expect(harness.responder.transcript.messageM.isEmpty)
    }

    @Test("a response that fits goes out as it is")
    func fits() {
        var harness = ChunkFixtures.negotiated(ChunkFixtures.device(transferSize: 100))
        #expect(harness.send(GetDigestsRequest(version: .v12))[1] == ResponseCode.digests.rawValue)
    }
}

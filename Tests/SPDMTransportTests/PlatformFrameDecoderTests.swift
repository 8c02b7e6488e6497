import NIOCore
import NIOEmbedded
import SPDMTransport
import Testing

@Suite("Platform frame decoder")
struct PlatformFrameDecoderTests {
    /// An EmbeddedChannel left unfinished keeps its pipeline alive (a leak under LeakSanitizer):
    /// every test finishes its channel.
    private func channel(maximum: Int = 1024, transport: TransportType? = .mctp) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(PlatformFrameDecoder(maximumPayloadSize: maximum, expectedTransport: transport)))
        return channel
    }

    @Test("a frame arrives whole even when fed one byte at a time")
    func byteAtATime() throws {
        let channel = try channel()
        defer { _ = try? channel.finish() }
        let frame = PlatformFrame(command: .normal, transport: .mctp, payload: [0x05, 0x10, 0x84, 0x00, 0x00])
        var decoded: [PlatformFrame] = []
        for byte in frame.bytes + frame.bytes {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            while let out: PlatformFrame = try channel.readInbound() { decoded.append(out) }
        }
        #expect(decoded == [frame, frame])
    }

    @Test("the header is big-endian: command, transport, size")
    func headerLayout() {
        let frame = PlatformFrame(command: .test, transport: .mctp, payload: PlatformCommand.clientHello)
        #expect(Array(frame.bytes.prefix(12)) == [0, 0, 0xDE, 0xAD, 0, 0, 0, 1, 0, 0, 0, 14])
    }

    @Test("a frame claiming 4 GiB is refused at its header")
    func oversized() throws {
        let channel = try channel()
        defer { _ = try? channel.finish() }
        let header: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: FramingError.payloadTooLarge(claimed: 0xFFFF_FFFF, maximum: 1024)) {
            try channel.writeInbound(ByteBuffer(bytes: header))
        }
    }

    @Test("a frame of another transport type is refused")
    func wrongTransport() throws {
        let channel = try channel(transport: .pciDOE)
        defer { _ = try? channel.finish() }
        let frame = PlatformFrame(command: .normal, transport: .mctp, payload: [0x05])
        #expect(throws: FramingError.wrongTransport(received: 1, expected: .pciDOE)) {
            try channel.writeInbound(ByteBuffer(bytes: frame.bytes))
        }
    }

    @Test("a truncated frame waits for more bytes and yields nothing")
    func truncated() throws {
        let channel = try channel()
        defer { _ = try? channel.finish() }
        let frame = PlatformFrame(command: .normal, transport: .mctp, payload: [1, 2, 3, 4, 5, 6])
        try channel.writeInbound(ByteBuffer(bytes: Array(frame.bytes.dropLast(2))))
        let out: PlatformFrame? = try channel.readInbound()
        #expect(out == nil)
    }

    @Test("the encoder writes exactly the frame bytes")
    func encoder() throws {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(PlatformFrameEncoder()))
        let frame = PlatformFrame(command: .shutdown, transport: .pciDOE)
        try channel.writeOutbound(frame)
        let buffer: ByteBuffer? = try channel.readOutbound()
        #expect(buffer.map { Array($0.readableBytesView) } == frame.bytes)
    }
}

@Suite("platform frame header: the one parser")
struct PlatformFrameHeaderTests {
    @Test("parses the three big-endian fields and round-trips through PlatformFrame.bytes")
    func parses() throws {
        let frame = PlatformFrame(command: .normal, transport: .pciDOE, payload: [1, 2, 3])
        let header = try #require(PlatformFrameHeader(decoding: frame.bytes))
        #expect(header.command == .normal && header.transportType == 2 && header.payloadSize == 3)
        #expect(header.frame(payload: [1, 2, 3]) == frame)
        // A slice that does not start at index 0 parses the same.
        let shifted = ([0xAA] + frame.bytes)[1...]
        #expect(PlatformFrameHeader(decoding: shifted) == header)
    }

    @Test("fewer than 12 bytes is no header", arguments: 0..<12)
    func short(_ count: Int) {
        #expect(PlatformFrameHeader(decoding: [UInt8](repeating: 0xFF, count: count)) == nil)
    }

    @Test("oversize and foreign transport are framing errors")
    func checks() throws {
        let header = try #require(PlatformFrameHeader(decoding: [0, 0, 0, 1, 0, 0, 0, 9, 0xFF, 0xFF, 0xFF, 0xFF]))
        #expect(throws: FramingError.payloadTooLarge(claimed: 0xFFFF_FFFF, maximum: 4096)) {
            try header.check(maximumPayloadSize: 4096, expectedTransport: nil)
        }
        let small = try #require(PlatformFrameHeader(decoding: [0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 4]))
        #expect(throws: FramingError.wrongTransport(received: 9, expected: .mctp)) {
            try small.check(maximumPayloadSize: 4096, expectedTransport: .mctp)
        }
        try small.check(maximumPayloadSize: 4096, expectedTransport: nil)
    }
}

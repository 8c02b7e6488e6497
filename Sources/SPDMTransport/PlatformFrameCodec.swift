import NIOCore

/// Errors that end a connection (never the daemon): the peer is not speaking the framing we expect.
public enum FramingError: Error, Equatable, Sendable, CustomStringConvertible {
    case payloadTooLarge(claimed: UInt32, maximum: Int)
    case wrongTransport(received: UInt32, expected: TransportType)

    public var description: String {
        switch self {
        case let .payloadTooLarge(claimed, maximum): return "frame claims \(claimed) payload bytes, over the maximum \(maximum)"
        case let .wrongTransport(received, expected): return "frame transport type \(received), this listener speaks \(expected) (\(expected.rawValue))"
        }
    }
}

/// Splits a byte stream into platform frames. Checks the size before buffering the payload, so a
/// frame claiming 4 GiB is refused at its header.
public struct PlatformFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = PlatformFrame

    public let maximumPayloadSize: Int
    /// Frames must carry this transport type (TEST frames too: spdm-emu sends its own type in them).
    public let expectedTransport: TransportType?

    public init(maximumPayloadSize: Int, expectedTransport: TransportType?) {
        self.maximumPayloadSize = maximumPayloadSize
        self.expectedTransport = expectedTransport
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.parse(&buffer, maximumPayloadSize: maximumPayloadSize, expectedTransport: expectedTransport) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// Takes one whole frame off the front of `buffer`, or nil when more bytes are needed.
    public static func parse(_ buffer: inout ByteBuffer, maximumPayloadSize: Int, expectedTransport: TransportType?) throws -> PlatformFrame? {
        guard let header = buffer.withUnsafeReadableBytes({ PlatformFrameHeader(decoding: $0) }) else { return nil }
        try header.check(maximumPayloadSize: maximumPayloadSize, expectedTransport: expectedTransport)
        guard buffer.readableBytes >= PlatformFrame.headerSize + Int(header.payloadSize) else { return nil }
        buffer.moveReaderIndex(forwardBy: PlatformFrame.headerSize)
        return header.frame(payload: buffer.readBytes(length: Int(header.payloadSize)) ?? [])
    }
}

/// Writes a platform frame as one buffer (one write(2), with TCP_NODELAY set on the socket).
public struct PlatformFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = PlatformFrame

    public init() {}

    public func encode(data: PlatformFrame, out: inout ByteBuffer) throws {
        out.reserveCapacity(PlatformFrame.headerSize + data.payload.count)
        out.writeInteger(data.command.rawValue, endianness: .big)
        out.writeInteger(data.transport.rawValue, endianness: .big)
        out.writeInteger(UInt32(data.payload.count), endianness: .big)
        out.writeBytes(data.payload)
    }
}

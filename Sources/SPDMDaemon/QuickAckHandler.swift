import NIOCore
import NIOPosix
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

/// Acknowledges a TCP read at once (TCP_QUICKACK) when it ends in the middle of a platform frame.
/// The reference requester writes each frame in four small writes with Nagle on: without an
/// immediate ACK its second write waits for our delayed ACK, about 40 ms per request. A read that
/// ends on a frame boundary needs nothing: the response, written at once, carries the ACK — so a
/// requester that writes whole frames costs no setsockopt per request.
final class QuickAckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// The header bytes of the frame being received, until all 12 are there.
    private var headerBytes: [UInt8] = []
    /// Payload bytes of the current frame still to come.
    private var payloadLeft = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        #if os(Linux)
        if endsInsideFrame(after: unwrapInboundIn(data)) {
            let option = ChannelOptions.Types.SocketOption(level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(TCP_QUICKACK))
            try? context.channel.syncOptions?.setOption(option, value: 1)
        }
        #endif
        context.fireChannelRead(data)
    }

    /// Follows the frame boundaries through `buffer` (only the headers' PayloadSize is read; the
    /// frame decoder checks them); true when the stream so far ends inside a frame.
    func endsInsideFrame(after buffer: ByteBuffer) -> Bool {
        let bytes = buffer.readableBytesView
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if payloadLeft > 0 {
                let step = min(payloadLeft, bytes.endIndex - index)
                payloadLeft -= step
                index += step
                continue
            }
            if headerBytes.isEmpty, bytes.endIndex - index >= PlatformFrame.headerSize,
               let header = PlatformFrameHeader(decoding: bytes[index..<index + PlatformFrame.headerSize]) {
                // A whole header in this read (the usual case): no copy.
                payloadLeft = Int(header.payloadSize)
                index += PlatformFrame.headerSize
                continue
            }
            headerBytes.append(bytes[index])
            index += 1
            if headerBytes.count == PlatformFrame.headerSize {
                payloadLeft = PlatformFrameHeader(decoding: headerBytes).map { Int($0.payloadSize) } ?? 0
                headerBytes.removeAll(keepingCapacity: true)
            }
        }
        return !headerBytes.isEmpty || payloadLeft > 0
    }
}

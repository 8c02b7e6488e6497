import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Acknowledges every TCP read at once (TCP_QUICKACK, which Linux clears again after a while).
/// The reference requester writes each frame in four small writes with Nagle on: without an
/// immediate ACK its second write waits for our delayed ACK, about 40 ms per request.
final class QuickAckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        #if os(Linux)
        let option = ChannelOptions.Types.SocketOption(level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(TCP_QUICKACK))
        try? context.channel.syncOptions?.setOption(option, value: 1)
        #endif
        context.fireChannelRead(data)
    }
}

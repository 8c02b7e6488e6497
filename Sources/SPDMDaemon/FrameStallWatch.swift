import Logging
import NIOCore
import SPDMTransport

/// Closes a connection that stalls in the middle of a platform frame: part of a frame is buffered
/// and no further byte arrives within the timeout. A connection idle between frames is a normal
/// requester and is never timed out.
///
/// Two handlers share one watch, so the frame decoder stays the only place that parses frames:
/// `bytesIn` sits before the decoder and counts what arrives, `framesOut` sits after it and counts
/// what whole frames consumed. More bytes in than consumed means a partial frame is buffered.
final class FrameStallWatch {
    private let timeout: TimeAmount
    private let seconds: Int
    private let logger: Logger
    private let counters: DeviceCounters
    private var received = 0
    private var consumed = 0
    private var timer: Scheduled<Void>?

    /// `seconds` > 0.
    init(seconds: Int, logger: Logger, counters: DeviceCounters) {
        self.seconds = seconds
        self.timeout = .seconds(Int64(seconds))
        self.logger = logger
        self.counters = counters
    }

    /// The handler before the frame decoder.
    var bytesIn: ChannelHandler { BytesIn(watch: self) }
    /// The handler after the frame decoder.
    var framesOut: ChannelHandler { FramesOut(watch: self) }

    /// After each read has gone through the decoder: arm (or re-arm) the timer while a partial
    /// frame waits, cancel it once the buffer ends on a frame boundary.
    private func readProcessed(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        guard received > consumed else { return }
        let pending = received - consumed
        let channel = context.channel
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            bound.value.expired(channel, pending: pending)
        }
    }

    private func expired(_ channel: Channel, pending: Int) {
        timer = nil
        counters.frameTimedOut()
        logger.warning("closing connection: \(pending) bytes of a platform frame and no more for \(seconds) s (frame_timeout)",
                       metadata: ["peer": "\(channel.remoteAddress?.description ?? "unix")"])
        channel.close(promise: nil)
    }

    private func closed() {
        timer?.cancel()
        timer = nil
    }

    private final class BytesIn: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let watch: FrameStallWatch
        init(watch: FrameStallWatch) { self.watch = watch }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            watch.received += unwrapInboundIn(data).readableBytes
            // The decoder hands every whole frame downstream before this returns.
            context.fireChannelRead(data)
            watch.readProcessed(context)
        }

        func channelInactive(context: ChannelHandlerContext) {
            watch.closed()
            context.fireChannelInactive()
        }
    }

    private final class FramesOut: ChannelInboundHandler {
        typealias InboundIn = PlatformFrame
        let watch: FrameStallWatch
        init(watch: FrameStallWatch) { self.watch = watch }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            watch.consumed += PlatformFrame.headerSize + unwrapInboundIn(data).payload.count
            context.fireChannelRead(data)
        }
    }
}

import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// One descriptor held in reserve (on /dev/null) for the moment accept(2) fails with EMFILE or
/// ENFILE: it is closed, the waiting connection is accepted into it and closed at once, and the
/// spare is opened again. The peer hears a close instead of waiting in a full backlog.
/// One per daemon; the lock keeps two event loops from spending it at once.
final class SpareDescriptor: Sendable {
    enum Outcome: Equatable {
        /// One pending connection was accepted and closed.
        case closedOne
        /// No connection was pending.
        case nonePending
        /// accept still failed (another thread took the freed descriptor first), with this errno.
        case failed(CInt)
    }

    private let descriptor: NIOLockedValueBox<CInt>

    init() { descriptor = NIOLockedValueBox(Self.open()) }

    deinit {
        let spare = descriptor.withLockedValue { $0 }
        if spare >= 0 { close(spare) }
    }

    private static func open() -> CInt { Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC) }

    /// Accepts one pending connection of `listener` into the spare descriptor and closes it.
    func acceptAndClose(listener: CInt) -> Outcome {
        descriptor.withLockedValue { spare in
            if spare >= 0 { close(spare) }
            // Closed again at once, so no CLOEXEC is needed (accept4 is not in the Glibc module).
            let accepted = accept(listener, nil, nil)
            let code = errno
            if accepted >= 0 { close(accepted) }
            spare = Self.open()
            if accepted >= 0 { return .closedOne }
            return code == EAGAIN || code == EWOULDBLOCK ? .nonePending : .failed(code)
        }
    }
}

/// On a listener's server channel: when accept(2) runs out of descriptors (EMFILE, ENFILE), takes
/// the waiting connection with the spare descriptor and closes it, counting and logging the refusal;
/// NIO retries the accept at once, so a full backlog drains this way instead of hanging. If even
/// that fails, accepting pauses briefly so the event loop does not spin.
final class AcceptExhaustionHandler: ChannelInboundHandler {
    typealias InboundIn = Channel

    private static let pause: TimeAmount = .milliseconds(100)

    private let listener: CInt
    private let limiter: DeviceConnectionLimiter
    private let spare: SpareDescriptor
    private let logger: Logger
    private var paused = false

    init(listener: CInt, limiter: DeviceConnectionLimiter, spare: SpareDescriptor, logger: Logger) {
        self.listener = listener
        self.limiter = limiter
        self.spare = spare
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let ioError = error as? IOError, ioError.errnoCode == EMFILE || ioError.errnoCode == ENFILE else {
            context.fireErrorCaught(error)
            return
        }
        switch spare.acceptAndClose(listener: listener) {
        case .closedOne:
            limiter.refusedForDescriptors()
            limiter.logRefusal(.descriptors, cap: 0, logger: logger, peer: nil)
        case .nonePending:
            break
        case .failed(let code):
            logger.error("accept: \(String(cString: strerror(code))); accepting pauses for \(Self.pause.nanoseconds / 1_000_000) ms")
            pauseAccepting(context)
        }
    }

    /// Stops reading the listener for a moment (autoRead off), then resumes.
    private func pauseAccepting(_ context: ChannelHandlerContext) {
        guard !paused, let options = context.channel.syncOptions else { return }
        paused = true
        try? options.setOption(ChannelOptions.autoRead, value: false)
        let bound = NIOLoopBound((handler: self, channel: context.channel), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.pause) {
            bound.value.handler.paused = false
            try? bound.value.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }
}

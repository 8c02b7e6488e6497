import Logging
import NIOCore
import SPDMResponder
import SPDMTransport
import SPDMWire

/// Drives one connection: platform frames in, platform frames out, strictly request/response.
/// Owns the connection's responder state machine; nothing here is shared with other connections.
final class SPDMConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = PlatformFrame
    typealias OutboundOut = PlatformFrame

    private var responder: ResponderConnection
    private let binding: any TransportBinding
    private var logger: Logger
    private let statistics: FleetStatistics

    init(device: ResponderDevice, binding: any TransportBinding, logger: Logger, statistics: FleetStatistics) {
        self.responder = ResponderConnection(device: device)
        self.binding = binding
        self.logger = logger
        self.statistics = statistics
    }

    func channelActive(context: ChannelHandlerContext) {
        statistics.connectionOpened()
        logger.debug("connection opened", metadata: ["peer": "\(context.remoteAddress?.description ?? "unix")"])
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        statistics.connectionClosed()
        logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.command {
        case .test:
            reply(context, .test, PlatformCommand.serverHello)
        case .shutdown, .continueCommand:
            // The reference responder exits on SHUTDOWN; a fleet daemon ends only this connection.
            logger.debug("platform \(frame.command): ending this connection")
            context.writeAndFlush(wrapOutboundOut(PlatformFrame(command: frame.command, transport: binding.type)))
                .whenComplete { _ in context.close(promise: nil) }
        case .normal:
            handleNormal(context, frame.payload)
        case .oobEncapKeyUpdate, .oobEncapEndpointInfo:
            reply(context, frame.command, [])
        default:
            logger.notice("unknown platform command \(frame.command)")
            reply(context, .unknown, [])
        }
    }

    private func handleNormal(_ context: ChannelHandlerContext, _ payload: [UInt8]) {
        let message: TransportMessage
        do {
            message = try binding.decode(payload)
        } catch {
            logger.warning("closing connection: \(error)")
            context.close(promise: nil)
            return
        }
        switch message {
        case .spdm(let request):
            let outcome = responder.handle(request)
            statistics.requestHandled(failed: outcome.error != nil)
            var metadata: Logger.Metadata = ["spdm_request": "\(outcome.request?.description ?? "short")"]
            if let version = responder.version { metadata["spdm_version"] = "\(version)" }
            if let error = outcome.error {
                metadata["spdm_error"] = "\(error.code)"
                logger.info("request refused: \(error.reason)", metadata: metadata)
            } else {
                logger.debug("request handled", metadata: metadata)
            }
            reply(context, .normal, binding.encode(.spdm(outcome.response)))
        case .bindingControl(let request):
            reply(context, .normal, binding.controlResponse(to: request) ?? [])
        case .securedSPDM:
            logger.warning("closing connection: secured messages are not supported by this build")
            context.close(promise: nil)
        case .other(let type, let body):
            logger.info("ignoring application message", metadata: ["message_type": "\(type)", "bytes": "\(body.count)"])
            reply(context, .normal, [])
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ command: PlatformCommand, _ payload: [UInt8]) {
        context.writeAndFlush(wrapOutboundOut(PlatformFrame(command: command, transport: binding.type, payload: payload)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Framing errors (oversized or foreign frames) end this connection, never the daemon.
        logger.warning("closing connection: \(error)")
        context.close(promise: nil)
    }
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import SPDMDevice
import SPDMTransport

/// Binds one listener of one device and builds each accepted connection's pipeline:
/// PlatformFrameDecoder -> SPDMConnectionHandler, PlatformFrameEncoder on the way out, with the
/// frame stall watch around the decoder. A connection over the device's or the daemon's cap is
/// closed at accept.
struct DeviceListener {
    let device: DeviceDefinition
    let address: ListenerAddress
    let maxFramePayload: Int
    let logger: Logger
    let statistics: FleetStatistics
    /// The device as it answers now (config plus control-API changes) and its connection registry.
    let runtime: DeviceRuntime
    /// The device's connection caps (shared by its listeners) and the daemon's.
    let limiter: DeviceConnectionLimiter
    /// Sockets passed by systemd; a socket named after this device replaces binding `address`.
    var socketActivation: SocketActivation? = nil

    /// The inherited socket this listener adopts instead of binding, if any.
    var inheritedSocket: SocketActivation.InheritedSocket? {
        socketActivation?.socket(forDevice: device.name, address: address, listeners: device.listeners)
    }

    /// Connections the kernel queues for this listener before the daemon accepts them.
    static let backlog: CInt = 256

    func bind(group: EventLoopGroup) async throws -> Channel {
        // The daemon binds (or adopts) the socket itself so it knows the descriptor: when accept
        // runs out of descriptors, AcceptExhaustionHandler takes the connection with the spare one.
        let descriptor: CInt
        if let socketActivation, let inherited = inheritedSocket {
            // Socket activation: systemd bound it (and set its mode); adopt a duplicate of it.
            descriptor = try socketActivation.adopt(inherited)
            logger.info("adopted socket from the service manager",
                        metadata: ["fd": "\(inherited.descriptor)", "configured_address": "\(address)"])
        } else {
            if case .unix(let path, _) = address { try prepareUnixPath(path) }
            descriptor = try ListeningSocket.bind(address)
        }
        let channel = try await bootstrap(group: group, listener: descriptor).withBoundSocket(descriptor).get()
        listen(descriptor, Self.backlog)  // NIO listened with its default backlog
        if case let .unix(path, mode) = address, inheritedSocket == nil, chmod(path, mode_t(mode)) != 0 {
            let code = errno
            try? await channel.close()
            throw ListenerError(address: address, reason: "chmod \(String(mode, radix: 8)): \(String(cString: strerror(code)))")
        }
        return channel
    }

    private func bootstrap(group: EventLoopGroup, listener descriptor: CInt) -> ServerBootstrap {
        let device = self.device
        let maxFramePayload = self.maxFramePayload
        let logger = self.logger
        let statistics = self.statistics
        let runtime = self.runtime
        let limiter = self.limiter
        let spare = limiter.fleet.spare
        return ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptExhaustionHandler(listener: descriptor, limiter: limiter, spare: spare, logger: logger))
                }
            }
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try limiter.admit(channel, logger: logger)
                    if case .tcp = self.address {
                        // The reference requester writes each frame in small pieces with Nagle on;
                        // answer at once so neither side waits for a delayed ACK.
                        try channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1)
                    }
                    var handlers: [ChannelHandler] = []
                    if case .tcp = self.address { handlers.append(QuickAckHandler()) }
                    let frameTimeout = limiter.fleet.frameTimeout
                    let stallWatch = frameTimeout > 0
                        ? FrameStallWatch(seconds: frameTimeout, logger: logger, counters: runtime.counters) : nil
                    if let stallWatch { handlers.append(stallWatch.bytesIn) }
                    handlers += [
                        ByteToMessageHandler(PlatformFrameDecoder(maximumPayloadSize: maxFramePayload,
                                                                  expectedTransport: device.transport)),
                        MessageToByteHandler(PlatformFrameEncoder()),
                    ]
                    if let stallWatch { handlers.append(stallWatch.framesOut) }
                    handlers += [
                        SPDMConnectionHandler(runtime: runtime, binding: TransportBindings.binding(for: device.transport),
                                              logger: logger, statistics: statistics),
                    ]
                    try channel.pipeline.syncOperations.addHandlers(handlers)
                }
            }
    }

    private func prepareUnixPath(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
    }
}

public struct ListenerError: Error, CustomStringConvertible {
    public var address: ListenerAddress
    public var reason: String
    public var description: String { "cannot listen on \(address): \(reason)" }
}

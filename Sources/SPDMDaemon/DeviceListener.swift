import Foundation
import Logging
import NIOCore
import NIOPosix
import SPDMDevice
import SPDMTransport

/// Binds one listener of one device and builds each accepted connection's pipeline:
/// PlatformFrameDecoder -> SPDMConnectionHandler, PlatformFrameEncoder on the way out.
struct DeviceListener {
    let device: DeviceDefinition
    let address: ListenerAddress
    let maxFramePayload: Int
    let logger: Logger
    let statistics: FleetStatistics
    /// The device as it answers now (config plus control-API changes) and its connection registry.
    let runtime: DeviceRuntime
    /// Sockets passed by systemd; a socket named after this device replaces binding `address`.
    var socketActivation: SocketActivation? = nil

    /// The inherited socket this listener adopts instead of binding, if any.
    var inheritedSocket: SocketActivation.InheritedSocket? {
        socketActivation?.socket(forDevice: device.name, address: address, listeners: device.listeners)
    }

    func bind(group: EventLoopGroup) async throws -> Channel {
        let device = self.device
        let maxFramePayload = self.maxFramePayload
        let logger = self.logger
        let statistics = self.statistics
        let runtime = self.runtime
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .tcp = self.address {
                        // The reference requester writes each frame in small pieces with Nagle on;
                        // answer at once so neither side waits for a delayed ACK.
                        try channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1)
                    }
                    var handlers: [ChannelHandler] = []
                    if case .tcp = self.address { handlers.append(QuickAckHandler()) }
                    handlers += [
                        ByteToMessageHandler(PlatformFrameDecoder(maximumPayloadSize: maxFramePayload,
                                                                  expectedTransport: device.transport)),
                        MessageToByteHandler(PlatformFrameEncoder()),
                        SPDMConnectionHandler(runtime: runtime, binding: TransportBindings.binding(for: device.transport),
                                              logger: logger, statistics: statistics),
                    ]
                    try channel.pipeline.syncOperations.addHandlers(handlers)
                }
            }
        if let socketActivation, let inherited = inheritedSocket {
            // Socket activation: systemd bound it (and set its mode); adopt a duplicate of it.
            let descriptor = try socketActivation.adopt(inherited)
            logger.info("adopted socket from the service manager",
                        metadata: ["fd": "\(inherited.descriptor)", "configured_address": "\(address)"])
            return try await bootstrap.withBoundSocket(descriptor).get()
        }
        switch address {
        case let .tcp(host, port):
            return try await bootstrap.bind(host: host, port: port).get()
        case let .unix(path, mode):
            try prepareUnixPath(path)
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            guard chmod(path, mode_t(mode)) == 0 else {
                let code = errno
                try? await channel.close()
                throw ListenerError(address: address, reason: "chmod \(String(mode, radix: 8)): \(String(cString: strerror(code)))")
            }
            return channel
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

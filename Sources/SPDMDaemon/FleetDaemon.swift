import Foundation
import Logging
import NIOCore
import NIOPosix
import SPDMDevice

/// The daemon: every device's listeners on one event loop group, sized to the machine.
public final class FleetDaemon: @unchecked Sendable {
    public let config: FleetConfig
    public let statistics = FleetStatistics()
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private var channels: [(device: String, channel: Channel)] = []
    /// Unix socket files this daemon bound, and so removes when it stops (never another daemon's).
    private var boundSocketPaths: [String] = []

    /// A listener as bound (with the real port when the config asked for port 0).
    public struct BoundListener: Sendable, CustomStringConvertible {
        public var device: String
        public var address: String
        public var description: String { "\(device) \(address)" }
    }

    public init(config: FleetConfig, logger: Logger, threads: Int = System.coreCount) {
        self.config = config
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
    }

    /// Binds every listener; on any failure closes what was bound and throws.
    public func start() async throws -> [BoundListener] {
        var bound: [BoundListener] = []
        do {
            for device in config.devices {
                var deviceLogger = logger
                deviceLogger[metadataKey: "spdm_device"] = "\(device.name)"
                if let level = device.logLevel, let parsed = Logger.Level(rawValue: level) { deviceLogger.logLevel = parsed }
                for address in device.listeners {
                    let listener = DeviceListener(device: device, address: address, maxFramePayload: config.daemon.maxFramePayload,
                                                  logger: deviceLogger, statistics: statistics)
                    let channel: Channel
                    do {
                        channel = try await listener.bind(group: group)
                    } catch let error as ListenerError {
                        throw error
                    } catch {
                        throw ListenerError(address: address, reason: "\(error)")
                    }
                    channels.append((device.name, channel))
                    if case .unix(let path, _) = address { boundSocketPaths.append(path) }
                    let shown: String
                    if case .tcp(let host, _) = address, let port = channel.localAddress?.port {
                        shown = "tcp:\(host):\(port)"
                    } else {
                        shown = address.description
                    }
                    bound.append(BoundListener(device: device.name, address: shown))
                }
            }
        } catch {
            await stop()
            throw error
        }
        return bound
    }

    /// Closes the listeners, then the open connections, then the event loops.
    public func stop() async {
        for (_, channel) in channels { try? await channel.close() }
        channels.removeAll()
        for path in boundSocketPaths { unlink(path) }
        boundSocketPaths.removeAll()
        try? await group.shutdownGracefully()
    }
}

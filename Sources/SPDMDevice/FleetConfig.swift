import SPDMResponder
import SPDMTransport

/// A whole config file, validated: daemon settings and every device.
public struct FleetConfig: Sendable {
    public var source: String
    public var daemon: DaemonSettings
    public var devices: [DeviceDefinition]
    /// The shard this daemon serves (`--shard I/N`); nil: the whole fleet.
    public var shard: Shard?
    /// Every device the config defines, before sharding.
    public var fleetDeviceCount: Int

    public init(source: String, daemon: DaemonSettings, devices: [DeviceDefinition]) {
        self.source = source
        self.daemon = daemon
        self.devices = devices
        self.fleetDeviceCount = devices.count
    }

    public func device(named name: String) -> DeviceDefinition? { devices.first { $0.name == name } }
}

public struct DaemonSettings: Sendable, Hashable {
    /// The largest platform frame payload accepted; a larger frame closes its connection.
    public var maxFramePayload: Int = 65_536
    public var logLevel: String = "info"
    /// Where generated keys, the builtin CA and acknowledged device state live.
    public var stateDirectory: String
    /// Where relative Unix socket paths live.
    public var runtimeDirectory: String
    /// The control API socket (`control_socket`, default <runtime>/control.sock); nil ("none") disables it.
    public var controlSocket: String?
    /// A TCP address ("127.0.0.1:9464") serving Prometheus metrics only (`metrics`); nil: none.
    public var metrics: MetricsAddress?
    /// `max_connections`: a lower daemon-wide connection cap than the one the open-file limit
    /// allows (nil: the open-file limit alone decides).
    public var maxConnections: Int?
    /// `frame_timeout`: seconds a connection may keep a partial platform frame without sending
    /// another byte before it is closed; 0 disables. Idle between frames is never timed out.
    public var frameTimeout: Int = 30

    public init(stateDirectory: String, runtimeDirectory: String) {
        self.stateDirectory = stateDirectory
        self.runtimeDirectory = runtimeDirectory
        self.controlSocket = runtimeDirectory + "/control.sock"
    }
}

/// Where `[daemon] metrics` serves GET /metrics.
public struct MetricsAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Where a device listens.
public enum ListenerAddress: Hashable, Sendable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String, mode: UInt32)

    public var description: String {
        switch self {
        case let .tcp(host, port): return "tcp:\(host):\(port)"
        case let .unix(path, mode): return "unix:\(path) (mode \(String(mode, radix: 8)))"
        }
    }
}

/// One virtual device: where it listens, how it frames, and what it answers.
public struct DeviceDefinition: Sendable {
    public var name: String
    public var transport: TransportType
    public var listeners: [ListenerAddress]
    public var responder: ResponderDevice
    public var psk: PSKStore
    public var logLevel: String?
    /// `max_connections`: connections this device holds at once; one more is closed at accept (nil: no per-device cap).
    public var maxConnections: Int? = nil
    /// A digest of the device's config text; equal fingerprints mean an unchanged device on reload.
    public var fingerprint: String
    /// `[[device.fault]]` (and the older `[device.faults]` not_ready list, as rules).
    public var faults: [FaultRule] = []
    /// `capture`: the absolute path of a pcap file the daemon writes the device's frames to from startup.
    public var capture: String? = nil
}

import Foundation
import SPDMControlModel
import SPDMTransport

/// One device a load run talks to.
struct LoadTarget: Sendable, Hashable {
    enum Address: Sendable, Hashable {
        case tcp(host: String, port: UInt16)
        case unix(path: String)
    }

    var name: String
    var address: Address
    var transport: TransportType

    func open(timeoutSeconds: Int) throws -> PlatformSocketClient {
        switch address {
        case let .tcp(host, port): return try PlatformSocketClient.tcp(host: host, port: port, transport: transport, timeoutSeconds: timeoutSeconds)
        case .unix(let path): return try PlatformSocketClient.unix(path: path, transport: transport, timeoutSeconds: timeoutSeconds)
        }
    }

    /// `--connect host:port --devices N`: ports port...port+N-1, named by address.
    static func portRange(host: String, firstPort: Int, count: Int, transport: TransportType) -> [LoadTarget] {
        (0..<count).map { index in
            let port = UInt16(firstPort + index)
            return LoadTarget(name: "\(host):\(port)", address: .tcp(host: host, port: port), transport: transport)
        }
    }

    /// `--fleet`: every device the daemon serves (its shard), at its first listener, by name.
    static func fromDaemon(_ devices: [DeviceSummary]) throws -> [LoadTarget] {
        try devices.map { device in
            guard let transport = TransportType(name: device.transport) else {
                throw LoadError("device \(device.name) has transport '\(device.transport)', unknown to spdmctl")
            }
            guard let listener = device.listeners.first else { throw LoadError("device \(device.name) has no listener") }
            if listener.hasPrefix("unix:") {
                return LoadTarget(name: device.name, address: .unix(path: String(listener.dropFirst("unix:".count))), transport: transport)
            }
            // "tcp:127.0.0.1:2323", "tcp:[::1]:2323"
            let hostPort = String(listener.dropFirst("tcp:".count))
            guard listener.hasPrefix("tcp:"), let (host, port) = PlatformSocketClient.hostAndPort(hostPort) else {
                throw LoadError("device \(device.name): cannot read its listener '\(listener)'")
            }
            let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
            return LoadTarget(name: device.name, address: .tcp(host: reachable, port: port), transport: transport)
        }
    }
}

struct LoadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The devices of a `--once` run, handed out one at a time to the worker threads.
final class LoadQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let targets: [LoadTarget]
    private var next = 0

    init(_ targets: [LoadTarget]) { self.targets = targets }

    func take() -> LoadTarget? {
        lock.lock()
        defer { lock.unlock() }
        guard next < targets.count else { return nil }
        defer { next += 1 }
        return targets[next]
    }
}

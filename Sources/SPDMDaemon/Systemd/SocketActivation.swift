import Foundation
import SPDMDevice
#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets passed by systemd (or `systemd-socket-activate`) through the `LISTEN_PID`,
/// `LISTEN_FDS` and `LISTEN_FDNAMES` protocol (sd_listen_fds(3)); parsed here without libsystemd.
///
/// A socket named after a device (`FileDescriptorName=gpu0` in the .socket unit) is adopted by that
/// device's listeners of the same kind, in order: the device's first TCP listener takes the first
/// AF_INET/AF_INET6 socket named after it, its first Unix listener the first AF_UNIX one, and so on.
/// Listeners without a matching socket bind as configured; unnamed sockets are left alone.
///
/// Adopting hands out a duplicate of the inherited descriptor, so a listener that stops and starts
/// again (a device restarted by a reload) adopts the same socket again.
public final class SocketActivation: Sendable {
    public enum Kind: String, Sendable, Hashable {
        case tcp, unix

        init?(family: CInt) {
            switch family {
            case AF_INET, AF_INET6: self = .tcp
            case AF_UNIX: self = .unix
            default: return nil
            }
        }

        init(_ address: ListenerAddress) {
            switch address {
            case .tcp: self = .tcp
            case .unix: self = .unix
            }
        }
    }

    /// One inherited listening socket.
    public struct InheritedSocket: Sendable, Hashable, CustomStringConvertible {
        public var descriptor: CInt
        public var name: String
        public var kind: Kind?
        public var description: String { "fd \(descriptor) '\(name)' (\(kind?.rawValue ?? "unsupported"))" }
    }

    /// The first passed descriptor (SD_LISTEN_FDS_START).
    public static let firstDescriptor: CInt = 3

    public let sockets: [InheritedSocket]

    public init(sockets: [InheritedSocket]) {
        self.sockets = sockets
    }

    /// The passed descriptors and their names, as the environment describes them; empty when the
    /// variables are absent or meant for another process (LISTEN_PID is not `pid`).
    /// Names default to "unknown" (as systemd does) when LISTEN_FDNAMES is missing or short.
    public static func parse(environment: [String: String], pid: pid_t) -> [(descriptor: CInt, name: String)] {
        guard let listenPID = environment["LISTEN_PID"].flatMap({ pid_t($0) }), listenPID == pid,
              let count = environment["LISTEN_FDS"].flatMap({ Int($0) }), count > 0, count < 65_536 else { return [] }
        let names = environment["LISTEN_FDNAMES"].map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        return (0..<count).map { index in
            let name = index < names.count && !names[index].isEmpty ? names[index] : "unknown"
            return (firstDescriptor + CInt(index), name)
        }
    }

    /// The sockets passed to this process, inspected (family, listening); nil when none were passed.
    /// Marks them close-on-exec and, like sd_listen_fds(1), removes the variables from the environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       unsetEnvironment: Bool = true) -> SocketActivation? {
        let passed = parse(environment: environment, pid: getpid())
        if unsetEnvironment {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard !passed.isEmpty else { return nil }
        let sockets = passed.map { descriptor, name -> InheritedSocket in
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            return InheritedSocket(descriptor: descriptor, name: name, kind: streamKind(of: descriptor))
        }
        return SocketActivation(sockets: sockets)
    }

    /// The kind of a stream socket, nil for anything else (a datagram socket, a FIFO, a closed fd).
    static func streamKind(of descriptor: CInt) -> Kind? {
        var type: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == CInt(SOCK_STREAM.rawValue) else { return nil }
        var storage = sockaddr_storage()
        var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &addressLength) }
        }
        guard result == 0 else { return nil }
        return Kind(family: CInt(storage.ss_family))
    }

    /// The inherited socket a device's listener adopts, if any: the n-th socket of the listener's
    /// kind named after the device, where n is the listener's position among the device's listeners
    /// of that kind.
    public func socket(forDevice device: String, address: ListenerAddress, listeners: [ListenerAddress]) -> InheritedSocket? {
        let kind = Kind(address)
        guard let position = listeners.filter({ Kind($0) == kind }).firstIndex(of: address) else { return nil }
        let candidates = sockets.filter { $0.name == device && $0.kind == kind }
        return position < candidates.count ? candidates[position] : nil
    }

    /// A fresh close-on-exec duplicate of an inherited socket, listening, for a channel to own.
    public func adopt(_ socket: InheritedSocket) throws -> CInt {
        let duplicate = fcntl(socket.descriptor, F_DUPFD_CLOEXEC, 3)
        guard duplicate >= 0 else { throw SocketActivationError(socket: socket, operation: "dup", code: errno) }
        var accepting: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        if getsockopt(duplicate, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 0,
           listen(duplicate, 256) != 0 {
            let code = errno
            close(duplicate)
            throw SocketActivationError(socket: socket, operation: "listen", code: code)
        }
        return duplicate
    }

    /// Sockets no device of `devices` would adopt (named after no device, or of an unsupported kind).
    public func unclaimed(by devices: [DeviceDefinition]) -> [InheritedSocket] {
        var claimed = Set<CInt>()
        for device in devices {
            for address in device.listeners {
                if let socket = socket(forDevice: device.name, address: address, listeners: device.listeners) {
                    claimed.insert(socket.descriptor)
                }
            }
        }
        return sockets.filter { !claimed.contains($0.descriptor) }
    }
}

public struct SocketActivationError: Error, CustomStringConvertible {
    public var socket: SocketActivation.InheritedSocket
    public var operation: String
    public var code: CInt
    public var description: String { "inherited socket \(socket): \(operation): \(String(cString: strerror(code)))" }
}

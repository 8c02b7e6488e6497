import Foundation
import NIOCore
import SPDMDevice
#if canImport(Glibc)
import Glibc
#endif

/// Creates and binds a device's listening socket itself, so the daemon knows its descriptor (the
/// spare-descriptor accept in `AcceptExhaustionHandler` needs it); `ServerBootstrap.withBoundSocket`
/// then listens on it and owns it.
enum ListeningSocket {
    /// socket(2) and bind(2) for `address`. A Unix path that holds a stale socket is replaced;
    /// one that holds anything else is an error.
    static func bind(_ address: ListenerAddress) throws -> CInt {
        let socketAddress: SocketAddress
        switch address {
        case let .tcp(host, port):
            // A numeric address (what fleets use) needs no resolver: getaddrinfo per listener is
            // a noticeable part of starting 10,000 of them.
            socketAddress = try (try? SocketAddress(ipAddress: host, port: port)) ?? SocketAddress.makeAddressResolvingHost(host, port: port)
        case let .unix(path, _):
            socketAddress = try SocketAddress(unixDomainSocketPath: path)
            try removeStaleSocket(path)
        }
        let descriptor = socket(CInt(socketAddress.protocol.rawValue), CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure(address, "socket") }
        if case .tcp = address {
            var on: CInt = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<CInt>.size))
        }
        let bound = socketAddress.withSockAddr { Glibc.bind(descriptor, $0, socklen_t($1)) }
        guard bound == 0 else {
            let error = failure(address, "bind")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    private static func removeStaleSocket(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenerError(address: .unix(path: path, mode: 0), reason: "\(path) exists and is not a socket")
        }
        unlink(path)
    }

    private static func failure(_ address: ListenerAddress, _ call: String) -> ListenerError {
        ListenerError(address: address, reason: "\(call): \(String(cString: strerror(errno)))")
    }
}

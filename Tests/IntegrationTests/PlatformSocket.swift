import Foundation
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

/// A blocking test client for the platform socket framing, over TCP or a Unix socket.
final class PlatformSocket {
    let fd: Int32

    init(tcpPort port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw DaemonError("connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        setTimeout()
    }

    init(unixPath path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw DaemonError("connect \(path): \(String(cString: strerror(errno)))") }
        setTimeout()
    }

    private func setTimeout() {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return }
            sent += result
        }
    }

    func send(_ frame: PlatformFrame) { send(frame.bytes) }

    /// Reads exactly `count` bytes; nil when the peer closed (or the read timed out).
    func receive(_ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, count - received, 0) }
            if result <= 0 { return nil }
            received += result
        }
        return buffer
    }

    func receiveFrame() -> PlatformFrame? {
        guard let header = receive(12) else { return nil }
        func u32(_ offset: Int) -> UInt32 { header[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let size = Int(u32(8))
        guard let payload = size == 0 ? [] : receive(size) else { return nil }
        return PlatformFrame(command: PlatformCommand(rawValue: u32(0)), transport: TransportType(rawValue: u32(4)) ?? .none,
                             payload: payload)
    }

    /// True when the daemon closed the connection (EOF), false if it is still open after the timeout.
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    deinit { close(fd) }
}

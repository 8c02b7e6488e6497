import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A free TCP port on loopback (bound to port 0, then released), above the ranges the project reserves.
public func freeLoopbackPort() throws -> Int {
    for _ in 0..<20 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { continue }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if (2323...2350).contains(port) || (20000...21000).contains(port) { continue }
        return port
    }
    throw TestSupportError("no free loopback port")
}

/// The first of two consecutive free loopback ports (for `spdmctl load`, which addresses devices as
/// port, port+1, ...).
public func freeLoopbackPortPair() throws -> Int {
    for _ in 0..<50 {
        let port = try freeLoopbackPort()
        if port < 65535, portIsFree(port + 1) { return port }
    }
    throw TestSupportError("no two consecutive free loopback ports")
}

private func portIsFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

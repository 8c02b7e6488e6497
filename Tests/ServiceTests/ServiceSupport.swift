import Foundation
import SPDMTestSupport
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

struct ServiceTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A scratch directory removed when the value goes away. Kept short: Unix socket paths live in it.
final class ScratchDirectory: @unchecked Sendable {
    let path: String

    init(_ prefix: String) throws {
        path = "/tmp/spdm-svc-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A datagram Unix socket standing in for the service manager's NOTIFY_SOCKET.
final class NotifySocketListener: @unchecked Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceTestError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw ServiceTestError("bind \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, or nil when none came within `limit`.
    func receive(within limit: TimeInterval = Limits.message) -> String? {
        let deadline = Date().addingTimeInterval(limit)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return nil }
        }
        return nil
    }

    /// Receives messages until one satisfies `condition`; returns every message seen, in order.
    func receive(until condition: (String) -> Bool, within limit: TimeInterval = Limits.message) -> (messages: [String], found: Bool) {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline, let message = receive(within: max(1, deadline.timeIntervalSinceNow)) {
            messages.append(message)
            if condition(message) { return (messages, true) }
        }
        return (messages, false)
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

extension String {
    /// The assignments of one notify message ("READY=1\nSTATUS=..." -> ["READY": "1", "STATUS": "..."]).
    var notifyAssignments: [String: String] {
        var result: [String: String] = [:]
        for line in split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }
}

/// A small device definition for the tests' configs.
func deviceConfig(name: String, transport: String = "mctp", listener: String) -> String {
    TestDevice(name, transport: transport, listener: listener).toml
}

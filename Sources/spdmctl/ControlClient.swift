import Foundation
import SPDMControlModel
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client for spdm-fleetd's control socket: one request per
/// connection ("Connection: close"), the response read to its Content-Length or to EOF.
struct ControlClient {
    let socketPath: String
    var timeoutSeconds = 60

    struct Response {
        var status: Int
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var ok: Bool { (200..<300).contains(status) }

        /// The message of an ErrorDocument body, else the body itself.
        var errorMessage: String {
            if let document = try? ControlJSON.decode(ErrorDocument.self, from: body) { return document.error }
            return text.isEmpty ? "HTTP \(status)" : text
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The daemon's default: $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR/spdm-fleetd, else
    /// /tmp/spdm-fleetd-<uid>; then /control.sock (spdm-fleetd's StateDirectory.defaultRuntimePath).
    static var defaultSocketPath: String {
        let environment = ProcessInfo.processInfo.environment
        let runtime: String
        if let systemd = environment["RUNTIME_DIRECTORY"], !systemd.isEmpty {
            runtime = String(systemd.split(separator: ":").first ?? Substring(systemd))
        } else if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty {
            runtime = xdg + "/spdm-fleetd"
        } else {
            runtime = "/tmp/spdm-fleetd-\(getuid())"
        }
        return runtime + "/control.sock"
    }

    /// One request on `route`, with `body` (a JSON document) when given.
    func request(_ route: ControlRoute, body: [UInt8]? = nil) throws -> Response {
        let payload = body ?? []
        let fd = try connect()
        defer { close(fd) }
        var head = "\(route.method.rawValue) \(route.path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nUser-Agent: spdmctl\r\n"
        if body != nil { head += "Content-Type: application/json\r\n" }
        head += "Content-Length: \(payload.count)\r\n\r\n"
        try send(fd, Array(head.utf8) + payload)
        return try parse(try receiveAll(fd))
    }

    private func connect() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw Failure(description: "\(socketPath): path too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot reach spdm-fleetd's control socket \(socketPath): \(reason) (is the daemon running? see --control-socket)")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += result
        }
    }

    private func receiveAll(_ fd: Int32) throws -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw Failure(description: "no complete response from the daemon: \(String(cString: strerror(errno)))") }
            if count == 0 { return data }
            data += buffer[0..<count]
        }
    }

    private func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw Failure(description: "malformed HTTP response from the daemon")
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusFields = head.first?.split(separator: " ") ?? []
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else {
            throw Failure(description: "malformed HTTP status line: \(head.first ?? "")")
        }
        var body = Array(bytes[(end + 4)...])
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length",
               let length = Int(parts[1].trimmingCharacters(in: .whitespaces)), length <= body.count {
                body = Array(body[0..<length])
            }
        }
        return Response(status: status, body: body)
    }
}

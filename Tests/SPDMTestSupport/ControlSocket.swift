import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request on spdm-fleetd's control socket from inside the test process (no curl or
/// spdmctl process per request, so a loop of acknowledged changes runs fast enough to be killed
/// in the middle of one). The answer is read to EOF ("Connection: close").
public enum ControlSocket {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// The daemon's answer, or nil when it could not be reached or went away before answering
    /// completely (killed in the middle of the request).
    public static func request(_ socketPath: String, _ method: String, _ path: String, body: String? = nil) -> Response? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return nil }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let payload = Array((body ?? "").utf8)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if body != nil { head += "Content-Type: application/json\r\n" }
        let bytes = Array((head + "Content-Length: \(payload.count)\r\n\r\n").utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return nil }
            sent += result
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        return parse(received)
    }

    /// Status and body of a complete response (its Content-Length bytes all there), else nil.
    private static func parse(_ bytes: [UInt8]) -> Response? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let fields = head.first?.split(separator: " ") ?? []
        guard fields.count >= 2, let status = Int(fields[1]) else { return nil }
        let body = String(text[split.upperBound...])
        let length = head.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        if let length, body.utf8.count < length { return nil }
        return Response(status: status, body: body)
    }
}

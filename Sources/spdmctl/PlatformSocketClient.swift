import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SPDMRequester
import SPDMTransport

/// A blocking client for the spdm-emu platform socket protocol: one stream socket (TCP or Unix),
/// strictly request/response, each frame written in one write with TCP_NODELAY on.
final class PlatformSocketClient {
    enum Failure: Error, CustomStringConvertible {
        case resolve(String)
        case system(String, Int32)
        case closed(String)
        case protocolError(String)

        var description: String {
            switch self {
            case .resolve(let message): return message
            case let .system(what, code): return "\(what): \(String(cString: strerror(code)))"
            case .closed(let what): return "connection closed by the responder \(what)"
            case .protocolError(let message): return message
            }
        }
    }

    private let fd: Int32
    /// Bytes read from the socket and not yet taken, from `receivedStart` on.
    private var received: [UInt8] = []
    private var receivedStart = 0
    /// Bytes asked of read(2) at least, so that a frame's header and payload come in one call.
    private static let readSize = 16384
    let transport: TransportType
    let binding: any TransportBinding
    let maximumPayloadSize: Int

    private init(fd: Int32, transport: TransportType, maximumPayloadSize: Int) {
        self.fd = fd
        self.transport = transport
        self.binding = TransportBindings.binding(for: transport)
        self.maximumPayloadSize = maximumPayloadSize
    }

    deinit { close(fd) }

    /// Connects to `host:port` over TCP.
    /// Exactly one of --connect host:port and --unix PATH, and a known --transport.
    static func validateEndpoint(connect: String?, unix: String?, transport: String) throws {
        guard (connect == nil) != (unix == nil) else { throw ValidationError("give exactly one of --connect host:port and --unix PATH") }
        if let connect, hostAndPort(connect) == nil { throw ValidationError("--connect must be host:port (a port 1-65535), not '\(connect)'") }
        guard TransportType(name: transport) != nil else { throw ValidationError("--transport must be mctp, pci-doe, none or tcp") }
    }

    /// "host:port" or "[v6]:port" -> (host without brackets, port); nil when malformed.
    static func hostAndPort(_ connect: String) -> (host: String, port: UInt16)? {
        guard let colon = connect.lastIndex(of: ":"), let port = UInt16(connect[connect.index(after: colon)...]), port > 0 else {
            return nil
        }
        var host = String(connect[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    /// Connects to --connect host:port (IPv6 in brackets) or --unix PATH.
    static func open(connect: String?, unix: String?, transport: TransportType, timeoutSeconds: Int) throws -> PlatformSocketClient {
        guard let connect else {
            return try .unix(path: unix!, transport: transport, timeoutSeconds: timeoutSeconds)
        }
        guard let (host, port) = hostAndPort(connect) else { throw ValidationError("--connect must be host:port") }
        return try .tcp(host: host, port: port, transport: transport, timeoutSeconds: timeoutSeconds)
    }

    static func tcp(host: String, port: UInt16, transport: TransportType, timeoutSeconds: Int,
                    maximumPayloadSize: Int = 1 << 20) throws -> PlatformSocketClient {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw Failure.resolve("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd < 0 { lastError = errno; continue }
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let client = PlatformSocketClient(fd: fd, transport: transport, maximumPayloadSize: maximumPayloadSize)
                try client.setTimeout(timeoutSeconds)
                return client
            }
            lastError = errno
            close(fd)
        }
        throw Failure.system("cannot connect to \(host):\(port)", lastError)
    }

    /// Connects to a Unix stream socket.
    static func unix(path: String, transport: TransportType, timeoutSeconds: Int,
                     maximumPayloadSize: Int = 1 << 20) throws -> PlatformSocketClient {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            close(fd)
            throw Failure.resolve("Unix socket path is \(bytes.count) bytes, the limit is \(capacity - 1)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure.system("cannot connect to \(path)", code)
        }
        let client = PlatformSocketClient(fd: fd, transport: transport, maximumPayloadSize: maximumPayloadSize)
        try client.setTimeout(timeoutSeconds)
        return client
    }

    private func setTimeout(_ seconds: Int) throws {
        guard seconds > 0 else { return }
        var value = timeval(tv_sec: seconds, tv_usec: 0)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw Failure.system("setsockopt(SO_RCVTIMEO)", errno)
        }
    }

    // MARK: Frames

    func send(_ frame: PlatformFrame) throws {
        let bytes = frame.bytes
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure.system("write", errno)
            }
            written += result
        }
    }

    func receive() throws -> PlatformFrame {
        let bytes = try readExactly(PlatformFrame.headerSize, what: "while a frame header was expected")
        guard let header = PlatformFrameHeader(decoding: bytes) else { throw Failure.closed("in a frame header") }
        do {
            try header.check(maximumPayloadSize: maximumPayloadSize, expectedTransport: nil)
        } catch {
            throw Failure.protocolError("responder \(error)")
        }
        return header.frame(payload: try readExactly(Int(header.payloadSize), what: "in the middle of a frame"))
    }

    /// The next `count` bytes of the stream: from what earlier reads brought beyond the last frame,
    /// then from the socket, reading as much as is there (a whole frame usually arrives at once, so
    /// its header and payload take one read(2) instead of two).
    private func readExactly(_ count: Int, what: String) throws -> [UInt8] {
        while received.count - receivedStart < count {
            if receivedStart > 0 {
                received.removeFirst(receivedStart)
                receivedStart = 0
            }
            let have = received.count
            let room = max(count - have, Self.readSize)
            received.append(contentsOf: repeatElement(0, count: room))
            let (result, code) = received.withUnsafeMutableBytes { raw in
                let result = read(fd, raw.baseAddress! + have, room)
                return (result, errno)
            }
            received.removeLast(room - max(result, 0))
            if result < 0 {
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { throw Failure.protocolError("timed out waiting for the responder \(what)") }
                throw Failure.system("read", code)
            }
            if result == 0 { throw Failure.closed(what) }
        }
        let out = Array(received[receivedStart..<receivedStart + count])
        receivedStart += count
        if receivedStart == received.count {
            received.removeAll(keepingCapacity: true)
            receivedStart = 0
        }
        return out
    }

    // MARK: Protocol

    /// The TEST hello every spdm-emu requester sends first.
    func hello() throws {
        try send(PlatformFrame(command: .test, transport: transport, payload: PlatformCommand.clientHello))
        let reply = try receive()
        guard reply.command == .test else {
            throw Failure.protocolError("hello answered with command \(reply.command), expected TEST")
        }
        guard reply.payload == PlatformCommand.serverHello else {
            throw Failure.protocolError("hello answered with \(reply.payload.count) unexpected bytes, expected \"Server Hello!\\0\"")
        }
    }

    /// Sends one SPDM message in a NORMAL frame and returns the SPDM message of the reply.
    func exchangeSPDM(_ message: [UInt8]) throws -> [UInt8] {
        try send(PlatformFrame(command: .normal, transport: transport, payload: binding.encode(.spdm(message))))
        let reply = try receive()
        guard reply.command == .normal else {
            throw Failure.protocolError("SPDM request answered with platform command \(reply.command)")
        }
        guard reply.transport == transport else {
            throw Failure.protocolError("reply uses transport \(reply.transport), expected \(transport)")
        }
        let decoded: TransportMessage
        do { decoded = try binding.decode(reply.payload) } catch {
            throw Failure.protocolError("reply payload: \(error)")
        }
        guard case .spdm(let body) = decoded else {
            throw Failure.protocolError("reply is not a plain SPDM message (\(decoded))")
        }
        return body
    }
}

extension PlatformSocketClient {
    /// Sends one DSP0277 secured record (session id first) in a NORMAL frame and returns the reply:
    /// another secured record, or a plain SPDM message (the responder's ERROR for a record it refused).
    func exchangeSecured(_ record: [UInt8]) throws -> SecuredReply {
        try send(PlatformFrame(command: .normal, transport: transport, payload: binding.encode(.securedSPDM(record))))
        let reply = try receive()
        guard reply.command == .normal else {
            throw Failure.protocolError("secured message answered with platform command \(reply.command)")
        }
        let decoded: TransportMessage
        do { decoded = try binding.decode(reply.payload) } catch {
            throw Failure.protocolError("reply payload: \(error)")
        }
        switch decoded {
        case .securedSPDM(let body): return .secured(body)
        case .spdm(let body): return .plain(body)
        default: throw Failure.protocolError("secured message answered with \(decoded)")
        }
    }
}

extension PlatformSocketClient {
    /// OOB_ENCAP_KEY_UPDATE (platform command 0x8001, payload: the session id, u32 little-endian):
    /// asks the responder to start its own KEY_UPDATE in that session through the encapsulated
    /// flow, which the requester then drives. The responder echoes the command.
    func oobEncapKeyUpdate(sessionID: UInt32) throws {
        let payload = (0..<4).map { UInt8(truncatingIfNeeded: sessionID >> (8 * $0)) }
        try send(PlatformFrame(command: .oobEncapKeyUpdate, transport: transport, payload: payload))
        let reply = try receive()
        guard reply.command == .oobEncapKeyUpdate else {
            throw Failure.protocolError("OOB_ENCAP_KEY_UPDATE answered with platform command \(reply.command)")
        }
    }

    /// OOB_ENCAP_ENDPOINT_INFO (platform command 0x8002, no payload): asks the responder to send its
    /// GET_ENDPOINT_INFO through the encapsulated flow the requester drives next (in the clear or
    /// in a session). The responder echoes the command.
    func oobEncapEndpointInfo() throws {
        try send(PlatformFrame(command: .oobEncapEndpointInfo, transport: transport, payload: []))
        let reply = try receive()
        guard reply.command == .oobEncapEndpointInfo else {
            throw Failure.protocolError("OOB_ENCAP_ENDPOINT_INFO answered with platform command \(reply.command)")
        }
    }
}

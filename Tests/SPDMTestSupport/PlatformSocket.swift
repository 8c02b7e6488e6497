import Foundation
import SPDMRequester
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

/// A blocking test client for the spdm-emu platform socket framing, over TCP or a Unix socket:
/// raw bytes for framing tests, whole frames, and SPDM or secured exchanges through a binding.
public final class PlatformSocket: @unchecked Sendable {
    public let fd: Int32
    public let binding: any TransportBinding

    public init(tcpPort port: Int, binding: any TransportBinding = MCTPBinding(), timeout: Int = 60) throws {
        self.binding = binding
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TestSupportError("connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        setTimeout(timeout)
    }

    public init(unixPath path: String, binding: any TransportBinding = MCTPBinding(), timeout: Int = 60) throws {
        self.binding = binding
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw TestSupportError("connect \(path): \(String(cString: strerror(errno)))") }
        setTimeout(timeout)
    }

    private func setTimeout(_ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    public func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return }
            sent += result
        }
    }

    public func send(_ frame: PlatformFrame) { send(frame.bytes) }

    /// Why the last `receive` returned nil.
    public enum ReceiveFailure: Sendable, Equatable {
        /// The peer closed (EOF) or reset the connection.
        case closed
        /// Nothing arrived within the socket's timeout.
        case timedOut
    }

    public private(set) var lastReceiveFailure: ReceiveFailure?

    /// Reads exactly `count` bytes; nil when the peer closed or the read timed out (`lastReceiveFailure` says which).
    public func receive(_ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        lastReceiveFailure = nil
        while received < count {
            let result = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, count - received, 0) }
            if result < 0 && errno == EINTR { continue }
            if result <= 0 {
                lastReceiveFailure = result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? .timedOut : .closed
                return nil
            }
            received += result
        }
        return buffer
    }

    public func receiveFrame() -> PlatformFrame? {
        guard let bytes = receive(PlatformFrame.headerSize), let header = PlatformFrameHeader(decoding: bytes) else { return nil }
        let size = Int(header.payloadSize)
        guard let payload = size == 0 ? [] : receive(size) else { return nil }
        return header.frame(payload: payload)
    }

    /// True when the daemon closed the connection (EOF), false if it is still open after the timeout.
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    /// The TEST hello, answered "Server Hello!".
    public func hello() -> Bool {
        send(PlatformFrame(command: .test, transport: binding.type, payload: PlatformCommand.clientHello))
        return receiveFrame()?.payload == PlatformCommand.serverHello
    }

    /// One SPDM request, its response message (nil when the connection is gone).
    public func exchange(_ request: [UInt8]) -> [UInt8]? {
        send(PlatformFrame(command: .normal, transport: binding.type, payload: binding.encode(.spdm(request))))
        guard let reply = receiveFrame(), case .spdm(let message)? = try? binding.decode(reply.payload) else { return nil }
        return message
    }

    /// `exchange` as a RequesterConnection exchange: a closed connection throws.
    public func plainExchange(_ request: [UInt8]) throws -> [UInt8] {
        guard let reply = exchange(request) else { throw TestSupportError("connection closed") }
        return reply
    }

    /// GET_VERSION, GET_CAPABILITIES and NEGOTIATE_ALGORITHMS between `requester` and the device.
    public func negotiate(_ requester: inout RequesterConnection) throws {
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try requester.perform(operation, exchange: plainExchange)
        }
    }

    /// One DSP0277 secured record in a NORMAL frame; the reply is a secured record or, for a record
    /// the responder could not open, an SPDM message in the clear.
    public func exchangeSecured(_ record: [UInt8]) throws -> SecuredReply {
        send(PlatformFrame(command: .normal, transport: binding.type, payload: binding.encode(.securedSPDM(record))))
        guard let reply = receiveFrame() else { throw TestSupportError("connection closed during a secured exchange") }
        switch try binding.decode(reply.payload) {
        case .securedSPDM(let body): return .secured(body)
        case .spdm(let body): return .plain(body)
        default: throw TestSupportError("unexpected reply to a secured record")
        }
    }

    /// The TEST hello, then GET_VERSION; returns the VERSION message. `binding` overrides the
    /// socket's own (for a socket opened to probe another transport).
    public func helloAndVersion(binding: (any TransportBinding)? = nil) -> [UInt8]? {
        let binding = binding ?? self.binding
        send(PlatformFrame(command: .test, transport: binding.type, payload: PlatformCommand.clientHello))
        guard let hello = receiveFrame(), hello.payload == PlatformCommand.serverHello else { return nil }
        send(PlatformFrame(command: .normal, transport: binding.type, payload: binding.encode(.spdm([0x10, 0x84, 0, 0]))))
        guard let reply = receiveFrame(), case .spdm(let message)? = try? binding.decode(reply.payload) else { return nil }
        return message
    }

    /// GET_VERSION answered with VERSION.
    public func versionWorks() -> Bool { exchange([0x10, 0x84, 0, 0])?.prefix(2) == [0x10, 0x04] }

    deinit { close(fd) }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

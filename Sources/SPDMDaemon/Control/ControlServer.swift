import Foundation
import SPDMControlModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import SPDMDevice

/// The control API: JSON over HTTP/1.1 on a Unix socket only its owner can open (mode 0600), so
/// `curl --unix-socket S http://localhost/v1/devices` works; optionally Prometheus metrics (and
/// nothing else) on a TCP address.
public final class ControlServer: Sendable {
    private let api: ControlAPI
    private let group: any EventLoopGroup
    private let logger: Logger
    private let bound = NIOLockedValueBox<[(channel: Channel, path: String?)]>([])

    public init(daemon: FleetDaemon, logger: Logger) {
        self.api = ControlAPI(daemon: daemon, logger: logger)
        self.group = daemon.eventLoopGroup
        self.logger = logger
    }

    /// Binds the control socket at `path`, mode 0600. The socket is bound in a private directory
    /// and renamed into place, so it is never reachable with a wider mode; a socket file left by
    /// a dead daemon is replaced, one a live daemon answers on is an error.
    public func bindControlSocket(path: String) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        if Self.answers(path) {
            throw ControlServerError("\(path): another process answers on this control socket")
        }
        var template = Array((directory + "/.control-XXXXXX").utf8CString)
        guard let privateDirectory = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            throw ControlServerError("\(directory): cannot create a private directory: \(String(cString: strerror(errno)))")
        }
        defer { rmdir(privateDirectory) }
        let temporary = privateDirectory + "/s"
        let channel = try await bootstrap(metricsOnly: false).bind(unixDomainSocketPath: temporary).get()
        guard chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            try? await channel.close()
            throw ControlServerError("\(path): \(reason)")
        }
        bound.withLockedValue { $0.append((channel, path)) }
    }

    /// Serves GET /metrics only, on a TCP address; returns the address as bound.
    public func bindMetrics(host: String, port: Int) async throws -> String {
        let channel = try await bootstrap(metricsOnly: true).bind(host: host, port: port).get()
        bound.withLockedValue { $0.append((channel, nil)) }
        let actualPort = channel.localAddress?.port ?? port
        return host.contains(":") ? "[\(host)]:\(actualPort)" : "\(host):\(actualPort)"
    }

    public func stop() async {
        let channels = bound.withLockedValue { list in
            defer { list.removeAll() }
            return list
        }
        for (channel, path) in channels {
            try? await channel.close()
            if let path { unlink(path) }
        }
    }

    private func bootstrap(metricsOnly: Bool) -> ServerBootstrap {
        let api = self.api
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ControlHTTPHandler(api: api, metricsOnly: metricsOnly))
                }
            }
    }

    /// True when something accepts connections on the Unix socket `path`.
    static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}

public struct ControlServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = "control API: " + description }
}

/// One HTTP connection of the control API: collects a request, lets `ControlAPI` answer it off
/// the event loop, writes the response.
final class ControlHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maximumBody = 1 << 20

    private let api: ControlAPI
    private let metricsOnly: Bool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(api: ControlAPI, metricsOnly: Bool) {
        self.api = api
        self.metricsOnly = metricsOnly
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maximumBody {
                tooLarge = true
            } else {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let request = ControlRequest(method: head.method, uri: head.uri, body: body)
            body = []
            let keepAlive = head.isKeepAlive
            let version = head.version
            let promise = context.eventLoop.makePromise(of: ControlResponse.self)
            if tooLarge {
                promise.succeed(.error(ControlError.badRequest("request body over \(Self.maximumBody) bytes")))
            } else if metricsOnly && !(head.method == .GET && request.path == "/metrics") {
                promise.succeed(.error(ControlError.notFound("only GET /metrics is served here")))
            } else {
                let api = self.api
                promise.completeWithTask { await api.handle(request) }
            }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                let (handler, context) = bound.value
                handler.write(response, context: context, version: version, keepAlive: keepAlive)
            }
        }
    }

    private func write(_ response: ControlResponse, context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

struct ControlRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var query: String?
    var body: [UInt8]

    init(method: HTTPMethod, uri: String, body: [UInt8]) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = String(parts.first ?? "")
        self.query = parts.count > 1 ? String(parts[1]) : nil
        self.body = body
    }

    /// The path's segments, percent-decoded ("/v1/devices/gpu0" -> ["v1", "devices", "gpu0"]).
    var segments: [String] {
        path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
    }
}

struct ControlResponse: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> ControlResponse {
        do {
            return ControlResponse(status: status, contentType: "application/json", body: try ControlJSON.encode(value))
        } catch {
            return .error(ControlError.internalError("cannot encode the response: \(error)"))
        }
    }

    static func error(_ error: ControlError) -> ControlResponse {
        json(ErrorDocument(error: error.description), status: error.status)
    }

    static func text(_ text: String, contentType: String = "text/plain; version=0.0.4; charset=utf-8") -> ControlResponse {
        ControlResponse(status: 200, contentType: contentType, body: Array(text.utf8))
    }
}

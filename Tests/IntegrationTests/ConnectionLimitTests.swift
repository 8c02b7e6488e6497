import Foundation
import SPDMTestSupport
import SPDMTransport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Limits that keep one bad peer from hurting another device: per-device and daemon-wide
/// connection caps (a connection over a cap is accepted and closed at once, never left in the
/// backlog) and the timeout of a connection that stalls in the middle of a frame.
@Suite("Connection limits against the real daemon", .serialized)
struct ConnectionLimitTests {
    /// What became of one connection after its TEST hello.
    enum Outcome: Equatable {
        case answered
        /// EOF or reset: the daemon closed it.
        case closed
        /// Nothing within the socket timeout: left hanging (what the caps exist to prevent).
        case silent
    }

    /// Sends the TEST hello and reads what comes back.
    static func outcome(_ socket: PlatformSocket) -> Outcome {
        socket.send(PlatformFrame(command: .test, transport: socket.binding.type, payload: PlatformCommand.clientHello))
        var byte: UInt8 = 0
        let result = recv(socket.fd, &byte, 1, Int32(MSG_PEEK))
        if result > 0 { return socket.receiveFrame()?.payload == PlatformCommand.serverHello ? .answered : .closed }
        if result == 0 || errno == ECONNRESET { return .closed }
        return .silent
    }

    /// Opens `count` connections first (all at once, as a flood would), then says hello on each.
    static func flood(port: Int, count: Int) throws -> (answered: [PlatformSocket], closed: Int, silent: Int) {
        let sockets = try (0..<count).map { _ in try PlatformSocket(tcpPort: port, timeout: 30) }
        var answered: [PlatformSocket] = []
        var closed = 0
        var silent = 0
        for socket in sockets {
            switch outcome(socket) {
            case .answered: answered.append(socket)
            case .closed: closed += 1
            case .silent: silent += 1
            }
        }
        return (answered, closed, silent)
    }

    /// Raises this process's soft open-file limit to its hard limit (the flood holds thousands of sockets).
    static func raiseOwnDescriptorLimit() -> Int {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        return Int(clamping: limit.rlim_cur)
    }

    /// `spdmctl metrics` through the daemon's control socket.
    static func metrics(_ daemon: TestDaemon) throws -> String {
        try runProcess(Products.path("spdmctl"), ["metrics", "--control-socket", daemon.controlSocket]).output
    }

    /// `spdm_connections_refused_total` of `device` for `reason` (0 when absent).
    static func refused(_ metrics: String, device: String, reason: String) -> Int {
        let prefix = "spdm_connections_refused_total{device=\"\(device)\",reason=\"\(reason)\"} "
        return metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    /// Connects until the daemon admits one (a closed connection's slot is given back when the
    /// daemon has seen it close, which may be a moment after the client closed it).
    static func admittedConnection(port: Int, attempts: Int = 200) throws -> PlatformSocket? {
        for _ in 0..<attempts {
            let socket = try PlatformSocket(tcpPort: port)
            if outcome(socket) == .answered { return socket }
            usleep(50_000)
        }
        return nil
    }

    @Test("max_connections = 3 over TCP and Unix together: the 4th is closed at once and the log says why; the others still answer")
    func perDeviceCap() throws {
        let device = TestDevice("capped", listener: "tcp = \"127.0.0.1:0\"\nunix = \"capped.sock\"", keys: ["max_connections = 3"])
        let daemon = try TestDaemon(config: device.toml + TestDevice("other").toml)
        let port = try #require(daemon.port("capped"))
        let first = try PlatformSocket(tcpPort: port)
        let second = try PlatformSocket(unixPath: daemon.runtimeDirectory + "/capped.sock")
        let third = try PlatformSocket(tcpPort: port)
        for socket in [first, second, third] { #expect(Self.outcome(socket) == .answered) }

        let fourth = try PlatformSocket(tcpPort: port)
        #expect(Self.outcome(fourth) == .closed)
        #expect(daemon.waitFor("connection refused: device 'capped' already holds its max_connections = 3"), "\(daemon.text)")
        for socket in [first, second, third] { #expect(socket.versionWorks()) }
        // Another device is not limited by this one's cap.
        let other = try PlatformSocket(tcpPort: try #require(daemon.port("other")))
        #expect(Self.outcome(other) == .answered)

        let metrics = try Self.metrics(daemon)
        #expect(Self.refused(metrics, device: "capped", reason: "device_limit") == 1, "\(metrics)")
        #expect(metrics.contains("spdm_open_connections{device=\"capped\"} 3"), "\(metrics)")

        // A closed connection gives its slot back.
        first.shutdown()
        #expect(try Self.admittedConnection(port: port) != nil)
        #expect(daemon.stop() == 0)
    }

    @Test("a connection stalled mid-frame is closed after frame_timeout; one idle between frames stays open")
    func frameStall() throws {
        let daemon = try TestDaemon(config: "[daemon]\nframe_timeout = 1\n\n" + TestDevice("slow").toml)
        let port = try #require(daemon.port("slow"))
        let idle = try PlatformSocket(tcpPort: port)
        #expect(idle.hello())

        // A whole frame, then 5 bytes of the next one's header, then nothing.
        let stalled = try PlatformSocket(tcpPort: port)
        #expect(stalled.hello())
        stalled.send(Array(PlatformFrame(command: .normal, transport: .mctp, payload: [5, 0x10, 0x84, 0, 0]).bytes.prefix(5)))
        #expect(stalled.isClosedByPeer())
        #expect(daemon.waitFor("5 bytes of a platform frame and no more for 1 s (frame_timeout)"), "\(daemon.text)")

        // The idle connection has now been silent for longer than the timeout, between frames: it still answers.
        #expect(idle.versionWorks())
        // A frame that arrives in pieces, each within the timeout, is served.
        let trickle = try PlatformSocket(tcpPort: port)
        let frame = PlatformFrame(command: .normal, transport: .mctp, payload: MCTPBinding().encode(.spdm([0x10, 0x84, 0, 0]))).bytes
        for byte in frame { trickle.send([byte]) }
        #expect(trickle.receiveFrame()?.command == .normal)
        #expect(try Self.metrics(daemon).contains("spdm_frame_timeouts_total{device=\"slow\"} 1"))
        #expect(daemon.stop() == 0)
    }

    @Test("RLIMIT_NOFILE 300: the cap leaves room, the excess is closed promptly (none hangs) and the start warns")
    func descriptorLimit() throws {
        let config = TestDevice("greedy", keys: ["max_connections = 1000"]).toml + TestDevice("quiet").toml
        let daemon = try TestDaemon(config: config, launcher: ["/usr/bin/prlimit", "--nofile=300:300"])
        let port = try #require(daemon.port("greedy"))
        let capLine = try #require(daemon.text.firstMatch(of: #/max_connections=(\d+)/#), "\(daemon.text)")
        let cap = try #require(Int(capLine.1))
        #expect(cap > 0 && cap < 300 - 2)
        #expect(daemon.text.contains("exceed the open-file limit 300"), "\(daemon.text)")
        #expect(daemon.text.contains("at most \(cap) connections at once, more are closed at accept"), "\(daemon.text)")

        let flood = try Self.flood(port: port, count: 400)
        print("descriptor limit 300: cap \(cap), \(flood.answered.count) answered, \(flood.closed) closed at accept, \(flood.silent) silent")
        #expect(flood.silent == 0)
        #expect(flood.answered.count == cap)
        #expect(flood.closed == 400 - cap)
        #expect(daemon.waitFor("the daemon already holds its cap of \(cap) connections"), "\(daemon.text)")
        let metrics = try Self.metrics(daemon)
        // Over the cap: refused by the cap, or (when a burst of refusals still holds descriptors) by the spare descriptor.
        let overCap = Self.refused(metrics, device: "greedy", reason: "daemon_limit")
        #expect(overCap > 0 && overCap + Self.refused(metrics, device: "greedy", reason: "descriptors") == 400 - cap, "\(metrics)")
        #expect(metrics.contains("spdm_connection_cap \(cap)\n"), "\(metrics)")

        // The held connections still answer; once they go, the other device is served again.
        #expect(flood.answered.allSatisfy { $0.versionWorks() })
        flood.answered.forEach { $0.shutdown() }
        let quietPort = try #require(daemon.port("quiet"))
        let quiet = try #require(try Self.admittedConnection(port: quietPort))
        #expect(quiet.versionWorks())
        #expect(daemon.isRunning)
        #expect(daemon.stop() == 0)
    }

    @Test("accept out of descriptors (the limit lowered under a running daemon): waiting connections are closed, none hangs")
    func acceptOutOfDescriptors() throws {
        let daemon = try TestDaemon(config: TestDevice("starved").toml)
        let port = try #require(daemon.port("starved"))
        let pid = daemon.child.process.processIdentifier
        // The cap was sized for the limit at start; lowering the (soft) limit now makes accept(2) fail with EMFILE.
        #expect(try runProcess("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=64:"]).status == 0)
        let flood = try Self.flood(port: port, count: 100)
        print("open-file limit lowered to 64: \(flood.answered.count) answered, \(flood.closed) closed with the spare descriptor, \(flood.silent) silent")
        #expect(flood.silent == 0)
        #expect(flood.closed > 0)
        #expect(flood.answered.count + flood.closed == 100)
        #expect(daemon.waitFor("no file descriptor left to serve it"), "\(daemon.text)")

        flood.answered.forEach { $0.shutdown() }
        #expect(try runProcess("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=4096:"]).status == 0)
        let served = try #require(try Self.admittedConnection(port: port))
        #expect(served.versionWorks())
        let metrics = try Self.metrics(daemon)
        #expect(Self.refused(metrics, device: "starved", reason: "descriptors") == flood.closed, "\(metrics)")
        #expect(daemon.stop() == 0)
    }

    @Test("5,000 connections to one device do not stop another device from answering GET_VERSION and an attestation")
    func fiveThousandConnections() throws {
        #expect(Self.raiseOwnDescriptorLimit() > 5_200)
        let config = TestDevice("flooded", keys: ["max_connections = 4000"]).toml + TestDevice("bystander").toml
        let daemon = try TestDaemon(config: config)
        let flood = try Self.flood(port: try #require(daemon.port("flooded")), count: 5_000)
        print("5,000 connections: \(flood.answered.count) held, \(flood.closed) closed at accept, \(flood.silent) silent")
        #expect(flood.silent == 0)
        #expect(flood.answered.count == 4_000)
        #expect(flood.closed == 1_000)

        // With all 4,000 held, the bystander answers GET_VERSION and is attested by spdmctl.
        let bystanderPort = try #require(daemon.port("bystander"))
        let bystander = try PlatformSocket(tcpPort: bystanderPort)
        #expect(bystander.helloAndVersion()?.prefix(2) == [0x10, 0x04])
        let attest = try runProcess(Products.path("spdmctl"), ["attest", "--connect", "127.0.0.1:\(bystanderPort)",
                                                               "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json"])
        #expect(attest.status == 0, "\(attest.output)")
        let report = try? JSONSerialization.jsonObject(with: Data(attest.output.utf8)) as? [String: Any]
        #expect(report?["ok"] as? Bool == true, "\(attest.output)")
        // And the flooded device still serves its own held connections.
        #expect(flood.answered.first?.versionWorks() == true)
        #expect(flood.answered.last?.versionWorks() == true)
        let metrics = try Self.metrics(daemon)
        let overCap = Self.refused(metrics, device: "flooded", reason: "device_limit")
        #expect(overCap > 0 && overCap + Self.refused(metrics, device: "flooded", reason: "descriptors") == 1_000, "\(metrics)")
        #expect(daemon.stop() == 0)
    }
}

extension PlatformSocket {
    /// Closes this side's connection now (the descriptor is released when the value goes away).
    func shutdown() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}

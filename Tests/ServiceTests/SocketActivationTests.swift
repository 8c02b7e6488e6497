import Foundation
import SPDMTestSupport
import SPDMDevice
import SPDMTransport
import Testing
@testable import SPDMDaemon

/// Socket activation: LISTEN_PID / LISTEN_FDS / LISTEN_FDNAMES, and the real daemon started by
/// systemd-socket-activate.
@Suite("socket activation", .serialized)
struct SocketActivationTests {
    @Test("LISTEN_* parsing: names, defaults, another process's variables")
    func parsing() {
        let pid: pid_t = 4242
        let named = SocketActivation.parse(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "gpu0:nic0"], pid: pid)
        #expect(named.map(\.descriptor) == [3, 4, 5])
        #expect(named.map(\.name) == ["gpu0", "nic0", "unknown"])
        #expect(SocketActivation.parse(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "2"], pid: pid).isEmpty)
        #expect(SocketActivation.parse(environment: ["LISTEN_FDS": "2"], pid: pid).isEmpty)
        #expect(SocketActivation.parse(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "0"], pid: pid).isEmpty)
        #expect(SocketActivation.parse(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "x"], pid: pid).isEmpty)
        #expect(SocketActivation.parse(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "1"], pid: pid).map(\.name) == ["unknown"])
    }

    @Test("a device's listeners take the sockets named after it, by kind and in order")
    func matching() {
        let activation = SocketActivation(sockets: [
            .init(descriptor: 3, name: "gpu0", kind: .tcp),
            .init(descriptor: 4, name: "gpu0", kind: .unix),
            .init(descriptor: 5, name: "gpu0", kind: .tcp),
            .init(descriptor: 6, name: "unknown", kind: .tcp),
        ])
        let listeners: [ListenerAddress] = [.tcp(host: "127.0.0.1", port: 1), .unix(path: "/x.sock", mode: 0o600),
                                            .tcp(host: "127.0.0.1", port: 2), .tcp(host: "127.0.0.1", port: 3)]
        #expect(activation.socket(forDevice: "gpu0", address: listeners[0], listeners: listeners)?.descriptor == 3)
        #expect(activation.socket(forDevice: "gpu0", address: listeners[1], listeners: listeners)?.descriptor == 4)
        #expect(activation.socket(forDevice: "gpu0", address: listeners[2], listeners: listeners)?.descriptor == 5)
        #expect(activation.socket(forDevice: "gpu0", address: listeners[3], listeners: listeners) == nil)
        #expect(activation.socket(forDevice: "nic0", address: listeners[0], listeners: listeners) == nil)
    }

    @Test("systemd-socket-activate: named TCP and Unix sockets are adopted, an unnamed device binds its own")
    func realDaemonUnderSocketActivate() throws {
        let tool = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "systemd-socket-activate is not installed")
        let scratch = try ScratchDirectory("activate")
        let port = try freeLoopbackPort()
        let activatedUnix = scratch.path + "/activated.sock"
        let config = try scratch.write(
            deviceConfig(name: "act0", listener: "tcp = \"127.0.0.1:0\"")
                + deviceConfig(name: "act1", transport: "pci-doe", listener: "unix = \"configured-act1.sock\"")
                + deviceConfig(name: "bound0", listener: "tcp = \"127.0.0.1:0\""),
            to: "fleet.toml")
        // systemd-socket-activate passes on only the environment named with -E: a sanitizer's
        // options (make test-sanitize) must reach the daemon it starts.
        let sanitizerOptions = ["TSAN_OPTIONS", "ASAN_OPTIONS", "LSAN_OPTIONS"]
            .filter { ProcessInfo.processInfo.environment[$0] != nil }.map { "-E" + $0 }
        let daemon = try ChildProcess(tool, [
            "-l", "127.0.0.1:\(port)", "-l", activatedUnix, "--fdname=act0:act1"] + sanitizerOptions + [
            Products.path("spdm-fleetd"), "--config", config, "--state-dir", scratch.path + "/state",
            "--runtime-dir", scratch.path + "/run", "--log-format", "stderr",
        ])
        #expect(daemon.waitForOutput(60) { $0.contains("Listening on") }, "\(daemon.text)")

        // The first connection starts the daemon, which adopts the socket the connection waits on.
        let client = try PlatformSocket(tcpPort: port, timeout: Int(Limits.startup))
        let version = client.helloAndVersion(binding: MCTPBinding())
        #expect(version?.prefix(2) == [0x10, 0x04], "\(daemon.text)")
        #expect(daemon.waitForOutput { $0.contains(" ready") }, "\(daemon.text)")

        // The Unix socket systemd bound is adopted; the configured path is never bound.
        let unixClient = try PlatformSocket(unixPath: activatedUnix)
        #expect(unixClient.helloAndVersion(binding: PCIDOEBinding())?.prefix(2) == [0x10, 0x04], "\(daemon.text)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/run/configured-act1.sock"))

        // A device no socket is named after binds as configured.
        let boundLine = daemon.text.split(separator: "\n").first { $0.contains("listening") && $0.contains("spdm_device=bound0") }
        let boundPort = boundLine?.split(separator: " ").first { $0.hasPrefix("address=tcp:") }?.split(separator: ":").last.flatMap { Int($0) }
        let bound = try PlatformSocket(tcpPort: try #require(boundPort, "\(daemon.text)"))
        #expect(bound.helloAndVersion(binding: MCTPBinding())?.prefix(2) == [0x10, 0x04])
        #expect(daemon.text.contains("adopted socket"), "\(daemon.text)")

        #expect(daemon.stop() == 0, "\(daemon.text)")
        // Sockets the daemon adopted are not its to remove.
        #expect(FileManager.default.fileExists(atPath: activatedUnix))
    }
}

import Foundation
import SPDMTestSupport
import Testing

/// The unit files in systemd/ through systemd-analyze.
@Suite("systemd units")
struct UnitFileTests {
    static let analyze = "/usr/bin/systemd-analyze"

    /// The units copied to a scratch directory, ExecStart pointing at the built binary (verify
    /// checks that the executable exists).
    func unitCopies() throws -> (ScratchDirectory, service: String, socket: String) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze), "systemd-analyze is not installed")
        let scratch = try ScratchDirectory("units")
        let source = Products.packageRoot.appendingPathComponent("systemd")
        let service = try String(contentsOf: source.appendingPathComponent("spdm-fleetd.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/spdm-fleetd", with: Products.path("spdm-fleetd"))
        let socket = try String(contentsOf: source.appendingPathComponent("spdm-fleetd.socket"), encoding: .utf8)
        return (scratch, try scratch.write(service, to: "spdm-fleetd.service"), try scratch.write(socket, to: "spdm-fleetd.socket"))
    }

    @Test("systemd-analyze security --offline=yes: overall exposure 2.0 or lower")
    func exposure() throws {
        let (scratch, service, _) = try unitCopies()
        defer { _ = scratch }
        let result = try runProcess(Self.analyze, ["security", "--offline=yes", "--no-pager", service])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "\(result.output)")
        // "→ Overall exposure level for spdm-fleetd.service: 1.0 OK 🙂"
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let exposure = try #require(score, "cannot read the score in: \(line)")
        print("systemd-analyze security exposure: \(exposure)")
        #expect(exposure <= 2.0, "\(result.output)")
    }

    @Test("systemd-analyze verify: the service and socket units are clean")
    func verify() throws {
        let (scratch, service, socket) = try unitCopies()
        defer { _ = scratch }
        // --man=no: the man page is installed by `make install`, not present in a build tree.
        let result = try runProcess(Self.analyze, ["verify", "--man=no", service, socket])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result.output)")
    }

    @Test("the service unit keeps its contract: notify, watchdog, restart, dynamic user, directories, reload")
    func serviceContract() throws {
        let text = try String(contentsOf: Products.packageRoot.appendingPathComponent("systemd/spdm-fleetd.service"), encoding: .utf8)
        let settings = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") })
        for expected in ["Type=notify", "NotifyAccess=main", "WatchdogSec=30", "Restart=on-failure", "DynamicUser=yes",
                         "StateDirectory=spdm-fleetd", "ConfigurationDirectory=spdm-fleetd", "RuntimeDirectory=spdm-fleetd",
                         "ExecReload=/bin/kill -HUP $MAINPID", "CapabilityBoundingSet=", "SystemCallFilter=@system-service",
                         "MemoryDenyWriteExecute=yes", "NoNewPrivileges=yes", "ProtectSystem=strict"] {
            #expect(settings.contains(expected), "missing \(expected)")
        }
        let socket = try String(contentsOf: Products.packageRoot.appendingPathComponent("systemd/spdm-fleetd.socket"), encoding: .utf8)
        #expect(socket.contains("FileDescriptorName=gpu0") && socket.contains("Service=spdm-fleetd.service"))
    }

    @Test("the shard template unit spdm-fleetd@.service: verify is clean for an instance, exposure 2.0 or lower, --shard from the instance")
    func shardTemplate() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.analyze), "systemd-analyze is not installed")
        let scratch = try ScratchDirectory("template-units")
        let text = try String(contentsOf: Products.packageRoot.appendingPathComponent("systemd/spdm-fleetd@.service"), encoding: .utf8)
        #expect(text.contains("--shard %i/${SPDM_FLEET_SHARDS}") && text.contains("User=spdm-fleetd")
                && text.contains("RuntimeDirectory=spdm-fleetd/%i") && text.contains("StateDirectory=spdm-fleetd\n"))
        let template = try scratch.write(text.replacingOccurrences(of: "/usr/local/bin/spdm-fleetd", with: Products.path("spdm-fleetd")),
                                         to: "spdm-fleetd@.service")
        let instance = (template as NSString).deletingLastPathComponent + "/spdm-fleetd@3.service"
        try FileManager.default.createSymbolicLink(atPath: instance, withDestinationPath: template)
        let verify = try runProcess(Self.analyze, ["verify", "--man=no", instance])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(verify.output)")
        let security = try runProcess(Self.analyze, ["security", "--offline=yes", "--no-pager", instance])
        let line = try #require(security.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(security.output)")
        let score = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) })
        #expect(score <= 2.0, "\(security.output)")
        _ = scratch
    }
}

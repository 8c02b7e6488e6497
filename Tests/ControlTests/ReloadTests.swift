import Foundation
import SPDMTestSupport
import Testing

/// Reload (control API and SIGHUP) with a changed, an added, a removed and an invalid device while
/// a connection to an unchanged device keeps working.
@Suite("reload keeps unchanged devices' connections", .serialized)
struct ReloadTests {
    static func device(_ name: String, value: String = "fw") -> String {
        TestDevice(name, measurementValue: value).toml
    }

    static let initial = device("keep0") + device("change0") + device("remove0")
    static let next = device("keep0") + device("change0", value: "fw 2") + device("add0")
    static let invalid = next + device("bad0").replacingOccurrences(of: "mutable_firmware", with: "no_such_type")

    @Test("control API reload: changed, added, removed and invalid, with a live connection on an unchanged device")
    func controlReload() throws {
        let daemon = try TestDaemon(config: Self.initial)
        let keep = try PlatformSocket(tcpPort: try #require(daemon.port("keep0")))
        #expect(keep.hello() && keep.versionWorks())
        let remove = try PlatformSocket(tcpPort: try #require(daemon.port("remove0")))
        #expect(remove.hello() && remove.versionWorks())
        let change = try PlatformSocket(tcpPort: try #require(daemon.port("change0")))
        #expect(change.hello() && change.versionWorks())

        // An invalid config changes nothing.
        try daemon.rewriteConfig(Self.invalid)
        let refused = try spdmctl(["reload", "--control-socket", daemon.controlSocket])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bad0") && refused.stderr.contains("nothing changed"), "\(refused.stderr)")
        #expect(keep.versionWorks() && remove.versionWorks() && change.versionWorks())
        let names = (json(try spdmctl(["devices", "--json", "--control-socket", daemon.controlSocket]).stdout) as? [[String: Any]] ?? [])
            .compactMap { $0["name"] as? String }
        #expect(names == ["keep0", "change0", "remove0"])

        // A valid one: keep0 unchanged, change0 restarted, remove0 gone, add0 new.
        try daemon.rewriteConfig(Self.next)
        let reload = try spdmctl(["reload", "--json", "--control-socket", daemon.controlSocket])
        #expect(reload.status == 0, "\(reload.stderr)")
        let summary = json(reload.stdout) as? [String: Any] ?? [:]
        #expect(summary["added"] as? [String] == ["add0"], "\(summary)")
        #expect(summary["removed"] as? [String] == ["remove0"])
        #expect(summary["changed"] as? [String] == ["change0"])
        #expect(summary["unchanged"] as? [String] == ["keep0"])
        #expect(keep.versionWorks(), "the unchanged device's connection must survive the reload")
        #expect(remove.exchange([0x10, 0x84, 0, 0]) == nil, "a removed device's connection closes")
        #expect(change.exchange([0x10, 0x84, 0, 0]) == nil, "a changed device's connection closes")

        let listeners = summary["listeners"] as? [[String: String]] ?? []
        let added = try #require(listeners.first { $0["device"] == "add0" }?["address"].flatMap { Int($0.split(separator: ":").last!) })
        let fresh = try PlatformSocket(tcpPort: added)
        #expect(fresh.hello() && fresh.versionWorks())
        let changedPort = try #require(listeners.first { $0["device"] == "change0" }?["address"].flatMap { Int($0.split(separator: ":").last!) })
        let changed = try PlatformSocket(tcpPort: changedPort)
        #expect(changed.hello() && changed.versionWorks())
        let detail = json(try spdmctl(["device", "change0", "--json", "--control-socket", daemon.controlSocket]).stdout) as? [String: Any]
        #expect((detail?["measurements"] as? [[String: Any]])?.first?["value"] as? String == "667720 32".replacingOccurrences(of: " ", with: ""))
        #expect(keep.versionWorks())
        #expect(daemon.stop() == 0)
    }

    @Test("SIGHUP reloads; an invalid config on SIGHUP is one clear error and the daemon keeps serving")
    func hangup() throws {
        let daemon = try TestDaemon(config: Self.initial)
        let keep = try PlatformSocket(tcpPort: try #require(daemon.port("keep0")))
        #expect(keep.hello() && keep.versionWorks())

        try daemon.rewriteConfig(Self.invalid)
        var offset = daemon.text.count
        daemon.signal(SIGHUP)
        #expect(daemon.waitFor("reload failed", after: offset), "\(daemon.text)")
        #expect(daemon.text.dropFirst(offset).contains("bad0"))
        #expect(keep.versionWorks())

        try daemon.rewriteConfig(Self.next)
        offset = daemon.text.count
        daemon.signal(SIGHUP)
        #expect(daemon.waitFor("reloaded: 1 added, 1 removed, 1 changed, 1 unchanged", after: offset), "\(daemon.text)")
        #expect(keep.versionWorks())
        let fresh = try PlatformSocket(tcpPort: try #require(daemon.port("add0")))
        #expect(fresh.hello() && fresh.versionWorks())
        #expect(daemon.isRunning)
        #expect(daemon.stop() == 0)
    }
}

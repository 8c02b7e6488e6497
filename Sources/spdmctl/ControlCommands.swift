import ArgumentParser
import Foundation

/// Options every control-API subcommand shares.
struct ControlOptions: ParsableArguments {
    @Option(name: .customLong("control-socket"), help: ArgumentHelp(
        "spdm-fleetd's control socket (default: $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR/spdm-fleetd or /tmp/spdm-fleetd-UID, then /control.sock).",
        valueName: "path"))
    var controlSocket: String?

    @Flag(name: .long, help: "Print the daemon's JSON answer as is.")
    var json = false

    var client: ControlClient { ControlClient(socketPath: controlSocket ?? ControlClient.defaultSocketPath) }

    /// Sends one request; exits 3 when the daemon cannot be reached and 1 when it refuses the
    /// request (its "error" message on stderr, or the JSON body with --json).
    func call(_ method: String, _ path: String, body: [String: Any]? = nil) throws -> ControlClient.Response {
        let response: ControlClient.Response
        do {
            response = try client.request(method, path, json: body)
        } catch {
            FileHandle.standardError.write(Data("spdmctl: \(error)\n".utf8))
            throw ExitCode(3)
        }
        guard response.ok else {
            if json { print(response.text, terminator: "") }
            FileHandle.standardError.write(Data("spdmctl: \(response.errorMessage) (HTTP \(response.status))\n".utf8))
            throw ExitCode(1)
        }
        return response
    }

    /// Prints the JSON body with --json; otherwise hands the decoded body to `human`.
    func show(_ response: ControlClient.Response, _ human: (Any) -> Void) {
        if json {
            print(response.text, terminator: response.text.hasSuffix("\n") ? "" : "\n")
        } else if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) {
            human(object)
        } else {
            print(response.text)
        }
    }
}

/// Percent-encodes one path segment (device names may hold any character).
func pathSegment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
}

/// Prints rows as left-aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        print(row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  "))
    }
}

private func string(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: return "-"
    case let array as [Any]: return array.map { string($0) }.joined(separator: ", ")
    case let number as NSNumber: return number.stringValue
    case let other?: return "\(other)"
    }
}

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List spdm-fleetd's devices with their listeners and counters.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        options.show(try options.call("GET", "/v1/devices")) { object in
            let devices = object as? [[String: Any]] ?? []
            printTable(["DEVICE", "TRANSPORT", "CONNECTIONS", "SESSIONS", "REQUESTS", "ERRORS", "LISTENERS"], devices.map { device in
                [string(device["name"]), string(device["transport"]), string(device["open_connections"]), string(device["sessions"]),
                 string(device["requests"]), string(device["errors"]), string(device["listeners"])]
            })
        }
    }
}

struct Device: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one device: versions, capabilities, algorithms, slots and measurements.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The device's name.") var name: String

    func run() throws {
        options.show(try options.call("GET", "/v1/devices/\(pathSegment(name))")) { printDevice($0) }
    }
}

func printDevice(_ object: Any) {
    let device = object as? [String: Any] ?? [:]
    print("device        \(string(device["name"])) (\(string(device["transport"])))")
    print("listeners     \(string(device["listeners"]))")
    print("connections   \(string(device["open_connections"])) open, \(string(device["total_connections"])) total; sessions \(string(device["sessions"]))")
    print("requests      \(string(device["requests"])), errors \(string(device["errors"]))")
    print("versions      \(string(device["versions"]))")
    print("capabilities  \(string(device["capabilities"]))")
    let algorithms = device["algorithms"] as? [String: Any] ?? [:]
    for key in ["hash", "asym", "measurement_hash", "dhe", "aead"] {
        print("\(key.padding(toLength: 14, withPad: " ", startingAt: 0))\(string(algorithms[key]))")
    }
    for slot in device["slots"] as? [[String: Any]] ?? [] {
        let modified = (slot["modified"] as? Bool) == true ? " (set through the control API)" : ""
        print("slot \(string(slot["id"]))        \(string(slot["key_type"])), \(string(slot["certificate_model"])) model\(modified)")
        for certificate in slot["certificates"] as? [[String: Any]] ?? [] {
            print("                \(string(certificate["subject"]))")
        }
    }
    for measurement in device["measurements"] as? [[String: Any]] ?? [] {
        let modified = (measurement["modified"] as? Bool) == true ? " (set through the control API)" : ""
        print("measurement \(string(measurement["index"]).padding(toLength: 3, withPad: " ", startingAt: 0)) "
              + "\(string(measurement["type"])), \(string(measurement["representation"])): \(string(measurement["value"]))\(modified)")
    }
}

struct Connections: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List open connections.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        options.show(try options.call("GET", "/v1/connections")) { object in
            let connections = object as? [[String: Any]] ?? []
            printTable(["ID", "DEVICE", "PEER", "VERSION", "REQUESTS", "ERRORS", "LAST REQUEST"], connections.map { connection in
                [string(connection["id"]), string(connection["device"]), string(connection["peer"]), string(connection["version"]),
                 string(connection["requests"]), string(connection["errors"]), string(connection["last_request"])]
            })
        }
    }
}

struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List open secure sessions.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        options.show(try options.call("GET", "/v1/sessions")) { object in
            let sessions = object as? [[String: Any]] ?? []
            printTable(["DEVICE", "CONNECTION", "SESSION", "KIND", "VERSION", "ALGORITHMS", "STARTED", "LAST HEARTBEAT"], sessions.map {
                let algorithms = $0["algorithms"] as? [String: Any] ?? [:]
                let named = ["hash", "asym", "dhe", "aead"].compactMap { algorithms[$0] as? String }.joined(separator: "/")
                return [string($0["device"]), string($0["connection"]), string($0["session_id"]), string($0["kind"]),
                        string($0["version"]), named.isEmpty ? "-" : named, string($0["started"]),
                        $0["last_heartbeat"] == nil ? "-" : string($0["last_heartbeat"])]
            })
        }
    }
}

struct SetMeasurement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-measurement",
        abstract: "Set a device's measurement; later MEASUREMENTS report it, also after a restart.",
        discussion: "VALUE is text, \"hex:0a0b..\" or \"cstr:text\" (text + NUL), as in the config file.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The device's name.") var name: String
    @Argument(help: "Measurement index (1-254).") var index: UInt8
    @Argument(help: "The new value.") var value: String

    func run() throws {
        let response = try options.call("PUT", "/v1/devices/\(pathSegment(name))/measurements/\(index)", body: ["value": value])
        options.show(response) { object in
            let device = object as? [String: Any] ?? [:]
            let entry = (device["measurements"] as? [[String: Any]] ?? []).first { ($0["index"] as? NSNumber)?.intValue == Int(index) }
            print("\(name) measurement \(index) = \(string(entry?["value"]))")
        }
    }
}

struct SetSlot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-slot",
        abstract: "Replace (or provision) a device's certificate slot: chain and private key, PEM.",
        discussion: "The chain may be root first or leaf first; the key must belong to its leaf. New connections present it; it survives a restart.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The device's name.") var name: String
    @Argument(help: "Slot (0-7).") var slot: UInt8
    @Option(name: .long, help: ArgumentHelp("Certificate chain, PEM.", valueName: "file")) var chain: String
    @Option(name: .long, help: ArgumentHelp("The leaf's private key, PEM.", valueName: "file")) var key: String
    @Option(name: .long, help: ArgumentHelp("Root certificate, PEM, when the chain does not start with one.", valueName: "file")) var root: String?

    func run() throws {
        func read(_ path: String) throws -> String {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path) (PEM expected)") }
            return text
        }
        var body: [String: Any] = ["chain_pem": try read(chain), "key_pem": try read(key)]
        if let root { body["root_pem"] = try read(root) }
        let response = try options.call("PUT", "/v1/devices/\(pathSegment(name))/slots/\(slot)", body: body)
        options.show(response) { object in
            let device = object as? [String: Any] ?? [:]
            let entry = (device["slots"] as? [[String: Any]] ?? []).first { ($0["id"] as? NSNumber)?.intValue == Int(slot) }
            let leaf = (entry?["certificates"] as? [[String: Any]])?.last?["subject"]
            print("\(name) slot \(slot): \(string(leaf)) (\(string(entry?["key_type"])))")
        }
    }
}

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Forget what the control API changed on a device and restore its config values.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The device's name.") var name: String

    func run() throws {
        options.show(try options.call("POST", "/v1/devices/\(pathSegment(name))/reset")) { _ in
            print("\(name) reset to its config")
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make spdm-fleetd re-read its config (like SIGHUP).",
        discussion: "Unchanged devices keep their connections. An invalid config changes nothing: exit status 1 and the reason.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        options.show(try options.call("POST", "/v1/reload")) { object in
            let summary = object as? [String: Any] ?? [:]
            for key in ["added", "removed", "changed", "unchanged"] {
                let names = summary[key] as? [String] ?? []
                print("\(key.padding(toLength: 10, withPad: " ", startingAt: 0))\(names.count)\(names.isEmpty ? "" : ": " + names.joined(separator: ", "))")
            }
            for listener in summary["listeners"] as? [[String: String]] ?? [] {
                print("listening \(listener["device"] ?? "?") \(listener["address"] ?? "?")")
            }
            for note in summary["notes"] as? [String] ?? [] { print("note      \(note)") }
        }
    }
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print spdm-fleetd's Prometheus metrics.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        print(try options.call("GET", "/metrics").text, terminator: "")
    }
}

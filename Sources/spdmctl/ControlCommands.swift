import ArgumentParser
import Foundation
import SPDMControlModel

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
    func call(_ route: ControlRoute, body: (some Encodable)? = nil as ErrorDocument?) throws -> ControlClient.Response {
        try call(route, rawJSON: try body.map { try ControlJSON.encode($0) })
    }

    /// `call` with a JSON body as given (the daemon judges it).
    func call(_ route: ControlRoute, rawJSON: [UInt8]?) throws -> ControlClient.Response {
        let response: ControlClient.Response
        do {
            response = try client.request(route, body: rawJSON)
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

    /// Prints the JSON body with --json; otherwise decodes it as `T` and hands it to `human`.
    func show<T: Decodable>(_ response: ControlClient.Response, as type: T.Type, _ human: (T) -> Void) throws {
        if json {
            print(response.text, terminator: response.text.hasSuffix("\n") ? "" : "\n")
            return
        }
        do {
            human(try ControlJSON.decode(type, from: response.body))
        } catch {
            FileHandle.standardError.write(Data("spdmctl: the daemon's answer is not the \(type) expected: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
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

/// "-" for a missing value.
private func shown(_ value: (some CustomStringConvertible)?) -> String { value.map(\.description) ?? "-" }

private func shown(_ date: Date?) -> String {
    date.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
}

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List spdm-fleetd's devices with their listeners and counters.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let health = options.json ? nil : try? ControlJSON.decode(HealthDocument.self, from: options.call(.health).body)
        try options.show(try options.call(.devices), as: [DeviceSummary].self) { devices in
            if let health, let shard = health.shard {
                print("shard \(shard): \(health.devices) of the fleet's \(health.fleetDevices) devices")
            }
            printTable(["DEVICE", "TRANSPORT", "CONNECTIONS", "SESSIONS", "REQUESTS", "ERRORS", "LISTENERS"], devices.map { device in
                [device.name, device.transport, "\(device.openConnections)", "\(device.sessions)", "\(device.requests)", "\(device.errors)",
                 device.listeners.joined(separator: ", ")]
            })
        }
    }
}

/// `spdmctl health`: exit 0 when the daemon answers and every device it serves has its listeners
/// bound (a Kubernetes readiness probe, a CI wait loop); 1 otherwise.
struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that spdm-fleetd is ready: exit 0 when every device it serves (or its shard) is listening.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let response = try options.call(.health)
        let health = try? ControlJSON.decode(HealthDocument.self, from: response.body)
        try options.show(response, as: HealthDocument.self) { health in
            let shard = health.shard.map { ", shard \($0) of \(health.fleetDevices) devices" } ?? ""
            print("\(health.ready ? "ready" : "NOT ready"): \(health.devices) devices, \(health.listeners) listeners, "
                  + "\(health.openConnections) connections\(shard)")
            if !health.unbound.isEmpty { print("not listening: \(health.unbound.joined(separator: ", "))") }
        }
        if health?.ready != true { throw ExitCode(1) }
    }
}

struct Device: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one device: versions, capabilities, algorithms, slots and measurements.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The device's name.") var name: String

    func run() throws {
        try options.show(try options.call(.device(name)), as: DeviceDetail.self, printDevice)
    }
}

func printDevice(_ device: DeviceDetail) {
    let summary = device.summary
    print("device        \(summary.name) (\(summary.transport))")
    print("listeners     \(summary.listeners.joined(separator: ", "))")
    print("connections   \(summary.openConnections) open, \(summary.totalConnections) total; sessions \(summary.sessions)")
    print("requests      \(summary.requests), errors \(summary.errors)")
    print("versions      \(device.versions.joined(separator: ", "))")
    print("capabilities  \(device.capabilities.joined(separator: ", "))")
    let algorithms = device.algorithms
    for (key, names) in [("hash", algorithms.hash), ("asym", algorithms.asym), ("measurement_hash", algorithms.measurementHash),
                         ("dhe", algorithms.dhe), ("aead", algorithms.aead), ("kem", algorithms.kem)] {
        print("\(key.padding(toLength: max(14, key.count + 1), withPad: " ", startingAt: 0))\(names.isEmpty ? "-" : names.joined(separator: ", "))")
    }
    if algorithms.pqcFirst { print("pqc_first     yes (post-quantum algorithms win when the requester offers both kinds)") }
    for slot in device.slots {
        let modified = slot.modified ? " (set through the control API)" : ""
        print("slot \(slot.id)        \(slot.keyType), \(slot.certificateModel) model\(modified)")
        for certificate in slot.certificates {
            print("                \(certificate.subject)")
        }
    }
    for measurement in device.measurements {
        let modified = measurement.modified ? " (set through the control API)" : ""
        print("measurement \("\(measurement.index)".padding(toLength: 3, withPad: " ", startingAt: 0)) "
              + "\(measurement.type), \(measurement.representation): \(measurement.value)\(modified)")
    }
}

struct Connections: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List open connections.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        try options.show(try options.call(.connections), as: [ConnectionDocument].self) { connections in
            printTable(["ID", "DEVICE", "PEER", "VERSION", "REQUESTS", "ERRORS", "LAST REQUEST"], connections.map { connection in
                ["\(connection.id)", connection.device, connection.peer, shown(connection.version),
                 "\(connection.requests)", "\(connection.errors)", shown(connection.lastRequest)]
            })
        }
    }
}

struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List open secure sessions.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        try options.show(try options.call(.sessions), as: [SessionDocument].self) { sessions in
            printTable(["DEVICE", "CONNECTION", "SESSION", "KIND", "VERSION", "ALGORITHMS", "STARTED", "LAST HEARTBEAT"], sessions.map { session in
                let named = ["hash", "asym", "dhe", "aead"].compactMap { session.algorithms[$0] }.joined(separator: "/")
                return [session.device, "\(session.connection)", session.sessionId, session.kind, session.version,
                        named.isEmpty ? "-" : named, shown(session.started), shown(session.lastHeartbeat)]
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
        let response = try options.call(.setMeasurement(device: name, index: "\(index)"), body: MeasurementBody(value: value))
        try options.show(response, as: DeviceDetail.self) { device in
            let entry = device.measurements.first { $0.index == index }
            print("\(name) measurement \(index) = \(shown(entry?.value))")
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
        let body = SlotBody(chainPem: try read(chain), keyPem: try read(key), rootPem: try root.map(read))
        let response = try options.call(.setSlot(device: name, slot: "\(slot)"), body: body)
        try options.show(response, as: DeviceDetail.self) { device in
            let entry = device.slots.first { $0.id == slot }
            print("\(name) slot \(slot): \(shown(entry?.certificates.last?.subject)) (\(shown(entry?.keyType)))")
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make spdm-fleetd re-read its config (like SIGHUP).",
        discussion: "Unchanged devices keep their connections. An invalid config changes nothing: exit status 1 and the reason.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        try options.show(try options.call(.reload), as: ReloadDocument.self) { summary in
            for (key, names) in [("added", summary.added), ("removed", summary.removed), ("changed", summary.changed), ("unchanged", summary.unchanged)] {
                print("\(key.padding(toLength: 10, withPad: " ", startingAt: 0))\(names.count)\(names.isEmpty ? "" : ": " + names.joined(separator: ", "))")
            }
            for listener in summary.listeners {
                print("listening \(listener.device) \(listener.address)")
            }
            for note in summary.notes { print("note      \(note)") }
        }
    }
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print spdm-fleetd's Prometheus metrics.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        print(try options.call(.metrics).text, terminator: "")
    }
}

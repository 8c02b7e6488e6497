/// The control API's routes, in one table that the daemon matches requests against and spdmctl
/// builds its requests from:
///
///     GET  /metrics                                     Prometheus text
///     GET  /v1/health                                   readiness: HealthDocument (spdmctl health exits 0 when ready)
///     GET  /v1/devices                                  every device, with its counters
///     GET  /v1/devices/{name}                           one device: versions, capabilities, algorithms, slots, measurements
///     GET  /v1/connections                              open connections
///     GET  /v1/sessions                                 open secure sessions
///     PUT  /v1/devices/{name}/measurements/{index}      MeasurementBody
///     PUT  /v1/devices/{name}/slots/{id}                SlotBody
///     GET  /v1/devices/{name}/faults                    the device's live fault rules: [FaultRuleDocument]
///     PUT  /v1/devices/{name}/faults                    replace them: [FaultRuleDocument]
///     DELETE /v1/devices/{name}/faults                  remove every fault rule
///     GET  /v1/devices/{name}/capture                   the device's packet capture: CaptureDocument
///     PUT  /v1/devices/{name}/capture                   start one into a pcap file: CaptureBody
///     DELETE /v1/devices/{name}/capture                 stop it
///     POST /v1/devices/{name}/reset                     device reset (power cycle): pending provisioning applies,
///                                                       open connections close: DeviceResetDocument
///     GET  /v1/devices/{name}/state                     the device's persisted state: DeviceStateDocument
///     DELETE /v1/devices/{name}/state                   factory reset: forget the persisted state, back to the
///                                                       config (fault rules too): DeviceStateDocument
///     POST /v1/reload                                   re-read the config file
public enum ControlRoute: Hashable, Sendable {
    case metrics
    case health
    case devices
    case device(String)
    case connections
    case sessions
    /// The index as given in the path (the daemon checks its range).
    case setMeasurement(device: String, index: String)
    case setSlot(device: String, slot: String)
    case faults(String)
    case setFaults(String)
    case clearFaults(String)
    case capture(String)
    case startCapture(String)
    case stopCapture(String)
    /// Device reset: what waited for a reset applies, the device's connections close.
    case resetDevice(String)
    case deviceState(String)
    /// Factory reset: the persisted state is forgotten.
    case forgetDeviceState(String)
    case reload

    public enum Method: String, Sendable {
        case GET, PUT, POST, DELETE
    }

    /// One row of the table: method, path pattern ("*" is one segment), and how captures make a route.
    private struct Row: Sendable {
        var method: Method
        var pattern: [String]
        var make: @Sendable ([String]) -> ControlRoute
    }

    private static let table: [Row] = [
        Row(method: .GET, pattern: ["metrics"]) { _ in .metrics },
        Row(method: .GET, pattern: ["v1", "health"]) { _ in .health },
        Row(method: .GET, pattern: ["v1", "devices"]) { _ in .devices },
        Row(method: .GET, pattern: ["v1", "devices", "*"]) { .device($0[0]) },
        Row(method: .GET, pattern: ["v1", "connections"]) { _ in .connections },
        Row(method: .GET, pattern: ["v1", "sessions"]) { _ in .sessions },
        Row(method: .PUT, pattern: ["v1", "devices", "*", "measurements", "*"]) { .setMeasurement(device: $0[0], index: $0[1]) },
        Row(method: .PUT, pattern: ["v1", "devices", "*", "slots", "*"]) { .setSlot(device: $0[0], slot: $0[1]) },
        Row(method: .GET, pattern: ["v1", "devices", "*", "faults"]) { .faults($0[0]) },
        Row(method: .PUT, pattern: ["v1", "devices", "*", "faults"]) { .setFaults($0[0]) },
        Row(method: .DELETE, pattern: ["v1", "devices", "*", "faults"]) { .clearFaults($0[0]) },
        Row(method: .GET, pattern: ["v1", "devices", "*", "capture"]) { .capture($0[0]) },
        Row(method: .PUT, pattern: ["v1", "devices", "*", "capture"]) { .startCapture($0[0]) },
        Row(method: .DELETE, pattern: ["v1", "devices", "*", "capture"]) { .stopCapture($0[0]) },
        Row(method: .POST, pattern: ["v1", "devices", "*", "reset"]) { .resetDevice($0[0]) },
        Row(method: .GET, pattern: ["v1", "devices", "*", "state"]) { .deviceState($0[0]) },
        Row(method: .DELETE, pattern: ["v1", "devices", "*", "state"]) { .forgetDeviceState($0[0]) },
        Row(method: .POST, pattern: ["v1", "reload"]) { _ in .reload },
    ]

    /// Why a request matches no route.
    public enum MatchError: Error, Equatable, Sendable {
        /// No route has this path.
        case notFound
        /// The path exists with other methods.
        case methodNotAllowed(allowed: [Method])
    }

    /// The route of `method` on the percent-decoded path `segments`.
    public static func match(method: String, segments: [String]) throws(MatchError) -> ControlRoute {
        let rows = table.compactMap { row in captures(row.pattern, segments).map { (row, $0) } }
        guard !rows.isEmpty else { throw .notFound }
        guard let (row, captured) = rows.first(where: { $0.0.method.rawValue == method }) else {
            throw .methodNotAllowed(allowed: rows.map(\.0.method))
        }
        return row.make(captured)
    }

    private static func captures(_ pattern: [String], _ segments: [String]) -> [String]? {
        guard pattern.count == segments.count else { return nil }
        var captured: [String] = []
        for (expected, actual) in zip(pattern, segments) {
            if expected == "*" { captured.append(actual) } else if expected != actual { return nil }
        }
        return captured
    }

    public var method: Method {
        switch self {
        case .metrics, .health, .devices, .device, .connections, .sessions, .faults, .capture, .deviceState: return .GET
        case .setMeasurement, .setSlot, .setFaults, .startCapture: return .PUT
        case .clearFaults, .stopCapture, .forgetDeviceState: return .DELETE
        case .resetDevice, .reload: return .POST
        }
    }

    /// The path segments (not yet percent-encoded).
    public var segments: [String] {
        switch self {
        case .metrics: return ["metrics"]
        case .health: return ["v1", "health"]
        case .devices: return ["v1", "devices"]
        case .device(let name): return ["v1", "devices", name]
        case .connections: return ["v1", "connections"]
        case .sessions: return ["v1", "sessions"]
        case let .setMeasurement(device, index): return ["v1", "devices", device, "measurements", index]
        case let .setSlot(device, slot): return ["v1", "devices", device, "slots", slot]
        case .faults(let name), .setFaults(let name), .clearFaults(let name): return ["v1", "devices", name, "faults"]
        case .capture(let name), .startCapture(let name), .stopCapture(let name): return ["v1", "devices", name, "capture"]
        case .resetDevice(let name): return ["v1", "devices", name, "reset"]
        case .deviceState(let name), .forgetDeviceState(let name): return ["v1", "devices", name, "state"]
        case .reload: return ["v1", "reload"]
        }
    }

    /// The request path, each segment percent-encoded (device names may hold any character).
    public var path: String {
        "/" + segments.map(Self.percentEncoded).joined(separator: "/")
    }

    private static func percentEncoded(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

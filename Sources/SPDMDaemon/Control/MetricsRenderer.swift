import Foundation
import SPDMWire

/// The Prometheus text exposition (format 0.0.4) of the daemon's counters.
enum MetricsRenderer {
    static func render(_ daemon: FleetDaemon) -> String {
        let devices = daemon.runtimes.map { (name: $0.name, counters: $0.counters.snapshot) }
        var out = ""
        out.reserveCapacity(4096 + devices.count * 1024)

        header(&out, "spdm_requests_total", "counter", "SPDM requests handled, by device and request code.")
        for device in devices {
            for (code, count) in device.counters.requestsByCode.enumerated() where count > 0 {
                let name = code == 256 ? "SHORT" : RequestCode(rawValue: UInt8(code)).description
                line(&out, "spdm_requests_total", [("device", device.name), ("code", name)], count)
            }
        }
        header(&out, "spdm_errors_total", "counter",
               "SPDM ERROR responses by device and error code; \"framing\" counts connections closed over a bad platform frame.")
        for device in devices {
            for (code, count) in device.counters.errorsByCode.enumerated() where count > 0 {
                line(&out, "spdm_errors_total", [("device", device.name), ("error", ErrorCode(rawValue: UInt8(code)).description)], count)
            }
            if device.counters.framingErrors > 0 {
                line(&out, "spdm_errors_total", [("device", device.name), ("error", "framing")], device.counters.framingErrors)
            }
        }
        header(&out, "spdm_open_connections", "gauge", "Open connections, by device.")
        for device in devices { line(&out, "spdm_open_connections", [("device", device.name)], device.counters.openConnections) }
        header(&out, "spdm_connections_total", "counter", "Accepted connections, by device.")
        for device in devices { line(&out, "spdm_connections_total", [("device", device.name)], device.counters.totalConnections) }
        header(&out, "spdm_connections_refused_total", "counter",
               "Connections accepted and closed at once, by device and reason: device_limit (the device's max_connections), "
               + "daemon_limit (the daemon-wide cap from the open-file limit or [daemon] max_connections), descriptors (accept ran out of descriptors).")
        for device in devices {
            for reason in ConnectionRefusal.allCases where device.counters.refusedConnections[reason.rawValue] > 0 {
                line(&out, "spdm_connections_refused_total", [("device", device.name), ("reason", reason.label)],
                     device.counters.refusedConnections[reason.rawValue])
            }
        }
        header(&out, "spdm_connection_cap", "gauge",
               "Device connections the daemon serves at once (open-file limit less listeners and reserve, or [daemon] max_connections).")
        out += "spdm_connection_cap \(daemon.connectionBudget.cap)\n"
        header(&out, "spdm_frame_timeouts_total", "counter",
               "Connections closed because a partial platform frame got no further byte within [daemon] frame_timeout, by device.")
        for device in devices where device.counters.frameTimeouts > 0 {
            line(&out, "spdm_frame_timeouts_total", [("device", device.name)], device.counters.frameTimeouts)
        }
        header(&out, "spdm_faults_injected_total", "counter", "Faults injected by the device's fault rules, by device and action.")
        for device in devices {
            for (action, count) in device.counters.faultsInjected.sorted(by: { $0.key < $1.key }) {
                line(&out, "spdm_faults_injected_total", [("device", device.name), ("action", action)], count)
            }
        }
        header(&out, "spdm_sessions", "gauge", "Established secure sessions, by device.")
        for device in devices { line(&out, "spdm_sessions", [("device", device.name)], device.counters.openSessions) }
        header(&out, "spdm_sessions_total", "counter", "Secure sessions established, by device.")
        for device in devices { line(&out, "spdm_sessions_total", [("device", device.name)], device.counters.totalSessions) }

        header(&out, "spdm_handshake_seconds", "histogram",
               "Time from GET_VERSION (or KEY_EXCHANGE/PSK_EXCHANGE without one) to a connection's first CHALLENGE_AUTH, signed MEASUREMENTS or established session.")
        for device in devices {
            var cumulative = 0
            for (index, bound) in DeviceCounters.handshakeBuckets.enumerated() {
                cumulative += device.counters.handshakeBuckets[index]
                line(&out, "spdm_handshake_seconds_bucket", [("device", device.name), ("le", format(bound))], cumulative)
            }
            cumulative += device.counters.handshakeBuckets.last!
            line(&out, "spdm_handshake_seconds_bucket", [("device", device.name), ("le", "+Inf")], cumulative)
            out += "spdm_handshake_seconds_sum{device=\"\(escape(device.name))\"} \(format(device.counters.handshakeSum))\n"
            line(&out, "spdm_handshake_seconds_count", [("device", device.name)], device.counters.handshakeCount)
        }

        header(&out, "spdm_devices", "gauge", "Devices running.")
        out += "spdm_devices \(devices.count)\n"
        header(&out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.")
        out += "process_start_time_seconds \(format(daemon.statistics.startTime.timeIntervalSince1970))\n"
        return out
    }

    private static func header(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func line(_ out: inout String, _ name: String, _ labels: [(String, String)], _ value: Int) {
        out += name + "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "} \(value)\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

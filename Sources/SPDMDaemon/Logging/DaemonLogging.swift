import Foundation
import Logging

/// The one place the daemon's logging is set up (swift-log: only the process bootstraps).
public enum DaemonLogging {
    /// Sends every logger to journald (structured SPDM_* fields) or to stderr, at `level`.
    public static func bootstrap(level: Logger.Level, destination: LogDestination) {
        let destination = destination.resolved()
        LoggingSystem.bootstrap { label in
            switch destination {
            case .journal:
                var handler = JournaldLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .stderr, .auto:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    /// Progress of long config work (a fleet's identities on a cold start): a line on stderr, and
    /// STATUS= when a service manager listens. Used before logging is bootstrapped.
    public static func progressReporter() -> @Sendable (String) -> Void {
        let notifier = SystemdNotifier(logger: Logger(label: "spdm-fleetd.progress"))
        return { line in
            FileHandle.standardError.write(Data("spdm-fleetd: \(line)\n".utf8))
            _ = notifier.notify("STATUS=\(line)")
        }
    }
}

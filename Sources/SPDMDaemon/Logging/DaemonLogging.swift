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
}

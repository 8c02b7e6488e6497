import CSystemd
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes structured entries to the systemd journal through
/// sd_journal_sendv(3): MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE, CODE_LINE, CODE_FUNC, and
/// one field per metadata key — `spdm_device` becomes SPDM_DEVICE, `spdm_connection` SPDM_CONNECTION,
/// `spdm_session_id` (or `spdm_session`) SPDM_SESSION_ID, `spdm_request` SPDM_REQUEST, `spdm_version`
/// SPDM_VERSION, `spdm_error` SPDM_ERROR, any other key upper-cased (characters a journal field name
/// cannot hold become `_`). So `journalctl SPDM_DEVICE=gpu0` shows one device's story.
///
/// MESSAGE also carries the metadata as `key=value` pairs, so a plain `journalctl -u spdm-fleetd`
/// reads like the stderr log. When the journal cannot be reached the entry goes to stderr instead.
public struct JournaldLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    public let label: String
    public let syslogIdentifier: String

    public init(label: String, syslogIdentifier: String = "spdm-fleetd",
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.syslogIdentifier = syslogIdentifier
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        let fields = Self.fields(level: event.level, message: event.message.description, metadata: merged,
                                 file: event.file, function: event.function, line: event.line,
                                 syslogIdentifier: syslogIdentifier)
        if Self.send(fields) < 0 {
            let text = fields.first { $0.name == "MESSAGE" }?.value ?? event.message.description
            FileHandle.standardError.write(Data("\(syslogIdentifier): \(event.level): \(text)\n".utf8))
        }
    }

    // MARK: - Fields

    /// The journal fields of one entry, in order (MESSAGE first).
    public static func fields(level: Logger.Level, message: String, metadata: Logger.Metadata,
                              file: String, function: String, line: UInt,
                              syslogIdentifier: String) -> [(name: String, value: String)] {
        let sortedMetadata = metadata.sorted { $0.key < $1.key }
        var text = message
        if !sortedMetadata.isEmpty {
            text += " " + sortedMetadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", text),
            ("PRIORITY", String(priority(level))),
            ("SYSLOG_IDENTIFIER", syslogIdentifier),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
        ]
        var seen = Set(fields.map(\.name))
        for (key, value) in sortedMetadata {
            var name = fieldName(key)
            if seen.contains(name) { name = "SPDM_META_" + name }
            guard seen.insert(name).inserted else { continue }
            fields.append((name, "\(value)"))
        }
        return fields
    }

    /// syslog(3) priorities: trace and debug are LOG_DEBUG.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// A metadata key as a journal field name: upper case letters, digits and `_`, not starting with
    /// `_` or a digit (names starting with `_` are the journal's trusted fields), at most 64 bytes.
    public static func fieldName(_ key: String) -> String {
        if key == "spdm_session" { return "SPDM_SESSION_ID" }
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            let value = scalar.value
            let ok = (value >= 0x41 && value <= 0x5A) || (value >= 0x30 && value <= 0x39) || value == 0x5F
            return ok ? Character(scalar) : "_"
        })
        if name.isEmpty || name.first == "_" || name.first!.isNumber { name = "X" + name }
        return String(name.prefix(64))
    }

    // MARK: - Sending

    /// Sends the fields as one entry; returns sd_journal_sendv's result (negative errno on failure).
    static func send(_ fields: [(name: String, value: String)]) -> CInt {
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = buffer.count
            buffer += Array(field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer += Array(field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        return buffer.withUnsafeMutableBytes { bytes -> CInt in
            let base = bytes.baseAddress!
            var vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeMutableBufferPointer { sd_journal_sendv($0.baseAddress, CInt($0.count)) }
        }
    }
}

/// Where the daemon's log goes: `--log-format journal|stderr|auto`.
public enum LogDestination: String, Sendable, CaseIterable {
    case journal, stderr, auto

    /// `auto` resolved: the journal when stderr is connected to it (JOURNAL_STREAM names stderr's
    /// device and inode, as systemd sets it for StandardError=journal), stderr otherwise.
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogDestination {
        switch self {
        case .journal, .stderr: return self
        case .auto: return Self.stderrIsJournalStream(environment: environment) ? .journal : .stderr
        }
    }

    /// The standard check (sd_journal_stream_fd(3)): JOURNAL_STREAM is "<st_dev>:<st_ino>" of stderr.
    public static func stderrIsJournalStream(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}

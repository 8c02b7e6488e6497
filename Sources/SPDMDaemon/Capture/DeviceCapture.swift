import Foundation
import NIOConcurrencyHelpers
import SPDMTransport

/// A device's packet capture: every NORMAL frame its connections receive and send, in one pcap
/// file (PcapFormat), started from the config (`capture = "..."`) or at runtime through the control
/// API (`spdmctl capture start|stop|status`). Each record is one write(2), so a file cut short by a
/// crash ends at a record boundary or inside the last record only; nothing is buffered in the daemon.
///
/// Frames of all the device's connections go into the same file in the order they pass; a capture
/// that is off costs one lock per frame.
final class DeviceCapture: Sendable {
    let transport: TransportType

    /// What a running capture reports.
    struct Status: Sendable, Hashable {
        var path: String
        var linkType: UInt32
        var packets: Int
        var bytes: Int
        var started: Date
    }

    private struct Open: Sendable {
        var descriptor: Int32
        var status: Status
    }

    enum Failure: Error, CustomStringConvertible {
        case noLinkType(TransportType)
        case cannotOpen(String, Int32)
        case writeFailed(String, Int32)
        case notAbsolute(String)

        var description: String {
            switch self {
            case .noLinkType(let transport):
                return "a \(transport) device cannot be captured: pcap has link types for MCTP and PCI-DOE only"
            case let .cannotOpen(path, code): return "cannot open \(path): \(String(cString: strerror(code)))"
            case let .writeFailed(path, code): return "capture ended: writing \(path) failed: \(String(cString: strerror(code)))"
            case .notAbsolute(let path): return "the capture path must be absolute, got '\(path)'"
            }
        }
    }

    private let state = NIOLockedValueBox<Open?>(nil)

    init(transport: TransportType) {
        self.transport = transport
    }

    deinit {
        if let open = state.withLockedValue({ $0 }) { close(open.descriptor) }
    }

    var status: Status? { state.withLockedValue { $0?.status } }

    /// Starts capturing into `path` (created or truncated, mode 0640), ending a capture in progress.
    func start(path: String) throws {
        guard path.hasPrefix("/") else { throw Failure.notAbsolute(path) }
        guard let linkType = PcapFormat.linkType(transport) else { throw Failure.noLinkType(transport) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else { throw Failure.cannotOpen(path, errno) }
        let header = PcapFormat.globalHeader(linkType: linkType)
        guard writeAll(descriptor, header) else {
            let code = errno
            close(descriptor)
            throw Failure.cannotOpen(path, code)
        }
        let previous = state.withLockedValue { current -> Open? in
            defer {
                current = Open(descriptor: descriptor, status: Status(path: path, linkType: linkType, packets: 0,
                                                                       bytes: header.count, started: Date()))
            }
            return current
        }
        if let previous { close(previous.descriptor) }
    }

    /// Ends the capture in progress and returns what it wrote (nil when none was running).
    @discardableResult
    func stop() -> Status? {
        guard let open = state.withLockedValue({ current -> Open? in defer { current = nil }; return current }) else { return nil }
        close(open.descriptor)
        return open.status
    }

    /// Records one NORMAL frame payload. A write that fails ends the capture (a full disk must not
    /// fill the log with one error per frame); the failure is returned once for the caller to log.
    func record(_ message: [UInt8]) -> Failure? {
        state.withLockedValue { current -> Failure? in
            guard var open = current else { return nil }
            var now = timeval()
            gettimeofday(&now, nil)
            let bytes = PcapFormat.record(message, transport: transport, seconds: UInt32(truncatingIfNeeded: now.tv_sec),
                                          microseconds: UInt32(truncatingIfNeeded: now.tv_usec))
            guard writeAll(open.descriptor, bytes) else {
                let failure = Failure.writeFailed(open.status.path, errno)
                close(open.descriptor)
                current = nil
                return failure
            }
            open.status.packets += 1
            open.status.bytes += bytes.count
            current = open
            return nil
        }
    }

    private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += result
        }
        return true
    }
}

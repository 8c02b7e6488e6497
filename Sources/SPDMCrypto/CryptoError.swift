import COpenSSL

/// An error from the crypto layer. `openSSLErrors` carries OpenSSL's error queue (oldest first),
/// drained at the moment the error was created so that it never leaks into a later operation.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let openSSLErrors: [String]

    public init(_ message: String, openSSLErrors: [String] = []) {
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        openSSLErrors.isEmpty ? message : "\(message) [\(openSSLErrors.joined(separator: "; "))]"
    }

    /// Builds an error from `message` and whatever is on OpenSSL's error queue (clearing it).
    static func openSSL(_ message: String) -> CryptoError {
        CryptoError(message, openSSLErrors: OpenSSLErrorQueue.drain())
    }
}

/// OpenSSL's per-thread error queue.
enum OpenSSLErrorQueue {
    /// Removes and returns every queued error as a human-readable line.
    static func drain() -> [String] {
        var lines: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return lines
    }

    /// Discards queued errors (used where a failure is an expected answer, e.g. a bad signature).
    static func clear() { ERR_clear_error() }
}

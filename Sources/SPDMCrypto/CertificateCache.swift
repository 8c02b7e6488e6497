import Foundation

/// Certificates already decoded, by their exact DER bytes, for a requester that verifies the same
/// chains again and again (`spdmctl load`: every flow fetches the device's chain anew).
///
/// Only the DER → X509 decoding is reused, and only for byte-identical certificates: a chain's
/// bytes are still split, hashed and compared, and every signature of it is still verified on
/// every flow. OpenSSL 3 decodes the SubjectPublicKeyInfo of each certificate through its provider
/// decoders, which costs more than verifying a P-256 signature.
///
/// Bounded: once `capacity` certificates are held the cache starts over. Safe to share between
/// threads (an X509 object may be read by several threads at once).
public final class CertificateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var certificates: [[UInt8]: Certificate] = [:]
    private let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// The certificate `der` decodes to, decoded now or earlier (errors as `Certificate(der:)`).
    public func certificate(der: [UInt8]) throws -> Certificate {
        lock.lock()
        let known = certificates[der]
        lock.unlock()
        if let known { return known }
        let parsed = try Certificate(der: der)
        lock.lock()
        defer { lock.unlock() }
        if certificates.count >= capacity { certificates.removeAll(keepingCapacity: true) }
        certificates[der] = parsed
        return parsed
    }

    /// How many certificates are held.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return certificates.count
    }
}

import COpenSSL
import Foundation

/// Verifies SPDM certificate chains (DSP0274 "Certificate chain format": root first, leaf last).
public enum ChainVerifier {
    public struct Options: Sendable {
        /// Check every certificate's notBefore/notAfter at this time; nil: validity is not checked
        /// (libspdm's default: devices often lack a clock). This module reads no clock: the caller
        /// that has one (spdmctl, the daemon) passes the time in.
        public var validAt: Date?
        /// Tolerate critical extensions OpenSSL does not know (e.g. DICE TCB info in alias chains).
        public var ignoreUnknownCriticalExtensions: Bool

        public init(validAt: Date? = nil, ignoreUnknownCriticalExtensions: Bool = true) {
            self.validAt = validAt
            self.ignoreUnknownCriticalExtensions = ignoreUnknownCriticalExtensions
        }
    }

    /// `chain` is root-first (SPDM order). Verifies each signature in the given order, CA constraints
    /// (cA and pathLenConstraint), validity at `options.validAt`, and that chain[0] is one of `trustedRoots` (byte equal)
    /// or is issued by one of them. Throws a `CryptoError` naming the failing certificate.
    public static func verify(chain: [Certificate], trustedRoots: [Certificate]) throws {
        try verify(chain: chain, trustedRoots: trustedRoots, options: Options())
    }

    public static func verify(chain: [Certificate], trustedRoots: [Certificate], options: Options) throws {
        guard !chain.isEmpty else { throw CryptoError("empty certificate chain") }
        let now = options.validAt

        // 1. Anchor: chain[0] is a trusted root itself, or is signed by one.
        if !trustedRoots.contains(chain[0]) {
            guard let root = trustedRoots.first(where: { issues($0, chain[0], options: options) }) else {
                throw CryptoError("certificate 0 (\(chain[0].subject)) is neither a trusted root nor issued by one")
            }
            try checkValidity(root, label: "trusted root (\(root.subject))", at: now, options: options)
        }
        // (A byte-equal trusted anchor need not be self-signed, as with X509_V_FLAG_PARTIAL_CHAIN.)

        // 2. Every link, in the given order.
        for index in chain.indices {
            let certificate = chain[index]
            let label = "certificate \(index) (\(certificate.subject))"
            try checkValidity(certificate, label: label, at: now, options: options)
            if index > 0 {
                let parent = chain[index - 1]
                guard issues(parent, certificate, options: options) else {
                    throw CryptoError("\(label) is not issued by certificate \(index - 1) (\(parent.subject))",
                                      openSSLErrors: OpenSSLErrorQueue.drain())
                }
            }
            if index < chain.count - 1 {
                guard certificate.isCA else { throw CryptoError("\(label) issues certificate \(index + 1) but is not a CA") }
                // CAs below this one, excluding the leaf.
                let casBelow = chain.count - index - 2
                if let limit = certificate.pathLengthConstraint, casBelow > limit {
                    throw CryptoError("\(label) has pathLenConstraint \(limit) but \(casBelow) CA certificates follow it")
                }
            }
        }
    }

    /// True when `issuer` issued `subject`: names and key identifiers match, issuer may sign
    /// certificates, and the signature verifies. Checked with OpenSSL treating `issuer` as the trust
    /// anchor of a two-certificate path, as libspdm does link by link; ML-DSA signatures, which
    /// OpenSSL 3.0 does not know, are checked the same way by `MLDSACertificateVerifier`.
    static func issues(_ issuer: Certificate, _ subject: Certificate, options: Options) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        if let fields = subject.postQuantumSignature {
            return MLDSACertificateVerifier.issued(subject, by: issuer, fields: fields,
                                                   ignoreUnknownCriticalExtensions: options.ignoreUnknownCriticalExtensions)
        }
        guard X509_check_issued(issuer.handle.x509, subject.handle.x509) == X509_V_OK else { return false }
        guard let store = X509_STORE_new() else { return false }
        defer { X509_STORE_free(store) }
        guard X509_STORE_add_cert(store, issuer.handle.x509) == 1 else { return false }
        var flags = UInt(X509_V_FLAG_PARTIAL_CHAIN) | UInt(X509_V_FLAG_NO_CHECK_TIME)
        if options.ignoreUnknownCriticalExtensions { flags |= UInt(X509_V_FLAG_IGNORE_CRITICAL) }
        X509_STORE_set_flags(store, flags)
        guard let context = X509_STORE_CTX_new() else { return false }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, subject.handle.x509, nil) == 1 else { return false }
        return X509_verify_cert(context) == 1
    }

    private static func checkValidity(_ certificate: Certificate, label: String, at time: Date?, options: Options) throws {
        guard let time else { return }
        if time < certificate.notBefore {
            throw CryptoError("\(label) is not valid before \(certificate.notBefore)")
        }
        if time > certificate.notAfter {
            throw CryptoError("\(label) expired at \(certificate.notAfter)")
        }
    }
}

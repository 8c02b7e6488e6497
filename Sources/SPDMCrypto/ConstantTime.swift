import COpenSSL

/// Compares two byte strings without data-dependent timing (the length is not secret).
/// Use for MACs, verify data (DSP0274 FINISH / PSK_FINISH RequesterVerifyData) and any secret.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, pa.count) == 0 }
    }
}

/// Overwrites every byte of `bytes` with zero (OPENSSL_cleanse, which the optimizer may not elide).
/// The count is kept. Note that copies made earlier (value semantics) are not reached.
public func secureZero(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress, buffer.count > 0 { OPENSSL_cleanse(base, buffer.count) }
    }
}

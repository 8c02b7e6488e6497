import COpenSSL

/// One-shot hashing.
public enum Digest {
    /// Returns `algorithm(data)`.
    public static func hash(_ algorithm: HashAlgorithm, _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.digestSize)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &out, &length, algorithm.evpMD, nil)
        }
        precondition(ok == 1 && Int(length) == algorithm.digestSize,
                     "EVP_Digest(\(algorithm)) failed: \(OpenSSLErrorQueue.drain())")
        return out
    }
}

extension Digest {
    /// SHAKE256(data) with `outputSize` bytes of output (FIPS 202), for the ML-DSA key checks.
    static func shake256(_ data: [UInt8], outputSize: Int) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: outputSize)
        let ok = data.withUnsafeBytes { input in
            EVP_DigestInit_ex(context, EVP_shake256(), nil) == 1
                && EVP_DigestUpdate(context, input.baseAddress, input.count) == 1
                && EVP_DigestFinalXOF(context, &out, outputSize) == 1
        }
        precondition(ok, "SHAKE256 failed: \(OpenSSLErrorQueue.drain())")
        return out
    }
}

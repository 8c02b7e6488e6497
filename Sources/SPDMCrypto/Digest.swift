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

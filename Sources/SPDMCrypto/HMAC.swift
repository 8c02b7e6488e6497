import COpenSSL

/// HMAC (RFC 2104) over any SPDM hash; used by the key schedule's finished_key / verify data
/// (DSP0274 "FINISH", DSP0277 key schedule).
public enum HMAC {
    public static func authenticate(_ algorithm: HashAlgorithm, key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.digestSize)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { dataBytes in
                // OpenSSL rejects a NULL key pointer even for an empty key; point at a dummy byte.
                withUnsafeBytes(of: UInt8(0)) { dummy in
                    COpenSSL.HMAC(algorithm.evpMD,
                                  keyBytes.count == 0 ? dummy.baseAddress : keyBytes.baseAddress,
                                  Int32(keyBytes.count),
                                  dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                  dataBytes.count, &out, &length)
                }
            }
        }
        precondition(result != nil && Int(length) == algorithm.digestSize,
                     "HMAC(\(algorithm)) failed: \(OpenSSLErrorQueue.drain())")
        return out
    }

    /// Verifies `mac` in constant time.
    public static func isValid(_ algorithm: HashAlgorithm, key: [UInt8], data: [UInt8], mac: [UInt8]) -> Bool {
        constantTimeEquals(authenticate(algorithm, key: key, data: data), mac)
    }
}

import COpenSSL

/// HKDF (RFC 5869) as SPDM's key schedule uses it (DSP0274 "Key schedule", DSP0277):
/// HKDF-Extract for handshake/master secrets and HKDF-Expand for BinConcat-labelled keys.
public enum HKDF {
    /// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM). An empty salt means HashLen zero bytes.
    public static func extract(_ algorithm: HashAlgorithm, salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
        // HMAC pads a short key with zeros, so an empty salt equals HashLen zeros (RFC 5869 §2.2).
        run(algorithm, mode: "EXTRACT_ONLY", outputCount: algorithm.digestSize) { params in
            params.octets("salt", salt)
            params.octets("key", inputKeyMaterial)
        }
    }

    /// HKDF-Expand(PRK, info, L). `outputCount` must be at most 255 * HashLen.
    public static func expand(_ algorithm: HashAlgorithm, pseudoRandomKey: [UInt8], info: [UInt8], outputCount: Int) -> [UInt8] {
        precondition(outputCount > 0 && outputCount <= 255 * algorithm.digestSize,
                     "HKDF-Expand length \(outputCount) out of range")
        return run(algorithm, mode: "EXPAND_ONLY", outputCount: outputCount) { params in
            params.octets("key", pseudoRandomKey)
            params.octets("info", info)
        }
    }

    private static func run(_ algorithm: HashAlgorithm, mode: String, outputCount: Int,
                            _ configure: (OSSLParams) -> Void) -> [UInt8] {
        let context = KDFContext(name: "HKDF")
        let params = OSSLParams()
        params.utf8("digest", algorithm.openSSLName)
        params.utf8("mode", mode)
        configure(params)
        var out = [UInt8](repeating: 0, count: outputCount)
        let ok = params.withParams { EVP_KDF_derive(context.ctx, &out, outputCount, $0) }
        precondition(ok == 1, "HKDF \(mode) (\(algorithm)) failed: \(OpenSSLErrorQueue.drain())")
        return out
    }
}

/// Owns an `EVP_KDF_CTX` (and the fetched `EVP_KDF`).
final class KDFContext {
    let ctx: OpaquePointer

    init(name: String) {
        guard let kdf = EVP_KDF_fetch(nil, name, nil) else {
            preconditionFailure("EVP_KDF_fetch(\(name)) failed: \(OpenSSLErrorQueue.drain())")
        }
        defer { EVP_KDF_free(kdf) }
        guard let ctx = EVP_KDF_CTX_new(kdf) else { preconditionFailure("EVP_KDF_CTX_new failed") }
        self.ctx = ctx
    }

    deinit { EVP_KDF_CTX_free(ctx) }
}

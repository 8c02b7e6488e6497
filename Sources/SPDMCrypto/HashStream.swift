import COpenSSL

/// Incremental hash with value semantics, e.g. for SPDM transcripts (DSP0274 "message transcript"
/// M1/M2, L1/L2, TH). Copies are cheap and independent (copy-on-write of the OpenSSL context);
/// `finalize()` does not consume the stream, so a transcript hash can be taken mid-stream and the
/// stream extended afterwards.
public struct HashStream: Sendable {
    public let algorithm: HashAlgorithm
    private var context: DigestContext

    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        self.context = DigestContext(algorithm)
    }

    public mutating func update(_ data: [UInt8]) {
        if !isKnownUniquelyReferenced(&context) {
            context = context.copy()
        }
        context.update(data)
    }

    /// The digest of everything fed so far; the stream stays usable.
    public func finalize() -> [UInt8] {
        context.copy().finish(size: algorithm.digestSize)
    }

    /// An independent copy (value copies already are; this is for readability at call sites).
    public func copy() -> HashStream { self }
}

/// Owns one `EVP_MD_CTX`. Never shared mutably: `HashStream` copies it before writing when shared.
final class DigestContext: @unchecked Sendable {
    private let ctx: OpaquePointer

    init(_ algorithm: HashAlgorithm) {
        guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, algorithm.evpMD, nil) == 1 else {
            preconditionFailure("EVP_DigestInit_ex(\(algorithm)) failed: \(OpenSSLErrorQueue.drain())")
        }
        self.ctx = ctx
    }

    private init(copying other: OpaquePointer) {
        guard let ctx = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(ctx, other) == 1 else {
            preconditionFailure("EVP_MD_CTX_copy_ex failed: \(OpenSSLErrorQueue.drain())")
        }
        self.ctx = ctx
    }

    deinit { EVP_MD_CTX_free(ctx) }

    func copy() -> DigestContext { DigestContext(copying: ctx) }

    func update(_ data: [UInt8]) {
        let ok = data.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        precondition(ok == 1, "EVP_DigestUpdate failed")
    }

    /// Finalizes this context (call only on a private copy).
    func finish(size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let ok = EVP_DigestFinal_ex(ctx, &out, &length)
        precondition(ok == 1 && Int(length) == size, "EVP_DigestFinal_ex failed")
        return out
    }
}

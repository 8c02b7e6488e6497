import COpenSSL

/// Builds an `OSSL_PARAM` array whose keys and values live in memory this object owns.
/// Value buffers are cleansed before they are freed (they may hold key material, e.g. HKDF input).
final class OSSLParams {
    private var allocations: [(UnsafeMutableRawPointer, Int)] = []
    private var params: [OSSL_PARAM] = []

    deinit {
        for (pointer, size) in allocations {
            OPENSSL_cleanse(pointer, size)
            pointer.deallocate()
        }
    }

    private func copy(_ bytes: [UInt8], extraZero: Bool = false) -> (UnsafeMutableRawPointer, Int) {
        let size = bytes.count + (extraZero ? 1 : 0)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 8)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 1))
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: bytes.count) }
        }
        allocations.append((pointer, max(size, 1)))
        return (pointer, bytes.count)
    }

    private func key(_ name: String) -> UnsafePointer<CChar> {
        let (pointer, _) = copy(Array(name.utf8), extraZero: true)
        return UnsafePointer(pointer.assumingMemoryBound(to: CChar.self))
    }

    var isEmpty: Bool { params.isEmpty }

    func utf8(_ name: String, _ value: String) {
        let (pointer, length) = copy(Array(value.utf8), extraZero: true)
        params.append(OSSL_PARAM_construct_utf8_string(key(name), pointer.assumingMemoryBound(to: CChar.self), length))
    }

    func octets(_ name: String, _ value: [UInt8]) {
        let (pointer, length) = copy(value)
        params.append(OSSL_PARAM_construct_octet_string(key(name), pointer, length))
    }

    func int(_ name: String, _ value: Int32) {
        let (pointer, _) = copy(withUnsafeBytes(of: value) { Array($0) })
        params.append(OSSL_PARAM_construct_int(key(name), pointer.assumingMemoryBound(to: Int32.self)))
    }

    /// Calls `body` with a terminated `OSSL_PARAM` array, valid only during the call.
    func withParams<R>(_ body: (UnsafeMutablePointer<OSSL_PARAM>) throws -> R) rethrows -> R {
        var terminated = params
        terminated.append(OSSL_PARAM_construct_end())
        return try terminated.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

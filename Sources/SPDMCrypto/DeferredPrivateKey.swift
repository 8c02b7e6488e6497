import Foundation

/// A private key held as its PEM text until it is first used (a signature, its public key, its
/// PKCS#8 form), then decoded once. A daemon starting thousands of devices whose keys were checked
/// on an earlier start (SPDMDevice's identity records) decodes only the keys of devices that are
/// asked to sign, and an idle device holds a few hundred bytes of text instead of an OpenSSL key.
final class DeferredPrivateKey: @unchecked Sendable {
    /// What the text decodes to, as the caller vouched (checked again when it is decoded).
    let keyType: KeyType
    private let lock = NSLock()
    private var pem: [UInt8]
    private var decoded: PKeyHandle?
    private var failed = false

    init(pem: [UInt8], keyType: KeyType) {
        self.pem = pem
        self.keyType = keyType
    }

    deinit { secureZero(&pem) }

    /// The decoded key; nil when the text does not decode to a key of `keyType` (then never retried).
    var handle: PKeyHandle? {
        lock.lock()
        defer { lock.unlock() }
        if let decoded { return decoded }
        guard !failed else { return nil }
        if let handle = (try? PrivateKey(pem: String(decoding: pem, as: UTF8.self)))?.handle, handle.keyType == keyType {
            decoded = handle
        } else {
            failed = true
        }
        secureZero(&pem)
        pem = []
        return decoded
    }
}

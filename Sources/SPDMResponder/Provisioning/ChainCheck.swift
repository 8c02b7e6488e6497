import SPDMCrypto
import SPDMWire

/// What SET_CERTIFICATE checks of the chain it is to install (DSP0274 §10.23, Table "Certificate
/// chain format"), in libspdm's error classes: a malformed chain header is InvalidRequest, a chain
/// whose certificates do not parse or verify is Unspecified.
enum ChainCheck {
    struct Accepted {
        var certificates: [Certificate]
        var certificatesDER: [UInt8]
        var root: Certificate
    }

    /// `spdmChain` is Length (2) | Reserved (2) | RootHash (H) | certificates; bytes after Length are
    /// not part of it. The first certificate must be the self-signed root whose hash RootHash is
    /// (only then can the chain be verified, and served later under any hash algorithm); every
    /// certificate must parse and each must issue the next. CertModel DeviceCert wants a leaf that
    /// is not a CA, AliasCert a chain that ends at a CA (the device certificate CA).
    static func check(_ spdmChain: [UInt8], hash: HashAlgorithm, model: CertificateModel) throws -> Accepted {
        let hashSize = hash.digestSize
        guard spdmChain.count >= 4 + hashSize else {
            throw ResponderError.invalidRequest("CertChain of \(spdmChain.count) bytes has no room for its header and RootHash")
        }
        let length = Int(spdmChain[0]) | Int(spdmChain[1]) << 8
        guard length >= 4 + hashSize else { throw ResponderError.invalidRequest("CertChain Length \(length) is below the header size") }
        guard length <= spdmChain.count else {
            throw ResponderError.invalidRequest("CertChain Length \(length) exceeds the \(spdmChain.count) bytes sent")
        }
        let rootHash = Array(spdmChain[4..<4 + hashSize])
        let der = Array(spdmChain[(4 + hashSize)..<length])
        let certificates: [Certificate]
        do { certificates = try Certificate.parseConcatenatedDER(der) } catch {
            throw ResponderError.unspecified("CertChain certificates do not parse: \(error)")
        }
        guard let root = certificates.first, let leaf = certificates.last else {
            throw ResponderError.unspecified("CertChain holds no certificate")
        }
        guard root.isSelfSigned else {
            throw ResponderError.unspecified("CertChain does not start with its self-signed root (\(root.subject))")
        }
        guard Digest.hash(hash, root.der) == rootHash else {
            throw ResponderError.invalidRequest("RootHash is not the hash of the chain's root certificate")
        }
        do {
            try ChainVerifier.verify(chain: certificates, trustedRoots: [root], options: .init(validAt: nil))
        } catch {
            throw ResponderError.unspecified("CertChain does not verify up to its root: \(error)")
        }
        switch model {
        case .deviceCert where leaf.isCA || certificates.count < 2:
            throw ResponderError.unspecified("a DeviceCert chain ends with a device certificate, not a CA")
        case .aliasCert where !leaf.isCA:
            throw ResponderError.unspecified("an AliasCert chain ends with the device certificate CA")
        default:
            break
        }
        return Accepted(certificates: certificates, certificatesDER: der, root: root)
    }
}

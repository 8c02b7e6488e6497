import Foundation
import SPDMCrypto
import SPDMResponder

/// A certificate slot's material — the chain, the leaf's private key and the root its RootHash
/// names — parsed and checked in one place for the config (`[[device.slot]]` chain and key files),
/// the control API (PUT /v1/devices/{name}/slots/{id}) and the state store (slot<N>.override.pem).
/// Callers say where the bytes came from: the config names the file and key, the control API
/// answers 400 naming the JSON field.
///
/// The checks: the chain holds a certificate; it is sent root end first (DSP0274 §10.7.1), so a
/// leaf-first bundle is reversed; the key belongs to the leaf; the root is the one given or the
/// chain's first certificate, which must then be self-signed; the chain verifies up to that root
/// (dates are not checked: an emulator may serve an expired chain on purpose).
public enum SlotMaterial {
    /// Why the material was refused, and which part of it.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public enum Part: String, Sendable { case chain, key, root }
        public enum Kind: Sendable, Equatable {
            case unreadable, noCertificate, keyMismatch, rootMissing, doesNotVerify
        }

        public var part: Part
        public var kind: Kind
        /// Reads after the name of the part's source ("<file>: <message>").
        public var message: String
        public var description: String { message }
    }

    /// The slot made of `chain` (root first or leaf first), the leaf's `key` and, when the chain
    /// does not start with a self-signed root, the `root` it chains up to.
    public static func slot(id: UInt8, chain: [Certificate], key: PrivateKey, root: Certificate?,
                            model: UInt8) throws(Problem) -> CertificateSlot {
        guard let first = chain.first, let last = chain.last else {
            throw Problem(part: .chain, kind: .noCertificate, message: "holds no certificate")
        }
        let ordered = !first.isCA && last.isCA ? Array(chain.reversed()) : chain
        let leaf = ordered[ordered.count - 1]
        let leafKey: PublicKey
        do {
            leafKey = try leaf.subjectPublicKey()
        } catch {
            throw Problem(part: .chain, kind: .unreadable, message: "has a leaf certificate whose public key is not usable (\(leaf.subject)): \(error)")
        }
        guard key.publicKey.subjectPublicKeyInfoDER == leafKey.subjectPublicKeyInfoDER else {
            throw Problem(part: .key, kind: .keyMismatch, message: "the key does not belong to the leaf certificate (\(leaf.subject))")
        }
        let trusted = root ?? ordered[0]
        if root == nil && !trusted.isSelfSigned {
            throw Problem(part: .root, kind: .rootMissing, message: "the chain does not start with a self-signed root")
        }
        do {
            try ChainVerifier.verify(chain: ordered, trustedRoots: [trusted], options: .init(validAt: nil))
        } catch {
            throw Problem(part: .chain, kind: .doesNotVerify, message: "does not verify: \(error)")
        }
        return CertificateSlot(id: id, certificatesDER: ordered.flatMap(\.der), rootCertificateDER: trusted.der,
                               privateKey: key, certificateModel: model)
    }

    /// The slot made of the bytes of a chain and a root (each DER certificates back to back or a
    /// PEM bundle) and the PEM text holding the leaf's key.
    public static func slot(id: UInt8, chain: [UInt8], keyPEM: String, root: [UInt8]?, model: UInt8) throws(Problem) -> CertificateSlot {
        let certificates = try Self.certificates(chain, part: .chain)
        let key = try privateKey(keyPEM)
        let trusted = try root.map { (bytes) throws(Problem) in try Self.certificates(bytes, part: .root)[0] }
        return try slot(id: id, chain: certificates, key: key, root: trusted, model: model)
    }

    /// The certificates of `bytes`: DER certificates back to back, or a PEM bundle (other PEM
    /// blocks, such as a private key, are skipped).
    public static func certificates(_ bytes: [UInt8], part: Problem.Part) throws(Problem) -> [Certificate] {
        let certificates: [Certificate]
        do {
            if bytes.first == 0x30 {
                certificates = try Certificate.parseConcatenatedDER(bytes)
            } else {
                certificates = try Certificate.parsePEMBundle(String(decoding: bytes, as: UTF8.self))
            }
        } catch {
            throw Problem(part: part, kind: .unreadable, message: "is neither DER certificates back to back nor a PEM bundle: \(error)")
        }
        guard !certificates.isEmpty else { throw Problem(part: part, kind: .noCertificate, message: "holds no certificate") }
        return certificates
    }

    /// The first PEM private key of `text` (other blocks, such as certificates, are skipped).
    public static func privateKey(_ text: String) throws(Problem) -> PrivateKey {
        guard let block = pemBlock(text, containing: "PRIVATE KEY") else {
            throw Problem(part: .key, kind: .unreadable, message: "holds no PEM private key")
        }
        do {
            return try PrivateKey(pem: block)
        } catch {
            throw Problem(part: .key, kind: .unreadable, message: "is not a PEM private key: \(error)")
        }
    }

    /// The first "-----BEGIN ...<label>-----" block of `text`, with its END line.
    public static func pemBlock(_ text: String, containing label: String) -> String? {
        var remaining = Substring(text)
        while let begin = remaining.range(of: "-----BEGIN ") {
            guard let headerEnd = remaining.range(of: "-----", range: begin.upperBound..<remaining.endIndex) else { return nil }
            let name = remaining[begin.upperBound..<headerEnd.lowerBound]
            guard let end = remaining.range(of: "-----END \(name)-----", range: headerEnd.upperBound..<remaining.endIndex) else { return nil }
            if name.hasSuffix(label) { return String(remaining[begin.lowerBound..<end.upperBound]) + "\n" }
            remaining = remaining[end.upperBound...]
        }
        return nil
    }

    /// The PEM text the state store keeps for a slot: its chain (root first) then its key.
    public static func pem(chainDER: [UInt8], keyPEM: String) throws -> String {
        let chain = try Certificate.parseConcatenatedDER(chainDER).map(\.pem).joined()
        let key = pemBlock(keyPEM, containing: "PRIVATE KEY") ?? keyPEM
        return chain + key.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }
}

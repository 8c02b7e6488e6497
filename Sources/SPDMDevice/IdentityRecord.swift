import Foundation
import SPDMCrypto

/// What a full check of a stored device leaf established, recorded beside it
/// (`<state>/devices/<device>/slot<N>.identity`) so that later starts need not repeat it.
///
/// The full check (DeviceIdentityStore) parses the key and the leaf, compares the leaf's subject key
/// with the key, and verifies the chain root → intermediate → leaf with every validity period at
/// the current time: about a millisecond of OpenSSL work per device, most of a cached start of a
/// 10,000-device fleet. The record holds a SHA-256 digest over exactly the bytes that check covered
/// — the algorithm's name, the key file, the leaf's DER and the CA's intermediate and root DER — and
/// the validity window all three certificates share. A later start that finds the same bytes (the
/// digest matches) at a time inside the window knows the check would pass again: the check is a
/// function of those bytes and of the time alone. Any change — a rewritten or torn key or leaf, a
/// new CA, another algorithm — changes the digest and the full check runs again (and a leaf that
/// fails it is made anew, as before). The record gives no one new power: it lives in the same
/// owner-only directory as the private key, and whoever can write it can replace the key itself.
struct IdentityRecord: Equatable {
    /// SHA-256 over the checked bytes (`digest(...)`).
    var digest: [UInt8]
    /// The latest notBefore and earliest notAfter of root, intermediate and leaf, in Unix seconds.
    var validFrom: Int64
    var validUntil: Int64

    private static let header = "spdm-fleetd identity record 1"

    /// The digest over what the full check covers, each field length-prefixed so that no two
    /// different inputs run together into the same bytes.
    static func digest(algorithm: SigningAlgorithm, key: [UInt8], leaf: [UInt8], authority: CertificateAuthority) -> [UInt8] {
        var input: [UInt8] = []
        input.reserveCapacity(key.count + leaf.count + authority.intermediate.der.count + authority.root.der.count + 64)
        for field in [Array(algorithm.description.utf8), key, leaf, authority.intermediate.der, authority.root.der] {
            let length = UInt32(truncatingIfNeeded: field.count)
            input += [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                      UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            input += field
        }
        return Digest.hash(.sha256, input)
    }

    /// The record for a leaf that just passed the full check (or was just made) under `authority`.
    init(digest: [UInt8], leaf: Certificate, authority: CertificateAuthority) {
        let chain = [authority.root, authority.intermediate, leaf]
        self.digest = digest
        validFrom = Int64((chain.map(\.notBefore.timeIntervalSince1970).max() ?? 0).rounded(.up))
        validUntil = Int64((chain.map(\.notAfter.timeIntervalSince1970).min() ?? 0).rounded(.down))
    }

    /// True when this record vouches for bytes whose digest is `digest`, at `time`.
    func vouches(for digest: [UInt8], at time: Date) -> Bool {
        let now = time.timeIntervalSince1970
        return self.digest == digest && Double(validFrom) <= now && now <= Double(validUntil)
    }

    /// The file's text: a header line, then `sha256 <hex>` and `valid <from> <until>`.
    var encoded: [UInt8] {
        Array("\(Self.header)\nsha256 \(digest.spdmHex)\nvalid \(validFrom) \(validUntil)\n".utf8)
    }

    /// Parses `encoded`; nil for anything else (a torn or foreign file: the full check runs).
    init?(encoded bytes: [UInt8]) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard lines.count == 3, lines[0] == Self.header else { return nil }
        let digestFields = lines[1].split(separator: " ")
        let validFields = lines[2].split(separator: " ")
        guard digestFields.count == 2, digestFields[0] == "sha256", let digest = [UInt8](spdmHex: String(digestFields[1])),
              digest.count == 32, validFields.count == 3, validFields[0] == "valid",
              let from = Int64(validFields[1]), let until = Int64(validFields[2]) else { return nil }
        self.digest = digest
        validFrom = from
        validUntil = until
    }
}

import ArgumentParser
import SPDMCore
import SPDMRequester
import SPDMWire

/// `--asym`: the signature algorithms NEGOTIATE_ALGORITHMS offers, spdm-emu names, repeatable or
/// comma separated. Classic names (ECDSA_P384, RSAPSS_3072, ...) go to BaseAsymAlgo; ML-DSA names
/// (ML_DSA_65, ML_DSA_87) to the SPDM 1.4 PqcAsymAlgo field, which is sent only at 1.4. None given:
/// every algorithm of both, and the responder's PQC-first policy decides between them.
struct SignatureOffer: Equatable {
    var baseAsym: BaseAsymAlgorithms
    var pqcAsym: PQCAsymAlgorithms

    static let all = SignatureOffer(baseAsym: RequesterConfiguration.allAsym, pqcAsym: RequesterConfiguration.allPQCAsym)

    /// ML-DSA names this requester can verify (the crypto layer has no ML-DSA-44).
    static let pqcNames = PQCAsymAlgorithms.named.filter { $0.1.signatureAlgorithm != nil }

    static func parse(_ values: [String], option: String = "asym") throws -> SignatureOffer {
        let names = commaSeparated(values)
        guard !names.isEmpty else { return all }
        var offer = SignatureOffer(baseAsym: [], pqcAsym: [])
        for name in names {
            if let bits = BaseAsymAlgorithms.named.first(where: { $0.0 == name })?.1 {
                offer.baseAsym.formUnion(bits)
            } else if let bits = pqcNames.first(where: { $0.0 == name })?.1 {
                offer.pqcAsym.formUnion(bits)
            } else {
                let known = BaseAsymAlgorithms.named.map(\.0) + pqcNames.map(\.0)
                throw ValidationError("unknown --\(option) \(name); known: \(known.joined(separator: ", "))")
            }
        }
        return offer
    }
}

/// `--kem ML_KEM_768,...`: the SPDM 1.4 KEMAlg structure (AlgType 7), repeatable or comma separated;
/// none given: ML-KEM-768 and ML-KEM-1024; NONE: no KEMAlg structure (DHE only).
func kemOffer(_ values: [String]) throws -> KEMAlgorithms {
    let names = commaSeparated(values)
    if names == ["NONE"] { return [] }
    let known = KEMAlgorithms.named.filter { $0.1.kemAlgorithm != nil }
    return try algorithmSet(names, option: "kem", known: known, all: RequesterConfiguration.allKEM)
}

import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire

/// `[device.algorithms]`: preference lists, most preferred first, in spdm-emu's names.
struct AlgorithmLoader {
    struct Choices {
        var hash: [HashAlgorithm]
        var asym: [SignatureAlgorithm]
        var measurementHash: [HashAlgorithm]
        var measurementRawOnly: Bool
        var dhe: [DHEGroups]
        var aead: [AEADSuites]
        var requesterAsym: [SignatureAlgorithm]
        /// SPDM 1.4: ML-DSA for the device's signatures and the requester's, ML-KEM for KEY_EXCHANGE.
        var pqcAsym: [PQCSignatureAlgorithm] = []
        var requesterPQCAsym: [PQCSignatureAlgorithm] = []
        var kem: [KEMAlgorithm] = []
        var pqcFirst = false

        /// True when some post-quantum algorithm is configured (they need SPDM 1.4).
        var offersPostQuantum: Bool { !pqcAsym.isEmpty || !requesterPQCAsym.isEmpty || !kem.isEmpty }
    }

    static let defaultHash = ["SHA_384", "SHA_256", "SHA_512", "SHA3_384", "SHA3_256", "SHA3_512"]
    static let defaultDHE = ["SECP_384_R1", "SECP_256_R1", "SECP_521_R1", "FFDHE_3072", "FFDHE_2048", "FFDHE_4096"]
    static let defaultAEAD = ["AES_256_GCM", "AES_128_GCM", "CHACHA20_POLY1305"]
    static let defaultRequesterAsym = ["RSAPSS_3072", "RSASSA_3072", "ECDSA_P384", "ECDSA_P256", "RSAPSS_2048",
                                       "RSASSA_2048", "ECDSA_P521", "RSAPSS_4096", "RSASSA_4096", "EDDSA_25519", "EDDSA_448"]

    /// `rawPublicKey`: the device's PUB_KEY_ID key, which signs like a slot's.
    func load(_ table: ConfigTable?, slots: [CertificateSlot], device: ConfigTable, rawPublicKey: PrivateKey? = nil) throws -> Choices {
        let keys = slots.flatMap(\.allKeys) + (rawPublicKey.map { [$0] } ?? [])
        let table = table ?? ConfigTable(table: .init(), file: device.file, device: device.device, path: "algorithms")
        try table.allowOnly(["hash", "asym", "measurement_hash", "dhe", "aead", "req_asym", "kem", "pqc_first"])
        let hash = try (table.stringArray("hash") ?? Self.defaultHash).map { name in
            try table.named("hash", name, in: BaseHashAlgorithms.named).hashAlgorithm!
        }
        // `asym` names classic (BaseAsymAlgo) and post-quantum (PqcAsymAlgo) algorithms in one list.
        let signing: [SigningAlgorithm]
        if let names = try table.stringArray("asym") {
            signing = try names.map { try table.named("asym", $0, in: SigningAlgorithm.named) }
            for algorithm in signing where !keys.contains(where: { $0.matches(algorithm) }) {
                throw table.error("asym", "\(algorithm.name) has no slot whose key fits it")
            }
        } else {
            // Every algorithm some slot's key can sign with, in the order DSP0274 lists them.
            signing = SigningAlgorithm.named.map(\.1).filter { algorithm in keys.contains { $0.matches(algorithm) } }
        }
        var measurementRawOnly = false
        var measurementHash: [HashAlgorithm] = hash
        if let names = try table.stringArray("measurement_hash") {
            if names.map({ $0.uppercased() }) == ["RAW_BIT_STREAM_ONLY"] {
                measurementRawOnly = true
                measurementHash = []
            } else {
                measurementHash = try names.map { try table.named("measurement_hash", $0, in: BaseHashAlgorithms.named).hashAlgorithm! }
            }
        }
        let dhe = try (table.stringArray("dhe") ?? Self.defaultDHE).map { try table.named("dhe", $0, in: DHEGroups.named) }
        let aead = try (table.stringArray("aead") ?? Self.defaultAEAD).map { try table.named("aead", $0, in: AEADSuites.named) }
        let requesterSigning = try (table.stringArray("req_asym") ?? Self.defaultRequesterAsym).map {
            try table.named("req_asym", $0, in: SigningAlgorithm.named)
        }
        let kem = try (table.stringArray("kem") ?? []).map { name in
            guard let algorithm = try table.named("kem", name, in: KEMAlgorithms.named).kemAlgorithm else {
                throw table.error("kem", "\(name) is not implemented here (ML_KEM_768 and ML_KEM_1024 are)")
            }
            return algorithm
        }
        var choices = Choices(hash: hash, asym: signing.classic, measurementHash: measurementHash, measurementRawOnly: measurementRawOnly,
                              dhe: dhe, aead: aead, requesterAsym: requesterSigning.classic)
        choices.pqcAsym = signing.postQuantum
        choices.requesterPQCAsym = requesterSigning.postQuantum
        choices.kem = kem
        choices.pqcFirst = try table.bool("pqc_first") ?? false
        return choices
    }
}

private extension Array where Element == SigningAlgorithm {
    var classic: [SignatureAlgorithm] { compactMap { if case .classic(let algorithm) = $0 { algorithm } else { nil } } }
    var postQuantum: [PQCSignatureAlgorithm] { compactMap { if case .pqc(let algorithm) = $0 { algorithm } else { nil } } }
}

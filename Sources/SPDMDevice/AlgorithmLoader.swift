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
    }

    static let defaultHash = ["SHA_384", "SHA_256", "SHA_512", "SHA3_384", "SHA3_256", "SHA3_512"]
    static let defaultDHE = ["SECP_384_R1", "SECP_256_R1", "SECP_521_R1", "FFDHE_3072", "FFDHE_2048", "FFDHE_4096"]
    static let defaultAEAD = ["AES_256_GCM", "AES_128_GCM", "CHACHA20_POLY1305"]
    static let defaultRequesterAsym = ["RSAPSS_3072", "RSASSA_3072", "ECDSA_P384", "ECDSA_P256", "RSAPSS_2048",
                                       "RSASSA_2048", "ECDSA_P521", "RSAPSS_4096", "RSASSA_4096", "EDDSA_25519", "EDDSA_448"]

    /// `rawPublicKey`: the device's PUB_KEY_ID key, which signs like a slot's.
    func load(_ table: ConfigTable?, slots: [CertificateSlot], device: ConfigTable, rawPublicKey: PrivateKey? = nil) throws -> Choices {
        let keys = slots.map(\.privateKey) + (rawPublicKey.map { [$0] } ?? [])
        let table = table ?? ConfigTable(table: .init(), file: device.file, device: device.device, path: "algorithms")
        try table.allowOnly(["hash", "asym", "measurement_hash", "dhe", "aead", "req_asym"])
        let hash = try (table.stringArray("hash") ?? Self.defaultHash).map { name in
            try table.named("hash", name, in: BaseHashAlgorithms.named).hashAlgorithm!
        }
        let asym: [SignatureAlgorithm]
        if let names = try table.stringArray("asym") {
            asym = try names.map { try table.named("asym", $0, in: BaseAsymAlgorithms.named).signatureAlgorithm! }
            for algorithm in asym where !keys.contains(where: { $0.matches(algorithm) }) {
                throw table.error("asym", "\(BaseAsymAlgorithms.named.first { $0.1 == BaseAsymAlgorithms(algorithm) }!.0) has no slot whose key fits it")
            }
        } else {
            // Every algorithm some slot's key can sign with, in the order DSP0274 lists them.
            asym = SignatureAlgorithm.allCases.filter { algorithm in keys.contains { $0.matches(algorithm) } }
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
        let requesterAsym = try (table.stringArray("req_asym") ?? Self.defaultRequesterAsym).map {
            try table.named("req_asym", $0, in: BaseAsymAlgorithms.named).signatureAlgorithm!
        }
        return Choices(hash: hash, asym: asym, measurementHash: measurementHash, measurementRawOnly: measurementRawOnly,
                       dhe: dhe, aead: aead, requesterAsym: requesterAsym)
    }
}

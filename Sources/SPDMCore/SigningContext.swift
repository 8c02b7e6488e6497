import SPDMCrypto
import SPDMWire

/// What is signed for CHALLENGE_AUTH, MEASUREMENTS, KEY_EXCHANGE_RSP and FINISH
/// (DSP0274 §15 "Signature generation", 1.2+ "combined_spdm_prefix"):
///
///     1.0 / 1.1:  M = the transcript bytes themselves (RSA/ECDSA hash M with the negotiated hash)
///     1.2+:       M = combined_spdm_prefix || Hash(transcript), 100 + H bytes
///                 combined_spdm_prefix = "dmtf-spdm-v1.X.*" x 4 (64 bytes)
///                                        || zero_pad (36 - len(context)) || context
///     ML-DSA (1.4) signs M purely, with the context string alone as its FIPS 204 context.
public enum SigningContext {
    public static let challengeAuth = "responder-challenge_auth signing"
    public static let mutualChallengeAuth = "requester-challenge_auth signing"
    public static let measurements = "responder-measurements signing"
    public static let keyExchangeResponse = "responder-key_exchange_rsp signing"
    public static let finish = "requester-finish signing"
    public static let endpointInfo = "responder-endpoint_info signing"
    public static let mutualEndpointInfo = "requester-endpoint_info signing"

    public static let combinedPrefixSize = 100

    public static func combinedPrefix(version: SPDMVersion, context: String) -> [UInt8] {
        let versionPrefix = Array("dmtf-spdm-v\(version.major).\(version.minor).*".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(combinedPrefixSize)
        for _ in 0..<4 { out.append(contentsOf: versionPrefix) }
        let contextBytes = Array(context.utf8)
        out.appendZeros(36 - contextBytes.count)
        out.append(contentsOf: contextBytes)
        return out
    }

    /// The message to hand to `PrivateKey.sign` / `PublicKey.verify` for `transcript`.
    public static func message(version: SPDMVersion, context: String, hash: HashAlgorithm, transcript: [UInt8]) -> [UInt8] {
        guard version >= .v12 else { return transcript }
        return combinedPrefix(version: version, context: context) + Digest.hash(hash, transcript)
    }

    public static func sign(key: PrivateKey, algorithm: SigningAlgorithm, hash: HashAlgorithm,
                            version: SPDMVersion, context: String, transcript: [UInt8]) throws -> [UInt8] {
        try key.sign(algorithm, hash: hash, message: message(version: version, context: context, hash: hash, transcript: transcript),
                     context: Array(context.utf8))
    }

    public static func verify(key: PublicKey, algorithm: SigningAlgorithm, hash: HashAlgorithm, version: SPDMVersion,
                              context: String, transcript: [UInt8], signature: [UInt8]) -> Bool {
        key.verify(algorithm, hash: hash, message: message(version: version, context: context, hash: hash, transcript: transcript),
                   signature: signature, context: Array(context.utf8))
    }
}

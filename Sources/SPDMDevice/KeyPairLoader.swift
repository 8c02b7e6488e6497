import Foundation
import SPDMCrypto
import SPDMResponder
import SPDMWire

/// `[[device.key_pair]]`: a device's asymmetric key pairs (DSP0274 1.3 GET/SET_KEY_PAIR_INFO).
/// Without any, a device has one key pair per slot. With them, every `[[device.slot]]` names its
/// key pair with `key_pair = <id>`, and ids run 1...N in order.
///
///     [[device.key_pair]]
///     id = 1
///     generate = { algorithm = "ECDSA_P384" }      # or key = "keys/kp1.pem", or
///                                                  # ca_key = { ca = "builtin", algorithm = "ECDSA_P384" }
///                                                  # (the CA directory's end_responder.key), or
///                                                  # empty = "ECDSA_P384" (no key until generated)
///     usage = ["KEY_EX", "CHALLENGE", "MEASUREMENT", "ENDPOINT_INFO"]   # CurrentKeyUsage (default: all four)
///     usage_capabilities = [...]                   # KeyUsageCapabilities (default: all four, plus usage)
///     algorithms = ["ECDSA_P384", "ECDSA_P256"]    # AsymAlgoCapabilities (default: the key's)
///     capabilities = ["GEN_KEY", "ERASABLE", "CERT_ASSOC", "KEY_USAGE", "ASYM_ALGO", "SHAREABLE"]  # default: all
struct KeyPairLoader {
    let context: LoadContext

    static let keys: Set<String> = ["id", "key", "generate", "ca_key", "empty", "usage", "usage_capabilities", "algorithms", "capabilities"]

    func load(_ tables: [ConfigTable], deviceName: String) throws -> [KeyPair] {
        var pairs: [KeyPair] = []
        for table in tables {
            try table.allowOnly(Self.keys)
            let id = UInt8(try table.int("id", in: 1...255) ?? pairs.count + 1)
            guard Int(id) == pairs.count + 1 else {
                throw table.error("id", "key pair ids run 1, 2, 3, ... in order; expected \(pairs.count + 1), got \(id)")
            }
            let (key, emptyAlgorithm) = try loadKey(table, id: id, deviceName: deviceName)
            let usage = try masks(table, "usage", KeyUsageMask.named) ?? .spdm
            let usageCapabilities = try masks(table, "usage_capabilities", KeyUsageMask.named) ?? .spdm
            guard usageCapabilities.isSuperset(of: usage) else {
                throw table.error("usage", "\(usage.names) is beyond usage_capabilities \(usageCapabilities.names)")
            }
            guard !usageCapabilities.isEmpty else { throw table.error("usage_capabilities", "a key pair needs at least one use") }
            let capabilities = try masks(table, "capabilities", KeyPairCapabilities.named) ?? .defined
            var algorithms: KeyPairAsymAlgorithms = []
            for name in try table.stringArray("algorithms") ?? [] {
                let algorithm = try signatureAlgorithm(table, "algorithms", name)
                algorithms.insert(KeyPairAsymAlgorithms(algorithm))
            }
            if key == nil && !capabilities.contains(.generateKey) {
                throw table.error("empty", "an empty key pair needs the GEN_KEY capability to ever hold a key")
            }
            pairs.append(KeyPair(id: id, privateKey: key, emptyAlgorithm: emptyAlgorithm, capabilities: capabilities,
                                 keyUsageCapabilities: usageCapabilities, keyUsage: usage, asymAlgorithmCapabilities: algorithms))
        }
        return pairs
    }

    func loadKey(_ table: ConfigTable, id: UInt8, deviceName: String) throws -> (PrivateKey?, KeyPairAsymAlgorithms) {
        let sources = ["key", "generate", "ca_key", "empty"].filter(table.has)
        guard sources.count == 1 else {
            throw table.error(sources.first ?? "key", "give exactly one of key, generate, ca_key or empty")
        }
        switch sources[0] {
        case "key":
            let path = resolve(try table.requiredString("key"), against: context.baseDirectory)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw table.error("key", "cannot read \(path)") }
            do { return (try PrivateKey(pem: text), []) } catch {
                throw table.error("key", "\(path) is not a PEM private key: \(error)")
            }
        case "generate":
            guard let generate = try table.subtable("generate") else { throw table.error("generate", "must be a table") }
            try generate.allowOnly(["algorithm"])
            let algorithm = try signatureAlgorithm(generate, "algorithm", try generate.string("algorithm") ?? "ECDSA_P384")
            do {
                return (try DeviceIdentityStore(stateDirectory: context.stateDirectory).keyPairKey(device: deviceName, id: id, algorithm: algorithm), [])
            } catch {
                throw table.error("generate", "cannot generate the key: \(error)")
            }
        case "ca_key":
            guard let source = try table.subtable("ca_key") else { throw table.error("ca_key", "must be a table") }
            try source.allowOnly(["ca", "algorithm"])
            let algorithm = try signatureAlgorithm(source, "algorithm", try source.string("algorithm") ?? "ECDSA_P384")
            let setting = try source.string("ca") ?? "builtin"
            do {
                let authority = setting == "builtin"
                    ? try CertificateAuthority.builtin(stateDirectory: context.stateDirectory, algorithm: algorithm)
                    : try CertificateAuthority.load(directory: resolve(setting, against: context.baseDirectory), algorithm: algorithm)
                guard let bytes = StateDirectory.read(authority.directory + "/end_responder.key") else {
                    throw source.error("ca", "\(authority.directory)/end_responder.key is missing")
                }
                return (try PrivateKey(pem: String(decoding: bytes, as: UTF8.self)), [])
            } catch let error as ConfigError {
                throw error
            } catch {
                throw source.error("ca", "\(error)")
            }
        default:
            let algorithm = try signatureAlgorithm(table, "empty", try table.requiredString("empty"))
            return (nil, KeyPairAsymAlgorithms(algorithm))
        }
    }

    func signatureAlgorithm(_ table: ConfigTable, _ key: String, _ name: String) throws -> SignatureAlgorithm {
        guard let algorithm = BaseAsymAlgorithms.named(name)?.signatureAlgorithm else {
            throw table.error(key, "unknown algorithm '\(name)' (expected one of: \(BaseAsymAlgorithms.named.map(\.0).joined(separator: ", ")))")
        }
        return algorithm
    }

    private func masks<T: OptionSet>(_ table: ConfigTable, _ key: String, _ vocabulary: [(String, T)]) throws -> T? where T.Element == T {
        guard let names = try table.stringArray(key) else { return nil }
        var result = T()
        for name in names { result.formUnion(try table.named(key, name, in: vocabulary)) }
        return result
    }
}

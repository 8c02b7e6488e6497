import Foundation
import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire

/// `[[device.slot]]`: a certificate chain and its leaf key, read from files or generated from a CA.
///
///     [[device.slot]]                          [[device.slot]]
///     id = 0                                   id = 1
///     chain = "certs/ecp384/bundle.der"        generate = { ca = "builtin", algorithm = "ECDSA_P384" }
///     key = "certs/ecp384/end_responder.key"
///
/// With `[[device.key_pair]]` tables every slot names its key pair (`key_pair = <id>`): a generated
/// leaf is then issued for that key pair's key, and a chain's leaf must certify it (`key` may go).
struct SlotLoader {
    let context: LoadContext

    func load(_ tables: [ConfigTable], deviceName: String, keyPairs: [KeyPair] = []) throws -> [CertificateSlot] {
        var slots: [CertificateSlot] = []
        for table in tables {
            try table.allowOnly(["id", "chain", "key", "root", "model", "generate", "key_pair"])
            let id = UInt8(try table.int("id", in: 0...7) ?? slots.count)
            let model = try loadModel(table)
            let pair = try keyPair(table, keyPairs)
            var slot: CertificateSlot
            if let generate = try table.subtable("generate") {
                guard !table.has("chain") && !table.has("key") else {
                    throw table.error("generate", "give either generate or chain + key, not both")
                }
                slot = try generated(generate, id: id, model: model, deviceName: deviceName, key: pair?.privateKey)
            } else {
                slot = try fromFiles(table, id: id, model: model, pairKey: pair?.privateKey)
            }
            slot.keyPairID = pair?.id ?? 0
            if let index = slots.firstIndex(where: { $0.id == id }) {
                try addOtherAlgorithmChain(slot, to: &slots[index], table)
            } else {
                slots.append(slot)
            }
        }
        return slots
    }

    /// The `[[device.key_pair]]` a slot names: required when the device has key pairs, refused when not.
    private func keyPair(_ table: ConfigTable, _ keyPairs: [KeyPair]) throws -> KeyPair? {
        guard let id = try table.int("key_pair", in: 1...255) else {
            if keyPairs.isEmpty { return nil }
            throw table.error("key_pair", "this device has [[device.key_pair]] tables: name the slot's key pair with key_pair = <id>")
        }
        guard let pair = keyPairs.first(where: { Int($0.id) == id }) else {
            throw table.error("key_pair", keyPairs.isEmpty ? "the device has no [[device.key_pair]] tables" : "no key pair \(id) (ids 1...\(keyPairs.count))")
        }
        guard pair.privateKey != nil else { throw table.error("key_pair", "key pair \(id) is empty: a slot needs a key") }
        return pair
    }

    private func loadModel(_ table: ConfigTable) throws -> UInt8 {
        switch try table.string("model") ?? "device" {
        case "device": return 1
        case "alias": return 2
        case "generic": return 3
        case let other: throw table.error("model", "expected \"device\", \"alias\" or \"generic\", got '\(other)'")
        }
    }

    /// A slot from a chain file and a key file (or the key of the slot's key pair, when it names one
    /// and gives no key), and a root file when the chain does not start with one, checked by
    /// `SlotMaterial`; a refusal names the file and the key of the table.
    private func fromFiles(_ table: ConfigTable, id: UInt8, model: UInt8, pairKey: PrivateKey?) throws -> CertificateSlot {
        let chainPath = resolve(try table.requiredString("chain"), against: context.baseDirectory)
        let certificates = try readCertificates(chainPath, table, "chain")
        let key: PrivateKey
        let keyPath: String
        if let pairKey, !table.has("key") {
            key = pairKey
            keyPath = "the key of key pair \(try table.int("key_pair", in: 1...255) ?? 0)"
        } else {
            keyPath = resolve(try table.requiredString("key"), against: context.baseDirectory)
            guard let data = FileManager.default.contents(atPath: keyPath) else { throw table.error("key", "cannot read \(keyPath)") }
            do {
                key = try SlotMaterial.privateKey(String(decoding: data, as: UTF8.self))
            } catch {
                throw table.error("key", "\(keyPath) \(error.message)")
            }
            if let pairKey, pairKey.publicKey.subjectPublicKeyInfoDER != key.publicKey.subjectPublicKeyInfoDER {
                throw table.error("key", "\(keyPath) is not the key of the slot's key_pair")
            }
        }
        var root: Certificate?
        if let rootPath = try table.string("root") {
            root = try readCertificates(resolve(rootPath, against: context.baseDirectory), table, "root").first
        }
        do {
            return try SlotMaterial.slot(id: id, chain: certificates, key: key, root: root, model: model)
        } catch {
            switch error.kind {
            case .rootMissing:
                throw table.error("root", "\(error.message) in \(chainPath); name the root certificate with root = \"...\"")
            case .keyMismatch:
                throw table.error(table.has("key") ? "key" : "key_pair", "\(keyPath) does not belong to the leaf certificate of \(chainPath)")
            default:
                throw table.error(error.part == .root ? "root" : "chain", "\(chainPath) \(error.message)")
            }
        }
    }

    /// A second `[[device.slot]]` with the same id: the slot's chain for the other kind of key, classic
    /// or ML-DSA (a hybrid device serves, per connection, the chain that fits the negotiated algorithm).
    private func addOtherAlgorithmChain(_ other: CertificateSlot, to slot: inout CertificateSlot, _ table: ConfigTable) throws {
        func isPostQuantum(_ key: PrivateKey) -> Bool { if case .mlDsa = key.keyType { true } else { false } }
        guard !slot.allKeys.contains(where: { isPostQuantum($0) == isPostQuantum(other.privateKey) }) else {
            throw table.error("id", "slot \(slot.id) is defined twice with a \(isPostQuantum(other.privateKey) ? "post-quantum" : "classic") key "
                              + "(a slot may carry one classic and one ML-DSA chain)")
        }
        guard !table.has("key_pair") && slot.keyPairID == 0 else {
            throw table.error("key_pair", "slot \(slot.id) carries chains for several algorithms; such a slot cannot name a key pair")
        }
        slot.otherAlgorithmChains.append(CertificateSlot.AlgorithmChain(
            certificatesDER: other.certificatesDER, rootCertificateDER: other.rootCertificateDER, privateKey: other.privateKey))
    }

    /// The certificates of a file (DER back to back or a PEM bundle); a refusal names the file and `key`.
    func readCertificates(_ path: String, _ table: ConfigTable, _ key: String) throws -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else { throw table.error(key, "cannot read \(path)") }
        do {
            return try SlotMaterial.certificates([UInt8](data), part: .chain)
        } catch {
            throw table.error(key, "\(path) \(error.message)")
        }
    }

    /// A leaf key and certificate issued by the CA directory's intermediate, kept in the state
    /// directory so the device presents the same identity after a restart.
    private func generated(_ table: ConfigTable, id: UInt8, model: UInt8, deviceName: String, key: PrivateKey?) throws -> CertificateSlot {
        try table.allowOnly(["ca", "algorithm", "common_name"])
        let algorithmName = try table.string("algorithm") ?? key.flatMap { key in
            SigningAlgorithm.named.first { key.matches($0.1) }?.0
        } ?? "ECDSA_P384"
        guard let algorithm = SigningAlgorithm.named(algorithmName) else {
            throw table.error("algorithm", "unknown algorithm '\(algorithmName)' (expected one of: \(SigningAlgorithm.named.map(\.0).joined(separator: ", ")))")
        }
        if let key, !key.matches(algorithm) {
            throw table.error("algorithm", "\(algorithmName) does not fit the \(key.keyType) key of the slot's key_pair")
        }
        let authority: CertificateAuthority
        do {
            authority = try context.authority(try table.string("ca") ?? "builtin", algorithm: algorithm)
        } catch let error as CertificateAuthority.Failure {
            throw table.error("ca", error.description)
        }
        let commonName = try table.string("common_name") ?? "\(deviceName) slot \(id)"
        do {
            let store = DeviceIdentityStore(stateDirectory: context.stateDirectory)
            let leaf = try key.map { try store.leaf(device: deviceName, slot: id, key: $0, commonName: commonName, authority: authority) }
                ?? context.caches.takeLeaf(device: deviceName, slot: id, algorithm: algorithm)
                ?? store.leaf(device: deviceName, slot: id, algorithm: algorithm, commonName: commonName, authority: authority)
            return CertificateSlot(id: id, certificatesDER: authority.root.der + authority.intermediate.der + leaf.certificateDER,
                                   rootCertificateDER: authority.root.der, privateKey: leaf.key, certificateModel: model)
        } catch {
            throw table.error("generate", "cannot generate the slot's key and certificate: \(error)")
        }
    }
}

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
struct SlotLoader {
    let context: LoadContext

    func load(_ tables: [ConfigTable], deviceName: String) throws -> [CertificateSlot] {
        var slots: [CertificateSlot] = []
        for table in tables {
            try table.allowOnly(["id", "chain", "key", "root", "model", "generate"])
            let id = UInt8(try table.int("id", in: 0...7) ?? slots.count)
            guard !slots.contains(where: { $0.id == id }) else { throw table.error("id", "slot \(id) is defined twice") }
            let model = try loadModel(table)
            if let generate = try table.subtable("generate") {
                guard !table.has("chain") && !table.has("key") else {
                    throw table.error("generate", "give either generate or chain + key, not both")
                }
                slots.append(try generated(generate, id: id, model: model, deviceName: deviceName))
            } else {
                slots.append(try fromFiles(table, id: id, model: model))
            }
        }
        return slots
    }

    private func loadModel(_ table: ConfigTable) throws -> UInt8 {
        switch try table.string("model") ?? "device" {
        case "device": return 1
        case "alias": return 2
        case "generic": return 3
        case let other: throw table.error("model", "expected \"device\", \"alias\" or \"generic\", got '\(other)'")
        }
    }

    private func fromFiles(_ table: ConfigTable, id: UInt8, model: UInt8) throws -> CertificateSlot {
        let chainPath = resolve(try table.requiredString("chain"), against: context.baseDirectory)
        let keyPath = resolve(try table.requiredString("key"), against: context.baseDirectory)
        var certificates = try readCertificates(chainPath, table, "chain")
        guard !certificates.isEmpty else { throw table.error("chain", "\(chainPath) holds no certificate") }
        // Accept leaf-first PEM bundles too; SPDM wants the root end first.
        if !certificates[0].isCA && certificates.last!.isCA { certificates.reverse() }
        let key: PrivateKey
        do {
            guard let text = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
                throw table.error("key", "cannot read \(keyPath)")
            }
            key = try PrivateKey(pem: text)
        } catch let error as ConfigError { throw error } catch {
            throw table.error("key", "\(keyPath) is not a PEM private key: \(error)")
        }
        guard key.publicKey.subjectPublicKeyInfoDER == certificates.last!.publicKey.subjectPublicKeyInfoDER else {
            throw table.error("key", "\(keyPath) does not belong to the leaf certificate of \(chainPath)")
        }
        var root = certificates[0]
        if let rootPath = try table.string("root") {
            let roots = try readCertificates(resolve(rootPath, against: context.baseDirectory), table, "root")
            guard let first = roots.first else { throw table.error("root", "holds no certificate") }
            root = first
        } else if !root.isSelfSigned {
            throw table.error("root", "the chain does not start with a self-signed root; name the root certificate with root = \"...\"")
        }
        do {
            // Dates are not checked: an emulator may serve an expired chain on purpose.
            try ChainVerifier.verify(chain: certificates, trustedRoots: [root], options: .init(validAt: nil))
        } catch {
            throw table.error("chain", "\(chainPath) does not verify: \(error)")
        }
        return CertificateSlot(id: id, certificatesDER: certificates.flatMap(\.der), rootCertificateDER: root.der,
                               privateKey: key, certificateModel: model)
    }

    func readCertificates(_ path: String, _ table: ConfigTable, _ key: String) throws -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else { throw table.error(key, "cannot read \(path)") }
        let bytes = [UInt8](data)
        do {
            if bytes.first == 0x30 { return try Certificate.parseConcatenatedDER(bytes) }
            return try Certificate.parsePEMBundle(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw table.error(key, "\(path) is neither DER certificates back to back nor a PEM bundle: \(error)")
        }
    }

    /// A leaf key and certificate issued by the CA directory's intermediate, kept in the state
    /// directory so the device presents the same identity after a restart.
    private func generated(_ table: ConfigTable, id: UInt8, model: UInt8, deviceName: String) throws -> CertificateSlot {
        try table.allowOnly(["ca", "algorithm", "common_name"])
        let algorithmName = try table.string("algorithm") ?? "ECDSA_P384"
        guard let algorithm = BaseAsymAlgorithms.named(algorithmName)?.signatureAlgorithm else {
            throw table.error("algorithm", "unknown algorithm '\(algorithmName)' (expected one of: \(BaseAsymAlgorithms.named.map(\.0).joined(separator: ", ")))")
        }
        let caSetting = try table.string("ca") ?? "builtin"
        let authority: CertificateAuthority
        do {
            authority = caSetting == "builtin"
                ? try CertificateAuthority.builtin(stateDirectory: context.stateDirectory, algorithm: algorithm)
                : try CertificateAuthority.load(directory: resolve(caSetting, against: context.baseDirectory), algorithm: algorithm)
        } catch let error as CertificateAuthority.Failure {
            throw table.error("ca", error.description)
        }
        let commonName = try table.string("common_name") ?? "\(deviceName) slot \(id)"
        do {
            let leaf = try DeviceIdentityStore(stateDirectory: context.stateDirectory)
                .leaf(device: deviceName, slot: id, algorithm: algorithm, commonName: commonName, authority: authority)
            return CertificateSlot(id: id, certificatesDER: authority.root.der + authority.intermediate.der + leaf.certificate.der,
                                   rootCertificateDER: authority.root.der, privateKey: leaf.key, certificateModel: model)
        } catch {
            throw table.error("generate", "cannot generate the slot's key and certificate: \(error)")
        }
    }
}

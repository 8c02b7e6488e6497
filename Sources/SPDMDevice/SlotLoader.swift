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

    /// A slot from a chain file and a key file (and a root file when the chain does not start
    /// with one), checked by `SlotMaterial`; a refusal names the file and the key of the table.
    private func fromFiles(_ table: ConfigTable, id: UInt8, model: UInt8) throws -> CertificateSlot {
        let paths: [SlotMaterial.Problem.Part: String] = [
            .chain: resolve(try table.requiredString("chain"), against: context.baseDirectory),
            .key: resolve(try table.requiredString("key"), against: context.baseDirectory),
            .root: try table.string("root").map { resolve($0, against: context.baseDirectory) } ?? "",
        ]
        func read(_ part: SlotMaterial.Problem.Part) throws -> [UInt8] {
            guard let path = paths[part], let data = FileManager.default.contents(atPath: path) else {
                throw table.error(part.rawValue, "cannot read \(paths[part] ?? "")")
            }
            return [UInt8](data)
        }
        let chain = try read(.chain)
        let keyPEM = String(decoding: try read(.key), as: UTF8.self)
        let root = table.has("root") ? try read(.root) : nil
        do {
            return try SlotMaterial.slot(id: id, chain: chain, keyPEM: keyPEM, root: root, model: model)
        } catch {
            let path = paths[error.part] ?? ""
            switch error.kind {
            case .rootMissing:
                throw table.error("root", "\(error.message) in \(paths[.chain] ?? ""); name the root certificate with root = \"...\"")
            case .keyMismatch:
                throw table.error("key", "\(path) does not belong to the leaf certificate of \(paths[.chain] ?? "")")
            default:
                throw table.error(error.part.rawValue, "\(path) \(error.message)")
            }
        }
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

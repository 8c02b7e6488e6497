import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMWire

/// `spdmctl provision csr`: GET_CSR, the CSR (verified with its own key) written to a file.
struct ProvisionCSR: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "csr", abstract: "GET_CSR: write the responder's CSR to a file.")

    @OptionGroup var options: ProvisionOptions

    @Option(name: .long, help: ArgumentHelp("Where the CSR goes (DER; PEM with --pem).", valueName: "file"))
    var out: String

    @Flag(name: .long, help: "Write the CSR as PEM (CERTIFICATE REQUEST).")
    var pem = false

    @Option(name: .customLong("key-pair"), help: "KeyPairID (multi-key connections; default: the key pair of slot 0).")
    var keyPair: UInt8?

    @Option(name: .long, help: "Certificate model the CSR is for: device, alias, generic (multi-key connections).")
    var model: String = "device"

    @Option(name: .long, help: ArgumentHelp("Subject for the CSR (RequesterInfo), e.g. \"CN=gpu0,O=Lab\"; its public key is the current leaf's of a slot of that key pair.", valueName: "DN"))
    var subject: String?

    @Option(name: .long, help: "CSRTrackingTag of an earlier ERROR(ResetRequired): fetch that CSR after the device reset (1.3).")
    var tag: UInt8 = 0

    @Flag(name: .long, help: "Overwrite: discard the CSR requests the device still holds (1.3, with CERT_INSTALL_RESET).")
    var overwrite = false

    func validate() throws {
        _ = try certificateModel(model)
        guard tag <= 7 else { throw ValidationError("--tag must be 0-7") }
    }

    func run() throws {
        let model = try certificateModel(model)
        try options.run { link in
            let keyPairID = link.multiKey ? (keyPair ?? link.requester.slotKeyPairs[0]?.keyPairID ?? 1) : 0
            var requesterInfo: [UInt8] = []
            if let subject {
                let key = try subjectKey(&link, keyPairID: keyPairID)
                do { requesterInfo = try CertificateSigningRequest.requesterInfo(subject: subject, publicKey: key) } catch {
                    throw ValidationError("--subject \(subject): \(error)")
                }
            }
            let request = CSRRequest(keyPairID: keyPairID, model: link.multiKey ? model : .none, trackingTag: tag, overwrite: overwrite,
                                     requesterInfo: requesterInfo)
            guard case .csr(let der) = try link.send(.getCSR(request)) else { throw RequesterError.invalidState("no CSR") }
            let parsed = try ParsedCertificateSigningRequest(der: der)
            let bytes = pem ? Array(Self.pem(der).utf8) : der
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw ValidationError("cannot write --out \(out)") }
            let pair = link.multiKey ? "key pair \(keyPairID)" : "the negotiated algorithm's key"
            print("CSR for \(pair) (\(parsed.publicKey.keyType), subject \(parsed.subject)) verified and written to \(out) (\(bytes.count) bytes)")
        }
    }

    /// The public key RequesterInfo names: the leaf of the first slot of the key pair (any slot
    /// without a multi-key connection).
    func subjectKey(_ link: inout ProvisioningLink, keyPairID: UInt8) throws -> PublicKey {
        let slots = link.requester.digests.keys.sorted()
        guard let slot = slots.first(where: { !link.multiKey || link.requester.slotKeyPairs[$0]?.keyPairID == keyPairID }) else {
            throw ValidationError("--subject needs the key's public key, but key pair \(keyPairID) backs no slot")
        }
        guard case .certificateChain(let chain) = try link.send(.getCertificate(slot: slot)) else {
            throw RequesterError.invalidState("no certificate chain for slot \(slot)")
        }
        return chain.leaf.publicKey
    }

    static func pem(_ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE REQUEST-----\n\(base64)\n-----END CERTIFICATE REQUEST-----\n"
    }
}

/// `spdmctl provision install`: SET_CERTIFICATE with a chain from a file.
struct ProvisionInstall: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "SET_CERTIFICATE: install a chain into a slot.")

    @OptionGroup var options: ProvisionOptions

    @Option(name: .long, help: ArgumentHelp("The chain: DER certificates back to back or a PEM bundle, root first (a leaf-first bundle is reordered).", valueName: "file"))
    var chain: String

    @Option(name: .long, help: "Slot (0 in the clear; 1-7 need --session on most responders).")
    var slot: UInt8 = 0

    @Option(name: .customLong("key-pair"), help: "KeyPairID (multi-key connections; default: the slot's key pair, else 1).")
    var keyPair: UInt8?

    @Option(name: .long, help: "Certificate model: device, alias, generic (multi-key connections).")
    var model: String = "device"

    func validate() throws {
        guard slot < 8 else { throw ValidationError("--slot must be 0-7") }
        _ = try certificateModel(model)
    }

    func run() throws {
        var certificates = try RootFiles.load(chain, option: "--chain")
        if certificates.count > 1, let first = certificates.first, let last = certificates.last, !first.isSelfSigned, last.isSelfSigned {
            certificates.reverse()
        }
        let model = try certificateModel(model)
        try options.run { link in
            let keyPairID = link.multiKey ? (keyPair ?? link.requester.slotKeyPairs[slot].flatMap { $0.keyPairID == 0 ? nil : $0.keyPairID } ?? 1) : 0
            let install = CertificateInstall(slot: slot, certificatesDER: certificates.flatMap(\.der), model: model, keyPairID: keyPairID)
            guard case .certificateSet(let acknowledged) = try link.send(.setCertificate(install)) else {
                throw RequesterError.invalidState("no SET_CERTIFICATE_RSP")
            }
            print("slot \(acknowledged): \(certificates.count) certificates installed (leaf \(certificates.last?.subject ?? "-"))"
                + (link.multiKey ? " for key pair \(keyPairID)" : ""))
        }
    }
}

/// `spdmctl provision erase`: SET_CERTIFICATE with Erase (1.3).
struct ProvisionErase: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "erase", abstract: "SET_CERTIFICATE Erase: empty a slot (SPDM 1.3+).")

    @OptionGroup var options: ProvisionOptions

    @Option(name: .long, help: "Slot to erase.")
    var slot: UInt8 = 0

    @Option(name: .customLong("key-pair"), help: "KeyPairID (multi-key connections; default: the slot's key pair, else 1).")
    var keyPair: UInt8?

    func validate() throws { guard slot < 8 else { throw ValidationError("--slot must be 0-7") } }

    func run() throws {
        try options.run { link in
            let keyPairID = link.multiKey ? (keyPair ?? link.requester.slotKeyPairs[slot].flatMap { $0.keyPairID == 0 ? nil : $0.keyPairID } ?? 1) : 0
            guard case .certificateSet(let erased) = try link.send(.setCertificate(.erase(slot: slot, keyPairID: keyPairID))) else {
                throw RequesterError.invalidState("no SET_CERTIFICATE_RSP")
            }
            print("slot \(erased) erased")
        }
    }
}

/// `spdmctl provision key-pairs`: GET_KEY_PAIR_INFO of one or every key pair.
struct ProvisionKeyPairs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key-pairs", abstract: "GET_KEY_PAIR_INFO: show the responder's key pairs (SPDM 1.3+).")

    @OptionGroup var options: ProvisionOptions

    @Option(name: .long, help: "Only this KeyPairID (default: all).")
    var id: UInt8?

    func run() throws {
        try options.run { link in
            var next = id ?? 1
            while true {
                guard case .keyPairInfo(let info) = try link.send(.getKeyPairInfo(next)) else { throw RequesterError.invalidState("no KEY_PAIR_INFO") }
                print(Self.describe(info))
                guard id == nil, next < info.totalKeyPairs else { break }
                next += 1
            }
        }
    }

    static func describe(_ info: KeyPairInfoResponse) -> String {
        let slots = (0..<8).filter { info.associatedSlotMask & (1 << $0) != 0 }.map(String.init)
        func list(_ names: [String]) -> String { names.isEmpty ? "-" : names.joined(separator: ",") }
        return "key pair \(info.keyPairID)/\(info.totalKeyPairs): algorithm \(list(info.currentAsymAlgorithm.names)) "
            + "(capable: \(list(info.asymAlgorithmCapabilities.names))), usage \(list(info.currentKeyUsage.names)) "
            + "(capable: \(list(info.keyUsageCapabilities.names))), slots \(list(slots)), "
            + "capabilities \(list(info.capabilities.names)), key \(info.publicKeyInfo.isEmpty ? "none" : "present")"
    }
}

/// `spdmctl provision set-key-pair`: SET_KEY_PAIR_INFO.
struct ProvisionSetKeyPair: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set-key-pair",
                                                    abstract: "SET_KEY_PAIR_INFO: change, erase or generate a key pair (SPDM 1.3+).")

    @OptionGroup var options: ProvisionOptions

    @Option(name: .long, help: "KeyPairID.")
    var id: UInt8

    @Option(name: .long, help: "change, erase or generate.")
    var operation: String = "change"

    @Option(name: .long, help: ArgumentHelp("Key usage: KEY_EX, CHALLENGE, MEASUREMENT, ENDPOINT_INFO, STANDARDS, VENDOR (comma separated; none: unchanged).", valueName: "uses"))
    var usage: String?

    @Option(name: .long, help: ArgumentHelp("Key algorithm, spdm-emu name (e.g. ECDSA_P384; none: unchanged).", valueName: "name"))
    var algorithm: String?

    @Option(name: .long, help: ArgumentHelp("Associated slots (comma separated; none: no slot — a Change always sets the association).", valueName: "0,1"))
    var slots: String?

    func change() throws -> KeyPairChange {
        let operations: [String: KeyPairOperation] = ["change": .change, "erase": .erase, "generate": .generate]
        guard let op = operations[operation] else { throw ValidationError("--operation must be change, erase or generate") }
        var keyUsage: KeyUsageMask = []
        for name in commaSeparated([usage ?? ""]) {
            guard let use = KeyUsageMask.named.first(where: { $0.0 == name.uppercased() })?.1 else {
                throw ValidationError("--usage \(name): expected \(KeyUsageMask.named.map(\.0).joined(separator: ", "))")
            }
            keyUsage.insert(use)
        }
        var asym: KeyPairAsymAlgorithms = []
        if let algorithm {
            guard let signature = BaseAsymAlgorithms.named(algorithm)?.signatureAlgorithm else {
                throw ValidationError("--algorithm \(algorithm) is not a signature algorithm name (e.g. ECDSA_P384)")
            }
            asym = KeyPairAsymAlgorithms(keyType: signature.keyType)
        }
        var mask: UInt8 = 0
        for text in commaSeparated([slots ?? ""]) {
            guard let slot = UInt8(text), slot < 8 else { throw ValidationError("--slots \(text) is not 0-7") }
            mask |= 1 << slot
        }
        return KeyPairChange(operation: op, keyPairID: id, keyUsage: keyUsage, asymAlgorithm: asym, associatedSlotMask: mask)
    }

    func validate() throws {
        guard id != 0 else { throw ValidationError("--id must be 1 or more") }
        _ = try change()
    }

    func run() throws {
        let change = try change()
        try options.run { link in
            guard case .keyPairInfoSet = try link.send(.setKeyPairInfo(change)) else { throw RequesterError.invalidState("no SET_KEY_PAIR_INFO_ACK") }
            print("key pair \(id): \(operation) acknowledged")
        }
    }
}

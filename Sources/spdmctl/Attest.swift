import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMTransport
import SPDMWire

/// `spdmctl attest`: VCA, certificate chain, CHALLENGE and measurements against one responder,
/// verifying everything (ML-DSA signatures and chains too, when an SPDM 1.4 responder selects
/// PqcAsymSel). Exit status 0 only when every check passed.
struct Attest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attest one SPDM responder over the spdm-emu platform socket protocol.",
        discussion: FailedCheck.exitStatusHelp)

    @OptionGroup var endpoint: EndpointOptions

    @Option(name: .long, help: ArgumentHelp("Trusted root certificate, DER or PEM (repeatable).", valueName: "file"))
    var root: [String] = []

    @Option(name: .customLong("version"), help: ArgumentHelp("Use exactly this SPDM version (1.0-1.4); default: highest common.", valueName: "1.x"))
    var spdmVersion: String?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Base hash to offer, spdm-emu name (repeatable or comma separated); default: all.", valueName: "SHA_384"))
    var hash: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Signature algorithm to offer, spdm-emu name (repeatable or comma separated): BaseAsymAlgo names, or ML_DSA_65 / ML_DSA_87 (PqcAsymAlgo, SPDM 1.4); default: all.", valueName: "ECDSA_P384"))
    var asym: [String] = []

    @Option(name: .long, help: "Certificate slot for GET_CERTIFICATE, CHALLENGE and signed measurements.")
    var slot: UInt8 = 0

    @Option(name: .customLong("responder-public-key"),
            help: ArgumentHelp("The responder's raw public key (PUB_KEY_ID_CAP), DER SubjectPublicKeyInfo or PEM: CHALLENGE and signed measurements use SlotID 0xFF, no certificate is fetched.", valueName: "file"))
    var responderPublicKey: String?

    @Option(name: .long, help: "Measurements: one-by-one, all, none.")
    var meas: String = "all"

    @Option(name: .long, help: "Measurement summary hash in CHALLENGE: none, tcb, all, auto (all when the responder measures).")
    var summary: String = "auto"

    @Option(name: .customLong("tcb"), help: ArgumentHelp("Measurement indices forming the TCB, to check a TCB summary hash.", valueName: "1,2"))
    var tcbIndices: String?

    @Flag(name: .customLong("no-challenge"), help: "Skip CHALLENGE.")
    var noChallenge = false

    @OptionGroup var sizes: MessageSizeOptions

    @Option(name: .long, help: "Seconds to wait for each response.")
    var timeout: Int = 30

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    func validate() throws {
        if let spdmVersion, SPDMVersion(string: spdmVersion) == nil { throw ValidationError("--version must be 1.0 to 1.4") }
        guard AttestationPlan.MeasurementMode(rawValue: meas) != nil else { throw ValidationError("--meas must be one-by-one, all or none") }
        guard ["none", "tcb", "all", "auto"].contains(summary) else { throw ValidationError("--summary must be none, tcb, all or auto") }
        guard slot < 8 || (slot == 0xFF && responderPublicKey != nil) else { throw ValidationError("--slot must be 0-7 (255 with --responder-public-key)") }
        _ = try hashes()
        _ = try asyms()
        _ = try tcb()
    }

    func hashes() throws -> BaseHashAlgorithms {
        try algorithmSet(hash, option: "hash", known: BaseHashAlgorithms.named, all: RequesterConfiguration.allHashes)
    }

    func asyms() throws -> SignatureOffer { try SignatureOffer.parse(asym) }

    func tcb() throws -> Set<UInt8>? {
        guard let tcbIndices else { return nil }
        return Set(try commaSeparated([tcbIndices]).map { text in
            guard let index = UInt8(text), index > 0, index < 0xFF else { throw ValidationError("--tcb index \(text) is not 1-254") }
            return index
        })
    }

    func loadRoots() throws -> [Certificate] {
        try root.flatMap { try RootFiles.load($0) }
    }

    func run() throws {
        let transportType = endpoint.transportType
        let roots = try loadRoots()
        var configuration = RequesterConfiguration(
            forcedVersion: spdmVersion.flatMap(SPDMVersion.init(string:)),
            capabilities: sizes.capabilities, dataTransferSize: sizes.dataTransferSize, maxSPDMMessageSize: sizes.maxSPDMMessageSize,
            baseHash: try hashes(), baseAsym: try asyms().baseAsym,
            trustedRoots: roots, allowUnanchoredChains: roots.isEmpty, chainOptions: .init(validAt: Date()))
        configuration.pqcAsym = try asyms().pqcAsym
        configuration.responderPublicKey = try responderPublicKey.map { try PublicKeyFile.load($0, option: "--responder-public-key") }
        let address = endpoint.address
        let output = AttestOutput(endpoint: address, transport: transportType.description, json: json)

        let client: PlatformSocketClient
        do {
            client = try endpoint.open(timeoutSeconds: timeout)
            try client.hello()
        } catch let error as ValidationError {
            throw error
        } catch {
            output.fail("cannot reach the responder at \(address): \(error)", kind: .transport, requester: nil)
            throw ExitCode(FailedCheck.transport.exitStatus)
        }

        var requester = RequesterConnection(configuration: configuration)
        let mode = AttestationPlan.MeasurementMode(rawValue: meas)!
        do {
            var plan = AttestationPlan(slot: responderPublicKey == nil ? slot : 0xFF, challenge: !noChallenge, measurements: mode, tcbIndices: try tcb(),
                                       automaticSummary: summary == "auto")
            plan.summary = summary == "tcb" ? .tcb : summary == "all" ? .all : .none
            let report = try requester.attest(plan) { try client.exchangeSPDM($0) }
            // Without --root the chain is only checked for internal consistency: shown, but not a pass.
            let unanchored = report.unanchored ? "certificate chain not verified against a trusted root (give --root CERT)" : nil
            output.success(report, failure: unanchored, kind: .certificateChain)
            if unanchored != nil { throw ExitCode(FailedCheck.certificateChain.exitStatus) }
        } catch let error as RequesterError {
            output.fail(error.description, kind: error.failedCheck, requester: requester)
            throw ExitCode(error.failedCheck.exitStatus)
        } catch let error as PlatformSocketClient.Failure {
            output.fail("transport: \(error)", kind: .transport, requester: requester)
            throw ExitCode(FailedCheck.transport.exitStatus)
        }
    }
}

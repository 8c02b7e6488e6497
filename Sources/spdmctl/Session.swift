import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMSession
import SPDMTransport
import SPDMWire

/// `spdmctl session`: opens secure sessions (KEY_EXCHANGE/FINISH by default, PSK_EXCHANGE with
/// --psk), then in each session HEARTBEAT, KEY_UPDATE (UpdateKey and UpdateAllKeys, each confirmed
/// with VerifyNewKey), GET_MEASUREMENTS and END_SESSION. With --requester-cert/--requester-key it
/// authenticates itself when the responder asks (MutAuthRequested, encapsulated GET_DIGESTS /
/// GET_CERTIFICATE, signed FINISH); --responder-key-update asks for the responder's own KEY_UPDATE
/// (OOB_ENCAP_KEY_UPDATE) and answers it in the encapsulated flow. At SPDM 1.4 it offers ML-DSA
/// (--asym) and ML-KEM (--kem) beside the classic algorithms, and an ML-DSA requester key as
/// ReqPqcAsymAlg. Exit status 0 only when everything verified.
struct Session: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open secure sessions with one SPDM responder and exercise them.",
        discussion: FailedCheck.exitStatusHelp)

    @OptionGroup var endpoint: EndpointOptions

    @Option(name: .long, help: ArgumentHelp("Trusted root certificate, DER or PEM (repeatable; needed for key exchange).", valueName: "file"))
    var root: [String] = []

    @Option(name: .customLong("version"), help: ArgumentHelp("Use exactly this SPDM version (1.1-1.4); default: highest common.", valueName: "1.x"))
    var spdmVersion: String?

    @Option(name: .long, help: ArgumentHelp("Use PSK_EXCHANGE with this hint and key instead of KEY_EXCHANGE ('cstr:' and 'hex:' forms as in the config).",
                                            valueName: "HINT:KEY"))
    var psk: String?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Signature algorithm to offer, spdm-emu name (repeatable or comma separated): BaseAsymAlgo names, or ML_DSA_65 / ML_DSA_87 (PqcAsymAlgo, SPDM 1.4); default: all.", valueName: "ECDSA_P384"))
    var asym: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("KEM to offer for KEY_EXCHANGE (SPDM 1.4 KEMAlg; repeatable or comma separated): ML_KEM_768, ML_KEM_1024, or NONE for DHE only; default: both. The DHE groups stay offered: the responder selects one of DHE and KEM.", valueName: "ML_KEM_768"))
    var kem: [String] = []

    @Option(name: .long, help: "Sessions to open at once on the connection.")
    var sessions: Int = 1

    @Option(name: .customLong("responder-public-key"),
            help: ArgumentHelp("The responder's raw public key (PUB_KEY_ID_CAP), DER SubjectPublicKeyInfo or PEM: KEY_EXCHANGE and signed measurements use SlotID 0xFF, no certificate is fetched.", valueName: "file"))
    var responderPublicKey: String?

    @Option(name: .long, help: "Certificate slot for KEY_EXCHANGE and signed measurements.")
    var slot: UInt8 = 0

    @Flag(name: .customLong("mac-only"), help: "Offer MAC_CAP without ENCRYPT_CAP (MAC-only sessions).")
    var macOnly = false

    @Option(name: .customLong("requester-cert"),
            help: ArgumentHelp("Requester certificate chain for mutual authentication, PEM bundle or DER, root first (a leaf-first bundle is reordered); with --requester-key; offers MUT_AUTH_CAP and ENCAP_CAP.",
                               valueName: "file"))
    var requesterCert: String?

    @Option(name: .customLong("requester-key"), help: ArgumentHelp("Private key of the requester's leaf certificate, PEM or DER.", valueName: "file"))
    var requesterKey: String?

    @Flag(name: .customLong("requester-pub-key-id"),
          help: "Mutual authentication with a raw public key (PUB_KEY_ID_CAP): --requester-key alone, no certificate; the responder knows the public key and FINISH names ReqSlotID 0xFF.")
    var requesterPubKeyID = false

    @Option(name: .customLong("requester-slot"), help: "Slot the requester chain is provisioned in (0-7).")
    var requesterSlot: UInt8 = 0

    @Option(name: .customLong("requester-asym"),
            help: ArgumentHelp("Requester signature algorithm, spdm-emu name (ML_DSA_65 / ML_DSA_87: offered as ReqPqcAsymAlg, SPDM 1.4); default: from the key (RSA keys: RSAPSS).", valueName: "RSAPSS_3072"))
    var requesterAsym: String?

    @OptionGroup var sizes: MessageSizeOptions

    @Flag(name: .customLong("handshake-in-the-clear"),
          help: "Offer HANDSHAKE_IN_THE_CLEAR_CAP: when the responder offers it too, FINISH travels in the clear and FINISH_RSP carries ResponderVerifyData.")
    var handshakeInTheClear = false

    @Flag(name: .customLong("responder-key-update"),
          help: "In each session, ask for the responder's own KEY_UPDATE (platform command OOB_ENCAP_KEY_UPDATE with the session id), then answer it in the encapsulated flow (offers ENCAP_CAP).")
    var responderKeyUpdate = false

    @Flag(name: .customLong("responder-endpoint-info"),
          help: "In each session, ask for the responder's own GET_ENDPOINT_INFO (platform command OOB_ENCAP_ENDPOINT_INFO), then answer it in the encapsulated flow, signed with the requester key when one is given (offers ENCAP_CAP and EP_INFO_CAP).")
    var responderEndpointInfo = false

    @Option(name: .long, help: ArgumentHelp("Keep the sessions open this long before END_SESSION, with a HEARTBEAT in each every half heartbeat period (to watch them in `spdmctl sessions`).", valueName: "seconds"))
    var hold: Double = 0

    @Flag(name: .customLong("subscribe-events"),
          help: "Subscribe every session to all events the responder offers (SPDM 1.3 EVENT_CAP), then print each event as it arrives (SEND_EVENT, polled with GET_ENCAPSULATED_REQUEST, answered with EVENT_ACK) for --hold seconds (0: until --events arrived or interrupted).")
    var subscribeEvents = false

    @Option(name: .long, help: "With --subscribe-events: stop after this many events.")
    var events: Int?

    @Option(name: .long, help: "Seconds to wait for each response.")
    var timeout: Int = 30

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    func validate() throws {
        if let spdmVersion {
            guard let version = SPDMVersion(string: spdmVersion), version >= .v11 else { throw ValidationError("--version must be 1.1 to 1.4") }
        }
        guard (1...16).contains(sessions) else { throw ValidationError("--sessions must be 1-16") }
        guard hold >= 0 && hold <= 86_400 else { throw ValidationError("--hold must be 0-86400 seconds") }
        guard slot < 8 || (slot == 0xFF && responderPublicKey != nil) else { throw ValidationError("--slot must be 0-7 (255 with --responder-public-key)") }
        if let events, events < 1 || !subscribeEvents { throw ValidationError("--events needs --subscribe-events and a count of at least 1") }
        if requesterPubKeyID {
            guard requesterKey != nil, requesterCert == nil else { throw ValidationError("--requester-pub-key-id takes --requester-key and no --requester-cert") }
        } else {
            guard (requesterCert == nil) == (requesterKey == nil) else {
                throw ValidationError("give --requester-cert and --requester-key together")
            }
        }
        guard requesterSlot < 8 else { throw ValidationError("--requester-slot must be 0-7") }
        if let requesterAsym, SigningAlgorithm.named(requesterAsym) == nil { throw RequesterIdentityFiles.unknownAlgorithm(requesterAsym) }
        if requesterCert == nil && !requesterPubKeyID && (requesterAsym != nil || requesterSlot != 0) {
            throw ValidationError("--requester-asym and --requester-slot need --requester-cert and --requester-key")
        }
        _ = try pskPair()
        _ = try SignatureOffer.parse(asym)
        _ = try kemOffer(kem)
    }

    /// "HINT:KEY", each side a config byte string (cstr:text, hex:00ff, or text: SPDMCore's ByteString).
    func pskPair() throws -> (hint: [UInt8], key: [UInt8])? {
        guard let psk else { return nil }
        return try Self.parsePSK(psk)
    }

    static func parsePSK(_ psk: String) throws -> (hint: [UInt8], key: [UInt8]) {
        var rest = Substring(psk)
        var prefix = ""
        for candidate in ["cstr:", "hex:"] where rest.hasPrefix(candidate) {
            prefix = candidate
            rest = rest.dropFirst(candidate.count)
        }
        guard let colon = rest.firstIndex(of: ":") else { throw ValidationError("--psk must be HINT:KEY") }
        guard let hint = ByteString.parse(prefix + rest[..<colon]), let key = ByteString.parse(String(rest[rest.index(after: colon)...])),
              !key.isEmpty else {
            throw ValidationError("--psk: hint or key is not valid (cstr:text, hex:digits or text)")
        }
        guard hint.count <= 16 else { throw ValidationError("--psk: the hint is \(hint.count) bytes, at most 16") }
        return (hint, key)
    }

    func run() throws {
        let transportType = endpoint.transportType
        let roots = try root.flatMap { try RootFiles.load($0) }
        let pskPair = try pskPair()
        var identity: RequesterCredentials?
        if let requesterCert, let requesterKey {
            identity = try RequesterIdentityFiles.load(cert: requesterCert, key: requesterKey, slot: requesterSlot, algorithm: requesterAsym)
        } else if requesterPubKeyID, let requesterKey {
            identity = try RequesterIdentityFiles.loadRawKey(requesterKey, algorithm: requesterAsym)
        }
        // A raw public key identity replaces CERT_CAP with PUB_KEY_ID_CAP (they exclude each other).
        var capabilities: CapabilityFlags = [requesterPubKeyID ? .pubKeyID : .cert, .chal, .mac, .keyEx, .pskWithoutContext, .heartbeat, .keyUpdate]
        if !macOnly { capabilities.insert(.encrypt) }
        if identity != nil { capabilities.formUnion(requesterPubKeyID ? [.mutAuth] : [.mutAuth, .encap]) }
        if responderKeyUpdate || subscribeEvents { capabilities.insert(.encap) }
        if responderEndpointInfo {
            capabilities.formUnion([.encap, identity == nil ? .endpointInfoNoSignature : .endpointInfoWithSignature])
        }
        if handshakeInTheClear { capabilities.insert(.handshakeInTheClear) }
        capabilities.formUnion(sizes.capabilities)
        let signatures = try SignatureOffer.parse(asym)
        var configuration = RequesterConfiguration(
            forcedVersion: spdmVersion.flatMap(SPDMVersion.init(string:)), capabilities: capabilities,
            dataTransferSize: sizes.dataTransferSize, maxSPDMMessageSize: sizes.maxSPDMMessageSize,
            baseAsym: signatures.baseAsym, dhe: DHEGroups(rawValue: 0x3F), aead: [.aes128GCM, .aes256GCM, .chacha20Poly1305], keySchedule: .spdm,
            requesterIdentity: identity, trustedRoots: roots, allowUnanchoredChains: false,
            chainOptions: .init(validAt: Date()))
        configuration.pqcAsym = signatures.pqcAsym
        configuration.kem = try kemOffer(kem)
        var document = SessionRunReport(ok: false, endpoint: endpoint.address, transport: transportType.description, sessions: [], verified: [])

        let client: PlatformSocketClient
        do {
            client = try endpoint.open(timeoutSeconds: timeout)
            try client.hello()
        } catch let error as ValidationError {
            throw error
        } catch {
            document.fail("cannot reach the responder at \(endpoint.address): \(error)", .transport)
            emit(document)
            throw ExitCode(FailedCheck.transport.exitStatus)
        }

        let rawKey = try responderPublicKey.map { try PublicKeyFile.load($0, option: "--responder-public-key") }
        var plan = SessionRun.Plan(slot: rawKey == nil ? slot : 0xFF, sessions: sessions, psk: pskPair, fetchChain: pskPair == nil || !roots.isEmpty,
                                   responderKeyUpdate: responderKeyUpdate, responderEndpointInfo: responderEndpointInfo,
                                   hold: hold, subscribeEvents: subscribeEvents,
                                   eventCount: events, onEvent: { [json] line in
                                       if !json { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
                                   })
        plan.responderPublicKey = rawKey
        var run = SessionRun(plan: plan, client: client, requester: RequesterConnection(configuration: configuration),
                             channel: transportType == .mctp ? .mctp : .pciDOE, document: document)
        do {
            try run.perform()
            emit(run.document)
        } catch let error as RequesterError {
            run.document.fail(error.description, error.failedCheck)
            emit(run.document)
            throw ExitCode(error.failedCheck.exitStatus)
        } catch let error as PlatformSocketClient.Failure {
            run.document.fail("transport: \(error)", .transport)
            emit(run.document)
            throw ExitCode(FailedCheck.transport.exitStatus)
        }
    }

    func emit(_ document: SessionRunReport) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(document), let text = String(data: data, encoding: .utf8) { print(text) }
            return
        }
        if let version = document.version {
            let exchange = document.kem.map { "KEM \($0)" } ?? "DHE \(document.dhe ?? "-")"
            print("\(document.endpoint) (\(document.transport)): SPDM \(version), \(exchange), AEAD \(document.aead ?? "-"), asym \(document.asym ?? "-")"
                + (document.requesterAsym.map { ", requester asym \($0)" } ?? ""))
        }
        for session in document.sessions {
            print("session \(session.sessionID): \(session.mode), \(session.encrypted ? "encrypt+MAC" : "MAC only")"
                + (session.mutualAuth.map { ", mutual auth \($0)" } ?? "") + (session.handshakeInTheClear ? ", handshake in the clear" : "")
                + (session.responderKeyUpdate ? ", responder key update ok" : "")
                + (session.responderEndpointInfo ? ", responder endpoint info ok" : "")
                + (session.endpointInfo.map { ", endpoint info \($0)" } ?? "")
                + (session.logEntries.map { ", extension log \($0) entries" } ?? "")
                + ", heartbeat \(session.heartbeat ? "ok" : "-"), key update \(session.keyUpdate ? "ok" : "-")"
                + ", measurements \(session.measurementCount.map { "\($0)\(session.measurementsSigned ? " signed" : "")" } ?? "-")"
                + ", \(session.ended ? "ended" : "open")")
        }
        for line in document.verified { print("  verified: \(line)") }
        if let error = document.error {
            FileHandle.standardError.write(Data("spdmctl session: FAILED (\(document.failedCheck?.rawValue ?? "check")): \(error)\n".utf8))
        } else {
            print("OK")
        }
    }
}

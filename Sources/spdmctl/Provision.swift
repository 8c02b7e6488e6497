import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMSession
import SPDMTransport
import SPDMWire

/// `spdmctl provision`: the provisioning requester — a CSR into a file, a chain into a slot (or a
/// slot erased), key pair info read and changed (DSP0274 §10.22-10.26).
struct Provision: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision one SPDM responder: GET_CSR, SET_CERTIFICATE, GET/SET_KEY_PAIR_INFO.",
        discussion: """
            Each subcommand runs VCA (asking for a multi-key connection when the responder offers \
            MULTI_KEY_NEG; --single-key does not), then its request — in the clear, or with --session \
            inside a secure session (KEY_EXCHANGE, verified with --root, or PSK_EXCHANGE with --psk): \
            a responder takes SET_CERTIFICATE for slots other than 0 only inside a session.
            Exit status: 0 when the responder acknowledged; 9 when it acknowledged with \
            ERROR(ResetRequired): the change takes effect after the device reset (for a CSR, repeat with \
            the printed --tag after the reset); otherwise the kind of the failed check, as for `attest` \
            (2 the responder answered another ERROR, 3 unreachable, 1 a malformed or unexpected response, ...).
            """,
        subcommands: [ProvisionCSR.self, ProvisionInstall.self, ProvisionErase.self, ProvisionKeyPairs.self, ProvisionSetKeyPair.self])
}

/// What every `provision` subcommand shares: where the responder is and how to talk to it.
struct ProvisionOptions: ParsableArguments {
    /// The exit status of a request the device acknowledged with ERROR(ResetRequired).
    static let resetRequiredStatus: Int32 = 9

    @OptionGroup var endpoint: EndpointOptions

    @Option(name: .customLong("version"), help: ArgumentHelp("Use exactly this SPDM version (1.2-1.4); default: highest common.", valueName: "1.x"))
    var spdmVersion: String?

    @Flag(name: .long, help: "Send the request inside a secure session (KEY_EXCHANGE with --root, or PSK_EXCHANGE with --psk).")
    var session = false

    @Option(name: .long, help: ArgumentHelp("Trusted root certificate, DER or PEM (repeatable): verifies the chain KEY_EXCHANGE is signed with.", valueName: "file"))
    var root: [String] = []

    @Option(name: .long, help: ArgumentHelp("With --session: PSK_EXCHANGE with this hint and key ('cstr:' and 'hex:' forms as in the config).", valueName: "HINT:KEY"))
    var psk: String?

    @Flag(name: .customLong("single-key"), help: "Do not ask for a multi-key connection (1.3+).")
    var singleKey = false

    @Option(name: .long, help: "Seconds to wait for each response.")
    var timeout: Int = 30

    func validate() throws {
        if let spdmVersion {
            guard let version = SPDMVersion(string: spdmVersion), version >= .v12 else { throw ValidationError("--version must be 1.2 to 1.4") }
        }
        if let psk { _ = try Session.parsePSK(psk) }
        if session && psk == nil && root.isEmpty { throw ValidationError("--session needs --root (KEY_EXCHANGE) or --psk (PSK_EXCHANGE)") }
        if !session && psk != nil { throw ValidationError("--psk needs --session") }
    }

    /// Connects, runs VCA and DIGESTS, and hands `body` a way to send one provisioning request (in
    /// the clear or in the session). Maps failures to the exit statuses of `Provision`.
    func run(_ body: (inout ProvisioningLink) throws -> Void) throws {
        let roots = try root.flatMap { try RootFiles.load($0) }
        var capabilities: CapabilityFlags = [.cert, .chal, .mac, .encrypt, .keyEx, .pskWithoutContext, .heartbeat]
        if !singleKey { capabilities.insert(.multiKeyNegotiated) }
        let configuration = RequesterConfiguration(
            forcedVersion: spdmVersion.flatMap(SPDMVersion.init(string:)), capabilities: capabilities,
            otherParams: singleKey ? .opaqueDataFormat1 : [.opaqueDataFormat1, .multiKeyConnection],
            dhe: DHEGroups(rawValue: 0x3F), aead: [.aes128GCM, .aes256GCM, .chacha20Poly1305], keySchedule: .spdm,
            trustedRoots: roots, allowUnanchoredChains: roots.isEmpty, chainOptions: .init(validAt: Date()))
        let client: PlatformSocketClient
        do {
            client = try endpoint.open(timeoutSeconds: timeout)
            try client.hello()
        } catch {
            FileHandle.standardError.write(Data("spdmctl: cannot reach the responder at \(endpoint.address): \(error)\n".utf8))
            throw ExitCode(FailedCheck.transport.exitStatus)
        }
        var link = ProvisioningLink(requester: RequesterConnection(configuration: configuration), client: client)
        do {
            for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
                _ = try link.requester.perform(operation) { try client.exchangeSPDM($0) }
            }
            if link.requester.responderCapabilities?.flags.contains(.cert) == true {
                _ = try link.requester.perform(.getDigests) { try client.exchangeSPDM($0) }
            }
            if session {
                let channel: SecuredChannel = endpoint.transportType == .mctp ? .mctp : .pciDOE
                let secured: SecuredExchange = { try client.exchangeSecured($0) }
                if let psk {
                    let pair = try Session.parsePSK(psk)
                    link.session = try link.requester.pskExchange(hint: pair.hint, psk: pair.key, channel: channel,
                                                                  exchange: { try client.exchangeSPDM($0) }, secured: secured)
                } else {
                    _ = try link.requester.perform(.getCertificate(slot: 0)) { try client.exchangeSPDM($0) }
                    link.session = try link.requester.keyExchange(channel: channel, exchange: { try client.exchangeSPDM($0) }, secured: secured)
                }
            }
            try body(&link)
            if var open = link.session { try link.requester.endSession(session: &open) { try client.exchangeSecured($0) } }
        } catch let RequesterError.errorResponse(request, code, data) where code == .resetRequired {
            let tag = request == .getCSR && data != 0 ? " (CSRTrackingTag \(data): after the reset, repeat with --tag \(data))" : ""
            print("\(request) acknowledged with ERROR(ResetRequired): it takes effect after the device reset\(tag)")
            throw ExitCode(Self.resetRequiredStatus)
        } catch let error as RequesterError {
            FileHandle.standardError.write(Data("spdmctl: FAILED (\(error.failedCheck.rawValue)): \(error.description)\n".utf8))
            throw ExitCode(error.failedCheck.exitStatus)
        } catch let error as PlatformSocketClient.Failure {
            FileHandle.standardError.write(Data("spdmctl: FAILED (transport): \(error)\n".utf8))
            throw ExitCode(FailedCheck.transport.exitStatus)
        }
    }
}

/// One connection ready for provisioning requests.
struct ProvisioningLink {
    var requester: RequesterConnection
    let client: PlatformSocketClient
    var session: RequesterSession?

    /// Sends `operation` in the session when there is one, else in the clear.
    mutating func send(_ operation: RequesterOperation) throws -> RequesterEvent {
        let client = self.client
        guard var open = session else { return try requester.perform(operation) { try client.exchangeSPDM($0) } }
        defer { session = open }
        return try requester.performInSession(operation, session: &open) { try client.exchangeSecured($0) }
    }

    /// On a multi-key connection the request names a key pair; elsewhere it must not.
    var multiKey: Bool { requester.negotiated?.multiKeyConnectionResponder ?? false }
}

/// `--model device|alias|generic`.
func certificateModel(_ name: String) throws -> CertificateModel {
    switch name {
    case "device": return .deviceCert
    case "alias": return .aliasCert
    case "generic": return .genericCert
    default: throw ValidationError("--model must be device, alias or generic")
    }
}

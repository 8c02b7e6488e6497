import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMTestFixtures
import SPDMWire

/// How far a prepared connection got before the fuzzer takes over.
public enum ConnectionStage: Sendable, Hashable {
    /// Nothing sent yet.
    case fresh
    /// GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS done.
    case afterVCA
    /// VCA, GET_DIGESTS and the whole GET_CERTIFICATE series of slot 0 done.
    case afterCertificate
    /// KEY_EXCHANGE_RSP received; FINISH not sent (records use the handshake keys).
    case keyExchangeHandshake
    /// KEY_EXCHANGE and FINISH done: an established session.
    case keyExchangeSession
    /// PSK_EXCHANGE_RSP received; PSK_FINISH not sent.
    case pskHandshake
    /// PSK_EXCHANGE and PSK_FINISH done: an established session.
    case pskSession
}

/// A responder and the real requester run back to back to some stage, with deterministic
/// randomness on both sides. Both are value types: a fuzz input works on a copy, so a state is
/// prepared once per process however many inputs run from it.
public struct PreparedConnection: Sendable {
    public var name: String
    public var stage: ConnectionStage
    public var version: SPDMVersion
    public var responder: ResponderConnection
    public var requester: RequesterConnection
    /// The requester's half of the session (session stages only).
    public var session: RequesterSession?
    public var channel: SecuredChannel

    /// Delivers a secured record to the responder as the daemon does and returns its reply.
    public mutating func deliver(_ record: [UInt8]) throws -> SecuredReply {
        let outcome = responder.handleSecured(record, format: channel.format, mctpTyped: channel.mctpTyped)
        if let sealed = outcome.record { return .secured(sealed) }
        if let plain = outcome.plainResponse { return .plain(plain) }
        throw RequesterError.securedMessage("no reply (\(outcome.dropped ?? "-"))")
    }
}

public enum ConnectionStates {
    /// Every stage the stateful targets start from: VCA and certificates at each version 1.0-1.4;
    /// sessions (KEY_EXCHANGE and PSK, handshake and established) at 1.1-1.4 over MCTP, and an
    /// established KEY_EXCHANGE session over PCI-DOE.
    public static func prepareAll() -> [PreparedConnection] {
        catalog.map { prepare($0.stage, version: $0.version, channel: $0.channel) }
    }

    /// What `prepareAll` prepares, in order (a fuzz input's first byte indexes it).
    public static let catalog: [(stage: ConnectionStage, version: SPDMVersion, channel: SecuredChannel)] = {
        var states: [(stage: ConnectionStage, version: SPDMVersion, channel: SecuredChannel)] = []
        for version in SPDMVersion.all {
            for stage: ConnectionStage in [.fresh, .afterVCA, .afterCertificate] { states.append((stage, version, .mctp)) }
        }
        for version in SPDMVersion.all where version >= .v11 {
            for stage: ConnectionStage in [.keyExchangeHandshake, .keyExchangeSession, .pskHandshake, .pskSession] {
                states.append((stage, version, .mctp))
            }
        }
        states.append((.keyExchangeSession, .v12, .pciDOE))
        return states
    }()

    public static func index(of stage: ConnectionStage, _ version: SPDMVersion, _ channel: SecuredChannel = .mctp) -> UInt8 {
        UInt8(catalog.firstIndex { $0.stage == stage && $0.version == version && $0.channel == channel }!)
    }

    /// Runs the real requester against the responder up to `stage`; any failure is a broken
    /// fixture, not a finding, and stops the process at once.
    public static func prepare(_ stage: ConnectionStage, version: SPDMVersion, channel: SecuredChannel = .mctp) -> PreparedConnection {
        let random = FixedRandom()
        var state = PreparedConnection(
            name: "\(stage) \(version)\(channel == .pciDOE ? " pci-doe" : "")", stage: stage, version: version,
            responder: ResponderConnection(device: FuzzDevice.responderDevice(), random: random),
            requester: RequesterConnection(configuration: FuzzDevice.requesterConfiguration(version: version), random: random),
            session: nil, channel: channel)
        do {
            try advance(&state, to: stage)
        } catch {
            fatalError("cannot prepare \(state.name): \(error)")
        }
        return state
    }

    private static func advance(_ state: inout PreparedConnection, to stage: ConnectionStage) throws {
        guard stage != .fresh else { return }
        var responder = state.responder
        defer { state.responder = responder }
        let plain: ([UInt8]) -> [UInt8] = { responder.respond(to: $0) }
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try state.requester.perform(operation, exchange: plain)
        }
        guard stage != .afterVCA else { return }
        _ = try state.requester.perform(.getDigests, exchange: plain)
        _ = try state.requester.perform(.getCertificate(slot: 0), exchange: plain)
        let channel = state.channel
        let secured: SecuredExchange = { record in
            let outcome = responder.handleSecured(record, format: channel.format, mctpTyped: channel.mctpTyped)
            if let sealed = outcome.record { return .secured(sealed) }
            return .plain(outcome.plainResponse ?? [])
        }
        switch stage {
        case .fresh, .afterVCA, .afterCertificate:
            return
        case .keyExchangeHandshake:
            let (request, exchangeState) = try state.requester.startKeyExchange()
            state.session = try state.requester.receiveKeyExchange(plain(request), state: exchangeState, channel: channel)
        case .keyExchangeSession:
            state.session = try state.requester.keyExchange(channel: channel, exchange: plain, secured: secured)
        case .pskHandshake:
            let (request, exchangeState) = try state.requester.startPSKExchange(hint: FuzzDevice.pskHint, psk: FuzzDevice.pskKey)
            state.session = try state.requester.receivePSKExchange(plain(request), state: exchangeState, channel: channel)
        case .pskSession:
            state.session = try state.requester.pskExchange(hint: FuzzDevice.pskHint, psk: FuzzDevice.pskKey, channel: channel,
                                                            exchange: plain, secured: secured)
        }
    }
}

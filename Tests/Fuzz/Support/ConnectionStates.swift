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
    public var recipe: ConnectionRecipe
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

/// Where a prepared connection starts: stage, version, binding, and whether its device asks for
/// mutual authentication.
public struct ConnectionRecipe: Sendable, Hashable {
    public var stage: ConnectionStage
    public var version: SPDMVersion
    public var channel: SecuredChannel
    public var mutualAuth: MutualAuthSettings.Mode
    /// Both sides have CHUNK_CAP and a 42-byte DataTransferSize (FuzzDevice): large messages travel in chunks.
    public var chunking: Bool
    /// A provisioning device (FuzzDevice.responderDevice) on a multi-key connection from 1.3.
    public var provisioning: FuzzDevice.Provisioning
    /// An SPDM 1.4 post-quantum device and requester (FuzzDevice): ML-DSA-65 signatures, ML-KEM-768
    /// key exchange, and an ML-DSA-65 requester key for mutual authentication.
    public var postQuantum: Bool

    public init(_ stage: ConnectionStage, _ version: SPDMVersion, channel: SecuredChannel = .mctp,
                mutualAuth: MutualAuthSettings.Mode = .none, chunking: Bool = false, provisioning: FuzzDevice.Provisioning = .none,
                postQuantum: Bool = false) {
        self.stage = stage
        self.version = version
        self.channel = channel
        self.mutualAuth = mutualAuth
        self.chunking = chunking
        self.provisioning = provisioning
        self.postQuantum = postQuantum
    }
}

public enum ConnectionStates {
    public static func prepareAll() -> [PreparedConnection] { catalog.map(prepare) }

    /// Every state the stateful targets start from, in order (a fuzz input's first byte indexes
    /// it): VCA and certificates at each version 1.0-1.4; sessions (KEY_EXCHANGE and PSK, handshake
    /// and established) at 1.1-1.4 over MCTP; an established KEY_EXCHANGE session over PCI-DOE; and
    /// at 1.2 and 1.3 a device asking for session mutual authentication (MutAuthRequested 0x01, 0x02
    /// with the encapsulated flow, 0x04 with the requester's DIGESTS first), after CERTIFICATE and
    /// in the KEY_EXCHANGE handshake (where GET_ENCAPSULATED_REQUEST / DELIVER_ENCAPSULATED_RESPONSE go);
    /// last, at 1.2-1.4, a device and requester with CHUNK_CAP and 42-byte DataTransferSizes after VCA,
    /// after CERTIFICATE and in KEY_EXCHANGE and PSK sessions (where CHUNK_SEND / CHUNK_GET go); then
    /// provisioning devices; last, at 1.4, the post-quantum device from a fresh connection to an
    /// established ML-KEM session, and asking for encapsulated mutual authentication with an ML-DSA key.
    public static let catalog: [ConnectionRecipe] = {
        var recipes: [ConnectionRecipe] = []
        for version in SPDMVersion.all {
            for stage: ConnectionStage in [.fresh, .afterVCA, .afterCertificate] { recipes.append(ConnectionRecipe(stage, version)) }
        }
        for version in SPDMVersion.all where version >= .v11 {
            for stage: ConnectionStage in [.keyExchangeHandshake, .keyExchangeSession, .pskHandshake, .pskSession] {
                recipes.append(ConnectionRecipe(stage, version))
            }
        }
        recipes.append(ConnectionRecipe(.keyExchangeSession, .v12, channel: .pciDOE))
        for version: SPDMVersion in [.v12, .v13] {
            for mode: MutualAuthSettings.Mode in [.keyExchange, .encapsulated, .encapsulatedDigests] {
                for stage: ConnectionStage in [.afterCertificate, .keyExchangeHandshake] {
                    recipes.append(ConnectionRecipe(stage, version, mutualAuth: mode))
                }
            }
        }
        for version: SPDMVersion in [.v12, .v13, .v14] {
            for stage: ConnectionStage in [.afterVCA, .afterCertificate, .keyExchangeHandshake, .keyExchangeSession, .pskSession] {
                recipes.append(ConnectionRecipe(stage, version, chunking: true))
            }
        }
        // Provisioning (GET_CSR, SET_CERTIFICATE, key pair info): after CERTIFICATE at 1.2-1.4, in
        // sessions at 1.3, and at 1.3 and 1.4 on a device that needs resets for them.
        for version: SPDMVersion in [.v12, .v13, .v14] { recipes.append(ConnectionRecipe(.afterCertificate, version, provisioning: .direct)) }
        for stage: ConnectionStage in [.keyExchangeSession, .pskSession] {
            recipes.append(ConnectionRecipe(stage, .v13, provisioning: .direct))
        }
        for version: SPDMVersion in [.v13, .v14] { recipes.append(ConnectionRecipe(.afterCertificate, version, provisioning: .resetRequired)) }
        for stage: ConnectionStage in [.fresh, .afterVCA, .afterCertificate, .keyExchangeHandshake, .keyExchangeSession] {
            recipes.append(ConnectionRecipe(stage, .v14, postQuantum: true))
        }
        for stage: ConnectionStage in [.afterCertificate, .keyExchangeHandshake] {
            recipes.append(ConnectionRecipe(stage, .v14, mutualAuth: .encapsulated, postQuantum: true))
        }
        return recipes
    }()

    public static func index(of recipe: ConnectionRecipe) -> UInt8 { UInt8(catalog.firstIndex(of: recipe)!) }

    public static func index(of stage: ConnectionStage, _ version: SPDMVersion, _ channel: SecuredChannel = .mctp) -> UInt8 {
        index(of: ConnectionRecipe(stage, version, channel: channel))
    }

    /// Runs the real requester against the responder up to the recipe's stage; any failure is a
    /// broken fixture, not a finding, and stops the process at once.
    public static func prepare(_ recipe: ConnectionRecipe) -> PreparedConnection {
        let random = FixedRandom()
        let mutual = recipe.mutualAuth != .none
        let provisioning = recipe.provisioning != .none
        let name = "\(recipe.stage) \(recipe.version)\(recipe.channel == .pciDOE ? " pci-doe" : "")"
            + (mutual ? " mutual \(recipe.mutualAuth)" : "") + (recipe.chunking ? " chunking" : "")
            + (provisioning ? " provisioning \(recipe.provisioning)" : "") + (recipe.postQuantum ? " post-quantum" : "")
        var state = PreparedConnection(
            name: name, recipe: recipe, stage: recipe.stage, version: recipe.version,
            responder: ResponderConnection(device: FuzzDevice.responderDevice(mutualAuth: recipe.mutualAuth, chunking: recipe.chunking,
                                                                              provisioning: recipe.provisioning,
                                                                              postQuantum: recipe.postQuantum),
                                           random: random),
            requester: RequesterConnection(configuration: FuzzDevice.requesterConfiguration(version: recipe.version, mutualAuth: mutual,
                                                                                            chunking: recipe.chunking, multiKey: provisioning,
                                                                                            postQuantum: recipe.postQuantum),
                                           random: random),
            session: nil, channel: recipe.channel)
        do {
            try advance(&state, to: recipe.stage)
        } catch {
            fatalError("cannot prepare \(state.name): \(error)")
        }
        return state
    }

    public static func prepare(_ stage: ConnectionStage, version: SPDMVersion, channel: SecuredChannel = .mctp) -> PreparedConnection {
        prepare(ConnectionRecipe(stage, version, channel: channel))
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
            let response = try state.requester.exchangeLarge(request, exchange: plain)
            state.session = try state.requester.receiveKeyExchange(response, state: exchangeState, channel: channel)
        case .keyExchangeSession:
            state.session = try state.requester.keyExchange(channel: channel, exchange: plain, secured: secured)
        case .pskHandshake:
            let (request, exchangeState) = try state.requester.startPSKExchange(hint: FuzzDevice.pskHint, psk: FuzzDevice.pskKey)
            let response = try state.requester.exchangeLarge(request, exchange: plain)
            state.session = try state.requester.receivePSKExchange(response, state: exchangeState, channel: channel)
        case .pskSession:
            state.session = try state.requester.pskExchange(hint: FuzzDevice.pskHint, psk: FuzzDevice.pskKey, channel: channel,
                                                            exchange: plain, secured: secured)
        }
    }
}

import SPDMFuzzSupport
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire

/// The responder as the requester sees it: the real one, every response passed through the input's
/// directives (HostileResponses).
struct HostilePeer {
    var responder: ResponderConnection
    var responses: HostileResponses
    let channel: SecuredChannel

    mutating func plain(_ request: [UInt8]) -> [UInt8] {
        responses.next(responder.respond(to: request))
    }

    mutating func secured(_ record: [UInt8]) throws -> SecuredReply {
        let outcome = responder.handleSecured(record, format: channel.format, mctpTyped: channel.mctpTyped)
        let real: SecuredReply
        if let sealed = outcome.record {
            real = .secured(sealed)
        } else if let plain = outcome.plainResponse {
            real = .plain(plain)
        } else {
            throw RequesterError.securedMessage("no reply")
        }
        return responses.next(real)
    }
}

/// One fuzz input's run: every flow left after the prepared stage, each allowed to fail.
enum RequesterFlows {
    /// The connection flows still ahead of `stage`, in the order a requester runs them.
    static func connectionFlows(after stage: ConnectionStage) -> [RequesterOperation] {
        let all: [RequesterOperation] = [
            .getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests, .getCertificate(slot: 0),
            .challenge(slot: 0, summary: .all), .getMeasurements(.all(signed: true)), .getMeasurements(.totalCount),
            .getMeasurements(.index(1, signed: false)),
            .getEndpointInfo(EndpointInfoRequest(signed: true)), .getMeasurementExtensionLog,
        ]
        switch stage {
        case .fresh: return all
        case .afterVCA: return Array(all.dropFirst(3))
        case .afterCertificate: return Array(all.dropFirst(5))
        default: return []
        }
    }

    /// One step of a run: a connection flow, or opening a session and using it.
    enum Step {
        case operation(RequesterOperation)
        case keyExchangeSession
        case pskSession
    }

    static func steps(after stage: ConnectionStage) -> [Step] {
        switch stage {
        case .fresh, .afterVCA, .afterCertificate:
            return connectionFlows(after: stage).map(Step.operation) + [.keyExchangeSession, .pskSession]
        default:
            return []
        }
    }

    /// Runs the first `limit` steps after the prepared stage (0: all of them), or in a session
    /// state, the rest of its handshake and the in-session requests.
    static func run(_ state: PreparedConnection, limit: Int, responses: HostileResponses) {
        var requester = state.requester
        var peer = HostilePeer(responder: state.responder, responses: responses, channel: state.channel)
        switch state.stage {
        case .fresh, .afterVCA, .afterCertificate:
            let all = steps(after: state.stage)
            for step in all.prefix(limit % (all.count + 1) == 0 ? all.count : limit % (all.count + 1)) {
                switch step {
                case .operation(let operation):
                    _ = try? requester.perform(operation) { peer.plain($0) }
                case .keyExchangeSession:
                    if var session = try? openKeyExchangeSession(&requester, &peer) { inSession(&session, &requester, &peer) }
                case .pskSession:
                    if var session = try? openPSKSession(&requester, &peer) { inSession(&session, &requester, &peer) }
                }
            }
        case .keyExchangeHandshake, .pskHandshake:
            guard var session = state.session else { return }
            if (try? finishHandshake(&session, &requester, &peer)) != nil { inSession(&session, &requester, &peer) }
        case .keyExchangeSession, .pskSession:
            guard var session = state.session else { return }
            inSession(&session, &requester, &peer)
        }
    }

    private static func openKeyExchangeSession(_ requester: inout RequesterConnection, _ peer: inout HostilePeer) throws -> RequesterSession {
        // The driver: KEY_EXCHANGE, the encapsulated mutual-authentication flow when the device asks
        // for it (the requester then answers the peer's encapsulated requests), FINISH.
        try requester.keyExchange(summary: .all, channel: peer.channel, exchange: { peer.plain($0) }, secured: { try peer.secured($0) })
    }

    private static func openPSKSession(_ requester: inout RequesterConnection, _ peer: inout HostilePeer) throws -> RequesterSession {
        let (request, state) = try requester.startPSKExchange(hint: FuzzDevice.pskHint, psk: FuzzDevice.pskKey, summary: .tcb)
        let response = try requester.exchangeLarge(request) { peer.plain($0) }
        var session = try requester.receivePSKExchange(response, state: state, channel: peer.channel)
        if !session.established { try finishHandshake(&session, &requester, &peer) }
        return session
    }

    /// FINISH (KEY_EXCHANGE sessions) or PSK_FINISH (PSK sessions), answered by the hostile peer.
    private static func finishHandshake(_ session: inout RequesterSession, _ requester: inout RequesterConnection,
                                        _ peer: inout HostilePeer) throws {
        if session.usesPSK {
            let finish = requester.pskFinishRequest(session: &session)
            let response = try session.exchange(finish, code: .pskFinish) { try peer.secured($0) }
            try requester.receivePSKFinish(response, session: &session)
        } else {
            let finish = try requester.finishRequest(session: &session)
            let response = try session.exchange(finish, code: .finish) { try peer.secured($0) }
            try requester.receiveFinish(response, session: &session)
        }
    }

    /// HEARTBEAT, both KEY_UPDATE flavours, signed MEASUREMENTS and END_SESSION inside the session.
    private static func inSession(_ session: inout RequesterSession, _ requester: inout RequesterConnection,
                                  _ peer: inout HostilePeer) {
        try? requester.heartbeat(session: &session) { try peer.secured($0) }
        try? requester.updateKeys(all: false, session: &session) { try peer.secured($0) }
        try? requester.updateKeys(all: true, session: &session) { try peer.secured($0) }
        _ = try? requester.getMeasurements(.all(signed: true), session: &session) { try peer.secured($0) }
        _ = try? requester.getEndpointInfo(EndpointInfoRequest(signed: true), session: &session) { try peer.secured($0) }
        _ = try? requester.getMeasurementExtensionLog(session: &session) { try peer.secured($0) }
        try? requester.endSession(session: &session) { try peer.secured($0) }
    }
}

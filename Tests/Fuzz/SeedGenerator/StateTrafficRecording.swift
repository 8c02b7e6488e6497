import SPDMFuzzSupport
import SPDMRequester
import SPDMResponder
import SPDMWire

/// The requests the real requester sends from a prepared state (after VCA or CERTIFICATE: CHALLENGE and
/// signed MEASUREMENTS; in a handshake: FINISH; in a session: HEARTBEAT, MEASUREMENTS, KEY_UPDATE,
/// END_SESSION): what FuzzResponder replays from that state. From a chunking state (CHUNK_CAP on both
/// sides, 42-byte DataTransferSizes) CHUNK_SEND and CHUNK_GET are among them; from a post-quantum
/// state the ML-KEM / ML-DSA sized messages. Route 0: in the clear; route 1: the plaintext of a
/// request sealed in the state's session.
enum StateTrafficRecording {
    static func requests(from recipe: ConnectionRecipe) -> [(route: UInt8, message: [UInt8])] {
        var state = ConnectionStates.prepare(recipe)
        var requests: [(route: UInt8, message: [UInt8])] = []
        var responder = state.responder
        let channel = state.channel
        let plain: ([UInt8]) -> [UInt8] = { request in
            requests.append((0, request))
            return responder.respond(to: request)
        }
        let secured: SecuredExchange = { record in
            let outcome = responder.handleSecured(record, format: channel.format, mctpTyped: channel.mctpTyped) { request, response in
                requests.append((1, request))
                return response
            }
            return outcome.record.map(SecuredReply.secured) ?? .plain(outcome.plainResponse ?? [])
        }
        do {
            switch recipe.stage {
            case .fresh, .afterVCA, .afterCertificate:
                let operations: [RequesterOperation] = recipe.stage == .afterCertificate ? [] : [.getDigests, .getCertificate(slot: 0)]
                for operation in operations + [.challenge(slot: 0, summary: .all), .getMeasurements(.all(signed: true))] {
                    _ = try state.requester.perform(operation, exchange: plain)
                }
            case .keyExchangeHandshake, .pskHandshake:
                guard var session = state.session else { break }
                let finish = session.usesPSK ? state.requester.pskFinishRequest(session: &session)
                                             : try state.requester.finishRequest(session: &session)
                _ = try session.exchange(finish, code: session.usesPSK ? .pskFinish : .finish, via: secured)
            case .keyExchangeSession, .pskSession:
                guard var session = state.session else { break }
                try state.requester.heartbeat(session: &session, via: secured)
                _ = try state.requester.getMeasurements(.all(signed: true), session: &session, via: secured)
                try state.requester.updateKeys(all: false, session: &session, via: secured)
                try state.requester.endSession(session: &session, via: secured)
            }
        } catch {
            fatalError("recording run from \(state.name) failed: \(error)")
        }
        return requests
    }
}

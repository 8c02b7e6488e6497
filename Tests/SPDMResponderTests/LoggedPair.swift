import SPDMCore
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire

/// A requester and a responder back to back (no sockets) where every request that crosses is logged
/// by code, in the clear and in sessions, with the size of the biggest message each side sent (so
/// chunking shows). LargeMessagePair and PQCPair build their devices on it.
class LoggedPair {
    var responder: ResponderConnection
    var requester: RequesterConnection
    let channel: SecuredChannel
    /// Request codes as they crossed (the chunk requests included).
    var requests: [RequestCode] = []
    var largestRequest = 0
    var largestResponse = 0

    init(responder: ResponderConnection, requester: RequesterConnection, channel: SecuredChannel) {
        self.responder = responder
        self.requester = requester
        self.channel = channel
    }

    func plain(_ message: [UInt8]) -> [UInt8] {
        log(message)
        let response = responder.respond(to: message)
        largestResponse = max(largestResponse, response.count)
        return response
    }

    func secured(_ record: [UInt8]) throws -> SecuredReply {
        let outcome = responder.handleSecured(record, format: channel.format, mctpTyped: channel.mctpTyped) { request, response in
            self.log(request)
            self.largestResponse = max(self.largestResponse, response.count)
            return response
        }
        if let sealed = outcome.record { return .secured(sealed) }
        if let plain = outcome.plainResponse { return .plain(plain) }
        throw RequesterError.securedMessage("no reply (\(outcome.dropped ?? "-"))")
    }

    private func log(_ message: [UInt8]) {
        if message.count >= 2 { requests.append(RequestCode(rawValue: message[1])) }
        largestRequest = max(largestRequest, message.count)
    }
}

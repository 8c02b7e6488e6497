import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
import SPDMWire

/// What the mutation test counts, over all devices.
struct MutationTally: Sendable {
    var requests = 0
    /// Replies that were SPDM ERROR messages (in the clear or inside a session).
    var errorResponses = 0
    var closedConnections = 0
    /// Requests that got neither a reply nor a closed connection within the socket timeout.
    var hangs: [String] = []
    var sessionsOpened = 0

    static func += (lhs: inout MutationTally, rhs: MutationTally) {
        lhs.requests += rhs.requests
        lhs.errorResponses += rhs.errorResponses
        lhs.closedConnections += rhs.closedConnections
        lhs.hangs += rhs.hangs
        lhs.sessionsOpened += rhs.sessionsOpened
    }

    var summary: String {
        "\(requests) requests, \(closedConnections) connections closed, \(errorResponses) errors, \(hangs.count) hangs, \(sessionsOpened) sessions opened"
    }
}

/// What came back for one request frame.
enum MutationReply {
    case plain([UInt8])
    case secured([UInt8])
    /// A NORMAL frame with nothing SPDM in it (a dropped secured record is answered that way).
    case empty
    case closed
    case timedOut
}

/// Which session the in-session mutations travel in.
enum MutationSessionKind: String, Sendable {
    case keyExchange = "KEY_EXCHANGE"
    case psk = "PSK"
}

/// One device of the daemon under mutation: a connection negotiated by our requester (VCA, DIGESTS,
/// CERTIFICATE, and a session when asked for), reopened and renegotiated whenever the daemon closes it.
final class MutationTarget {
    static let pskHint = Array("TestPskHint".utf8) + [0]
    static let psk = Array("TestPskData".utf8) + [0]

    let name: String
    let port: Int
    let binding: any TransportBinding
    let configuration: RequesterConfiguration
    /// Seconds a reply may take before the request counts as a hang.
    let timeout: Int
    private(set) var socket: PlatformSocket
    private(set) var requester: RequesterConnection
    /// The VCA requests our requester sent, by request code (the templates start from them).
    private(set) var vcaRequests: [UInt8: [UInt8]] = [:]
    private(set) var session: RequesterSession?
    /// False once a request may have left the connection short of negotiated (a VCA request was sent).
    var isNegotiated = false
    var tally = MutationTally()

    init(name: String, port: Int, binding: any TransportBinding, configuration: RequesterConfiguration, timeout: Int) throws {
        self.name = name
        self.port = port
        self.binding = binding
        self.configuration = configuration
        self.timeout = timeout
        socket = try PlatformSocket(tcpPort: port, binding: binding, timeout: timeout)
        requester = RequesterConnection(configuration: configuration)
        try negotiate(retrievingCertificate: true)
    }

    var version: SPDMVersion? { requester.version }
    var channel: SecuredChannel { binding.type == .mctp ? .mctp : .pciDOE }

    // MARK: Connection and session set-up

    /// A new connection to the device, negotiated (with the certificate chain for KEY_EXCHANGE).
    func reconnect() throws {
        session = nil
        socket = try PlatformSocket(tcpPort: port, binding: binding, timeout: timeout)
        try negotiate(retrievingCertificate: true)
    }

    /// GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS (and DIGESTS, CERTIFICATE) on the current connection.
    func negotiate(retrievingCertificate: Bool) throws {
        guard socket.hello() else { throw TestSupportError("\(name): no answer to the TEST hello") }
        requester = RequesterConnection(configuration: configuration)
        let exchange: ([UInt8]) throws -> [UInt8] = { [socket] request in
            self.vcaRequests[request[1]] = request
            return try socket.plainExchange(request)
        }
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try requester.perform(operation, exchange: exchange)
        }
        if retrievingCertificate {
            _ = try requester.perform(.getDigests, exchange: socket.plainExchange)
            _ = try requester.perform(.getCertificate(slot: 0), exchange: socket.plainExchange)
        }
        isNegotiated = true
    }

    /// Opens a session of `kind` on the current connection. `intercept` sees each message our requester
    /// sends in the clear and may answer it itself (given the way to send it as is).
    func openSession(_ kind: MutationSessionKind,
                     intercept: (([UInt8], ([UInt8]) throws -> [UInt8]) throws -> [UInt8])? = nil) throws {
        let socket = socket
        let plain: ([UInt8]) throws -> [UInt8] = { request in
            guard let intercept else { return try socket.plainExchange(request) }
            return try intercept(request, socket.plainExchange)
        }
        let secured: SecuredExchange = socket.exchangeSecured
        switch kind {
        case .keyExchange:
            session = try requester.keyExchange(channel: channel, exchange: plain, secured: secured)
        case .psk:
            session = try requester.pskExchange(hint: Self.pskHint, psk: Self.psk, channel: channel, exchange: plain, secured: secured)
        }
        tally.sessionsOpened += 1
    }

    /// A new connection with a new session: after the old one was closed, desynchronised or ended.
    func reopenSession(_ kind: MutationSessionKind) throws {
        try reconnect()
        try openSession(kind)
    }

    /// `reconnect()` after the daemon closed the connection on `what`; a failure names it (a daemon
    /// that trapped on it refuses the new connection).
    func reconnect(after what: String) throws {
        do {
            try reconnect()
        } catch {
            throw TestSupportError("\(name): the connection closed after \(what), and a new one failed: \(error)")
        }
    }

    /// Forgets the session (its keys no longer match the responder's); the next use opens a new one.
    func abandonSession() { session = nil }

    /// The templates' starting points at this connection's version.
    func templateContext() throws -> TemplateContext {
        guard let negotiated = requester.negotiated, let getCapabilities = vcaRequests[RequestCode.getCapabilities.rawValue],
              let negotiateAlgorithms = vcaRequests[RequestCode.negotiateAlgorithms.rawValue] else {
            throw TestSupportError("\(name): not negotiated")
        }
        // Built on copies: the requester itself does not start these exchanges.
        var forKeyExchange = requester
        var forPSK = requester
        let wire = negotiated.wireContext
        let exchangeDataSize = DHEGroup(negotiated.dhe)?.exchangeDataSize ?? 64
        return TemplateContext(version: negotiated.version, hashSize: max(wire.hashSize, 32), signatureSize: wire.signatureSize,
                               exchangeDataSize: exchangeDataSize, getCapabilities: getCapabilities, negotiateAlgorithms: negotiateAlgorithms,
                               keyExchange: (try? forKeyExchange.startKeyExchange().request).map {
                                   RequestTemplates.fixingRandomness(ofKeyExchange: $0, exchangeDataSize: exchangeDataSize)
                               },
                               pskExchange: (try? forPSK.startPSKExchange(hint: Self.pskHint, psk: Self.psk).request)
                                   .map(RequestTemplates.fixingRandomness(ofPSKExchange:)))
    }

    // MARK: Sending

    /// Sends one transport message and reads the reply frame (or notices the closed connection / the timeout).
    func send(_ message: TransportMessage) -> MutationReply { send(payload: binding.encode(message)) }

    /// Sends one transport payload (binding header included) in a NORMAL frame and reads the reply frame.
    func send(payload: [UInt8]) -> MutationReply {
        tally.requests += 1
        socket.send(PlatformFrame(command: .normal, transport: binding.type, payload: payload))
        guard let frame = socket.receiveFrame() else {
            if socket.lastReceiveFailure == .timedOut { return .timedOut }
            tally.closedConnections += 1
            return .closed
        }
        switch try? binding.decode(frame.payload) {
        case .spdm(let reply)?:
            if reply.count >= 2, reply[1] == ResponseCode.error.rawValue { tally.errorResponses += 1 }
            return .plain(reply)
        case .securedSPDM(let record)?: return .secured(record)
        default: return .empty
        }
    }

    /// Seals `request` in the current session and sends it. `opened` is the reply when it opened in
    /// the same session; otherwise the session is unusable now and forgotten.
    func sendInSession(_ request: [UInt8]) throws -> (reply: MutationReply, opened: [UInt8]?) {
        guard var current = session else { throw TestSupportError("\(name): no session") }
        let reply = send(.securedSPDM(try current.seal(request)))
        guard case .secured(let record) = reply, let opened = try? current.open(record) else {
            session = nil
            return (reply, nil)
        }
        if opened.count >= 2, opened[1] == ResponseCode.error.rawValue { tally.errorResponses += 1 }
        session = current
        return (reply, opened)
    }

    /// A valid sealed record of `request` in the current session, for the corrupted-record mutations.
    func sealedRecord(_ request: [UInt8]) throws -> [UInt8] {
        guard var current = session else { throw TestSupportError("\(name): no session") }
        let record = try current.seal(request)
        session = current
        return record
    }

    /// A valid DELIVER_ENCAPSULATED_RESPONSE for a responder-initiated KEY_UPDATE in the current session:
    /// OOB_ENCAP_KEY_UPDATE arms it, GET_ENCAPSULATED_REQUEST fetches the KEY_UPDATE (request id, operation,
    /// tag), and the delivery carries its KEY_UPDATE_ACK. Nil when the device did not start the flow.
    func armedEncapsulatedKeyUpdateDelivery() throws -> [UInt8]? {
        guard let current = session, let version else { return nil }
        tally.requests += 1
        socket.send(PlatformFrame(command: .oobEncapKeyUpdate, transport: binding.type,
                                  payload: (0..<4).map { UInt8(truncatingIfNeeded: current.sessionID >> (8 * $0)) }))
        guard socket.receiveFrame()?.command == .oobEncapKeyUpdate else { return nil }
        let getRequest = RequestTemplates.header(version, RequestCode.getEncapsulatedRequest.rawValue, 0, 0)
        guard let reply = try sendInSession(getRequest).opened, reply.count >= 8,
              reply[1] == ResponseCode.encapsulatedRequest.rawValue, reply[5] == RequestCode.keyUpdate.rawValue else { return nil }
        let ack = RequestTemplates.header(version, ResponseCode.keyUpdateAck.rawValue, reply[6], reply[7])
        return DeliverEncapsulatedResponse(version: version, requestID: reply[2], encapsulatedResponse: ack).encoded
    }

    /// Sends `delivery`, the acknowledgement of the device's UpdateKey, in the session: the reply comes
    /// under the device's next response key (DSP0274 §10.20), as our requester expects it.
    func acknowledgeEncapsulatedKeyUpdate(_ delivery: [UInt8]) throws -> [UInt8] {
        guard var current = session else { throw TestSupportError("\(name): no session") }
        tally.requests += 1
        let reply = try current.exchange(delivery, code: .deliverEncapsulatedResponse, via: socket.exchangeSecured, movingResponseKey: true)
        session = current
        return reply
    }

    /// Records a hang (with what was sent) and starts over on a new connection.
    func recordHang(_ what: String) throws {
        tally.hangs.append("\(name): \(what)")
        try reconnect(after: "a request that hung: \(what)")
    }
}

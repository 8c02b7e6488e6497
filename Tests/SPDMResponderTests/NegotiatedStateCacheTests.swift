import SPDMCore
import SPDMRequester
import SPDMResponder
import SPDMWire
import Testing

/// CACHE_CAP (DSP0274 §10.4): the Negotiated State survives the connection, and a new connection of
/// the requester resumes from it without VCA.
@Suite("Negotiated State cache (CACHE_CAP)")
struct NegotiatedStateCacheTests {
    static let capabilities = SessionPair.responderCapabilities.union(.cache)

    @Test("a new connection resumes from the cached state: no VCA, sessions over the same transcript A")
    func resume() throws {
        let pair = SessionPair(version: .v13, responderCapabilities: Self.capabilities)
        try pair.connect()
        var first = try pair.pskExchange()
        try pair.requester.endSession(session: &first, clearNegotiatedState: false) { try pair.deliver($0) }
        let cached = try #require(pair.responder.negotiatedStateToCache)
        #expect(cached.version == .v13)

        // The reconnect: a fresh connection of the same device, the requester keeps what it negotiated.
        var fresh = ResponderConnection(device: pair.responder.device)
        let resumed = fresh.resume(from: cached)
        #expect(resumed)
        #expect(fresh.state == .negotiated && fresh.version == .v13 && fresh.negotiated == cached.algorithms)
        pair.responder = fresh
        _ = try pair.requester.perform(.getDigests) { pair.responder.respond(to: $0) }
        var second = try pair.pskExchange(requesterSessionID: 0xFFFE)
        try pair.exercise(&second)
        var third = try pair.keyExchange(requesterSessionID: 0xFFFD)
        try pair.exercise(&third)
    }

    @Test("without a resume a new connection refuses requests before GET_VERSION")
    func withoutResume() throws {
        let pair = SessionPair(version: .v13, responderCapabilities: Self.capabilities)
        try pair.connect()
        var fresh = ResponderConnection(device: pair.responder.device)
        let reply = fresh.respond(to: [0x13, 0x81, 0x00, 0x00])
        #expect(reply == [0x13, 0x7F, ErrorCode.unexpectedRequest.rawValue, 0x00])
    }

    @Test("nothing is cached before VCA ends, without CACHE_CAP, or once END_SESSION asked to clear it")
    func notCached() throws {
        let before = SessionPair(version: .v13, responderCapabilities: Self.capabilities)
        _ = try before.requester.perform(.getVersion) { before.responder.respond(to: $0) }
        #expect(before.responder.negotiatedStateToCache == nil)

        let noCache = SessionPair(version: .v13)
        try noCache.connect()
        #expect(noCache.responder.negotiatedStateToCache == nil)

        let cleared = SessionPair(version: .v13, responderCapabilities: Self.capabilities)
        try cleared.connect()
        let cached = try #require(cleared.responder.negotiatedStateToCache)
        var session = try cleared.pskExchange()
        try cleared.requester.endSession(session: &session, clearNegotiatedState: true) { try cleared.deliver($0) }
        #expect(cleared.responder.negotiatedStateToCache == nil)

        // A device without CACHE_CAP, or a connection already started, does not resume.
        var plain = ResponderConnection(device: noCache.responder.device)
        let plainResumed = plain.resume(from: cached)
        #expect(!plainResumed)
        var started = ResponderConnection(device: cleared.responder.device)
        _ = started.respond(to: GetVersionRequest().encoded(context: .unnegotiated(.v10)))
        let startedResumed = started.resume(from: cached)
        #expect(!startedResumed)
    }

    @Test("a state whose version the device no longer offers is not resumed")
    func staleVersion() throws {
        let pair = SessionPair(version: .v13, responderCapabilities: Self.capabilities)
        try pair.connect()
        var cached = try #require(pair.responder.negotiatedStateToCache)
        cached.version = .v12
        var fresh = ResponderConnection(device: pair.responder.device)
        let resumed = fresh.resume(from: cached)
        #expect(!resumed)
    }
}

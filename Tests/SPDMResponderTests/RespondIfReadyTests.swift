import SPDMResponder
import SPDMWire
import Testing

@Suite("RESPOND_IF_READY handler")
struct RespondIfReadyTests {
    static func slowDevice(_ codes: Set<RequestCode> = [.getDigests]) -> ResponderDevice {
        Fixtures.device(faults: FaultInjection(notReady: codes, rdExponent: 3, rdtm: 2))
    }

    @Test("ResponseNotReady, then the real response on RESPOND_IF_READY")
    func goodPath() {
        var prompt = Harness.negotiated()
        let expected = prompt.send([0x12, 0x81, 0x00, 0x00])

        var harness = Harness.negotiated(device: Self.slowDevice())
        #expect(harness.send([0x12, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x42, 0x00, 0x03, 0x81, 0x01, 0x02])
        #expect(harness.send([0x12, 0xFF, 0x81, 0x01]) == expected)
        // Delivered once only.
        #expect(harness.send([0x12, 0xFF, 0x81, 0x01]) == [0x12, 0x7F, 0x04, 0x00])
        // The next slow response gets the next token.
        #expect(harness.send([0x12, 0x81, 0x00, 0x00]) == [0x12, 0x7F, 0x42, 0x00, 0x03, 0x81, 0x02, 0x02])
    }

    @Test("a token or request code that does not match -> InvalidRequest, the response stays pending")
    func mismatch() {
        var harness = Harness.negotiated(device: Self.slowDevice())
        _ = harness.send([0x12, 0x81, 0x00, 0x00])
        #expect(harness.send([0x12, 0xFF, 0x81, 0x02]) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send([0x12, 0xFF, 0x82, 0x01]) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send([0x12, 0xFF, 0x81, 0x01])[1] == ResponseCode.digests.rawValue)
    }

    @Test("shorter than the header -> InvalidRequest")
    func truncated() {
        var harness = Harness.negotiated(device: Self.slowDevice())
        _ = harness.send([0x12, 0x81, 0x00, 0x00])
        #expect(harness.send([0x12, 0xFF, 0x81]) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("nothing pending, or before GET_VERSION -> UnexpectedRequest")
    func wrongState() {
        var fresh = Harness()
        #expect(fresh.send([0x10, 0xFF, 0x81, 0x01]) == [0x10, 0x7F, 0x04, 0x00])
        var idle = Harness.negotiated()
        #expect(idle.send([0x12, 0xFF, 0x81, 0x01]) == [0x12, 0x7F, 0x04, 0x00])
        // Another request drops the pending response.
        var dropped = Harness.negotiated(device: Self.slowDevice())
        _ = dropped.send([0x12, 0x81, 0x00, 0x00])
        _ = dropped.send(GetMeasurementsTests.request(operation: 0))
        #expect(dropped.send([0x12, 0xFF, 0x81, 0x01]) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("another version than the connection's -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.negotiated(device: Self.slowDevice())
        _ = harness.send([0x12, 0x81, 0x00, 0x00])
        #expect(harness.send([0x11, 0xFF, 0x81, 0x01]) == [0x12, 0x7F, 0x41, 0x00])
    }

    @Test("a signed response is deferred whole: the requester's transcript still verifies")
    func deferredChallenge() throws {
        var harness = Harness.negotiated(device: Self.slowDevice([.challenge]))
        let challenge = ChallengeTests.request()
        #expect(harness.send(challenge) == [0x12, 0x7F, 0x42, 0x00, 0x03, 0x83, 0x01, 0x02])
        #expect(harness.send([0x12, 0xFF, 0x83, 0x01])[1] == ResponseCode.challengeAuth.rawValue)
        #expect(harness.responder.state == .authenticated)
    }
}

import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMWire
import Testing
@testable import SPDMDaemon

/// The fault layer without sockets: decisions, determinism and every action on a response.
@Suite("Fault layer")
struct FaultLayerTests {
    static let request: [UInt8] = [0x12, 0x81, 0x00, 0x00]  // GET_DIGESTS 1.2
    static let response: [UInt8] = [0x12, 0x01, 0x00, 0x01] + Array(repeating: 0xAB, count: 32)  // DIGESTS

    static func layer(_ rules: [FaultRule], device: String = "gpu0") -> ConnectionFaults {
        ConnectionFaults(device: DeviceFaults(device: device, rules: rules))
    }

    /// One request through the layer: the decision, then the action on `response`.
    static func run(_ layer: inout ConnectionFaults, request: [UInt8] = request, response: [UInt8] = response,
                    inSession: Bool = false) -> FaultStep {
        let code = RequestCode(rawValue: request[1])
        let injection = layer.decide(code, inSession: inSession)
        return layer.apply(injection, code: code, request: request, response: response, inSession: inSession,
                           geometry: { ResponseFaults.SignatureGeometry(signature: 64, keyExchangeVerifyData: 32, hash: 32) })
    }

    static func sent(_ step: FaultStep) -> [[UInt8]] {
        if case .send(let messages) = step.delivery { return messages }
        return []
    }

    @Test("SplitMix64 from (seed, device, n): the same numbers every time, others for another n or device")
    func determinism() {
        var a = FaultRandom(seed: 7, device: "gpu0", n: 3)
        var b = FaultRandom(seed: 7, device: "gpu0", n: 3)
        var c = FaultRandom(seed: 7, device: "gpu0", n: 4)
        var d = FaultRandom(seed: 7, device: "gpu1", n: 3)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        #expect(first != (0..<8).map { _ in d.next() })
        #expect(FaultRandom.defaultSeed(device: "gpu0", ruleIndex: 0) == FaultRandom.defaultSeed(device: "gpu0", ruleIndex: 0))
        #expect(FaultRandom.defaultSeed(device: "gpu0", ruleIndex: 0) != FaultRandom.defaultSeed(device: "gpu0", ruleIndex: 1))
        #expect(FaultRandom.defaultSeed(device: "gpu0", ruleIndex: 5) <= UInt64(Int64.max))
    }

    @Test("mutate: the same seed and n give the same bytes on every connection; another n other bytes")
    func mutateRepeats() {
        let rule = FaultRule(request: .getDigests, action: .mutate(rate: 1.0), seed: 99)
        var first = Self.layer([rule])
        var second = Self.layer([rule])
        let a1 = Self.sent(Self.run(&first)), a2 = Self.sent(Self.run(&first))
        let b1 = Self.sent(Self.run(&second)), b2 = Self.sent(Self.run(&second))
        #expect(a1 == b1 && a2 == b2)
        #expect(a1 != a2)
        // Rate 1.0: every byte changed.
        #expect(zip(a1[0], Self.response).allSatisfy { $0 != $1 })
        var other = Self.layer([FaultRule(request: .getDigests, action: .mutate(rate: 1.0), seed: 100)])
        #expect(Self.sent(Self.run(&other)) != a1)
    }

    @Test("schedules: nth, every, once across connections, count, probability repeats per n")
    func schedules() {
        var nth = Self.layer([FaultRule(request: .getDigests, action: .drop, schedule: .nth(2))])
        #expect((1...4).map { _ in Self.run(&nth).injection != nil } == [false, true, false, false])
        var every = Self.layer([FaultRule(request: .getDigests, action: .drop, schedule: .every(2))])
        #expect((1...4).map { _ in Self.run(&every).injection != nil } == [false, true, false, true])

        let device = DeviceFaults(device: "d", rules: [FaultRule(request: nil, action: .drop, schedule: .once)])
        var one = ConnectionFaults(device: device), two = ConnectionFaults(device: device)
        #expect(Self.run(&one).injection != nil)
        #expect(Self.run(&one).injection == nil && Self.run(&two).injection == nil)

        var counted = Self.layer([FaultRule(request: nil, action: .drop, count: 2)])
        #expect((1...3).map { _ in Self.run(&counted).injection != nil } == [true, true, false])

        let coin = FaultRule(request: nil, action: .drop, schedule: .probability(0.5), seed: 1)
        var x = Self.layer([coin]), y = Self.layer([coin])
        let xs = (1...32).map { _ in Self.run(&x).injection != nil }
        #expect(xs == (1...32).map { _ in Self.run(&y).injection != nil })
        #expect(xs.contains(true) && xs.contains(false))
    }

    @Test("only matching requests count; the first firing rule wins; a replaced rule set starts over")
    func matching() {
        let device = DeviceFaults(device: "d", rules: [FaultRule(request: .challenge, action: .close),
                                                       FaultRule(request: nil, action: .drop, schedule: .nth(2))])
        var layer = ConnectionFaults(device: device)
        #expect(Self.run(&layer).injection == nil)  // GET_DIGESTS: rule 1, n = 1
        #expect(Self.run(&layer, request: [0x12, 0x83, 0, 0]).injection?.ruleIndex == 0)  // CHALLENGE: rule 0 wins
        #expect(Self.run(&layer).injection == nil)  // rule 1 saw n = 2 with the CHALLENGE
        device.replace([FaultRule(request: nil, action: .duplicate)])
        #expect(Self.sent(Self.run(&layer)) == [Self.response, Self.response])
        device.replace([])
        #expect(Self.sent(Self.run(&layer)) == [Self.response])
    }

    @Test("not_ready holds the response until the matching RESPOND_IF_READY (DSP0274 §10.13)")
    func notReady() {
        var layer = Self.layer([FaultRule(request: .getDigests, action: .notReady(rdExponent: 3, rdtm: 2))])
        #expect(Self.sent(Self.run(&layer)) == [[0x12, 0x7F, 0x42, 0x00, 0x03, 0x81, 0x01, 0x02]])
        // Wrong token or code: InvalidRequest, still held; another version: VersionMismatch.
        #expect(layer.answerRespondIfReady([0x12, 0xFF, 0x81, 0x02])?.error == .invalidRequest)
        #expect(layer.answerRespondIfReady([0x12, 0xFF, 0x82, 0x01])?.error == .invalidRequest)
        #expect(layer.answerRespondIfReady([0x11, 0xFF, 0x81, 0x01])?.error == .versionMismatch)
        let answer = layer.answerRespondIfReady([0x12, 0xFF, 0x81, 0x01])
        #expect(answer?.response == Self.response && answer?.error == nil)
        // Delivered once; then the responder answers (nothing held here).
        #expect(layer.answerRespondIfReady([0x12, 0xFF, 0x81, 0x01]) == nil)
        // The next one gets the next token; another request drops what is held.
        #expect(Self.sent(Self.run(&layer))[0][6] == 0x02)
        #expect(layer.answerRespondIfReady(Self.request) == nil)
        #expect(layer.answerRespondIfReady([0x12, 0xFF, 0x81, 0x02]) == nil)
        // An ERROR from the device is not held.
        let error: [UInt8] = [0x12, 0x7F, 0x01, 0x00]
        let step = Self.run(&layer, response: error)
        #expect(Self.sent(step) == [error] && step.notApplied != nil)
    }

    @Test("not_ready inside a session holds the response the same way (the layer seals what it returns)")
    func notReadyInSession() throws {
        var layer = Self.layer([FaultRule(request: .getMeasurements, inSession: true, action: .notReady(rdExponent: 1, rdtm: 2))])
        #expect(layer.decide(.getMeasurements, inSession: false) == nil, "in_session rules leave the clear alone")
        let injection = layer.decide(.getMeasurements, inSession: true)
        let step = layer.apply(injection, code: .getMeasurements, request: [0x12, 0xE0, 0, 0], response: Self.response, inSession: true,
                               geometry: { nil })
        let notReady = try #require(Self.sent(step).first)
        #expect(Array(notReady.prefix(4)) == [0x12, 0x7F, 0x42, 0x00] && notReady[5] == 0xE0, "ResponseNotReady for GET_MEASUREMENTS: \(notReady)")
        let token = notReady[6]
        #expect(layer.answerRespondIfReady([0x12, 0xFF, 0xE0, token])?.response == Self.response)
    }

    @Test("busy answers instead of the device and lets the retry through; error:<code> answers that code")
    func busyAndError() throws {
        var layer = Self.layer([FaultRule(request: .getDigests, action: .busy)])
        let decided = layer.decide(.getDigests, inSession: false)
        let busy = try #require(decided)
        #expect(busy.action.replacesHandling)
        #expect(ConnectionFaults.answerInstead(busy, request: Self.request) == ([0x12, 0x7F, 0x03, 0x00], .busy))
        #expect(layer.decide(.getDigests, inSession: false) == nil)  // the retry
        #expect(layer.decide(.getDigests, inSession: false) != nil)
        var failing = Self.layer([FaultRule(request: nil, action: .error(.unspecified))])
        let failed = failing.decide(.challenge, inSession: false)
        let error = try #require(failed)
        #expect(ConnectionFaults.answerInstead(error, request: [0x11, 0x83, 0, 0]) == ([0x11, 0x7F, 0x05, 0x00], .unspecified))
    }

    @Test("delay, drop, close, duplicate, replay")
    func deliveries() {
        var delay = Self.layer([FaultRule(request: nil, action: .delay(milliseconds: 300))])
        #expect(Self.run(&delay).delivery == .delayed(milliseconds: 300, Self.response))
        var drop = Self.layer([FaultRule(request: nil, action: .drop)])
        #expect(Self.run(&drop).delivery == .send([]))
        var close = Self.layer([FaultRule(request: nil, action: .close)])
        #expect(Self.run(&close).delivery == .close)
        var replay = Self.layer([FaultRule(request: nil, action: .replay, schedule: .nth(2))])
        let older = Self.response
        var newer = Self.response
        newer[5] = 0xCD
        #expect(Self.sent(Self.run(&replay, response: older)) == [older])
        let step = Self.run(&replay, response: newer)
        #expect(Self.sent(step) == [older] && step.notApplied == nil)
        var nothingEarlier = Self.layer([FaultRule(request: nil, action: .replay)])
        #expect(Self.run(&nothingEarlier).notApplied != nil)
    }

    @Test("byte rewrites: truncate, corrupt:byte, wrong_version, wrong_code, corrupt:mac")
    func rewrites() {
        func rewritten(_ action: FaultAction, _ response: [UInt8] = Self.response, inSession: Bool = false) -> FaultStep {
            var layer = Self.layer([FaultRule(request: nil, action: action)])
            return Self.run(&layer, response: response, inSession: inSession)
        }
        #expect(Self.sent(rewritten(.truncate(3))) == [Array(Self.response.prefix(3))])
        #expect(rewritten(.truncate(500)).notApplied != nil)
        var flipped = Self.response
        flipped[5] ^= 0xFF
        #expect(Self.sent(rewritten(.corruptByte(offset: 5))) == [flipped])
        #expect(rewritten(.corruptByte(offset: 500)).notApplied != nil)
        #expect(Self.sent(rewritten(.wrongVersion))[0].prefix(2) == [0x10, 0x01])
        #expect(Self.sent(rewritten(.wrongVersion, [0x10, 0x04, 0, 0]))[0].prefix(2) == [0x11, 0x04])
        #expect(Self.sent(rewritten(.wrongCode))[0].prefix(2) == [0x12, 0x00])
        let record = Array(repeating: UInt8(0x11), count: 40)
        var tagged = record
        tagged[39] ^= 0xFF
        #expect(Self.sent(rewritten(.corruptMAC, record, inSession: true)) == [tagged])
    }

    @Test("corrupt:signature finds the Signature of CHALLENGE_AUTH, signed MEASUREMENTS and KEY_EXCHANGE_RSP")
    func signature() {
        let geometry = ResponseFaults.SignatureGeometry(signature: 64, keyExchangeVerifyData: 32, hash: 32)
        let body = Array(repeating: UInt8(0x22), count: 200)
        func corrupted(_ response: [UInt8], request: [UInt8]) -> ResponseFaults.Rewrite {
            ResponseFaults.corruptSignature(response, request: request, geometry: geometry)
        }
        let challengeAuth = [0x12, 0x03, 0, 0] + body
        #expect(corrupted(challengeAuth, request: [0x12, 0x83, 0, 0]) == .bytes(flip(challengeAuth, at: challengeAuth.count - 64)))
        let measurements = [0x12, 0x60, 0, 0] + body
        #expect(corrupted(measurements, request: [0x12, 0xE0, 0x01, 0xFF]) == .bytes(flip(measurements, at: measurements.count - 64)))
        #expect(corrupted(measurements, request: [0x12, 0xE0, 0x00, 0xFF]) != .bytes(flip(measurements, at: measurements.count - 64)))
        let keyExchange = [0x12, 0x64, 0, 0] + body
        #expect(corrupted(keyExchange, request: [0x12, 0xE4, 0, 0]) == .bytes(flip(keyExchange, at: keyExchange.count - 32 - 64)))
        #expect(corrupted(Self.response, request: Self.request) != .bytes(Self.response))
    }

    @Test("corrupt:nonce and corrupt:verify_data find their fields")
    func nonceAndVerifyData() {
        let geometry = ResponseFaults.SignatureGeometry(signature: 64, keyExchangeVerifyData: 32, hash: 48)
        let body = Array(repeating: UInt8(0x33), count: 300)
        let challengeAuth = [0x12, 0x03, 0, 0] + body
        #expect(ResponseFaults.corruptNonce(challengeAuth, geometry: geometry) == .bytes(flip(challengeAuth, at: 4 + 48)))
        let measurements: [UInt8] = [0x12, 0x60, 0, 0, 1, 10, 0, 0] + body
        #expect(ResponseFaults.corruptNonce(measurements, geometry: geometry) == .bytes(flip(measurements, at: 18)))
        let keyExchange = [0x12, 0x64, 0, 0] + body
        #expect(ResponseFaults.corruptNonce(keyExchange, geometry: geometry) == .bytes(flip(keyExchange, at: 8)))
        #expect(ResponseFaults.corruptVerifyData(keyExchange, geometry: geometry) == .bytes(flip(keyExchange, at: keyExchange.count - 48)))
        let inTheClear = ResponseFaults.SignatureGeometry(signature: 64, keyExchangeVerifyData: 0, hash: 48)
        #expect(ResponseFaults.corruptVerifyData(keyExchange, geometry: inTheClear) != .bytes(flip(keyExchange, at: keyExchange.count - 48)))
        let pskExchange = [0x12, 0x66, 0, 0] + body
        #expect(ResponseFaults.corruptVerifyData(pskExchange, geometry: geometry) == .bytes(flip(pskExchange, at: pskExchange.count - 48)))
        #expect(ResponseFaults.corruptVerifyData(challengeAuth, geometry: geometry) != .bytes(flip(challengeAuth, at: challengeAuth.count - 48)))
    }

    @Test("tamper:measurement: another value for that index, the same for the same seed and device")
    func tamperedMeasurement() throws {
        let table = MeasurementTable(entries: [.init(index: 1, type: .mutableFirmware, value: Array("fw 1.0".utf8), representation: .raw, tcb: true)])
        let first = try #require(ConnectionFaults.tamperedMeasurements(table, index: 1, seed: 3, device: "d"))
        #expect(first == ConnectionFaults.tamperedMeasurements(table, index: 1, seed: 3, device: "d"))
        #expect(first != ConnectionFaults.tamperedMeasurements(table, index: 1, seed: 4, device: "d"))
        #expect(first.entry(1)?.value.count == 6 && first.entry(1)?.value != table.entry(1)?.value)
        #expect(ConnectionFaults.tamperedMeasurements(table, index: 9, seed: 3, device: "d") == nil)
    }

    @Test("tamper:chain flips the last byte of each slot's chain (the leaf's signature)")
    func tamperedChain() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let slot = CertificateSlot(id: 0, certificatesDER: [0x30, 0x01, 0x02, 0x03], rootCertificateDER: [0x30], privateKey: key)
        let tampered = ConnectionFaults.tamperedSlots([slot])
        #expect(tampered.map(\.certificatesDER) == [[0x30, 0x01, 0x02, 0xFC]])
        #expect(tampered[0].rootCertificateDER == slot.rootCertificateDER)
    }

    private func flip(_ bytes: [UInt8], at offset: Int) -> [UInt8] {
        var out = bytes
        out[offset] ^= 0xFF
        return out
    }
}

import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMWire

/// Deterministic randomness for both roles: every call returns `count` copies of `byte`.
struct FixedRandom: RandomSource, RequesterRandomSource {
    var byte: UInt8 = 0xA5
    func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }
}

/// A root -> intermediate -> leaf chain whose three keys are all of one algorithm's key type.
struct TestChain: Sendable {
    var root: Certificate
    var intermediate: Certificate
    var leaf: Certificate
    var leafKey: PrivateKey

    var certificatesDER: [UInt8] { root.der + intermediate.der + leaf.der }

    func slot(_ id: UInt8 = 0) -> CertificateSlot {
        CertificateSlot(id: id, certificatesDER: certificatesDER, rootCertificateDER: root.der, privateKey: leafKey)
    }

    static func make(_ algorithm: SignatureAlgorithm, name: String) -> TestChain {
        do {
            let rootKey = try PrivateKey.generate(algorithm)
            let intermediateKey = try PrivateKey.generate(algorithm)
            let leafKey = try PrivateKey.generate(algorithm)
            let root = try CertificateFactory.makeCertificate(
                commonName: "\(name) test root", subjectKey: rootKey.publicKey, issuer: nil, issuerKey: rootKey,
                serial: 1, validityDays: 3650, kind: .root)
            let intermediate = try CertificateFactory.makeCertificate(
                commonName: "\(name) test intermediate", subjectKey: intermediateKey.publicKey, issuer: root, issuerKey: rootKey,
                serial: 2, validityDays: 3650, kind: .intermediate)
            let leaf = try CertificateFactory.makeCertificate(
                commonName: "\(name) test device", subjectKey: leafKey.publicKey, issuer: intermediate, issuerKey: intermediateKey,
                serial: 3, validityDays: 3650, kind: .responderLeaf)
            return TestChain(root: root, intermediate: intermediate, leaf: leaf, leafKey: leafKey)
        } catch {
            fatalError("cannot build a \(algorithm) test chain: \(error)")
        }
    }
}

/// One chain per key type, built once (RSA-4096 generation is slow); RSASSA and RSAPSS share keys.
enum TestChains {
    static let rsa2048 = TestChain.make(.rsassa2048, name: "RSA-2048")
    static let rsa3072 = TestChain.make(.rsassa3072, name: "RSA-3072")
    static let rsa4096 = TestChain.make(.rsassa4096, name: "RSA-4096")
    static let p256 = TestChain.make(.ecdsaP256, name: "P-256")
    static let p384 = TestChain.make(.ecdsaP384, name: "P-384")
    static let p521 = TestChain.make(.ecdsaP521, name: "P-521")
    static let ed25519 = TestChain.make(.ed25519, name: "Ed25519")
    static let ed448 = TestChain.make(.ed448, name: "Ed448")
    static let sm2 = TestChain.make(.sm2, name: "SM2")

    static func chain(for algorithm: SignatureAlgorithm) -> TestChain {
        switch algorithm {
        case .rsassa2048, .rsapss2048: return rsa2048
        case .rsassa3072, .rsapss3072: return rsa3072
        case .rsassa4096, .rsapss4096: return rsa4096
        case .ecdsaP256: return p256
        case .ecdsaP384: return p384
        case .ecdsaP521: return p521
        case .ed25519: return ed25519
        case .ed448: return ed448
        case .sm2: return sm2
        }
    }

    /// Hashes the crypto layer can pair with `algorithm`: OpenSSL 3.0 refuses RSA with SM3, SM2 signs with SM3 only.
    static func hashes(for algorithm: SignatureAlgorithm) -> [HashAlgorithm] {
        switch algorithm {
        case .sm2: return [.sm3_256]
        case .rsassa2048, .rsassa3072, .rsassa4096, .rsapss2048, .rsapss3072, .rsapss4096:
            return HashAlgorithm.allCases.filter { $0 != .sm3_256 }
        default: return HashAlgorithm.allCases
        }
    }
}

enum Fixtures {
    static let capabilities: CapabilityFlags = [.cert, .chal, .measWithSignature]

    /// Four contiguous measurements: two TCB digests, a raw version string, a non-TCB digest.
    static let measurements = MeasurementTable(entries: [
        .init(index: 1, type: .immutableROM, value: Array("boot rom".utf8), representation: .digest, tcb: true),
        .init(index: 2, type: .mutableFirmware, value: Array("firmware 2.1".utf8), representation: .digest, tcb: true),
        .init(index: 3, type: .version, value: Array("2.1.0".utf8), representation: .raw, tcb: false),
        .init(index: 4, type: .hardwareConfiguration, value: [0x01, 0x02, 0x03], representation: .digest, tcb: false),
    ])

    static func device(asym: SignatureAlgorithm = .ecdsaP384, hash: HashAlgorithm = .sha384,
                       versions: [SPDMVersion] = SPDMVersion.all, capabilities: CapabilityFlags = Fixtures.capabilities,
                       certificatePortionLimit: Int = 1024,
                       slots: [CertificateSlot]? = nil) -> ResponderDevice {
        ResponderDevice(name: "test-\(asym.rawValue)-\(hash.rawValue)", versions: versions, capabilities: capabilities,
                        hashPreference: [hash], asymPreference: [asym], slots: slots ?? [TestChains.chain(for: asym).slot()],
                        measurements: measurements, certificatePortionLimit: certificatePortionLimit)
    }

    static func requesterConfiguration(roots: [Certificate], version: SPDMVersion? = nil) -> RequesterConfiguration {
        RequesterConfiguration(forcedVersion: version, trustedRoots: roots)
    }

    static func errorBytes(_ version: SPDMVersion, _ code: ErrorCode, _ data: UInt8 = 0) -> [UInt8] {
        [version.rawValue, 0x7F, code.rawValue, data]
    }
}

/// A responder driven with raw request bytes, for the per-handler tests.
struct Harness {
    var responder: ResponderConnection
    var version: SPDMVersion

    init(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) {
        responder = ResponderConnection(device: device, random: FixedRandom())
        self.version = version
    }

    var context: WireContext { responder.negotiated?.wireContext ?? .unnegotiated(version) }

    mutating func send(_ request: [UInt8]) -> [UInt8] { responder.respond(to: request) }
    mutating func send(_ message: some SPDMEncodable) -> [UInt8] { send(message.encoded(context: context)) }

    static func getVersion() -> [UInt8] { GetVersionRequest().encoded(context: .unnegotiated(.v10)) }

    func getCapabilities() -> [UInt8] {
        GetCapabilitiesRequest(version: version, dataTransferSize: 4096, maxSPDMMessageSize: 4096).encoded(context: .unnegotiated(version))
    }

    func negotiateAlgorithms() -> [UInt8] {
        NegotiateAlgorithmsRequest(version: version, baseAsym: RequesterConfiguration.allAsym, baseHash: RequesterConfiguration.allHashes)
            .encoded(context: .unnegotiated(version))
    }

    @discardableResult mutating func runVersion() -> [UInt8] { send(Self.getVersion()) }
    @discardableResult mutating func runCapabilities() -> [UInt8] { runVersion(); return send(getCapabilities()) }
    @discardableResult mutating func runNegotiate() -> [UInt8] { runCapabilities(); return send(negotiateAlgorithms()) }

    static func afterVersion(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runVersion()
        return harness
    }

    static func afterCapabilities(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        harness.runCapabilities()
        return harness
    }

    static func negotiated(device: ResponderDevice = Fixtures.device(), version: SPDMVersion = .v12) -> Harness {
        var harness = Harness(device: device, version: version)
        let response = harness.runNegotiate()
        precondition(response[1] == ResponseCode.algorithms.rawValue, "VCA failed: \(response)")
        return harness
    }

    func error(_ code: ErrorCode, _ data: UInt8 = 0) -> [UInt8] { Fixtures.errorBytes(version, code, data) }
}

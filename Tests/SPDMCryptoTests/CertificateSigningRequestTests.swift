import Foundation
import Testing
@testable import SPDMCrypto

@Suite("PKCS#10 CSR builder")
struct CertificateSigningRequestTests {
    /// DER TLV with a definite length (test-side helper to hand-build RequesterInfo variants).
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { DER.tlv(tag, content) }

    /// RequesterInfo with an unstructuredName attribute (1.2.840.113549.1.9.2, UTF8String "lab 7").
    static func requesterInfoWithAttribute(subject: String, key: PublicKey) throws -> [UInt8] {
        let plain = try CertificateSigningRequest.requesterInfo(subject: subject, publicKey: key)
        var reader = DERReader(plain)
        var info = try reader.element(tag: 0x30)
        let version = try info.encodedElement(tag: 0x02)
        let name = try info.encodedElement(tag: 0x30)
        let spki = try info.encodedElement(tag: 0x30)
        let oid: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x02]
        let attribute = tlv(0x30, oid + tlv(0x31, tlv(0x0C, Array("lab 7".utf8))))
        return tlv(0x30, version + name + spki + tlv(0xA0, attribute))
    }

    @Test("a CSR for each key type verifies with its own key and carries that key", arguments: SignatureAlgorithm.allCases)
    func everyAlgorithm(_ algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(for: algorithm)
        let hash: HashAlgorithm? = algorithm == .sm2 ? .sm3_256 : .sha384
        let der = try CertificateSigningRequest.make(key: key, hash: hash, content: .init(defaultCommonName: "gpu0 key pair 1"))
        let parsed = try ParsedCertificateSigningRequest(der: der)
        #expect(parsed.signatureValid)
        #expect(parsed.subject == "CN=gpu0 key pair 1")
        #expect(parsed.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
        #expect(parsed.requestsCA == false)
    }

    @Test("RequesterInfo: its subject and attributes are taken over; alias model asks for cA TRUE")
    func requesterInfo() throws {
        let key = TestKeys.p384
        let info = try Self.requesterInfoWithAttribute(subject: "CN=requested device,O=Lab", key: key.publicKey)
        let der = try CertificateSigningRequest.make(key: key, hash: .sha384,
                                                     content: .init(requesterInfo: info, defaultCommonName: "unused", isCA: true))
        let parsed = try ParsedCertificateSigningRequest(der: der)
        #expect(parsed.signatureValid)
        #expect(parsed.subject == "O=Lab,CN=requested device")
        #expect(parsed.attributeCount == 2)  // unstructuredName + the extension request
        #expect(parsed.requestsCA == true)
    }

    @Test("the subjectPKInfo of RequesterInfo is not what the CSR carries: the device's key is")
    func foreignKey() throws {
        let info = try CertificateSigningRequest.requesterInfo(subject: "CN=x", publicKey: TestKeys.p256.publicKey)
        let der = try CertificateSigningRequest.make(key: TestKeys.p384, hash: .sha384, content: .init(requesterInfo: info, defaultCommonName: "d"))
        let parsed = try ParsedCertificateSigningRequest(der: der)
        #expect(parsed.signatureValid)
        #expect(parsed.publicKey.subjectPublicKeyInfoDER == TestKeys.p384.publicKey.subjectPublicKeyInfoDER)
    }

    @Test("malformed RequesterInfo is refused")
    func malformed() throws {
        let good = try CertificateSigningRequest.requesterInfo(subject: "CN=x", publicKey: TestKeys.p384.publicKey)
        var reader = DERReader(good)
        var info = try reader.element(tag: 0x30)
        _ = try info.encodedElement(tag: 0x02)
        let name = try info.encodedElement(tag: 0x30)
        let spki = try info.encodedElement(tag: 0x30)
        let cases: [(String, [UInt8])] = [
            ("version 1", Self.tlv(0x30, [0x02, 0x01, 0x01] + name + spki + [0xA0, 0x00])),
            ("no attributes field", Self.tlv(0x30, [0x02, 0x01, 0x00] + name + spki)),
            ("bytes after it", good + [0x00]),
            ("a field after the attributes", Self.tlv(0x30, [0x02, 0x01, 0x00] + name + spki + [0xA0, 0x00, 0x05, 0x00])),
            ("an attribute that is not a SEQUENCE", Self.tlv(0x30, [0x02, 0x01, 0x00] + name + spki + [0xA0, 0x02, 0x04, 0x00])),
            ("truncated", Array(good.dropLast())),
            ("empty SEQUENCE", [0x30, 0x00]),
        ]
        for (label, bytes) in cases {
            #expect(throws: (any Error).self, "\(label)") {
                _ = try CertificateSigningRequest.make(key: TestKeys.p384, hash: .sha384,
                                                       content: .init(requesterInfo: bytes, defaultCommonName: "d"))
            }
        }
    }

    @Test("extensions of a template certificate are repeated, the key-specific ones are not")
    func template() throws {
        let root = try CertificateFactory.makeCertificate(commonName: "r", subjectKey: TestKeys.p256.publicKey, issuer: nil,
                                                          issuerKey: TestKeys.p256, serial: 1, validityDays: 10, kind: .root)
        let leaf = try CertificateFactory.makeCertificate(commonName: "l", subjectKey: TestKeys.p384.publicKey, issuer: root,
                                                          issuerKey: TestKeys.p256, serial: 2, validityDays: 10, kind: .responderLeaf)
        let der = try CertificateSigningRequest.make(key: TestKeys.p384, hash: .sha384,
                                                     content: .init(defaultCommonName: "d", extensionTemplate: leaf))
        #expect(try ParsedCertificateSigningRequest(der: der).signatureValid)
        let text = try Self.openssl(["req", "-inform", "DER", "-noout", "-text"], der)
        #expect(text.contains("Extended Key Usage"))
        #expect(!text.contains("Authority Key Identifier"))
    }

    @Test("the openssl CLI verifies the CSR and reads the subject")
    func opensslCLI() throws {
        let info = try CertificateSigningRequest.requesterInfo(subject: "CN=cli check,O=spdm-fleet", publicKey: TestKeys.rsa3072.publicKey)
        let der = try CertificateSigningRequest.make(key: TestKeys.rsa3072, hash: .sha256,
                                                     content: .init(requesterInfo: info, defaultCommonName: "d"))
        let output = try Self.openssl(["req", "-inform", "DER", "-verify", "-noout", "-subject"], der)
        #expect(output.contains("verify OK"))
        #expect(output.contains("CN = cli check"))
    }

    @Test("PublicKeyInfo is the AlgorithmIdentifier of the key")
    func algorithmIdentifier() {
        #expect(TestKeys.p384.publicKey.algorithmIdentifierDER
                == [0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22])
        #expect(TestKeys.ed25519.publicKey.algorithmIdentifierDER == [0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70])
    }

    /// Runs the openssl CLI with `input` on stdin; returns stdout and stderr.
    static func openssl(_ arguments: [String], _ input: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

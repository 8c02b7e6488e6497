// spdm-certs: the ML-DSA half of certs/generate.sh. OpenSSL 3.0 (the openssl CLI the script uses for
// the other algorithms) can neither make nor sign ML-DSA keys, so these chains come from SPDMCrypto
// (swift-crypto's ML-DSA, certificates built by MLDSACertificateBuilder), with the same profile,
// names, serials, validity and libspdm sample_key file layout as generate.sh writes:
//
//     spdm-certs [--force] OUTDIR [mldsa65] [mldsa87]
//
// OUTDIR/<alg>/: ca.key ca.cert.{der,pem} inter.key inter.cert.{der,pem}
//   end_{responder,requester}.key end_*.cert.{der,pem} bundle_*.certchain.der end_*.key.pub.der
//   slot 1: ca1.key ca1.cert.der inter1.cert.der end_*1.cert.der bundle_*.certchain1.der (second root)
//   slot 4: end_*4.key end_*4.cert.der bundle_*.certchain4.der (second leaf key)
// Keys are unencrypted PKCS#8 PEM in RFC 9881's seed form, mode 0600.
import Foundation
import SPDMCrypto

struct Failure: Error, CustomStringConvertible { var description: String }

let requiredFiles = ["ca.key", "ca.cert.der", "inter.key", "inter.cert.der", "end_responder.key", "end_responder.cert.der",
                     "bundle_responder.certchain.der", "end_requester.key", "end_requester.cert.der", "bundle_requester.certchain.der",
                     "ca1.cert.der", "bundle_responder.certchain1.der", "bundle_requester.certchain1.der",
                     "end_responder4.key", "bundle_responder.certchain4.der", "end_responder.key.pub.der"]

/// Writes one algorithm's directory into `work`.
struct ChainWriter {
    let work: URL
    let algorithm: PQCSignatureAlgorithm
    let notBefore = Date(timeIntervalSince1970: 1_735_689_600)   // 2025-01-01T00:00:00Z
    let notAfter = Date(timeIntervalSince1970: 2_524_607_999)    // 2049-12-31T23:59:59Z
    var keys: [String: PrivateKey] = [:]
    var certificates: [String: Certificate] = [:]

    var label: String { algorithm == .mlDsa65 ? "MLDSA65" : "MLDSA87" }

    mutating func key(_ name: String) throws -> PrivateKey {
        if let key = keys[name] { return key }
        let key = try PrivateKey.generate(algorithm)
        try write(Array(key.pkcs8PEM.utf8), to: "\(name).key", secret: true)
        keys[name] = key
        return key
    }

    /// NAME.cert.{der,pem} for KEY's public key, signed by ISSUER (self-signed when nil).
    mutating func issue(_ name: String, key keyName: String, commonName: String, serial: UInt64, kind: CertificateKind,
                        issuer: (certificate: String, key: String)? = nil) throws {
        var profile = CertificateRequestProfile(kind: kind, commonName: "spdm-fleet \(label) \(commonName)", serialNumber: serial,
                                                notBefore: notBefore,
                                                deviceInfo: kind.isCA ? nil : "ACME:WIDGET:1234567890",
                                                hardwareIdentity: !kind.isCA)
        profile.notAfter = notAfter
        let subjectKey = try key(keyName)
        let certificate = try CertificateFactory.makeCertificate(
            profile: profile, subjectKey: subjectKey.publicKey,
            issuer: try issuer.map { try certificateNamed($0.certificate) },
            issuerKey: try issuer.map { try key($0.key) } ?? subjectKey)
        try write(certificate.der, to: "\(name).cert.der")
        try write(Array(certificate.pem.utf8), to: "\(name).cert.pem")
        certificates[name] = certificate
    }

    func certificateNamed(_ name: String) throws -> Certificate {
        guard let certificate = certificates[name] else { throw Failure(description: "\(name) not issued yet") }
        return certificate
    }

    func write(_ bytes: [UInt8], to name: String, secret: Bool = false) throws {
        let path = work.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes),
                                             attributes: [.posixPermissions: secret ? 0o600 : 0o644]) else {
            throw Failure(description: "cannot write \(path)")
        }
    }

    mutating func writeAll() throws {
        // Slot 0: ca -> inter -> leaf.
        try issue("ca", key: "ca", commonName: "Root CA", serial: 0x01, kind: .root)
        try issue("inter", key: "inter", commonName: "Intermediate CA", serial: 0x02, kind: .intermediate, issuer: ("ca", "ca"))
        try issue("end_responder", key: "end_responder", commonName: "Responder", serial: 0x03, kind: .responderLeaf, issuer: ("inter", "inter"))
        try issue("end_requester", key: "end_requester", commonName: "Requester", serial: 0x04, kind: .requesterLeaf, issuer: ("inter", "inter"))
        // Slot 1 (libspdm's "1" files): a second root over the same intermediate and leaf keys.
        try issue("ca1", key: "ca1", commonName: "Root CA 1", serial: 0x11, kind: .root)
        try issue("inter1", key: "inter", commonName: "Intermediate CA", serial: 0x12, kind: .intermediate, issuer: ("ca1", "ca1"))
        try issue("end_responder1", key: "end_responder", commonName: "Responder", serial: 0x13, kind: .responderLeaf, issuer: ("inter1", "inter"))
        try issue("end_requester1", key: "end_requester", commonName: "Requester", serial: 0x14, kind: .requesterLeaf, issuer: ("inter1", "inter"))
        // Slot 4 (libspdm's "4" files): a second leaf key under the slot-0 intermediate.
        try issue("end_responder4", key: "end_responder4", commonName: "Responder 4", serial: 0x05, kind: .responderLeaf, issuer: ("inter", "inter"))
        try issue("end_requester4", key: "end_requester4", commonName: "Requester 4", serial: 0x06, kind: .requesterLeaf, issuer: ("inter", "inter"))
        for slot in ["", "1", "4"] {
            let (root, middle) = slot == "1" ? ("ca1", "inter1") : ("ca", "inter")
            for role in ["responder", "requester"] {
                let chain = [try certificateNamed(root), try certificateNamed(middle), try certificateNamed("end_\(role)\(slot)")]
                // Sanity: every chain verifies from its root, as generate.sh checks with openssl verify.
                try ChainVerifier.verify(chain: chain, trustedRoots: [chain[0]])
                try write(chain.flatMap(\.der), to: "bundle_\(role).certchain\(slot).der")
            }
        }
        // Raw public keys (SubjectPublicKeyInfo DER) for the provisioned-public-key mode (slot 0xFF).
        for role in ["responder", "requester"] {
            try write(try key("end_\(role)").publicKey.subjectPublicKeyInfoDER, to: "end_\(role).key.pub.der")
        }
    }
}

func run() throws {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let force = arguments.contains("--force")
    arguments.removeAll { $0 == "--force" }
    guard let output = arguments.first, !output.hasPrefix("-") else {
        throw Failure(description: "usage: spdm-certs [--force] OUTDIR [mldsa65] [mldsa87]")
    }
    let names = arguments.count > 1 ? Array(arguments.dropFirst()) : ["mldsa65", "mldsa87"]
    let outDirectory = URL(fileURLWithPath: output)
    try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
    for name in names {
        guard let algorithm = PQCSignatureAlgorithm.allCases.first(where: { "mldsa" + $0.displayName.suffix(2) == name }) else {
            throw Failure(description: "spdm-certs: unknown algorithm \(name) (mldsa65, mldsa87)")
        }
        let destination = outDirectory.appendingPathComponent(name)
        if !force, requiredFiles.allSatisfy({ FileManager.default.fileExists(atPath: destination.appendingPathComponent($0).path) }) {
            print("certs: \(name): exists, skipped (\(destination.path))")
            continue
        }
        let work = outDirectory.appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        do {
            var writer = ChainWriter(work: work, algorithm: algorithm)
            try writer.writeAll()
        } catch {
            try? FileManager.default.removeItem(at: work)
            throw Failure(description: "certs: \(name): FAILED: \(error)")
        }
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: work, to: destination)
        print("certs: \(name): generated (\(destination.path))")
    }
}

do { try run() } catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}

import Foundation
import Testing
@testable import SPDMCrypto

/// The reverse direction of the committed vectors, live: Python `cryptography` (OpenSSL 3.5+, which
/// `make test-deps` installs) reads our keys, verifies our signatures and certificates, and
/// decapsulates our ciphertexts; we decapsulate its. The committed-vector suites stay the always-on
/// checks; this one needs python3 with ML-DSA and records an issue when it is missing.
@Suite("ML-DSA / ML-KEM cross-check with Python cryptography")
struct PQCCrossCheckTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    @Test("Python verifies and decapsulates what we make, and we decapsulate what it makes")
    func crossCheck() throws {
        guard Self.run(["-c", "from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem"]).status == 0 else {
            Issue.record("python3 with cryptography >= 48 (ML-DSA, ML-KEM) is not installed: `make test-deps` installs it")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spdm-pqc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: directory.appendingPathComponent(name)) }

        for (name, algorithm) in [("mldsa65", PQCSignatureAlgorithm.mlDsa65), ("mldsa87", .mlDsa87)] {
            let chain = try MLDSATestChain(algorithm)
            let context = Array("responder-key_exchange_rsp signing".utf8)
            let message = Array(String(repeating: "dmtf-spdm-v1.4.*", count: 4).utf8) + [UInt8](repeating: 0, count: 36 - context.count)
                + context + Digest.hash(.sha384, Array("transcript".utf8))
            try write("\(name).key.der", chain.leafKey.pkcs8DER)
            try write("\(name).spki.der", chain.leafKey.publicKey.subjectPublicKeyInfoDER)
            try write("\(name).msg", message)
            try write("\(name).ctx", context)
            try write("\(name).sig", try chain.leafKey.sign(algorithm, message: message, context: context))
            try write("\(name).chain.der", chain.chain.flatMap(\.der))
            try write("\(name).leaf.spki.der", chain.leaf.publicKey.subjectPublicKeyInfoDER)
        }
        var keys: [String: KEMKeyPair] = [:]
        for (name, algorithm) in [("mlkem768", KEMAlgorithm.mlKem768), ("mlkem1024", .mlKem1024)] {
            let pair = try KEMKeyPair(algorithm: algorithm)
            let encapsulation = try pair.publicKey.encapsulate()
            keys[name] = pair
            try write("\(name).key.der", pair.pkcs8DER)
            try write("\(name).spki.der", pair.publicKey.subjectPublicKeyInfoDER)
            try write("\(name).ct", encapsulation.ciphertext)
            try write("\(name).ss", encapsulation.sharedSecret)
        }

        let result = Self.run([Self.vectors.appendingPathComponent("cross_check.py").path, directory.path])
        #expect(result.status == 0, "cross_check.py failed: \(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 6, "\(result.output)")
        for (name, pair) in keys {
            let ciphertext = Array(try Data(contentsOf: directory.appendingPathComponent("\(name).py.ct")))
            let secret = Array(try Data(contentsOf: directory.appendingPathComponent("\(name).py.ss")))
            #expect(try pair.decapsulate(ciphertext) == secret, "\(name): Python's encapsulation")
        }
    }

    /// python3 with `arguments`; status and combined output.
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

import Foundation
import SPDMCrypto
import SPDMTestSupport

/// One change a device is asked to make: what it changes (`key`, such as "measurement 2" or
/// "slot 0") and what the device serves for that key once it is made.
struct AcknowledgedChange: Sendable, Hashable {
    var key: String
    var value: String
}

/// What a device answered to a change.
enum ChangeOutcome: Sendable, Equatable {
    /// The device acknowledged it (HTTP 200, an SPDM success response).
    case acknowledged
    /// The device answered, refusing it.
    case refused(String)
    /// No complete answer: the daemon went away (killed) before or while answering.
    case noAnswer
}

/// A kind of change a device acknowledges, driven by the kill -9 test (KillNineTests): it makes
/// numbered changes on the running daemon and reads back, over SPDM, what the device serves.
///
/// Today: control-API changes (measurements, a certificate slot). A SET_CERTIFICATE driver
/// conforms the same way: `deviceConfig` gives the device SET_CERT and a slot to install into,
/// `change(n)` picks a slot and one of a few chains, `apply` sends SET_CERTIFICATE (acknowledged
/// = SET_CERTIFICATE_RSP), `served` reads DIGESTS and names each slot's chain by its digest.
protocol AcknowledgedChangeDriver: Sendable {
    /// A short name for the figures the test prints.
    var name: String { get }
    /// Lines of the test device's `[[device]]` table this driver needs (tables such as
    /// `[[device.measurement]]` included).
    var deviceConfig: [String] { get }
    /// Called once the daemon first ran, with its directory (to read generated material).
    mutating func prepare(_ daemon: TestDaemon) throws
    /// Change number `number` (the test numbers them across all drivers).
    func change(_ number: Int) -> AcknowledgedChange
    func apply(_ change: AcknowledgedChange, to daemon: TestDaemon) -> ChangeOutcome
    /// What the device serves now for each of this driver's keys.
    func served(by daemon: TestDaemon) throws -> [String: String]
}

/// `spdmctl attest --json` against tcp0: the parsed document (signatures and chain verified).
func attestDocument(_ daemon: TestDaemon) throws -> [String: Any] {
    guard let port = daemon.port("tcp0") else { throw TestSupportError("tcp0 has no TCP listener in the log") }
    let result = try runSeparately(Products.path("spdmctl"), ["attest", "--connect", "127.0.0.1:\(port)",
                                                             "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json"])
    guard result.status == 0, let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
        throw TestSupportError("attest failed (\(result.status)): \(result.stdout) \(result.stderr)")
    }
    return document
}

/// PUT /v1/devices/tcp0/measurements/{2,3,4}: raw measurements, so MEASUREMENTS carries the value itself.
struct MeasurementChanges: AcknowledgedChangeDriver {
    static let indexes = [2, 3, 4]
    var name: String { "measurements" }

    var deviceConfig: [String] {
        Self.indexes.map { "[[device.measurement]]\nindex = \($0)\ntype = \"version\"\nrepresentation = \"raw\"\nvalue = \"v0\"" }
    }

    mutating func prepare(_ daemon: TestDaemon) throws {}

    func change(_ number: Int) -> AcknowledgedChange {
        let value = Array("change \(number)".utf8).map { String(format: "%02x", $0) }.joined()
        return AcknowledgedChange(key: "measurement \(Self.indexes[number % Self.indexes.count])", value: value)
    }

    func apply(_ change: AcknowledgedChange, to daemon: TestDaemon) -> ChangeOutcome {
        let index = change.key.split(separator: " ").last ?? ""
        guard let response = ControlSocket.request(daemon.controlSocket, "PUT", "/v1/devices/tcp0/measurements/\(index)",
                                                   body: "{\"value\": \"hex:\(change.value)\"}") else { return .noAnswer }
        return response.status == 200 ? .acknowledged : .refused("HTTP \(response.status): \(response.body)")
    }

    func served(by daemon: TestDaemon) throws -> [String: String] {
        var served: [String: String] = [:]
        for block in try attestDocument(daemon)["measurements"] as? [[String: Any]] ?? [] {
            if let index = block["index"] as? Int, Self.indexes.contains(index), let value = block["value"] as? String {
                served["measurement \(index)"] = value
            }
        }
        return served
    }
}

/// PUT /v1/devices/tcp0/slots/0, alternating between tcp0's own generated identity and unix0's
/// (both issued by the builtin P-256 CA); served: whose leaf CERTIFICATE shows.
struct SlotChanges: AcknowledgedChangeDriver {
    static let identities = ["unix0", "tcp0"]
    var name: String { "slot 0" }
    var deviceConfig: [String] { [] }
    /// The PUT body of each identity.
    private var bodies: [String: String] = [:]

    mutating func prepare(_ daemon: TestDaemon) throws {
        let state = daemon.directory + "/state/"
        func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: state + path))) }
        for identity in Self.identities {
            let chain = try ["ca/ecp256/ca.cert.der", "ca/ecp256/inter.cert.der", "devices/\(identity)/slot0.cert.der"]
                .map { try Certificate(der: try read($0)).pem }.joined()
            let key = String(decoding: try read("devices/\(identity)/slot0.key"), as: UTF8.self)
            let body = try JSONSerialization.data(withJSONObject: ["chain_pem": chain, "key_pem": key])
            bodies[identity] = String(decoding: body, as: UTF8.self)
        }
    }

    func change(_ number: Int) -> AcknowledgedChange {
        AcknowledgedChange(key: "slot 0", value: Self.identities[(number / 2) % Self.identities.count])
    }

    func apply(_ change: AcknowledgedChange, to daemon: TestDaemon) -> ChangeOutcome {
        guard let response = ControlSocket.request(daemon.controlSocket, "PUT", "/v1/devices/tcp0/slots/0", body: bodies[change.value])
        else { return .noAnswer }
        return response.status == 200 ? .acknowledged : .refused("HTTP \(response.status): \(response.body)")
    }

    func served(by daemon: TestDaemon) throws -> [String: String] {
        let chain = try attestDocument(daemon)["certificateChain"] as? [String: Any]
        let leaf = (chain?["certificates"] as? [[String: Any]])?.last?["subject"] as? String ?? "?"
        return ["slot 0": Self.identities.first { leaf.contains("\($0) slot 0") } ?? leaf]
    }
}

/// SET_CERTIFICATE into tcp0's slot 0 (in the clear, where DSP0274 lets slot 0 be provisioned) through
/// `spdmctl provision install`, alternating between two chains of the builtin P-256 CA (tcp0's own
/// identity and unix0's); acknowledged = SET_CERTIFICATE_RSP. Served: whose leaf CERTIFICATE shows
/// (read without CHALLENGE: unix0's chain certifies a key tcp0 does not hold, which SET_CERTIFICATE
/// accepts as DSP0274 asks nothing of the leaf's key).
struct SetCertificateChanges: AcknowledgedChangeDriver {
    static let identities = ["unix0", "tcp0"]
    var name: String { "SET_CERTIFICATE slot 0" }
    /// The device table's capabilities: attestation plus SET_CERT.
    static let capabilities = ["CERT", "CHAL", "MEAS_SIG", "SET_CERT"]
    var deviceConfig: [String] { [] }
    /// The chain file (PEM, root first) of each identity.
    private var files: [String: String] = [:]

    mutating func prepare(_ daemon: TestDaemon) throws {
        let state = daemon.directory + "/state/"
        func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: state + path))) }
        for identity in Self.identities {
            let chain = try ["ca/ecp256/ca.cert.der", "ca/ecp256/inter.cert.der", "devices/\(identity)/slot0.cert.der"]
                .map { try Certificate(der: try read($0)).pem }.joined()
            let file = daemon.directory + "/\(identity)-chain.pem"
            try chain.write(toFile: file, atomically: true, encoding: .utf8)
            files[identity] = file
        }
    }

    func change(_ number: Int) -> AcknowledgedChange {
        AcknowledgedChange(key: "slot 0", value: Self.identities[number % Self.identities.count])
    }

    func apply(_ change: AcknowledgedChange, to daemon: TestDaemon) -> ChangeOutcome {
        guard let port = daemon.port("tcp0"), let file = files[change.value],
              let result = try? runSeparately(Products.path("spdmctl"), ["provision", "install", "--connect", "127.0.0.1:\(port)",
                                                                          "--slot", "0", "--chain", file, "--timeout", "5"]) else {
            return .noAnswer
        }
        if result.status == 0 && result.stdout.contains("installed") { return .acknowledged }
        // The daemon died before or while answering: the connection broke or timed out.
        if result.status == 3 || result.stderr.contains("transport") || result.stderr.contains("cannot reach") { return .noAnswer }
        return .refused("exit \(result.status): \(result.stdout) \(result.stderr)")
    }

    func served(by daemon: TestDaemon) throws -> [String: String] {
        guard let port = daemon.port("tcp0") else { throw TestSupportError("tcp0 has no TCP listener in the log") }
        let result = try runSeparately(Products.path("spdmctl"), ["attest", "--connect", "127.0.0.1:\(port)", "--no-challenge", "--meas", "none",
                                                                 "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json"])
        guard result.status == 0, let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestSupportError("reading tcp0's chain failed (\(result.status)): \(result.stdout) \(result.stderr)")
        }
        let chain = document["certificateChain"] as? [String: Any]
        let leaf = (chain?["certificates"] as? [[String: Any]])?.last?["subject"] as? String ?? "?"
        return ["slot 0": Self.identities.first { leaf.contains("\($0) slot 0") } ?? leaf]
    }
}

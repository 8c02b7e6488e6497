import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
import SPDMWire
import Testing

/// End-to-end mutation of every request code against the real daemon (issue 8, part 3): devices at
/// each version 1.0-1.4 over MCTP and over PCI-DOE, negotiated by our requester first, then every
/// field of a valid request of each code 0x81-0xFF mutated (boundary values, truncation, extension,
/// seeded random bytes), in the clear (with its transport envelope) and sealed in KEY_EXCHANGE and PSK
/// sessions, plus the deliveries of the encapsulated flows (the device's own KEY_UPDATE, session mutual
/// authentication) and corrupted secured records. Every request gets a reply frame or its connection
/// closed (never a hang), and at the end the daemon is up and its devices, including one nobody
/// mutated, still attest. Each test prints "mutation test (...): N requests, M connections closed,
/// K errors, H hangs, S sessions opened" (errors: SPDM ERROR replies).
@Suite("Request mutations against the real daemon", .serialized)
struct RequestMutationTests {
    /// The random mutations are seeded: a failure names its template and mutation and reproduces.
    static let seed: UInt64 = 0x0274_5EED
    /// Seconds without a reply before a request counts as a hang (generous: the machine is shared).
    static let timeout = 30

    struct DeviceUnderTest: Sendable {
        var transport: TransportType
        var version: SPDMVersion
        var name: String { "\(transport == .mctp ? "mctp" : "doe")\(version.major)\(version.minor)" }
    }

    static let devices: [DeviceUnderTest] = [TransportType.mctp, .pciDOE].flatMap { transport in
        SPDMVersion.all.map { DeviceUnderTest(transport: transport, version: $0) }
    }

    /// MCTP devices offer PSK with context and the encapsulated flow: session mutual authentication (asked
    /// of a requester with an identity) and their own KEY_UPDATE; PCI-DOE devices offer PSK without context.
    /// Both offer the handshake in the clear (used when the requester offers it too). Every device has all
    /// of it whatever its version, so the version checks are reached too.
    static func toml(_ device: DeviceUnderTest) -> String {
        var capabilities = ["CERT", "CHAL", "MEAS_SIG", "MEAS_FRESH", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD"]
        var keys = ["versions = [\"\(device.version)\"]", "log_level = \"warning\""]
        var tables = [TestDevice.referencePSK]
        if device.transport == .mctp {
            capabilities += ["PSK_WITH_CONTEXT", "MUT_AUTH", "ENCAP", "HANDSHAKE_IN_THE_CLEAR"]
            keys.append("mut_auth = \"encapsulated\"")
            tables.append("[device.algorithms]\nreq_asym = [\"ECDSA_P256\"]")
        } else {
            capabilities += ["PSK", "HANDSHAKE_IN_THE_CLEAR"]
        }
        return TestDevice(device.name, transport: device.transport.description, capabilities: capabilities, keys: keys, tables: tables).toml
    }

    /// A device nobody mutates: it must attest at the end.
    static let witness = TestDevice("witness")
    static let config = devices.map(toml).joined() + witness.toml

    static func requesterConfiguration(_ transport: TransportType) -> RequesterConfiguration {
        var capabilities: CapabilityFlags = [.cert, .chal, .encrypt, .mac, .keyEx, .pskWithoutContext, .heartbeat, .keyUpdate]
        // MCTP: ENCAP_CAP, so the device may run its own KEY_UPDATE through the encapsulated flow.
        capabilities.insert(transport == .mctp ? .encap : .handshakeInTheClear)
        return RequesterConfiguration(capabilities: capabilities, dhe: .secp256r1, aead: .aes256GCM, keySchedule: .spdm,
                                      allowUnanchoredChains: true)
    }

    static func target(_ device: DeviceUnderTest, _ daemon: TestDaemon,
                       configuration: RequesterConfiguration? = nil) throws -> MutationTarget {
        let port = try #require(daemon.port(device.name))
        return try MutationTarget(name: device.name, port: port, binding: TransportBindings.binding(for: device.transport),
                                  configuration: configuration ?? requesterConfiguration(device.transport), timeout: timeout)
    }

    /// A requester with the builtin CA's identity that the MCTP devices ask for session mutual
    /// authentication, with the handshake in the clear (so the encapsulated flow is in plain messages).
    static func mutualAuthConfiguration(_ daemon: TestDaemon) throws -> RequesterConfiguration {
        RequesterConfiguration(capabilities: [.cert, .chal, .encrypt, .mac, .keyEx, .mutAuth, .encap, .handshakeInTheClear],
                               dhe: .secp256r1, aead: .aes256GCM, keySchedule: .spdm,
                               requesterIdentity: try MutationTarget.builtinRequesterIdentity(daemon), allowUnanchoredChains: true)
    }

    /// The device whose mutual authentication flow is mutated (one: each mutation costs a KEY_EXCHANGE).
    static let mutualAuthDevice = DeviceUnderTest(transport: .mctp, version: .v13)

    /// Codes whose unmutated template the daemon must answer without ERROR in the clear (what it implements).
    static func implementedInTheClear(_ version: SPDMVersion) -> Set<RequestCode> {
        var codes: Set<RequestCode> = [.getDigests, .getCertificate, .challenge, .getVersion, .getMeasurements, .getCapabilities, .negotiateAlgorithms]
        if version >= .v11 { codes.formUnion([.keyExchange, .pskExchange]) }
        return codes
    }

    /// Codes whose unmutated template the daemon must answer without ERROR inside a session (KEY_UPDATE
    /// UpdateAllKeys answers under the new key, and VerifyNewKey needs an update first: only UpdateKey is sure).
    static let implementedInSession: Set<RequestCode> = [.getDigests, .getCertificate, .getMeasurements, .heartbeat, .endSession]

    /// The PSK session repeats what differs between session kinds: measurements and the session's own requests.
    static let pskSessionCodes: Set<RequestCode> = [.getMeasurements, .keyExchange, .finish, .pskExchange, .pskFinish, .heartbeat, .keyUpdate,
                                                    .getEncapsulatedRequest, .deliverEncapsulatedResponse, .endSession]

    @Test("every field of every request code, mutated in the clear after negotiation, at 1.0-1.4 over MCTP and PCI-DOE")
    func mutationsInTheClear() async throws {
        let daemon = try TestDaemon(config: Self.config)
        let total = try await Self.forEachDevice(Self.devices, daemon, "in the clear") { index, device, target in
            let templates = RequestTemplates.all(try target.templateContext())
            let implemented = templates.filter { Self.implementedInTheClear(device.version).contains(RequestCode(rawValue: $0.code)) }
            let accepted = try target.acceptedTemplates(templates)
            #expect(Set(implemented.map(\.name)).isSubset(of: accepted), "\(device.name): templates answered with ERROR")
            try target.mutateInTheClear(templates, seed: Self.seed, device: index)
            try target.mutateTransportEnvelope(seed: Self.seed ^ UInt64(index))
        }
        print("mutation test (in the clear, seed 0x\(String(Self.seed, radix: 16))): \(total.summary)")
        #expect(total.hangs.isEmpty, "\(total.hangs)")
        try Self.expectDaemonServes(daemon)
    }

    @Test("every request code mutated inside KEY_EXCHANGE and PSK sessions, the encapsulated flows' deliveries, and corrupted secured records, at 1.1-1.4")
    func mutationsInSessions() async throws {
        let daemon = try TestDaemon(config: Self.config)
        var total = try await Self.forEachDevice(Self.devices.filter { $0.version >= .v11 }, daemon, "in sessions") { index, device, target in
            let templates = RequestTemplates.all(try target.templateContext())
            let accepted = try target.acceptedTemplatesInSession(.keyExchange, templates)
            let implemented = templates.filter { Self.implementedInSession.contains(RequestCode(rawValue: $0.code)) }
            #expect(Set(implemented.map(\.name)).isSubset(of: accepted), "\(device.name): templates answered with ERROR in a session")
            #expect(accepted.contains { $0.hasPrefix("KEY_UPDATE") }, "\(device.name): \(accepted)")
            try target.mutateInSession(.keyExchange, templates, seed: Self.seed, device: index)
            if device.transport == .mctp { try target.mutateEncapsulatedResponses(.keyExchange, seed: Self.seed ^ UInt64(index)) }
            try target.corruptRecords(.keyExchange, seed: Self.seed ^ UInt64(index))
            try target.mutateInSession(.psk, templates.filter { Self.pskSessionCodes.contains(RequestCode(rawValue: $0.code)) },
                                       seed: Self.seed, device: index)
            try target.corruptRecords(.psk, seed: Self.seed ^ UInt64(index))
        }
        let mutual = try Self.withDaemonLog(daemon) {
            let target = try Self.target(Self.mutualAuthDevice, daemon, configuration: try Self.mutualAuthConfiguration(daemon))
            try target.mutateMutualAuthDeliveries(seed: Self.seed)
            return target
        }
        print("mutation test: \(mutual.name) mutual authentication deliveries: \(mutual.tally.summary)")
        total += mutual.tally
        print("mutation test (in sessions, seed 0x\(String(Self.seed, radix: 16))): \(total.summary)")
        #expect(total.hangs.isEmpty, "\(total.hangs)")
        try Self.expectDaemonServes(daemon)
    }

    /// Runs `body` on a connection to each device, two devices at a time (the machine has two cores);
    /// prints each device's tally in device order and returns the sum.
    static func forEachDevice(_ devices: [DeviceUnderTest], _ daemon: TestDaemon, _ phase: String,
                              _ body: @escaping @Sendable (Int, DeviceUnderTest, MutationTarget) throws -> Void) async throws -> MutationTally {
        let workers = 2
        let tallies = try await withThrowingTaskGroup(of: [(Int, MutationTally)].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var done: [(Int, MutationTally)] = []
                    for (index, device) in devices.enumerated() where index % workers == worker {
                        try withDaemonLog(daemon) {
                            let target = try target(device, daemon)
                            try body(index, device, target)
                            done.append((index, target.tally))
                        }
                    }
                    return done
                }
            }
            var all: [(Int, MutationTally)] = []
            for try await done in group { all += done }
            return all.sorted { $0.0 < $1.0 }
        }
        var total = MutationTally()
        for (index, tally) in tallies {
            print("mutation test: \(devices[index].name) \(phase): \(tally.summary)")
            total += tally
        }
        return total
    }

    /// `body`, whose failure carries the tail of the daemon's log (where a trap would show).
    static func withDaemonLog<T>(_ daemon: TestDaemon, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw TestSupportError("\(error)\n--- spdm-fleetd log, last lines ---\n\(daemon.text.suffix(3000))")
        }
    }

    /// The daemon is running, did not trap, every mutated device answers a fresh GET_VERSION, and the
    /// witness attests (certificate chain, CHALLENGE, signed measurements).
    static func expectDaemonServes(_ daemon: TestDaemon) throws {
        #expect(daemon.isRunning, "\(daemon.text.suffix(4000))")
        #expect(!daemon.text.contains("Fatal error"), "\(daemon.text.suffix(4000))")
        for device in devices {
            let socket = try PlatformSocket(tcpPort: try #require(daemon.port(device.name)),
                                            binding: TransportBindings.binding(for: device.transport), timeout: timeout)
            #expect(socket.helloAndVersion()?.prefix(2) == [0x10, 0x04], "\(device.name)")
        }
        let socket = try PlatformSocket(tcpPort: try #require(daemon.port(witness.name)), timeout: timeout)
        #expect(socket.hello())
        var requester = RequesterConnection(configuration: RequesterConfiguration(capabilities: [.cert, .chal], allowUnanchoredChains: true))
        try socket.negotiate(&requester)
        _ = try requester.perform(.getDigests, exchange: socket.plainExchange)
        _ = try requester.perform(.getCertificate(slot: 0), exchange: socket.plainExchange)
        _ = try requester.perform(.challenge(slot: 0, summary: .all), exchange: socket.plainExchange)
        guard case .measurements(let measurements) = try requester.perform(.getMeasurements(.all(signed: true)), exchange: socket.plainExchange) else {
            Issue.record("GET_MEASUREMENTS did not complete")
            return
        }
        #expect(measurements.signatureVerified)
        #expect(requester.authenticated)
        #expect(daemon.stop() == 0)
    }
}

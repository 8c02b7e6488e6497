import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMTransport
import SPDMWire

/// `spdmctl load`: a fleet load driver. Each of --connections threads holds one connection to one
/// device (devices are host:port, host:port+1, ... round robin) and runs flows on it back to back,
/// all verified: attestation (VCA, DIGESTS, CERTIFICATE, CHALLENGE, signed MEASUREMENTS) or a
/// session (VCA, DIGESTS, CERTIFICATE, KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION). Reports
/// flows/s, latency percentiles and the ratio to the crypto bound of the negotiated algorithms,
/// measured in the same run.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive many concurrent attestation or session flows against a fleet and report throughput.",
        discussion: """
        Every flow is verified as by `attest` or `session` (give --root for the chain check). \
        The crypto bound is what this machine's cores could do if a flow cost nothing but its \
        public-key operations: for attest, 2 signatures by the responder and 2 signature plus 3 \
        certificate verifications by the requester; for session, 1 signature, 1 signature plus 3 \
        certificate verifications, and a DHE key pair and shared secret on each side. `bound ratio` \
        is achieved/bound. Use --hold to open connections that only say hello and stay idle (for \
        memory measurements).
        """)

    @Option(name: .long, help: ArgumentHelp("First device's TCP address.", valueName: "host:port"))
    var connect: String

    @Option(name: .long, help: "Number of devices: ports port...port+N-1.")
    var devices: Int = 1

    @Option(name: .long, help: "Concurrent connections (one thread each).")
    var connections: Int = 4

    @Option(name: .long, help: "What each flow runs: attest, or session (KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION after the certificate).")
    var flow: LoadFlow = .attest

    @Option(name: .long, help: "Seconds to run.")
    var duration: Double = 5

    @Option(name: .long, help: "Transport binding: mctp, pci-doe, none, tcp.")
    var transport: String = "mctp"

    @Option(name: .long, help: ArgumentHelp("Trusted root certificate, DER or PEM (repeatable).", valueName: "file"))
    var root: [String] = []

    @Option(name: .long, help: "Open this many idle connections (hello only), hold them for --duration, and exit.")
    var hold: Int?

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    func validate() throws {
        guard connections > 0, devices > 0, duration > 0 else { throw ValidationError("--connections, --devices and --duration must be positive") }
        guard TransportType(name: transport) != nil else { throw ValidationError("unknown --transport \(transport)") }
        guard let (_, port) = PlatformSocketClient.hostAndPort(connect), Int(port) + devices - 1 <= 65535 else {
            throw ValidationError("--connect must be host:port, with room for --devices ports from there; not '\(connect)'")
        }
    }

    func run() throws {
        let (host, first) = PlatformSocketClient.hostAndPort(connect)!
        let firstPort = Int(first)
        let transportType = TransportType(name: transport)!
        if let hold { return try holdIdle(hold, host: host, firstPort: firstPort, transport: transportType) }

        let roots = try root.flatMap { try RootFiles.load($0) }
        let configuration = flow.configuration(roots: roots)
        let results = LoadResults()
        let deadline = Date().addingTimeInterval(duration)
        let progress = ProgressPrinter(enabled: !json, total: duration)
        let group = DispatchGroup()
        for index in 0..<connections {
            let port = UInt16(firstPort + index % devices)
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                LoadWorker(host: host, port: port, transport: transportType, flow: flow, configuration: configuration)
                    .run(until: deadline, results: results)
            }
        }
        while group.wait(timeout: .now() + 1) == .timedOut { progress.tick(results.flowCount) }
        let summary = results.summary(duration: duration)
        let bound = summary.algorithms.map { CryptoBound.measure($0, flow: flow) }
        LoadReport(flow: flow, summary: summary, bound: bound, connections: connections, devices: devices).print(json: json)
        if summary.flows == 0 || summary.errors > 0 { throw ExitCode(1) }
    }

    private func holdIdle(_ count: Int, host: String, firstPort: Int, transport: TransportType) throws {
        var clients: [PlatformSocketClient] = []
        for index in 0..<count {
            let client = try PlatformSocketClient.tcp(host: host, port: UInt16(firstPort + index % devices), transport: transport,
                                                      timeoutSeconds: 30)
            try client.hello()
            clients.append(client)
        }
        if !json { Swift.print("holding \(clients.count) idle connections for \(duration) s") }
        Thread.sleep(forTimeInterval: duration)
        if json { Swift.print("{\"held\": \(clients.count)}") }
    }
}

/// What one load flow runs.
enum LoadFlow: String, CaseIterable, ExpressibleByArgument, Sendable {
    case attest
    case session

    func configuration(roots: [Certificate]) -> RequesterConfiguration {
        switch self {
        // CHUNK_CAP: large messages travel in chunks when the device offers it too.
        case .attest:
            return RequesterConfiguration(capabilities: .chunk, maxSPDMMessageSize: MessageSizeOptions.defaultMaxMessageSize,
                                          trustedRoots: roots, allowUnanchoredChains: roots.isEmpty, chainOptions: .init(validAt: Date()))
        case .session:
            return RequesterConfiguration(
                capabilities: [.cert, .chal, .encrypt, .mac, .keyEx, .heartbeat, .keyUpdate, .chunk],
                maxSPDMMessageSize: MessageSizeOptions.defaultMaxMessageSize,
                dhe: DHEGroups(rawValue: 0x3F), aead: [.aes128GCM, .aes256GCM, .chacha20Poly1305], keySchedule: .spdm,
                trustedRoots: roots, allowUnanchoredChains: roots.isEmpty, chainOptions: .init(validAt: Date()))
        }
    }
}

/// One connection's loop: run a flow, record, repeat.
struct LoadWorker {
    let host: String
    let port: UInt16
    let transport: TransportType
    let flow: LoadFlow
    let configuration: RequesterConfiguration

    func run(until deadline: Date, results: LoadResults) {
        let client: PlatformSocketClient
        do {
            client = try PlatformSocketClient.tcp(host: host, port: port, transport: transport, timeoutSeconds: 30)
            try client.hello()
        } catch {
            results.record(error: "connect \(host):\(port): \(error)")
            return
        }
        while Date() < deadline {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let algorithms = try runFlow(client)
                results.record(latency: DispatchTime.now().uptimeNanoseconds - start, algorithms: algorithms)
            } catch {
                results.record(error: "\(host):\(port): \(error)")
                return
            }
        }
    }

    /// One verified flow on a fresh VCA; returns the negotiated algorithms.
    private func runFlow(_ client: PlatformSocketClient) throws -> NegotiatedAlgorithms {
        var requester = RequesterConnection(configuration: configuration)
        let plain: ([UInt8]) throws -> [UInt8] = { try client.exchangeSPDM($0) }
        switch flow {
        case .attest:
            return try requester.attest(AttestationPlan(measurements: .all, automaticSummary: true), exchange: plain).algorithms
        case .session:
            let operations: [RequesterOperation] = [.getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests, .getCertificate(slot: 0)]
            for operation in operations { _ = try requester.perform(operation, exchange: plain) }
            let secured: SecuredExchange = { try client.exchangeSecured($0) }
            var session = try requester.keyExchange(channel: transport == .mctp ? .mctp : .pciDOE, exchange: plain, secured: secured)
            try requester.heartbeat(session: &session, via: secured)
            try requester.endSession(session: &session, via: secured)
            guard let algorithms = requester.negotiated else { throw RequesterError.invalidState("no algorithms negotiated") }
            return algorithms
        }
    }
}

import ArgumentParser
import Foundation
import SPDMControlModel
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMTransport
import SPDMWire

/// `spdmctl load`: a fleet load driver. Devices come from `--connect host:port --devices N` (ports
/// port...port+N-1) or from the daemon itself (`--fleet`: every device it serves, by name). Either
/// every device is attested once (`--once`, optionally checking that no two present the same leaf
/// certificate), or --connections threads each hold one connection to one device (round robin) and
/// run verified flows back to back for --duration, started over --ramp seconds. Reports flows/s, an
/// HDR latency histogram's percentiles, errors by kind and device, and the ratio to the crypto bound
/// of the negotiated algorithms, measured in the same run.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive attestation or session flows against a fleet and report throughput, latency and errors.",
        discussion: """
        Every flow is verified as by `attest` or `session` (give --root for the chain check). \
        The crypto bound is what this machine's cores could do if a flow cost nothing but its \
        public-key operations: for attest, 2 signatures by the responder and 2 signature plus 3 \
        certificate verifications by the requester; for session, 1 signature, 1 signature plus 3 \
        certificate verifications, and the key exchange (a DHE key pair and shared secret on each side, \
        or ML-KEM key generation, encapsulation and decapsulation at SPDM 1.4). ML-DSA and ML-KEM are \
        offered beside the classic algorithms. `bound ratio` \
        is achieved/bound. Errors are counted by the kind of check that failed (as `attest` names \
        them: signature, digest, transport, ...) and by device. Use --hold to open connections that \
        only say hello and stay idle (for memory measurements). Exit status 0 when every flow \
        verified (and, with --unique-identities, no two devices share a leaf certificate); 1 otherwise.
        """)

    @Option(name: .long, help: ArgumentHelp("First device's TCP address.", valueName: "host:port"))
    var connect: String?

    @Option(name: .long, help: "Number of devices: ports port...port+N-1.")
    var devices: Int = 1

    @Flag(name: .long, help: "Take the devices from the daemon's control API: every device it serves (its shard), by name.")
    var fleet = false

    @Option(name: .customLong("control-socket"), help: ArgumentHelp("The daemon's control socket, for --fleet.", valueName: "path"))
    var controlSocket: String?

    @Option(name: .long, help: "Concurrent connections (one thread each).")
    var connections: Int = 4

    @Option(name: .long, help: "What each flow runs: attest, or session (KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION after the certificate).")
    var flow: LoadFlow = .attest

    @Option(name: .long, help: "Seconds to run (ignored with --once).")
    var duration: Double = 5

    @Flag(name: .long, help: "Run the flow once against every device (one connection each), then report.")
    var once = false

    @Flag(name: .customLong("unique-identities"), help: "With --once (implied): check that no two devices present the same slot 0 leaf certificate.")
    var uniqueIdentities = false

    @Option(name: .long, help: "Seconds over which the connections start, evenly (0: all at once).")
    var ramp: Double = 0

    @Option(name: .long, help: "Transport binding with --connect: mctp, pci-doe, none, tcp (--fleet takes each device's own).")
    var transport: String = "mctp"

    @Option(name: .long, help: ArgumentHelp("Trusted root certificate, DER or PEM (repeatable).", valueName: "file"))
    var root: [String] = []

    @Option(name: .long, help: "Open this many idle connections (hello only), hold them for --duration, and exit.")
    var hold: Int?

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    var runsOnce: Bool { once || uniqueIdentities }

    func validate() throws {
        guard connections > 0, devices > 0, duration > 0, ramp >= 0 else {
            throw ValidationError("--connections, --devices and --duration must be positive, --ramp not negative")
        }
        guard TransportType(name: transport) != nil else { throw ValidationError("unknown --transport \(transport)") }
        guard fleet != (connect != nil) else { throw ValidationError("give either --connect host:port (with --devices) or --fleet") }
        if let connect {
            guard let (_, port) = PlatformSocketClient.hostAndPort(connect), Int(port) + devices - 1 <= 65535 else {
                throw ValidationError("--connect must be host:port, with room for --devices ports from there; not '\(connect)'")
            }
        }
        if uniqueIdentities && flow != .attest { throw ValidationError("--unique-identities runs the attest flow") }
    }

    func targets() throws -> [LoadTarget] {
        if fleet {
            let client = ControlClient(socketPath: controlSocket ?? ControlClient.defaultSocketPath)
            let response = try client.request(.devices, body: nil)
            guard response.ok else { throw LoadError("the daemon refused GET /v1/devices: \(response.errorMessage)") }
            return try LoadTarget.fromDaemon(try ControlJSON.decode([DeviceSummary].self, from: response.body))
        }
        let (host, first) = PlatformSocketClient.hostAndPort(connect!)!
        return LoadTarget.portRange(host: host, firstPort: Int(first), count: devices, transport: TransportType(name: transport)!)
    }

    func run() throws {
        let targets: [LoadTarget]
        do {
            targets = try self.targets()
        } catch {
            FileHandle.standardError.write(Data("spdmctl load: \(error)\n".utf8))
            throw ExitCode(3)
        }
        guard !targets.isEmpty else { throw ValidationError("no device to drive") }
        if let hold { return try holdIdle(hold, targets: targets) }

        var flowConfiguration = flow.configuration(roots: try root.flatMap { try RootFiles.load($0) })
        // Every flow fetches and verifies the device's chain anew; decoding its certificates once is enough.
        flowConfiguration.certificateCache = CertificateCache()
        let configuration = flowConfiguration
        // The bound is measured before the run (on idle cores, after one probe flow tells the
        // algorithms) and again after it; the faster one counts and the spread is reported, so a
        // ratio is not above 1 by the noise of one measurement.
        let probe = LoadResults()
        if !runsOnce {
            LoadWorker(flow: flow, configuration: configuration, collectIdentity: false).runOnce(targets[0], results: probe)
        }
        let boundBefore = probe.summary(seconds: 1).algorithms.flatMap { CryptoBound.measure($0, flow: flow) }
        let results = LoadResults()
        let started = Date()
        let workers = runsOnce ? min(connections, targets.count) : connections
        let progress = ProgressPrinter(enabled: !json, total: runsOnce ? "\(targets.count) devices" : "\(Int(duration)) s")
        let queue = LoadQueue(targets)
        let deadline = started.addingTimeInterval(ramp + duration)
        let group = DispatchGroup()
        for index in 0..<workers {
            let delay = ramp * Double(index) / Double(workers)
            let target = targets[index % targets.count]
            group.enter()
            Thread.detachNewThread { [flow, runsOnce, uniqueIdentities] in
                defer { group.leave() }
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                let worker = LoadWorker(flow: flow, configuration: configuration, collectIdentity: uniqueIdentities)
                if runsOnce {
                    while let next = queue.take() { worker.runOnce(next, results: results) }
                } else {
                    worker.run(target, until: deadline, results: results)
                }
            }
        }
        while group.wait(timeout: .now() + 1) == .timedOut { progress.tick(results.flowCount) }
        let elapsed = Date().timeIntervalSince(started)
        let summary = results.summary(seconds: runsOnce ? elapsed : duration)
        let boundAfter = summary.algorithms.flatMap { CryptoBound.measure($0, flow: flow) }
        let report = LoadReport(flow: flow, summary: summary, bound: CryptoBound.Measurements(before: boundBefore, after: boundAfter),
                                connections: workers, devices: targets.count,
                                mode: runsOnce ? "once" : "duration", ramp: ramp, identitiesChecked: uniqueIdentities)
        report.print(json: json)
        if summary.flows == 0 || summary.errors > 0 { throw ExitCode(1) }
        if runsOnce && summary.devicesAttested < targets.count { throw ExitCode(1) }
        if uniqueIdentities && !summary.sharedIdentities.isEmpty { throw ExitCode(1) }
    }

    /// Opens `count` idle connections (hello only), holds them for --duration; a connection that
    /// fails is counted, not fatal, so a run reports how many of how many were held.
    private func holdIdle(_ count: Int, targets: [LoadTarget]) throws {
        var clients: [PlatformSocketClient] = []
        var errors = 0
        var firstError: String?
        for index in 0..<count {
            do {
                let client = try targets[index % targets.count].open(timeoutSeconds: 30)
                try client.hello()
                clients.append(client)
            } catch {
                errors += 1
                if firstError == nil { firstError = "\(targets[index % targets.count].name): \(error)" }
            }
        }
        if !json { Swift.print("holding \(clients.count) idle connections for \(duration) s, \(errors) failed") }
        Thread.sleep(forTimeInterval: duration)
        if json {
            let object: [String: Any] = ["held": clients.count, "errors": errors, "first_error": firstError ?? NSNull()]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            Swift.print(String(decoding: data, as: UTF8.self))
        }
        if errors > 0 {
            if let firstError, !json { FileHandle.standardError.write(Data("first error: \(firstError)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

/// What one load flow runs.
enum LoadFlow: String, CaseIterable, ExpressibleByArgument, Sendable {
    case attest
    case session

    func configuration(roots: [Certificate]) -> RequesterConfiguration {
        switch self {
        // CHUNK_CAP: large messages travel in chunks when the device offers it too.
        // At 1.4 ML-DSA and ML-KEM are offered beside the classic algorithms (the device's pqc_first decides).
        case .attest:
            var configuration = RequesterConfiguration(capabilities: .chunk, maxSPDMMessageSize: MessageSizeOptions.defaultMaxMessageSize,
                                                       trustedRoots: roots, allowUnanchoredChains: roots.isEmpty, chainOptions: .init(validAt: Date()))
            configuration.pqcAsym = RequesterConfiguration.allPQCAsym
            return configuration
        case .session:
            var configuration = RequesterConfiguration(
                capabilities: [.cert, .chal, .encrypt, .mac, .keyEx, .heartbeat, .keyUpdate, .chunk],
                maxSPDMMessageSize: MessageSizeOptions.defaultMaxMessageSize,
                dhe: DHEGroups(rawValue: 0x3F), aead: [.aes128GCM, .aes256GCM, .chacha20Poly1305], keySchedule: .spdm,
                trustedRoots: roots, allowUnanchoredChains: roots.isEmpty, chainOptions: .init(validAt: Date()))
            configuration.pqcAsym = RequesterConfiguration.allPQCAsym
            configuration.kem = RequesterConfiguration.allKEM
            return configuration
        }
    }
}

/// One worker thread: flows on one connection until a deadline, or one flow per device it takes.
struct LoadWorker {
    let flow: LoadFlow
    let configuration: RequesterConfiguration
    let collectIdentity: Bool

    /// Flows back to back on one connection to `target` until `deadline`; the first failure ends it.
    func run(_ target: LoadTarget, until deadline: Date, results: LoadResults) {
        guard let client = connect(target, results: results) else { return }
        while Date() < deadline {
            guard timedFlow(client, target, results: results) else { return }
        }
    }

    /// One flow on a connection of its own.
    func runOnce(_ target: LoadTarget, results: LoadResults) {
        guard let client = connect(target, results: results) else { return }
        _ = timedFlow(client, target, results: results)
    }

    private func connect(_ target: LoadTarget, results: LoadResults) -> PlatformSocketClient? {
        do {
            let client = try target.open(timeoutSeconds: 30)
            try client.hello()
            return client
        } catch {
            results.record(device: target.name, kind: FailedCheck.transport.rawValue, error: "connect: \(error)")
            return nil
        }
    }

    private func timedFlow(_ client: PlatformSocketClient, _ target: LoadTarget, results: LoadResults) -> Bool {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let (algorithms, leaf) = try runFlow(client, transport: target.transport)
            let digest = collectIdentity ? leaf.map { Digest.hash(.sha256, $0).spdmHex } : nil
            results.record(device: target.name, nanoseconds: DispatchTime.now().uptimeNanoseconds - start, algorithms: algorithms,
                           leafDigest: digest)
            return true
        } catch let error as RequesterError {
            results.record(device: target.name, kind: error.failedCheck.rawValue, error: "\(error)")
        } catch {
            results.record(device: target.name, kind: FailedCheck.transport.rawValue, error: "\(error)")
        }
        return false
    }

    /// One verified flow on a fresh VCA; returns the negotiated algorithms and the slot 0 leaf certificate.
    private func runFlow(_ client: PlatformSocketClient, transport: TransportType) throws -> (NegotiatedAlgorithms, [UInt8]?) {
        var requester = RequesterConnection(configuration: configuration)
        let plain: ([UInt8]) throws -> [UInt8] = { try client.exchangeSPDM($0) }
        switch flow {
        case .attest:
            let report = try requester.attest(AttestationPlan(measurements: .all, automaticSummary: true), exchange: plain)
            return (report.algorithms, report.chain?.certificates.last?.der)
        case .session:
            let operations: [RequesterOperation] = [.getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests]
            for operation in operations { _ = try requester.perform(operation, exchange: plain) }
            var leaf: [UInt8]?
            if case .certificateChain(let chain) = try requester.perform(.getCertificate(slot: 0), exchange: plain) {
                leaf = chain.certificates.last?.der
            }
            let secured: SecuredExchange = { try client.exchangeSecured($0) }
            var session = try requester.keyExchange(channel: transport == .mctp ? .mctp : .pciDOE, exchange: plain, secured: secured)
            try requester.heartbeat(session: &session, via: secured)
            try requester.endSession(session: &session, via: secured)
            guard let algorithms = requester.negotiated else { throw RequesterError.invalidState("no algorithms negotiated") }
            return (algorithms, leaf)
        }
    }
}

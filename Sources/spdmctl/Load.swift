import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMTransport
import SPDMWire

/// `spdmctl load`: a fleet load driver. Each of --connections threads holds one connection to one
/// device (devices are host:port, host:port+1, ... round robin) and runs full attestation flows on
/// it back to back — VCA, DIGESTS, CERTIFICATE, CHALLENGE, signed MEASUREMENTS, all verified.
/// Reports flows/s, latency percentiles and the ratio to the crypto bound of the negotiated
/// algorithms, measured in the same run.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive many concurrent attestation flows against a fleet and report throughput.",
        discussion: """
        Every flow is verified as by `attest` (give --root for the chain check). The crypto bound is
        what this machine's cores could do if a flow cost nothing but its signatures and
        verifications (2 signatures by the responder, 2 signature and 3 certificate verifications by
        the requester); `bound ratio` is achieved/bound. Use --hold to open connections that only
        say hello and stay idle (for memory measurements).
        """)

    @Option(name: .long, help: ArgumentHelp("First device's TCP address.", valueName: "host:port"))
    var connect: String

    @Option(name: .long, help: "Number of devices: ports port...port+N-1.")
    var devices: Int = 1

    @Option(name: .long, help: "Concurrent connections (one thread each).")
    var connections: Int = 4

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
        let configuration = RequesterConfiguration(trustedRoots: roots, allowUnanchoredChains: roots.isEmpty)
        let results = LoadResults()
        let deadline = Date().addingTimeInterval(duration)
        let progress = ProgressPrinter(enabled: !json, total: duration)
        let group = DispatchGroup()
        for index in 0..<connections {
            let port = UInt16(firstPort + index % devices)
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                LoadWorker(host: host, port: port, transport: transportType, configuration: configuration)
                    .run(until: deadline, results: results)
            }
        }
        while group.wait(timeout: .now() + 1) == .timedOut { progress.tick(results.flowCount) }
        let summary = results.summary(duration: duration)
        let bound = summary.algorithms.map { CryptoBound.measure(hash: $0.hash, asym: $0.asym) }
        LoadReport(summary: summary, bound: bound, connections: connections, devices: devices).print(json: json)
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

/// One connection's loop: attest, record, repeat.
struct LoadWorker {
    let host: String
    let port: UInt16
    let transport: TransportType
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
        let plan = AttestationPlan(measurements: .all, automaticSummary: true)
        while Date() < deadline {
            var requester = RequesterConnection(configuration: configuration)
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let report = try requester.attest(plan) { try client.exchangeSPDM($0) }
                results.record(latency: DispatchTime.now().uptimeNanoseconds - start, algorithms: report.algorithms)
            } catch {
                results.record(error: "\(host):\(port): \(error)")
                return
            }
        }
    }
}

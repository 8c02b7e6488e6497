import ArgumentParser
import SPDMTransport

/// `--connect host:port` or `--unix PATH`, and `--transport`: where one responder is and how its
/// messages are framed (`attest` and `session`).
struct EndpointOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("TCP address of the responder.", valueName: "host:port"))
    var connect: String?

    @Option(name: .long, help: ArgumentHelp("Unix socket of the responder.", valueName: "path"))
    var unix: String?

    @Option(name: .long, help: "Transport binding: mctp, pci-doe, none, tcp.")
    var transport: String = "mctp"

    func validate() throws {
        try PlatformSocketClient.validateEndpoint(connect: connect, unix: unix, transport: transport)
    }

    /// Valid after `validate()`.
    var transportType: TransportType { TransportType(name: transport)! }

    /// The address as given, for reports.
    var address: String { connect ?? unix ?? "" }

    func open(timeoutSeconds: Int) throws -> PlatformSocketClient {
        try PlatformSocketClient.open(connect: connect, unix: unix, transport: transportType, timeoutSeconds: timeoutSeconds)
    }
}

/// `--hash SHA_384,SHA_256` / `--asym ...`: spdm-emu algorithm names, repeatable or comma separated,
/// into one flag set; none given means `all`.
func algorithmSet<T: OptionSet>(_ values: [String], option: String, known: [(String, T)], all: T) throws -> T {
    let names = commaSeparated(values)
    guard !names.isEmpty else { return all }
    return try names.reduce(into: T()) { set, name in
        guard let value = known.first(where: { $0.0 == name })?.1 else {
            throw ValidationError("unknown --\(option) \(name); known: \(known.map(\.0).joined(separator: ", "))")
        }
        set.formUnion(value)
    }
}

/// Repeatable, comma-separated option values as one list of trimmed, non-empty items.
func commaSeparated(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
}

import ArgumentParser

@main
struct SPDMCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spdmctl",
        abstract: "SPDM requester and spdm-fleetd control client.",
        subcommands: [Attest.self, Load.self])
}

import ArgumentParser

@main
struct SPDMCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spdmctl",
        abstract: "SPDM requester and spdm-fleetd control client.",
        subcommands: [Attest.self, Session.self, Provision.self, Load.self, Vendor.self,
                      Health.self, Devices.self, Device.self, Connections.self, Sessions.self, SetMeasurement.self, SetSlot.self, Fault.self, Capture.self,
                      Reset.self, State.self, Reload.self, Metrics.self])
}

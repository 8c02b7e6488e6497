import ArgumentParser
import Foundation
import SPDMControlModel

/// `spdmctl reset NAME`: the device reset (POST /v1/devices/{name}/reset).
struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reset a device, as a power cycle would: what waited for a reset applies, its connections close.",
        discussion: "Chains, erases and key pair settings acknowledged with ResetRequired take effect and are persisted; "
            + "CSRs requested with ResetRequired become ready for the GET_CSR that carries their tag. What the device "
            + "acknowledged and what the control API set stay (`spdmctl state reset NAME` forgets them).")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The device's name.") var name: String

    func run() throws {
        try options.show(try options.call(.resetDevice(name)), as: DeviceResetDocument.self) { reset in
            print("\(name) reset; \(reset.closedConnections) connection(s) closed")
            if reset.applied.isEmpty { print("nothing was waiting for the reset") }
            for line in reset.applied { print("applied  \(line)") }
        }
    }
}

/// `spdmctl state show|reset NAME`: a device's persisted state (GET, DELETE /v1/devices/{name}/state).
struct State: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or forget a device's persisted state (what survives a restart).",
        discussion: "The state directory holds what the control API set (measurements, slots) and what SPDM provisioning "
            + "requests acknowledged (installed and erased chains, key pair settings, what waits for a device reset).",
        subcommands: [Show.self, Forget.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a device's persisted state, file by file.")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String

        func run() throws {
            try options.show(try options.call(.deviceState(name)), as: DeviceStateDocument.self, printState)
        }
    }

    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset",
            abstract: "Factory reset: forget a device's persisted state and restore its config (fault rules too).",
            discussion: "Open connections stay and see the config's values from their next request; a slot's chain "
                + "and key change for new connections.")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String

        func run() throws {
            try options.show(try options.call(.forgetDeviceState(name)), as: DeviceStateDocument.self) { _ in
                print("\(name) reset to its config; its persisted state is forgotten")
            }
        }
    }
}

func printState(_ state: DeviceStateDocument) {
    print("device        \(state.device)")
    print("directory     \(state.directory)")
    for measurement in state.measurements {
        print("measurement \("\(measurement.index)".padding(toLength: 3, withPad: " ", startingAt: 0)) \(measurement.value)  (measurements.json)")
    }
    for slot in state.slots {
        print("slot \(slot.id)        \(slot.certificates.last?.subject ?? "-")  (slot\(slot.id).override.pem)")
    }
    let provisioned = state.provisioned
    print("provisioned   \(provisioned.isEmpty ? "nothing" : "revision \(provisioned.revision)")  (provisioned.json)")
    printProvisioned(installed: provisioned.installedChains, erased: provisioned.erasedSlots, keyPairs: provisioned.keyPairs, indent: "  ")
    let pending = provisioned.pendingReset
    if !pending.isEmpty {
        print("waiting for a device reset (spdmctl reset \(state.device))")
        printProvisioned(installed: pending.installedChains, erased: pending.erasedSlots, keyPairs: pending.keyPairs, indent: "  ")
        for request in pending.csrRequests {
            print("  CSR tag \(request.tag)   key pair \(request.keyPairId), \(request.ready ? "ready" : "waiting")")
        }
    }
    for problem in state.problems { print("problem       \(problem)") }
}

private func printProvisioned(installed: [DeviceStateDocument.Chain], erased: [UInt8], keyPairs: [DeviceStateDocument.KeyPair], indent: String) {
    for chain in installed {
        print("\(indent)slot \(chain.slot)      \(chain.certificates.last?.subject ?? "\(chain.bytes) bytes") "
              + "(key pair \(chain.keyPairId), \(chain.certificateModel) model)")
    }
    for slot in erased { print("\(indent)slot \(slot)      erased") }
    for pair in keyPairs {
        let usage = String(pair.keyUsage, radix: 16), asym = String(pair.asymAlgorithm, radix: 16)
        print("\(indent)key pair \(pair.id)  usage 0x\(usage), asym 0x\(asym), slots 0x\(String(pair.associatedSlotMask, radix: 16))"
              + (pair.erased ? ", erased" : ""))
    }
}

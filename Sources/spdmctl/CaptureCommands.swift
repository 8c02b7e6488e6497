import ArgumentParser
import Foundation
import SPDMControlModel

/// `spdmctl capture start|stop|status NAME`: a device's packet capture (PUT, DELETE, GET
/// /v1/devices/{name}/capture).
struct Capture: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Capture a device's frames into a pcap file, as spdm_requester_emu --pcap writes them.",
        discussion: "Every SPDM and secured message the device's connections receive and send goes into one file "
            + "(link type 291 MCTP or 292 PCI-DOE), readable by Wireshark with DMTF's SPDM dissector or spdm-dump. "
            + "The daemon writes the file; FILE is made absolute from the current directory.",
        subcommands: [Start.self, Stop.self, Status.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start capturing (a capture in progress ends first; FILE is truncated).")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String
        @Argument(help: "The pcap file the daemon writes.") var file: String

        func run() throws {
            let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
            try options.show(try options.call(.startCapture(name), body: CaptureBody(path: path)), as: CaptureDocument.self, printCapture)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the device's capture and say what it wrote.")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String

        func run() throws {
            try options.show(try options.call(.stopCapture(name)), as: CaptureDocument.self, printCapture)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the device's capture.")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String

        func run() throws {
            try options.show(try options.call(.capture(name)), as: CaptureDocument.self, printCapture)
        }
    }
}

private func printCapture(_ capture: CaptureDocument) {
    guard let path = capture.path else {
        print("\(capture.device): no capture")
        return
    }
    let state = capture.running ? "capturing into" : "captured into"
    print("\(capture.device): \(state) \(path): \(capture.packets) packets, \(capture.bytes) bytes (link type \(capture.linkType.map(String.init) ?? "-"))")
}

import ArgumentParser
import Foundation
import SPDMControlModel

/// `spdmctl fault list|set|clear NAME`: a device's live fault rules (GET, PUT, DELETE
/// /v1/devices/{name}/faults).
struct Fault: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, replace or clear a device's fault rules (deliberate misbehaviour for requester test rigs).",
        discussion: "A rule set at runtime applies from the next request, on open connections too; it is not persisted "
            + "(`spdmctl state reset NAME` or a restart restores the config's [[device.fault]] rules).",
        subcommands: [List.self, Set.self, Clear.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a device's fault rules.")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String

        func run() throws {
            try options.show(try options.call(.faults(name)), as: [FaultRuleDocument].self, printRules)
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a device's fault rules.",
            discussion: """
                RULES is a JSON list of rule objects, inline or the path of a file holding it, for example \
                '[{"on": "CHALLENGE", "action": "corrupt:signature", "when": "once"}]'. Keys: on (a request code \
                name or "*"), in_session, action, when (always, once, nth:N, every:N, probability:P), count, seed.
                """)
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String
        @Argument(help: "The rules: inline JSON, or a file holding it (a lone object is a list of one).") var rules: String

        func run() throws {
            let text = rules.trimmingCharacters(in: .whitespaces)
            let json: Data
            if text.hasPrefix("[") || text.hasPrefix("{") {
                json = Data(text.utf8)
            } else if let contents = FileManager.default.contents(atPath: rules) {
                json = contents
            } else {
                throw ValidationError("RULES is neither JSON nor a readable file: \(rules)")
            }
            // The daemon parses and judges the rules; a lone object is taken as a list of one.
            let body = json.first(where: { !$0.isWhitespace }) == UInt8(ascii: "{") ? Data("[".utf8) + json + Data("]".utf8) : json
            let response = try options.call(.setFaults(name), rawJSON: Array(body))
            try options.show(response, as: [FaultRuleDocument].self, printRules)
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every fault rule of a device.")
        @OptionGroup var options: ControlOptions
        @Argument(help: "The device's name.") var name: String

        func run() throws {
            try options.show(try options.call(.clearFaults(name)), as: [FaultRuleDocument].self) { _ in
                print("\(name): no fault rules")
            }
        }
    }
}

private func printRules(_ rules: [FaultRuleDocument]) {
    guard !rules.isEmpty else {
        print("no fault rules")
        return
    }
    printTable(["RULE", "ON", "IN SESSION", "ACTION", "WHEN", "COUNT", "SEED"], rules.enumerated().map { index, rule in
        ["\(index)", rule.on, rule.inSession.map { $0 ? "yes" : "no" } ?? "any", rule.action, rule.when ?? "always",
         rule.count.map(String.init) ?? "-", rule.seed.map(String.init) ?? "-"]
    })
}

private extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

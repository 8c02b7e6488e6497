import SPDMWire
import TOMLKit

/// A device's fault rules from its config: `[[device.fault]]` tables, read by the one rule parser
/// (`FaultRule(parsing:)`) that the control API uses too, after the rules the older
/// `[device.faults]` table stands for (`not_ready = [...]` with `rd_exponent` and `rdtm`: a
/// `not_ready` rule per request code, in the clear, always).
struct FaultRuleLoader {
    func load(notReady legacy: ConfigTable?, rules tables: [ConfigTable]) throws -> [FaultRule] {
        var rules: [FaultRule] = []
        if let legacy {
            try legacy.allowOnly(["not_ready", "rd_exponent", "rdtm"])
            let exponent = UInt8(try legacy.int("rd_exponent", in: 0...31) ?? Int(FaultAction.defaultRDExponent))
            let rdtm = UInt8(try legacy.int("rdtm", in: Int(FaultAction.minimumRDTM)...255) ?? Int(FaultAction.minimumRDTM))
            for name in try legacy.stringArray("not_ready") ?? [] {
                guard let code = RequestCode.named(name) else {
                    throw legacy.error("not_ready", "unknown request '\(name)' (use names such as CHALLENGE, GET_MEASUREMENTS)")
                }
                rules.append(FaultRule(request: code, inSession: false, action: .notReady(rdExponent: exponent, rdtm: rdtm)))
            }
        }
        for table in tables {
            var fields: [String: FaultValue] = [:]
            for key in table.table.keys {
                guard let value = table.table[key] else { continue }
                if let bool = value.bool {
                    fields[key] = .bool(bool)
                } else if let int = value.int {
                    fields[key] = .integer(Int64(int))
                } else if let double = value.double {
                    fields[key] = .number(double)
                } else if let string = value.string {
                    fields[key] = .string(string)
                } else {
                    throw table.error(key, "must be a string, a number or true/false")
                }
            }
            do {
                rules.append(try FaultRule(parsing: fields))
            } catch {
                throw table.error(error.key, error.message)
            }
        }
        return rules
    }
}

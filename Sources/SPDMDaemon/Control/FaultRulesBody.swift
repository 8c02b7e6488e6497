import Foundation
import SPDMControlModel
import SPDMDevice

/// The body of PUT /v1/devices/{name}/faults: a JSON list of rule objects, each read by the one
/// rule parser the config uses (`FaultRule(parsing:)`), so a bad rule is a 400 naming the rule and
/// the key, the same words as the config's error.
enum FaultRulesBody {
    static func parse(_ body: [UInt8]) throws -> [FaultRule] {
        let objects: [[String: FaultValue]]
        do {
            objects = try JSONDecoder().decode([[String: FaultValue]].self, from: Data(body))
        } catch {
            throw ControlError.badRequest("the body must be a JSON list of rule objects with the keys \(FaultRule.keys.joined(separator: ", "))"
                                          + " (for example [{\"on\": \"CHALLENGE\", \"action\": \"corrupt:signature\", \"when\": \"once\"}])")
        }
        return try objects.enumerated().map { index, fields in
            do {
                return try FaultRule(parsing: fields)
            } catch {
                throw ControlError.badRequest("rule \(index): \(error)")
            }
        }
    }
}

extension FaultRuleDocument {
    /// A rule as the control API shows it (`seed` filled in by `DeviceFaults.rulesWithSeeds`).
    init(_ rule: FaultRule) {
        self.init(on: rule.onText, inSession: rule.inSession, action: rule.action.description, when: rule.schedule.description,
                  count: rule.count, seed: rule.seed)
    }
}

import Foundation
import SPDMDevice
import SPDMFuzzMain
import SPDMFuzzSupport

/// The fault rule parser on hostile input: the body of PUT /v1/devices/{name}/faults (a JSON list
/// of rule objects from whoever can reach the control socket) read the way the daemon reads it,
/// each object through `FaultRule(parsing:)`, the one parser the config uses too.
///
/// Properties: the parser only throws `FaultRuleError`, never traps; what parses prints (as the
/// control API shows it) to an action and a schedule that parse back to the same values.
@_cdecl("FuzzFaultRule_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzFaultRule)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFaultRule(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = FuzzInput(data, size).bytes
    // Single action and schedule strings too, so the fuzzer need not build JSON to reach them.
    let text = String(decoding: body, as: UTF8.self)
    if let action = try? FaultAction(parsing: text) {
        fuzzCheck((try? FaultAction(parsing: action.description)) == action, "action '\(text)' prints as '\(action)', which does not parse back")
    }
    if let schedule = try? FaultSchedule(parsing: text) {
        fuzzCheck((try? FaultSchedule(parsing: schedule.description)) == schedule, "schedule '\(text)' prints as '\(schedule)'")
    }
    guard let objects = try? JSONDecoder().decode([[String: FaultValue]].self, from: Data(body)) else { return 0 }
    for fields in objects {
        guard let rule = try? FaultRule(parsing: fields) else { continue }
        fuzzCheck((try? FaultAction(parsing: rule.action.description)) == rule.action, "rule action \(rule.action) does not parse back")
        fuzzCheck((try? FaultSchedule(parsing: rule.schedule.description)) == rule.schedule, "rule schedule \(rule.schedule) does not parse back")
    }
    return 0
}

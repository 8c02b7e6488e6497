import SPDMWire

/// One fault rule of a device (`[[device.fault]]` in the config, a JSON object on the control API's
/// /v1/devices/{name}/faults): which requests it matches, what it does to them, and when.
///
/// What a rule does to the n-th request it matches on a connection depends only on the rule, its
/// seed, the device's name and n (`FaultRandom`), so every connection of a rig's run repeats exactly.
public struct FaultRule: Sendable, Hashable {
    /// The request code the rule matches; nil matches every request ("*").
    public var request: RequestCode?
    /// true: only requests inside a secure session; false: only in the clear; nil: both.
    public var inSession: Bool?
    public var action: FaultAction
    public var schedule: FaultSchedule
    /// The rule expires after this many injections on the device (all connections together).
    public var count: Int?
    /// nil: derived from the device's name and the rule's index (`FaultRandom.defaultSeed`).
    public var seed: UInt64?

    public init(request: RequestCode?, inSession: Bool? = nil, action: FaultAction, schedule: FaultSchedule = .always,
                count: Int? = nil, seed: UInt64? = nil) {
        self.request = request
        self.inSession = inSession
        self.action = action
        self.schedule = schedule
        self.count = count
        self.seed = seed
    }

    /// Whether a request with `code`, in a session or not, is one this rule looks at.
    public func matches(_ code: RequestCode?, inSession: Bool) -> Bool {
        if let request, request != code { return false }
        if let wanted = self.inSession, wanted != inSession { return false }
        return action.scope.allows(inSession: inSession)
    }

    /// How many injections the rule allows on a device: `count`, and one for "once".
    public var limit: Int? {
        schedule == .once ? min(count ?? 1, 1) : count
    }

    /// The `on` key as written: a request code name or "*".
    public var onText: String { request?.description ?? "*" }
}

/// When a matching request gets the fault.
public enum FaultSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Every matching request.
    case always
    /// The first matching request on the device, then the rule expires.
    case once
    /// The N-th matching request of each connection (1 is the first).
    case nth(Int)
    /// Every N-th matching request of each connection (the N-th, 2N-th, ...).
    case every(Int)
    /// Each matching request with probability P, drawn from the rule's seeded generator.
    case probability(Double)

    public var description: String {
        switch self {
        case .always: return "always"
        case .once: return "once"
        case .nth(let n): return "nth:\(n)"
        case .every(let n): return "every:\(n)"
        case .probability(let p): return "probability:\(p)"
        }
    }
}

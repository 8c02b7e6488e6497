import NIOConcurrencyHelpers
import SPDMDevice
import SPDMWire

/// A device's live fault rules, shared by its connections. The control API replaces them; every
/// connection reads them per request (one uncontended lock), so a new rule set applies from the
/// next request on open connections too. Injections are counted per rule here, across
/// connections, for `count` and `once`.
final class DeviceFaults: Sendable {
    let device: String

    private struct State: Sendable {
        var rules: [FaultRule]
        /// Bumped when the rules are replaced: connections restart their per-rule match counts.
        var generation: UInt64 = 0
        /// Injections per rule since the rules were set.
        var injected: [Int]
        /// Some rule replays earlier responses: only then do connections keep them.
        var replays: Bool { rules.contains { $0.action == .replay } }
    }

    private let state: NIOLockedValueBox<State>

    init(device: String, rules: [FaultRule]) {
        self.device = device
        state = NIOLockedValueBox(State(rules: rules, injected: Array(repeating: 0, count: rules.count)))
    }

    var rules: [FaultRule] { state.withLockedValue { $0.rules } }

    /// Rules with their effective seeds (a rule without one gets the default of its index).
    var rulesWithSeeds: [FaultRule] {
        rules.enumerated().map { index, rule in
            var seeded = rule
            seeded.seed = rule.seed ?? FaultRandom.defaultSeed(device: device, ruleIndex: index)
            return seeded
        }
    }

    func replace(_ rules: [FaultRule]) {
        state.withLockedValue {
            $0.rules = rules
            $0.generation &+= 1
            $0.injected = Array(repeating: 0, count: rules.count)
        }
    }

    /// One connection's view of the rules: how many requests each rule matched so far.
    struct ConnectionCounts: Sendable {
        var generation: UInt64 = 0
        var matches: [Int] = []
        /// The rules in force include `replay`, so the connection keeps its last response per code.
        var keepsResponses = false
        /// Rules whose `busy` the connection just got: the retry that follows passes.
        var awaitingRetry: Set<Int> = []
    }

    /// The fault the request gets, if any: every rule matching (code, in session or not) counts
    /// the request; the first one, in list order, that is not expired and whose schedule fires for
    /// its n-th match wins.
    func decide(_ code: RequestCode?, inSession: Bool, counts: inout ConnectionCounts) -> FaultInjection? {
        state.withLockedValue { state in
            if counts.generation != state.generation || counts.matches.count != state.rules.count {
                counts = ConnectionCounts(generation: state.generation, matches: Array(repeating: 0, count: state.rules.count),
                                          keepsResponses: state.replays)
            }
            var chosen: FaultInjection?
            for (index, rule) in state.rules.enumerated() where rule.matches(code, inSession: inSession) {
                counts.matches[index] += 1
                guard chosen == nil else { continue }
                if let limit = rule.limit, state.injected[index] >= limit { continue }
                if counts.awaitingRetry.remove(index) != nil { continue }
                let n = counts.matches[index]
                let seed = rule.seed ?? FaultRandom.defaultSeed(device: device, ruleIndex: index)
                var random = FaultRandom(seed: seed, device: device, n: n)
                guard rule.schedule.fires(n: n, random: &random) else { continue }
                state.injected[index] += 1
                if rule.action == .busy { counts.awaitingRetry.insert(index) }
                chosen = FaultInjection(ruleIndex: index, action: rule.action, request: code, n: n, seed: seed, random: random)
            }
            return chosen
        }
    }
}

/// The decision for one request: which rule fired, on its n-th match, and the generator (seeded
/// from the rule's seed, the device and n) that the action draws from.
struct FaultInjection: Sendable {
    var ruleIndex: Int
    var action: FaultAction
    var request: RequestCode?
    var n: Int
    var seed: UInt64
    var random: FaultRandom
}

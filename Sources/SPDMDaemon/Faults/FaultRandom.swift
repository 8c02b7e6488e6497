import SPDMDevice

/// SplitMix64: the small deterministic generator behind every random choice a fault rule makes
/// (probability schedules, `mutate` bytes). Seeded from (rule seed, device name, n), so the n-th
/// matching request of any connection gets the same decision and the same bytes on every run.
struct FaultRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64, device: String, n: Int) {
        state = seed ^ Self.fnv1a(device)
        state = state &+ UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        _ = next()
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// A byte other than zero (XORed into a byte, it always changes it).
    mutating func nonZeroByte() -> UInt8 { UInt8(truncatingIfNeeded: next() % 255) + 1 }

    /// The seed of rule `index` of `device` when the rule names none: stable across runs and
    /// processes (FNV-1a of the name, mixed with the index), kept to 63 bits so it round-trips
    /// through TOML and JSON integers.
    static func defaultSeed(device: String, ruleIndex: Int) -> UInt64 {
        var random = FaultRandom(seed: 0x5350_444D_4641_554C, device: device, n: ruleIndex)
        return random.next() & UInt64(Int64.max)
    }

    /// FNV-1a, 64 bits: a hash that is the same in every process (Swift's Hasher is not).
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0100_0000_01B3 }
    }
}

extension FaultSchedule {
    /// Whether the n-th matching request of a connection gets the fault.
    func fires(n: Int, random: inout FaultRandom) -> Bool {
        switch self {
        case .always, .once: return true
        case .nth(let wanted): return n == wanted
        case .every(let period): return n % period == 0
        case .probability(let p): return random.unit() < p
        }
    }
}

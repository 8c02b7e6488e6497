/// One shard of a fleet (`spdm-fleetd --shard I/N`, or `SPDM_FLEET_SHARD=I/N`): the devices whose
/// index in the config — counting every device every [[device]] table expands to, in file order —
/// is I modulo N. N daemons given the same config and shards 0..N-1 serve every device exactly once,
/// on as many hosts (or pods) as wanted; each device keeps its own ports and identity.
///
/// `auto/N` takes I from the host name's trailing "-<ordinal>", as a Kubernetes StatefulSet names its
/// pods (spdm-fleetd-0, spdm-fleetd-1, ...).
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses "I/N" or "auto/N" (`hostname` gives I for auto).
    public init(parsing text: String, hostname: String?) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[1]), count >= 1, count <= 1_000_000 else {
            throw ParseError(description: "--shard expects I/N or auto/N with N from 1 to 1000000, got '\(text)'")
        }
        let index: Int
        if parts[0] == "auto" {
            guard let hostname, let dash = hostname.lastIndex(of: "-"), let ordinal = Int(hostname[hostname.index(after: dash)...]) else {
                throw ParseError(description: "--shard auto/\(count): the host name '\(hostname ?? "")' does not end in -<ordinal> "
                                 + "(as a StatefulSet's pods do)")
            }
            index = ordinal
        } else {
            guard let given = Int(parts[0]) else { throw ParseError(description: "--shard: '\(parts[0])' is not an index") }
            index = given
        }
        guard index >= 0, index < count else {
            throw ParseError(description: "--shard \(text): the index must be 0 to \(count - 1), got \(index)")
        }
        self.init(index: index, count: count)
    }

    /// Whether the device at `fleetIndex` (its position among all the config's devices) is this shard's.
    public func serves(_ fleetIndex: Int) -> Bool { fleetIndex % count == index }

    public var description: String { "\(index)/\(count)" }
}

extension FleetConfig {
    /// This config cut to `shard`'s devices (the whole fleet stays counted in `fleetDeviceCount`).
    /// A shard that gets no device is an error naming the file: a daemon serving nothing is a mistake.
    public func sharded(_ shard: Shard) throws -> FleetConfig {
        var cut = self
        cut.devices = devices.enumerated().filter { shard.serves($0.offset) }.map(\.element)
        cut.shard = shard
        guard !cut.devices.isEmpty else {
            throw ConfigError(file: source, "shard \(shard) has no device: the config defines \(devices.count)")
        }
        return cut
    }
}

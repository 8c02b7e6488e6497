import SPDMCore
import SPDMCrypto
import SPDMWire

/// A device's measurements (DSP0274 §10.11). Each entry is stored as its raw value; entries marked
/// `.digest` are reported as a hash under the negotiated measurement hash unless the requester asks
/// for the raw bit stream (1.2+).
public struct MeasurementTable: Sendable, Hashable {
    public enum Representation: String, Sendable, Hashable {
        /// Always sent as the raw bit stream (versions, SVNs, device mode).
        case raw
        /// Sent as a digest of the value, or raw when RawBitStreamRequested.
        case digest
    }

    public struct Entry: Sendable, Hashable {
        public var index: UInt8
        public var type: DMTFMeasurementType
        public var value: [UInt8]
        public var representation: Representation
        /// Part of the TCB: covered by a TCB measurement summary hash.
        public var tcb: Bool

        public init(index: UInt8, type: DMTFMeasurementType, value: [UInt8], representation: Representation, tcb: Bool = true) {
            self.index = index
            self.type = type
            self.value = value
            self.representation = representation
            self.tcb = tcb
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries.sorted { $0.index < $1.index } }

    public var count: Int { entries.count }
    public var tcbIndices: Set<UInt8> { Set(entries.filter(\.tcb).map(\.index)) }

    public func entry(_ index: UInt8) -> Entry? { entries.first { $0.index == index } }

    /// Replaces (or adds) the value at `index`; used by the control API.
    public mutating func set(index: UInt8, value: [UInt8]) -> Bool {
        guard let position = entries.firstIndex(where: { $0.index == index }) else { return false }
        entries[position].value = value
        return true
    }

    /// Measurement blocks for `entries` as negotiated.
    public func blocks(_ selected: [Entry], hash: HashAlgorithm?, rawRequested: Bool) -> [MeasurementBlock] {
        selected.map { entry in
            if entry.representation == .raw || rawRequested || hash == nil {
                return MeasurementBlock(index: entry.index, valueType: entry.type, isRawBitStream: true, value: entry.value)
            }
            return MeasurementBlock(index: entry.index, valueType: entry.type, isRawBitStream: false,
                                    value: Digest.hash(hash!, entry.value))
        }
    }
}

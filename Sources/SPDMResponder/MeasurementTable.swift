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

    /// One event of the measurement extension log (MEL_CAP): what was extended into the table's
    /// hash-extend entry, reported raw or (`.digest`) as a digest under the negotiated measurement hash.
    public struct LogEvent: Sendable, Hashable {
        public var type: DMTFMeasurementType
        public var value: [UInt8]
        public var representation: Representation

        public init(type: DMTFMeasurementType, value: [UInt8], representation: Representation = .raw) {
            self.type = type
            self.value = value
            self.representation = representation
        }
    }

    public var entries: [Entry]
    /// The measurement extension log, in order; extended into the hash-extend entry (`extendIndex`).
    public private(set) var log: [LogEvent]

    public init(entries: [Entry], log: [LogEvent] = []) {
        self.entries = entries.sorted { $0.index < $1.index }
        self.log = log
    }

    /// The index of the hash-extend measurement (DMTF type 8) the log extends, if the table has one.
    /// Its value is never stored: it is computed from the log under the negotiated hash.
    public var extendIndex: UInt8? { entries.first { $0.type == .hashExtendMeasurement }?.index }

    /// The log in the DMTF format (MEL entries numbered from 1, each naming `extendIndex`), digests
    /// under `hash`.
    public func extensionLog(hash: HashAlgorithm) -> MeasurementExtensionLog {
        let index = extendIndex ?? 0
        return MeasurementExtensionLog(entries: log.enumerated().map { position, event in
            let digest = event.representation == .digest
            return MeasurementExtensionLog.Entry(melIndex: UInt32(position + 1), measurementIndex: index, valueType: event.type,
                                                 isRawBitStream: !digest, value: digest ? Digest.hash(hash, event.value) : event.value)
        })
    }

    public var count: Int { entries.count }
    public var tcbIndices: Set<UInt8> { Set(entries.filter(\.tcb).map(\.index)) }

    public func entry(_ index: UInt8) -> Entry? { entries.first { $0.index == index } }

    /// Replaces the value at `index`; used by the control API. With a hash-extend entry, every
    /// change also extends the log (and so that entry): a new value of another measurement is logged
    /// as that measurement's type and value; a value "set" at the hash-extend index itself is an
    /// informational event extended into it.
    public mutating func set(index: UInt8, value: [UInt8]) -> Bool {
        guard let position = entries.firstIndex(where: { $0.index == index }) else { return false }
        let entry = entries[position]
        if entry.type == .hashExtendMeasurement {
            log.append(LogEvent(type: .informational, value: value))
            return true
        }
        entries[position].value = value
        if extendIndex != nil { log.append(LogEvent(type: entry.type, value: value, representation: entry.representation)) }
        return true
    }

    /// Measurement blocks for `entries` as negotiated.
    public func blocks(_ selected: [Entry], hash: HashAlgorithm?, rawRequested: Bool) -> [MeasurementBlock] {
        selected.map { entry in
            if entry.type == .hashExtendMeasurement, let hash {
                return MeasurementBlock(index: entry.index, valueType: entry.type, isRawBitStream: false,
                                        value: MeasurementExtension.extendedValue(of: extensionLog(hash: hash), index: entry.index, hash: hash))
            }
            if entry.representation == .raw || rawRequested || hash == nil {
                return MeasurementBlock(index: entry.index, valueType: entry.type, isRawBitStream: true, value: entry.value)
            }
            return MeasurementBlock(index: entry.index, valueType: entry.type, isRawBitStream: false,
                                    value: Digest.hash(hash!, entry.value))
        }
    }
}

/// The measurement extension log in the DMTF format (DSP0274 1.3, Table "DMTF measurement extension
/// log format", MELspecification DMTF): the events a hash-extend measurement
/// (DMTFSpecMeasurementValueType 8) accumulates, in order.
///
///     +0 NumberOfEntries (4) | +4 MELEntriesLength (4): bytes of all entries | +8 Reserved (8)
///     +16 MELEntry[NumberOfEntries]
///     MELEntry:  +0 MELIndex (4) | +4 MeasIndex (1): the hash-extend measurement it extends | +5 Reserved (3)
///                +8 DMTFSpecMeasurementValueType (1; bit 7 raw bit stream) | +9 DMTFSpecMeasurementValueSize (2)
///                +11 DMTFSpecMeasurementValue
///
/// The extended measurement is H_0 = H zero bytes, H_i = Hash(H_(i-1) || MELEntry_i) over the
/// entries of its MeasIndex (SPDMCore's `MeasurementExtension`).
public struct MeasurementExtensionLog: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var melIndex: UInt32
        public var measurementIndex: UInt8
        public var valueType: DMTFMeasurementType
        public var isRawBitStream: Bool
        public var value: [UInt8]

        public static let headerSize = 11

        public init(melIndex: UInt32, measurementIndex: UInt8, valueType: DMTFMeasurementType, isRawBitStream: Bool, value: [UInt8]) {
            self.melIndex = melIndex
            self.measurementIndex = measurementIndex
            self.valueType = valueType
            self.isRawBitStream = isRawBitStream
            self.value = value
        }

        public init(decoding reader: inout WireReader) throws {
            melIndex = try reader.readU32("MELIndex")
            measurementIndex = try reader.readU8("MeasIndex")
            try reader.skip(3, "Reserved")
            let type = try reader.readU8("DMTFSpecMeasurementValueType")
            valueType = DMTFMeasurementType(rawValue: type & 0x7F)
            isRawBitStream = type & 0x80 != 0
            value = try reader.readBytes(Int(try reader.readU16("DMTFSpecMeasurementValueSize")), "DMTFSpecMeasurementValue")
        }

        /// The entry's bytes: what the log carries and what is extended into the measurement.
        public var encoded: [UInt8] {
            var out: [UInt8] = []
            out.appendU32(melIndex)
            out.appendU8(measurementIndex)
            out.appendZeros(3)
            out.appendU8(valueType.rawValue | (isRawBitStream ? 0x80 : 0))
            out.appendU16(UInt16(truncatingIfNeeded: value.count))
            out.append(contentsOf: value)
            return out
        }
    }

    public var entries: [Entry]

    public static let headerSize = 16
    /// MELspecification / MELspecificationSel bit of this format (NEGOTIATE_ALGORITHMS, ALGORITHMS).
    public static let specificationDMTF: UInt8 = 0x01

    public init(entries: [Entry]) { self.entries = entries }

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        let count = try reader.readU32("NumberOfEntries")
        let length = try reader.readU32("MELEntriesLength")
        try reader.skip(8, "Reserved")
        guard length == UInt32(reader.remaining) else {
            throw WireError.invalidField("MELEntriesLength \(length), but \(reader.remaining) bytes of entries")
        }
        var entriesReader = WireReader(reader.readRest())
        var entries: [Entry] = []
        while !entriesReader.isAtEnd { entries.append(try Entry(decoding: &entriesReader)) }
        guard UInt32(entries.count) == count else {
            throw WireError.invalidField("NumberOfEntries \(count), but \(entries.count) entries")
        }
        self.entries = entries
    }

    public var encoded: [UInt8] {
        let body = entries.flatMap(\.encoded)
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSize + body.count)
        out.appendU32(UInt32(truncatingIfNeeded: entries.count))
        out.appendU32(UInt32(truncatingIfNeeded: body.count))
        out.appendZeros(8)
        out.append(contentsOf: body)
        return out
    }
}

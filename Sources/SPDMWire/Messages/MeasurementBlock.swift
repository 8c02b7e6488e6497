/// One measurement block (DSP0274 Table "Measurement block format") carrying a DMTF measurement
/// (Table "DMTF measurement specification format"):
///
///     +0 Index | +1 MeasurementSpecification (bit0 DMTF) | +2 MeasurementSize (2)
///     +4 DMTFSpecMeasurementValueType: bit 7 raw bit stream, bits 6..0 type (Table "DMTFSpecMeasurementValueType")
///     +5 DMTFSpecMeasurementValueSize (2) | +7 DMTFSpecMeasurementValue
public struct MeasurementBlock: Hashable, Sendable {
    public var index: UInt8
    public var specification: UInt8
    public var valueType: DMTFMeasurementType
    public var isRawBitStream: Bool
    public var value: [UInt8]

    public init(index: UInt8, valueType: DMTFMeasurementType, isRawBitStream: Bool, value: [UInt8], specification: UInt8 = 0x01) {
        self.index = index
        self.specification = specification
        self.valueType = valueType
        self.isRawBitStream = isRawBitStream
        self.value = value
    }

    public init(decoding reader: inout WireReader) throws {
        index = try reader.readU8("Index")
        specification = try reader.readU8("MeasurementSpecification")
        let size = Int(try reader.readU16("MeasurementSize"))
        var measurement = WireReader(try reader.readBytes(size, "Measurement"))
        let type = try measurement.readU8("DMTFSpecMeasurementValueType")
        valueType = DMTFMeasurementType(rawValue: type & 0x7F)
        isRawBitStream = type & 0x80 != 0
        let valueSize = Int(try measurement.readU16("DMTFSpecMeasurementValueSize"))
        value = try measurement.readBytes(valueSize, "DMTFSpecMeasurementValue")
        guard measurement.isAtEnd else { throw WireError.invalidField("MeasurementSize larger than the DMTF value") }
    }

    /// The DMTF "Measurement" field alone: type, size, value (what 1.0/1.1 summary hashes cover).
    public var dmtfMeasurement: [UInt8] {
        var out: [UInt8] = []
        out.appendU8(valueType.rawValue | (isRawBitStream ? 0x80 : 0))
        out.appendU16(UInt16(value.count))
        out.append(contentsOf: value)
        return out
    }

    public func encode(into out: inout [UInt8]) {
        let measurement = dmtfMeasurement
        out.appendU8(index)
        out.appendU8(specification)
        out.appendU16(UInt16(measurement.count))
        out.append(contentsOf: measurement)
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }
}

/// DMTFSpecMeasurementValueType bits 6..0 (DSP0274 Table "DMTFSpecMeasurementValueType").
public struct DMTFMeasurementType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let immutableROM = Self(rawValue: 0)
    public static let mutableFirmware = Self(rawValue: 1)
    public static let hardwareConfiguration = Self(rawValue: 2)
    public static let firmwareConfiguration = Self(rawValue: 3)
    public static let measurementManifest = Self(rawValue: 4)
    public static let deviceMode = Self(rawValue: 5)
    public static let version = Self(rawValue: 6)
    public static let secureVersionNumber = Self(rawValue: 7)
    public static let hashExtendMeasurement = Self(rawValue: 8)
    public static let informational = Self(rawValue: 9)
    public static let structuredManifest = Self(rawValue: 10)

    public static let named: [(String, Self)] = [
        ("immutable_rom", .immutableROM), ("mutable_firmware", .mutableFirmware),
        ("hardware_config", .hardwareConfiguration), ("firmware_config", .firmwareConfiguration),
        ("manifest", .measurementManifest), ("device_mode", .deviceMode), ("version", .version),
        ("svn", .secureVersionNumber), ("hash_extend", .hashExtendMeasurement),
        ("informational", .informational), ("structured_manifest", .structuredManifest),
    ]
    public var name: String { Self.named.first { $0.1 == self }?.0 ?? "type\(rawValue)" }
}

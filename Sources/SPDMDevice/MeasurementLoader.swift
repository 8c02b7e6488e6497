import SPDMCore
import SPDMResponder
import SPDMWire

/// `[[device.measurement]]`: index (1-254), DMTF type, value, how it is reported, TCB membership.
/// In a fleet template the value may vary per device (FleetValues); `value(_:for:in:)` is the one
/// rule that checks a value, whoever supplies it.
struct MeasurementLoader {
    /// Measurements whose value text is a template are loaded with `placeholder` until FleetValues
    /// gives each device its own.
    func load(_ tables: [ConfigTable]) throws -> MeasurementTable {
        var entries: [MeasurementTable.Entry] = []
        for table in tables {
            try table.allowOnly(["index", "type", "value", "representation", "tcb"])
            guard let index = try table.int("index", in: 1...254) else { throw table.error("index", "is required (1-254)") }
            guard !entries.contains(where: { $0.index == index }) else {
                throw table.error("index", "measurement index \(index) is defined twice")
            }
            let typeName = try table.requiredString("type")
            let type = try table.named("type", typeName, in: DMTFMeasurementType.named)
            // A list of values (one per device in turn) or an expression is filled in per device by FleetValues.
            let value: [UInt8]
            if let list = try? table.stringArray("value") {
                guard !list.isEmpty else { throw table.error("value", "a list of values needs at least one") }
                value = Self.placeholder(for: type)
            } else {
                let text = try table.requiredString("value")
                value = DeviceTemplate.isTemplate(text) ? Self.placeholder(for: type) : try Self.value(text, for: type, in: table)
            }
            let rawByDefault: Set<DMTFMeasurementType> = [.deviceMode, .version, .secureVersionNumber, .informational]
            let representation: MeasurementTable.Representation
            switch try table.string("representation") {
            case nil: representation = rawByDefault.contains(type) ? .raw : .digest
            case "raw": representation = .raw
            case "digest": representation = .digest
            case let other?: throw table.error("representation", "expected \"raw\" or \"digest\", got '\(other)'")
            }
            let tcbByDefault: Set<DMTFMeasurementType> = [.immutableROM, .mutableFirmware, .hardwareConfiguration, .firmwareConfiguration]
            let tcb = try table.bool("tcb") ?? tcbByDefault.contains(type)
            entries.append(.init(index: UInt8(index), type: type, value: value, representation: representation, tcb: tcb))
        }
        return MeasurementTable(entries: entries)
    }

    /// The bytes of a measurement value (ByteString syntax), checked against its type.
    static func value(_ text: String, for type: DMTFMeasurementType, in table: ConfigTable, key: String = "value") throws -> [UInt8] {
        guard let value = ByteString.parse(text) else { throw table.error(key, "'\(text)' is not valid hex after 'hex:'") }
        guard !value.isEmpty else { throw table.error(key, "a non-empty value is required") }
        if type == .deviceMode && value.count != 16 {
            throw table.error(key, "a device_mode value is 16 bytes: four u32 LE (operational mode capabilities/state, device mode capabilities/state)")
        }
        return value
    }

    private static func placeholder(for type: DMTFMeasurementType) -> [UInt8] {
        type == .deviceMode ? [UInt8](repeating: 0, count: 16) : [0]
    }
}

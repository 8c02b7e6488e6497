import SPDMCore
import SPDMResponder
import SPDMWire

/// `[[device.measurement]]`: index (1-254), DMTF type, value, how it is reported, TCB membership.
/// A `hash_extend` measurement has no value of its own: it is the extension of the
/// `[[device.measurement_log]]` events (type, value, representation), in order (MEL_CAP).
/// In a fleet template the value may vary per device (FleetValues); `value(_:for:in:)` is the one
/// rule that checks a value, whoever supplies it.
struct MeasurementLoader {
    /// Measurements whose value is a list or an expression are loaded with a placeholder until
    /// FleetValues gives each device its own.
    func load(_ tables: [ConfigTable], log logTables: [ConfigTable] = []) throws -> MeasurementTable {
        var entries: [MeasurementTable.Entry] = []
        for table in tables {
            try table.allowOnly(["index", "type", "value", "representation", "tcb"])
            guard let index = try table.int("index", in: 1...254) else { throw table.error("index", "is required (1-254)") }
            guard !entries.contains(where: { $0.index == index }) else {
                throw table.error("index", "measurement index \(index) is defined twice")
            }
            let typeName = try table.requiredString("type")
            let type = try table.named("type", typeName, in: DMTFMeasurementType.named)
            if type == .hashExtendMeasurement {
                guard !table.has("value") else { throw table.error("value", "a hash_extend measurement is computed from [[device.measurement_log]]; it takes no value") }
                guard !entries.contains(where: { $0.type == .hashExtendMeasurement }) else {
                    throw table.error("type", "only one hash_extend measurement per device")
                }
                entries.append(.init(index: UInt8(index), type: type, value: [], representation: .digest, tcb: try table.bool("tcb") ?? false))
                continue
            }
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
        let log = try logTables.map(loadEvent)
        return MeasurementTable(entries: entries, log: log)
    }

    /// One `[[device.measurement_log]]` event: type (default informational), value, representation
    /// (raw by default; digest: reported as its hash under the negotiated measurement hash).
    private func loadEvent(_ table: ConfigTable) throws -> MeasurementTable.LogEvent {
        try table.allowOnly(["type", "value", "representation"])
        let type = try table.named("type", try table.string("type") ?? "informational", in: DMTFMeasurementType.named)
        guard type != .hashExtendMeasurement else { throw table.error("type", "a log event cannot be a hash_extend measurement") }
        guard let value = try table.bytes("value"), !value.isEmpty, value.count <= 0xFFFF else {
            throw table.error("value", "a value of 1 to 65535 bytes is required")
        }
        let representation: MeasurementTable.Representation
        switch try table.string("representation") ?? "raw" {
        case "raw": representation = .raw
        case "digest": representation = .digest
        case let other: throw table.error("representation", "expected \"raw\" or \"digest\", got '\(other)'")
        }
        return MeasurementTable.LogEvent(type: type, value: value, representation: representation)
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

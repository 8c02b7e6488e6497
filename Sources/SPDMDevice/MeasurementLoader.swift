import SPDMResponder
import SPDMWire

/// `[[device.measurement]]`: index (1-254), DMTF type, value, how it is reported, TCB membership.
struct MeasurementLoader {
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
            guard let value = try table.bytes("value"), !value.isEmpty else { throw table.error("value", "a non-empty value is required") }
            let rawByDefault: Set<DMTFMeasurementType> = [.deviceMode, .version, .secureVersionNumber, .informational]
            let representation: MeasurementTable.Representation
            switch try table.string("representation") {
            case nil: representation = rawByDefault.contains(type) ? .raw : .digest
            case "raw": representation = .raw
            case "digest": representation = .digest
            case let other?: throw table.error("representation", "expected \"raw\" or \"digest\", got '\(other)'")
            }
            if type == .deviceMode && value.count != 16 {
                throw table.error("value", "a device_mode value is 16 bytes: four u32 LE (operational mode capabilities/state, device mode capabilities/state)")
            }
            let tcbByDefault: Set<DMTFMeasurementType> = [.immutableROM, .mutableFirmware, .hardwareConfiguration, .firmwareConfiguration]
            let tcb = try table.bool("tcb") ?? tcbByDefault.contains(type)
            entries.append(.init(index: UInt8(index), type: type, value: value, representation: representation, tcb: tcb))
        }
        return MeasurementTable(entries: entries)
    }
}

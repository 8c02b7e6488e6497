import SPDMCore
import SPDMWire

/// `[[device.endpoint_identifier]]`: the device class identifiers GET_ENDPOINT_INFO reports
/// (EP_INFO_CAP), each a registry (the SVH ID: a name such as "pci-sig", or its number), an
/// optional vendor ID and its sub identifiers (byte strings). None: the device's default
/// (`ResponderDevice.endpointInfo`, one DMTF identifier naming the device).
struct EndpointInfoLoader {
    func load(_ tables: [ConfigTable]) throws -> DeviceClassIdentifier? {
        guard !tables.isEmpty else { return nil }
        guard tables.count <= 0xFF else { throw tables[0].error(nil, "at most 255 [[device.endpoint_identifier]]") }
        return DeviceClassIdentifier(elements: try tables.map(loadElement))
    }

    private func loadElement(_ table: ConfigTable) throws -> DeviceClassIdentifier.Element {
        try table.allowOnly(["registry", "vendor_id", "sub_ids"])
        let registry: UInt8
        if let number = try? table.int("registry", in: 0...255) {
            registry = UInt8(number)
        } else {
            registry = try table.named("registry", try table.requiredString("registry"), in: DeviceClassIdentifier.registries)
        }
        let vendorID = try table.bytes("vendor_id") ?? []
        let subIDs = try (table.stringArray("sub_ids") ?? []).map { text in
            guard let bytes = ByteString.parse(text) else { throw table.error("sub_ids", "'\(text)' is not a byte string") }
            return bytes
        }
        let element = DeviceClassIdentifier.Element(registry: registry, vendorID: vendorID, subIdentifiers: subIDs)
        guard element.isEncodable else {
            throw table.error(nil, "the identifier is over 255 bytes (IdElemLength is one byte)")
        }
        return element
    }
}

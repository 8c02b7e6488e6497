/// `[[device.variant]]` in a fleet template: a share of the fleet's devices with other measurement
/// values or pre-shared keys, so a fleet carries a realistic mix:
///
///     [[device.variant]]
///     name = "older firmware"          # for messages
///     share = 3                        # percent of the fleet
///     [[device.variant.measurement]]
///     index = 2                        # a measurement the template defines
///     value = "fw 1.9.4"
///     [[device.variant.measurement]]
///     index = 3
///     value = "hex:01"
///
/// Which devices: device i falls in bucket i % 100; the first variant takes the first `share`
/// buckets, the next variant the following ones, and the rest keep the template's values. So of every
/// hundred consecutive devices exactly `share` belong to the variant, and every shard of the fleet
/// carries about the same mix.
struct DeviceVariant {
    var name: String
    var buckets: Range<Int>
    /// Measurement index to its value text (ByteString syntax, `{i}` allowed).
    var measurements: [UInt8: FleetValues.Text]
    /// Replaces the template's `[[device.psk]]` list when present.
    var psks: [PSKLoader.Text]?

    func contains(deviceIndex: Int) -> Bool { buckets.contains(deviceIndex % 100) }

    /// The template's variants in order; `measurementIndices`: the indices the template defines.
    static func load(_ tables: [ConfigTable], measurementIndices: Set<UInt8>) throws -> [DeviceVariant] {
        var variants: [DeviceVariant] = []
        var nextBucket = 0
        for table in tables {
            try table.allowOnly(["name", "share", "measurement", "psk"])
            let name = try table.string("name") ?? table.path
            guard let share = try table.int("share", in: 1...100) else {
                throw table.error("share", "is required: the percent of the fleet's devices this variant covers (1-100)")
            }
            guard nextBucket + share <= 100 else {
                throw table.error("share", "the variants' shares add up to \(nextBucket + share)%, more than 100%")
            }
            var measurements: [UInt8: FleetValues.Text] = [:]
            for entry in try table.tableArray("measurement") {
                try entry.allowOnly(["index", "value"])
                guard let index = try entry.int("index", in: 1...254).map(UInt8.init) else { throw entry.error("index", "is required (1-254)") }
                guard measurementIndices.contains(index) else {
                    throw entry.error("index", "the template defines no measurement \(index) for this variant to change")
                }
                guard measurements[index] == nil else { throw entry.error("index", "measurement \(index) is changed twice") }
                measurements[index] = FleetValues.Text(text: try entry.requiredString("value"), table: entry, key: "value")
            }
            let psks = table.has("psk") ? try PSKLoader().texts(table.tableArray("psk")) : nil
            guard !measurements.isEmpty || psks != nil else {
                throw table.error(nil, "variant '\(name)' changes nothing: give it [[\(table.path).measurement]] or [[\(table.path).psk]] entries")
            }
            variants.append(DeviceVariant(name: name, buckets: nextBucket..<(nextBucket + share), measurements: measurements, psks: psks))
            nextBucket += share
        }
        return variants
    }
}

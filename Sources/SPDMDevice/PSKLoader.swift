import SPDMCore

/// `[[device.psk]]`: a pre-shared key and its hint (DSP0274 §10.16 PSK_EXCHANGE "PSKHint"). The
/// hint and key texts may vary per device of a fleet (FleetValues); `store(_:)` is the one rule that
/// checks them, whoever supplies them.
struct PSKLoader {
    /// One entry's texts, before its device's values are filled in.
    struct Text {
        var hint: String?
        var key: String
        var table: ConfigTable

        /// Whether the hint or key holds a `{...}` expression, to be filled in per device.
        var isTemplate: Bool { DeviceTemplate.isTemplate(key) || hint.map(DeviceTemplate.isTemplate) == true }
    }

    func texts(_ tables: [ConfigTable]) throws -> [Text] {
        try tables.map { entry in
            try entry.allowOnly(["hint", "key"])
            return Text(hint: try entry.string("hint"), key: try entry.requiredString("key"), table: entry)
        }
    }

    /// The store for these (expanded) texts.
    func store(_ texts: [Text]) throws -> PSKStore {
        var psk = PSKStore()
        for text in texts {
            let entry = text.table
            guard let key = ByteString.parse(text.key), (1...64).contains(key.count) else {
                throw entry.error("key", "a PSK of 1 to 64 bytes is required")
            }
            guard let hint = text.hint.map(ByteString.parse) ?? [] else { throw entry.error("hint", "is not valid hex after 'hex:'") }
            guard hint.count <= 16 else { throw entry.error("hint", "a PSK hint is at most 16 bytes") }
            guard psk.key(forHint: hint) == nil else { throw entry.error("hint", "this hint is already defined") }
            psk.add(hint: hint, key: key)
        }
        return psk
    }
}

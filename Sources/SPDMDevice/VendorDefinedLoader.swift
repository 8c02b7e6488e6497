import SPDMCore
import SPDMResponder
import SPDMWire

/// `[[device.vendor_defined]]`: how the device answers VENDOR_DEFINED_REQUEST (DSP0274 §10.20).
///
///     [[device.vendor_defined]]
///     standard = "PCISIG"              # registry name (DMTF, TCG, USB, PCISIG, IANA, HDBASET, MIPI,
///                                      # CXL, JEDEC, VESA, IANA_CBOR, DMTF_DSP) or its number
///     vendor_id = "hex:0100"           # the VendorID bytes as sent (little-endian); default none
///     request_prefix = "hex:00 02"     # payloads starting with these bytes, or `request` = exactly
///     response = ["hex:00 03", "request[2..5]", "hex:00", "request[6..8]"]
///
/// `response` is the payload as one byte string (a static answer), or a rule: a list of parts, each
/// a byte string, `zeros:N`, or `request` / `request[a..b]` / `request[a..]` (bytes of the request
/// payload, from offset a up to b); `["request"]` echoes the request, `["hex:AA55", "request"]` prefixes it.
struct VendorDefinedLoader {
    static let standards: [(String, UInt16)] = [
        ("DMTF", 0x0), ("TCG", 0x1), ("USB", 0x2), ("PCISIG", 0x3), ("IANA", 0x4), ("HDBASET", 0x5),
        ("MIPI", 0x6), ("CXL", 0x7), ("JEDEC", 0x8), ("VESA", 0x9), ("IANA_CBOR", 0xA), ("DMTF_DSP", 0xB),
    ]

    func load(_ entries: [ConfigTable]) throws -> VendorDefinedHandlers {
        VendorDefinedHandlers(try entries.map(loadHandler))
    }

    private func loadHandler(_ entry: ConfigTable) throws -> VendorDefinedHandler {
        try entry.allowOnly(["standard", "vendor_id", "request", "request_prefix", "response"])
        let standardID = try loadStandard(entry)
        let vendorID = try entry.bytes("vendor_id") ?? []
        guard VendorDefinedFields.vendorIDLengthIsValid(standardID: standardID, length: vendorID.count) else {
            throw entry.error("vendor_id", "a VendorID of \(vendorID.count) bytes is not valid for standard \(standardID)")
        }
        let exact = try entry.bytes("request"), prefix = try entry.bytes("request_prefix")
        guard (exact == nil) != (prefix == nil) else {
            throw entry.error("request", "give exactly one of 'request' (the whole payload) and 'request_prefix'")
        }
        return VendorDefinedHandler(standardID: standardID, vendorID: vendorID, request: exact ?? prefix ?? [],
                                    prefix: prefix != nil, response: try loadResponse(entry))
    }

    private func loadStandard(_ entry: ConfigTable) throws -> UInt16 {
        guard entry.has("standard") else { throw entry.error("standard", "is required (a registry name or number)") }
        if let number = entry.table["standard"]?.int {
            guard let id = UInt16(exactly: number), Self.standards.contains(where: { $0.1 == id }) else {
                throw entry.error("standard", "\(number) is not a registry DSP0274 defines (0-11)")
            }
            return id
        }
        let name = try entry.requiredString("standard")
        return try entry.named("standard", name, in: Self.standards)
    }

    private func loadResponse(_ entry: ConfigTable) throws -> [VendorDefinedHandler.Part] {
        if let text = entry.table["response"]?.string {
            guard let bytes = ByteString.parse(text) else { throw entry.error("response", "is not valid hex after 'hex:'") }
            return [.bytes(bytes)]
        }
        guard let parts = try entry.stringArray("response") else {
            throw entry.error("response", "is required: a byte string, or a list of byte strings and request[a..b] parts")
        }
        return try parts.map { try part($0, entry) }
    }

    /// One part of a response rule: `request`, `request[a..b]`, `request[a..]`, `zeros:N` (N zero
    /// bytes), or a byte string.
    private func part(_ text: String, _ entry: ConfigTable) throws -> VendorDefinedHandler.Part {
        if text.hasPrefix("zeros:") {
            guard let count = Int(text.dropFirst("zeros:".count)), (0...65_535).contains(count) else {
                throw entry.error("response", "'\(text)': expected zeros:N with N from 0 to 65535")
            }
            return .bytes([UInt8](repeating: 0, count: count))
        }
        guard text.hasPrefix("request") else {
            guard let bytes = ByteString.parse(text) else { throw entry.error("response", "'\(text)' is not valid hex after 'hex:'") }
            return .bytes(bytes)
        }
        let rest = text.dropFirst("request".count)
        if rest.isEmpty { return .request(from: 0, to: nil) }
        guard rest.hasPrefix("["), rest.hasSuffix("]") else {
            throw entry.error("response", "'\(text)' is neither 'request' nor 'request[a..b]'")
        }
        let bounds = rest.dropFirst().dropLast().components(separatedBy: "..")
        guard bounds.count == 2, let from = Int(bounds[0]), from >= 0 else {
            throw entry.error("response", "'\(text)': expected request[a..b] or request[a..] with byte offsets")
        }
        if bounds[1].isEmpty { return .request(from: from, to: nil) }
        guard let to = Int(bounds[1]), to >= from else {
            throw entry.error("response", "'\(text)': the end offset must be a number not below the start")
        }
        return .request(from: from, to: to)
    }
}

/// The EPInfo of GET_ENDPOINT_INFO SubCode 0x01 (DSP0274 1.3, Table "Device class identifier"):
/// the classes the endpoint belongs to, each named by a standards body or vendor.
///
///     +0 NumIdentifiers (1) | +1 Reserved (3) | IdentifierElement[NumIdentifiers]
///     IdentifierElement:  +0 IdElemLength (1): the bytes after it
///                         +1 SVH: ID (1, registry: 0 DMTF, 1 TCG, 2 USB, 3 PCI-SIG, 4 IANA, ...)
///                             | VendorIDLen (1) | VendorID[VendorIDLen]
///                         | NumSubIds (1) | SubIdentifier[NumSubIds]
///     SubIdentifier:      +0 SubIdLen (1) | SubId[SubIdLen]
public struct DeviceClassIdentifier: Hashable, Sendable {
    public struct Element: Hashable, Sendable {
        /// The SVH registry ID.
        public var registry: UInt8
        public var vendorID: [UInt8]
        public var subIdentifiers: [[UInt8]]

        public init(registry: UInt8, vendorID: [UInt8] = [], subIdentifiers: [[UInt8]]) {
            self.registry = registry
            self.vendorID = vendorID
            self.subIdentifiers = subIdentifiers
        }

        /// IdElemLength: the SVH, NumSubIds and every SubIdentifier.
        public var elementLength: Int { 2 + vendorID.count + 1 + subIdentifiers.reduce(0) { $0 + 1 + $1.count } }

        /// Whether every length fits its one-byte field.
        public var isEncodable: Bool {
            elementLength <= 0xFF && vendorID.count <= 0xFF && subIdentifiers.count <= 0xFF && subIdentifiers.allSatisfy { $0.count <= 0xFF }
        }
    }

    public var elements: [Element]

    public init(elements: [Element]) { self.elements = elements }

    /// Registry IDs of the SVH (DSP0274 Table "Standards body or vendor-defined header").
    public static let registries: [(String, UInt8)] = [
        ("dmtf", 0), ("tcg", 1), ("usb", 2), ("pci-sig", 3), ("iana", 4), ("hdbaset", 5), ("mipi", 6), ("cxl", 7),
        ("jedec", 8), ("vesa", 9), ("iana-cbor", 10),
    ]

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        let count = Int(try reader.readU8("NumIdentifiers"))
        try reader.skip(3, "Reserved")
        var elements: [Element] = []
        for _ in 0..<count {
            let length = Int(try reader.readU8("IdElemLength"))
            var element = WireReader(try reader.readBytes(length, "IdentifierElement"))
            let registry = try element.readU8("SVH ID")
            let vendorID = try element.readBytes(Int(try element.readU8("VendorIDLen")), "VendorID")
            let subCount = Int(try element.readU8("NumSubIds"))
            var subIdentifiers: [[UInt8]] = []
            for _ in 0..<subCount {
                subIdentifiers.append(try element.readBytes(Int(try element.readU8("SubIdLen")), "SubId"))
            }
            guard element.isAtEnd else { throw WireError.invalidField("IdElemLength \(length) exceeds its element") }
            elements.append(Element(registry: registry, vendorID: vendorID, subIdentifiers: subIdentifiers))
        }
        guard reader.isAtEnd else { throw WireError.trailingBytes(reader.remaining) }
        self.elements = elements
    }

    /// The EPInfo bytes. Lengths over a byte are cut (config loading refuses them: `isEncodable`).
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.appendU8(UInt8(truncatingIfNeeded: elements.count))
        out.appendZeros(3)
        for element in elements {
            out.appendU8(UInt8(truncatingIfNeeded: element.elementLength))
            out.appendU8(element.registry)
            out.appendU8(UInt8(truncatingIfNeeded: element.vendorID.count))
            out.append(contentsOf: element.vendorID)
            out.appendU8(UInt8(truncatingIfNeeded: element.subIdentifiers.count))
            for sub in element.subIdentifiers {
                out.appendU8(UInt8(truncatingIfNeeded: sub.count))
                out.append(contentsOf: sub)
            }
        }
        return out
    }
}

import SPDMWire

/// The secured-message version negotiation carried in KEY_EXCHANGE / PSK_EXCHANGE opaque data
/// (DSP0274 Annex "General opaque data format", DSP0277 §"Secured message opaque data"):
///
///     SPDM 1.2+ (general opaque data table):   TotalElements u8 | Reserved u8 x3
///     SPDM 1.0/1.1 (DSP0277 table):            SpecID u32 = 0x444D5446 ("DMTF") | OpaqueVersion u8 = 1
///                                              | TotalElements u8 | Reserved u16
///     each element: ID u8 (0 = DMTF) | VendorIDLen u8 (0) | OpaqueElementDataLen u16 | data, padded to 4
///     data: SMDataVersion u8 = 1 | SMDataID u8 (0 version selection, 1 supported versions) | ...
///       supported: VersionCount u8 | VersionNumberEntry u16 x count
///       selection: SelectedVersion u16
public enum SecuredMessageOpaqueData {
    public static let specID: UInt32 = 0x444D_5446
    /// The secured-message versions this build speaks: DSP0277 1.0, 1.1, 1.2.
    public static let supportedVersions: [UInt16] = [0x1000, 0x1100, 0x1200]

    struct Element {
        var id: UInt8
        var data: [UInt8]
    }

    static func elements(_ opaque: [UInt8], spdmVersion: SPDMVersion) throws -> [Element] {
        var reader = WireReader(opaque)
        let count: UInt8
        if spdmVersion >= .v12 {
            count = try reader.readU8("TotalElements")
            try reader.skip(3, "Reserved")
        } else {
            guard try reader.readU32("SpecID") == specID else { throw WireError.invalidField("opaque data SpecID") }
            guard try reader.readU8("OpaqueVersion") == 1 else { throw WireError.invalidField("opaque data OpaqueVersion") }
            count = try reader.readU8("TotalElements")
            try reader.skip(2, "Reserved")
        }
        var elements: [Element] = []
        for _ in 0..<count {
            let start = reader.offset
            let id = try reader.readU8("ID")
            let vendorLength = try reader.readU8("VendorLen")
            try reader.skip(Int(vendorLength), "VendorID")
            let length = try reader.readU16("OpaqueElementDataLen")
            let data = try reader.readBytes(Int(length), "OpaqueElementData")
            let used = reader.offset - start
            let padding = (4 - used % 4) % 4
            try reader.skip(min(padding, reader.remaining), "AlignPadding")
            elements.append(Element(id: id, data: data))
        }
        return elements
    }

    /// Checks opaque data in the general opaque data format (OpaqueDataFmt1, 1.2+) as a request
    /// field such as GET_CSR's: a multiple of 4 bytes, at least one element, and the elements
    /// (each padded to 4 bytes) exactly filling it.
    public static func checkGeneralFormat(_ opaque: [UInt8]) throws {
        guard opaque.count % 4 == 0 else { throw WireError.invalidField("opaque data of \(opaque.count) bytes is not 4-byte aligned") }
        guard let total = opaque.first, total >= 1 else { throw WireError.invalidField("opaque data with no element") }
        var reader = WireReader(opaque)
        try reader.skip(4, "TotalElements+Reserved")
        for _ in 0..<total {
            let start = reader.offset
            guard try reader.readU8("ID") <= 0x0B else { throw WireError.invalidField("opaque element registry ID") }
            let vendorLength = try reader.readU8("VendorLen")
            try reader.skip(Int(vendorLength), "VendorID")
            let length = try reader.readU16("OpaqueElementDataLen")
            try reader.skip(Int(length), "OpaqueElementData")
            let used = reader.offset - start
            try reader.skip((4 - used % 4) % 4, "AlignPadding")
        }
        guard reader.isAtEnd else { throw WireError.trailingBytes(reader.remaining) }
    }

    /// The versions a requester lists in its supported-versions element (empty if none).
    public static func requestedVersions(_ opaque: [UInt8], spdmVersion: SPDMVersion) throws -> [UInt16] {
        guard !opaque.isEmpty else { return [] }
        for element in try elements(opaque, spdmVersion: spdmVersion) where element.id == 0 {
            var reader = WireReader(element.data)
            guard try reader.readU8("SMDataVersion") == 1, try reader.readU8("SMDataID") == 1 else { continue }
            let count = try reader.readU8("VersionCount")
            return try (0..<count).map { _ in try reader.readU16("VersionNumberEntry") }
        }
        return []
    }

    /// The version a responder selected (nil if absent).
    public static func selectedVersion(_ opaque: [UInt8], spdmVersion: SPDMVersion) throws -> UInt16? {
        guard !opaque.isEmpty else { return nil }
        for element in try elements(opaque, spdmVersion: spdmVersion) where element.id == 0 {
            var reader = WireReader(element.data)
            guard try reader.readU8("SMDataVersion") == 1, try reader.readU8("SMDataID") == 0 else { continue }
            return try reader.readU16("SelectedVersion")
        }
        return nil
    }

    /// Chooses the highest version both sides list (ignoring update/alpha nibbles).
    public static func choose(requested: [UInt16]) -> UInt16? {
        let ours = Set(supportedVersions.map { $0 & 0xFF00 })
        return requested.map { $0 & 0xFF00 }.filter { ours.contains($0) }.max()
    }

    static func table(spdmVersion: SPDMVersion, element: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        if spdmVersion >= .v12 {
            out += [1, 0, 0, 0]
        } else {
            out.appendU32(specID)
            out += [1, 1, 0, 0]
        }
        out += [0, 0]  // DMTF, no vendor id
        out.appendU16(UInt16(element.count))
        out += element
        out.appendZeros((4 - out.count % 4) % 4)
        return out
    }

    public static func versionSelection(_ version: UInt16, spdmVersion: SPDMVersion) -> [UInt8] {
        var element: [UInt8] = [1, 0]
        element.appendU16(version)
        return table(spdmVersion: spdmVersion, element: element)
    }

    public static func supportedVersionList(_ versions: [UInt16] = supportedVersions, spdmVersion: SPDMVersion) -> [UInt8] {
        var element: [UInt8] = [1, 1, UInt8(versions.count)]
        for version in versions { element.appendU16(version) }
        return table(spdmVersion: spdmVersion, element: element)
    }
}

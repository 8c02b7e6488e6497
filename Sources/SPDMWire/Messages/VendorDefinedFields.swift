/// The fields VENDOR_DEFINED_REQUEST and VENDOR_DEFINED_RESPONSE share after their 4-byte header
/// (DSP0274 §10.20 "VENDOR_DEFINED_REQUEST" / "VENDOR_DEFINED_RESPONSE"; 1.4 adds the large form):
///
///     +4 StandardID (2, the registry: 0 DMTF, 1 TCG, 2 USB, 3 PCI-SIG, 4 IANA, ... 0xB DMTF-DSP)
///     +6 Len (1) | +7 VendorID (Len)
///     small form (Param1 bit 7 clear):
///       +7+Len ReqLength/RespLength (2) | payload (that length)
///     large form (1.4, Param1 bit 7 set: LargeReq / LargeResp):
///       +7+Len reserved (2, zero) | +9+Len LargeLength (4) | payload (that length)
public struct VendorDefinedFields: Hashable, Sendable {
    /// Param1 bit 7 of both messages: the large form (SPDM 1.4).
    public static let largeFlag: UInt8 = 0x80

    public var standardID: UInt16
    public var vendorID: [UInt8]
    public var payload: [UInt8]
    /// The 1.4 large form (a 4-byte payload length).
    public var large: Bool

    public init(standardID: UInt16, vendorID: [UInt8], payload: [UInt8], large: Bool = false) {
        self.standardID = standardID
        self.vendorID = vendorID
        self.payload = payload
        self.large = large
    }

    /// Whether `standardID` allows a VendorID of `length` bytes (DSP0274 Table "Registry or
    /// standards body ID"): none for DMTF and VESA, 2 for the 16-bit registries, 4 for IANA and
    /// HDBaseT (each may also leave it empty), the CBOR tag lengths for IANA-CBOR, 2 for DMTF-DSP.
    public static func vendorIDLengthIsValid(standardID: UInt16, length: Int) -> Bool {
        switch standardID {
        case 0x0, 0x9: return length == 0
        case 0x1, 0x2, 0x3, 0x6, 0x7, 0x8: return length == 0 || length == 2
        case 0x4, 0x5: return length == 0 || length == 4
        case 0xA: return [1, 2, 3, 5, 9].contains(length)
        case 0xB: return length == 2
        default: return false
        }
    }

    init(decoding reader: inout WireReader, param1: UInt8, version: SPDMVersion) throws {
        standardID = try reader.readU16("StandardID")
        let length = Int(try reader.readU8("Len"))
        vendorID = try reader.readBytes(length, "VendorID")
        large = version >= .v14 && param1 & Self.largeFlag != 0
        if large {
            try reader.skip(2, "Reserved")
            payload = try reader.readBytes(Int(try reader.readU32("LargeLength")), "VendorDefinedPayload")
        } else {
            payload = try reader.readBytes(Int(try reader.readU16("Length")), "VendorDefinedPayload")
        }
    }

    var param1: UInt8 { large ? Self.largeFlag : 0 }

    func encode(into out: inout [UInt8]) {
        out.appendU16(standardID)
        out.appendU8(UInt8(truncatingIfNeeded: vendorID.count))
        out.append(contentsOf: vendorID)
        if large {
            out.appendZeros(2)
            out.appendU32(UInt32(truncatingIfNeeded: payload.count))
        } else {
            out.appendU16(UInt16(truncatingIfNeeded: payload.count))
        }
        out.append(contentsOf: payload)
    }
}

/// VENDOR_DEFINED_REQUEST (DSP0274 §10.20; the 1.4 large form with Param1 bit 7, LargeReq).
///
///     +0 Version | +1 0xFE | +2 Param1 (bit 7: LargeReq, 1.4+) | +3 Param2 reserved
///     +4 StandardID (2) | +6 Len (1) | +7 VendorID (Len)
///     small: Length (2) | payload          large: reserved (2) | LargeLength (4) | payload
///
/// The fields after the header are VendorDefinedFields.
public struct VendorDefinedRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var fields: VendorDefinedFields

    public init(version: SPDMVersion, fields: VendorDefinedFields) {
        self.version = version
        self.fields = fields
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        fields = try VendorDefinedFields(decoding: &reader, param1: header.param1, version: header.version)
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.vendorDefinedRequest.rawValue, param1: fields.param1).encode(into: &out)
        fields.encode(into: &out)
    }
}

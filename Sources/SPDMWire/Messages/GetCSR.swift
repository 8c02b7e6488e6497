/// GET_CSR (DSP0274 §10.22, Table "GET_CSR request message format"; 1.2+).
///
///     +0 Version | +1 0xED
///     +2 Param1: KeyPairID (1.3+, else reserved)
///     +3 Param2: RequestAttributes (1.3+, else reserved):
///          bits 2:0 CertModel | bits 5:3 CSRTrackingTag | bit 6 reserved | bit 7 Overwrite
///     +4 RequesterInfoLength (2) | +6 OpaqueDataLength (2)
///     +8 RequesterInfo[RequesterInfoLength]: a DER PKCS#10 CertificationRequestInfo, or nothing
///        OpaqueData[OpaqueDataLength]
public struct GetCSRRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var keyPairID: UInt8
    public var attributes: Attributes
    public var requesterInfo: [UInt8]
    public var opaqueData: [UInt8]

    public static let fixedSize = 8
    /// CSRTrackingTag is three bits: 1-7 name a pending request, 0 none.
    public static let maxTrackingTag: UInt8 = 7

    /// Param2 of 1.3+.
    public struct Attributes: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public init(certificateModel: CertificateModel, trackingTag: UInt8 = 0, overwrite: Bool = false) {
            rawValue = (certificateModel.rawValue & CertificateModel.mask) | (trackingTag & 0x07) << 3 | (overwrite ? 0x80 : 0)
        }

        public var certificateModel: CertificateModel { CertificateModel(rawValue: rawValue & CertificateModel.mask) }
        public var trackingTag: UInt8 { (rawValue >> 3) & 0x07 }
        public var overwrite: Bool { rawValue & 0x80 != 0 }

        /// The same attributes with another CSRTrackingTag.
        public func with(trackingTag: UInt8) -> Attributes {
            Attributes(rawValue: rawValue & ~0x38 | (trackingTag & 0x07) << 3)
        }
    }

    public init(version: SPDMVersion, keyPairID: UInt8 = 0, attributes: Attributes = Attributes(rawValue: 0),
                requesterInfo: [UInt8] = [], opaqueData: [UInt8] = []) {
        self.version = version
        self.keyPairID = keyPairID
        self.attributes = attributes
        self.requesterInfo = requesterInfo
        self.opaqueData = opaqueData
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        keyPairID = header.version >= .v13 ? header.param1 : 0
        attributes = Attributes(rawValue: header.version >= .v13 ? header.param2 : 0)
        let requesterInfoLength = Int(try reader.readU16("RequesterInfoLength"))
        let opaqueDataLength = Int(try reader.readU16("OpaqueDataLength"))
        requesterInfo = try reader.readBytes(requesterInfoLength, "RequesterInfo")
        opaqueData = try reader.readBytes(opaqueDataLength, "OpaqueData")
    }

    /// The bytes this request occupies (a longer message carries trailing bytes that are not part of it).
    public var encodedSize: Int { Self.fixedSize + requesterInfo.count + opaqueData.count }

    public func encode(into out: inout [UInt8], context: WireContext) {
        let modern = version >= .v13
        MessageHeader(version: version, code: RequestCode.getCSR.rawValue,
                      param1: modern ? keyPairID : 0, param2: modern ? attributes.rawValue : 0).encode(into: &out)
        out.appendU16(UInt16(truncatingIfNeeded: requesterInfo.count))
        out.appendU16(UInt16(truncatingIfNeeded: opaqueData.count))
        out.append(contentsOf: requesterInfo)
        out.append(contentsOf: opaqueData)
    }
}

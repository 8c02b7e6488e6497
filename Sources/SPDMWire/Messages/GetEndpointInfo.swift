/// GET_ENDPOINT_INFO (DSP0274 1.3, Table "GET_ENDPOINT_INFO request message format").
///
///     +0 Version | +1 0x87 | +2 Param1: SubCode (0x01 DeviceClassIdentifier)
///     +3 Param2: SlotID (bits 3..0; 0xF: the provisioned public key), only with a signature
///     +4 RequestAttributes (bit 0 SignatureRequested) | +5 Reserved (3)
///     SignatureRequested:  +8 Nonce (32)
///
/// A Responder answers it, or (encapsulated, DSP0274 §10.14) a Requester after the Responder asks.
public struct GetEndpointInfoRequest: SPDMMessage, Hashable {
    public struct Attributes: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let signatureRequested = Attributes(rawValue: 1 << 0)
    }

    /// SubCode 0x01: the endpoint's device class identifiers (`DeviceClassIdentifier`).
    public static let subCodeDeviceClassIdentifier: UInt8 = 0x01
    /// The SlotID that names the provisioned public key instead of a certificate slot.
    public static let publicKeySlot: UInt8 = 0x0F
    public static let size = 8
    public static let signedSize = 40

    public var version: SPDMVersion
    public var subCode: UInt8
    public var slotID: UInt8
    public var attributes: Attributes
    /// The requester's nonce (32 bytes) when a signature is requested, else empty.
    public var nonce: [UInt8]

    public init(version: SPDMVersion, subCode: UInt8 = Self.subCodeDeviceClassIdentifier, slotID: UInt8 = 0,
                attributes: Attributes = [], nonce: [UInt8] = []) {
        self.version = version
        self.subCode = subCode
        self.slotID = slotID
        self.attributes = attributes
        self.nonce = attributes.contains(.signatureRequested) ? nonce : []
    }

    public var signatureRequested: Bool { attributes.contains(.signatureRequested) }

    /// The size of this request on the wire (and in the signed transcript).
    public var encodedSize: Int { signatureRequested ? Self.signedSize : Self.size }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        subCode = header.param1
        slotID = header.param2 & 0x0F
        attributes = Attributes(rawValue: try reader.readU8("RequestAttributes"))
        try reader.skip(3, "Reserved")
        nonce = attributes.contains(.signatureRequested) ? try reader.readBytes(32, "Nonce") : []
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getEndpointInfo.rawValue, param1: subCode, param2: slotID & 0x0F)
            .encode(into: &out)
        out.appendU8(attributes.rawValue)
        out.appendZeros(3)
        out.append(contentsOf: nonce)
    }
}

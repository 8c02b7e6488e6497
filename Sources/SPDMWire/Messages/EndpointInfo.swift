/// ENDPOINT_INFO (DSP0274 1.3, Table "Successful ENDPOINT_INFO response message format").
///
///     +0 Version | +1 0x07 | +2 Param1 reserved | +3 Param2: SlotID (bits 3..0) of the signing key, 0 unsigned
///     +4 Reserved (4)
///     signed:   +8 Nonce (32) | +40 EPInfoLength (4) | +44 EPInfo | Signature (S)
///     unsigned: +8 EPInfoLength (4) | +12 EPInfo
///
/// The signature covers IL = A (VCA) || GET_ENDPOINT_INFO || ENDPOINT_INFO without its Signature
/// field, with the signing context "responder-endpoint_info signing" (a Requester answering the
/// encapsulated request: "requester-endpoint_info signing").
public struct EndpointInfoResponse: SPDMEncodable, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    /// The responder's nonce (32 bytes) of a signed response, else empty.
    public var nonce: [UInt8]
    public var endpointInfo: [UInt8]
    public var signature: [UInt8]

    public init(version: SPDMVersion, slotID: UInt8 = 0, nonce: [UInt8] = [], endpointInfo: [UInt8], signature: [UInt8] = []) {
        self.version = version
        self.slotID = slotID
        self.nonce = nonce
        self.endpointInfo = endpointInfo
        self.signature = signature
    }

    /// `signed`: the request asked for a signature (then Nonce and `context.signatureSize` bytes of
    /// Signature are on the wire).
    public init(decoding bytes: [UInt8], context: WireContext, signed: Bool) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param2 & 0x0F
        try reader.skip(4, "Reserved")
        nonce = signed ? try reader.readBytes(32, "Nonce") : []
        let length = try reader.readU32("EPInfoLength")
        guard length <= UInt32(reader.remaining) else {
            throw WireError.truncated(field: "EPInfo", needed: Int(clamping: length), available: reader.remaining)
        }
        endpointInfo = try reader.readBytes(Int(length), "EPInfo")
        signature = signed ? try reader.readBytes(context.signatureSize, "Signature") : []
    }

    /// Everything but the Signature: the tail of the signed transcript.
    public func encodeWithoutSignature(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.endpointInfo.rawValue, param2: slotID & 0x0F).encode(into: &out)
        out.appendZeros(4)
        out.append(contentsOf: nonce)
        out.appendU32(UInt32(truncatingIfNeeded: endpointInfo.count))
        out.append(contentsOf: endpointInfo)
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        encodeWithoutSignature(into: &out)
        out.append(contentsOf: signature)
    }
}

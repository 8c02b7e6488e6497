/// FINISH (DSP0274 §10.16, Table "FINISH request message format").
///
///     +0 Version | +1 0xE5 | +2 Param1: bit 0 signature included | +3 Param2: ReqSlotID
///     [1.4+: OpaqueDataLength (u16) | OpaqueData] | Signature (S, if Param1 bit 0) | RequesterVerifyData (H)
public struct FinishRequest: Hashable, Sendable {
    public var version: SPDMVersion
    public var signatureIncluded: Bool
    public var requesterSlotID: UInt8
    public var opaqueData: [UInt8]
    public var signature: [UInt8]
    public var verifyData: [UInt8]

    public init(version: SPDMVersion, signatureIncluded: Bool = false, requesterSlotID: UInt8 = 0, opaqueData: [UInt8] = [],
                signature: [UInt8] = [], verifyData: [UInt8]) {
        self.version = version
        self.signatureIncluded = signatureIncluded
        self.requesterSlotID = requesterSlotID
        self.opaqueData = opaqueData
        self.signature = signature
        self.verifyData = verifyData
    }

    public init(decoding bytes: [UInt8], signatureSize: Int, verifyDataSize: Int) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        signatureIncluded = header.param1 & 0x01 != 0
        requesterSlotID = header.param2
        opaqueData = try reader.readFinishOpaqueData(version: version)
        signature = signatureIncluded ? try reader.readBytes(signatureSize, "Signature") : []
        verifyData = try reader.readBytes(verifyDataSize, "RequesterVerifyData")
    }

    /// Header (and 1.4 opaque data): what the requester's signature and verify data cover.
    public func encodeWithoutSignature(into out: inout [UInt8]) {
        MessageHeader(version: version, code: RequestCode.finish.rawValue, param1: signatureIncluded ? 1 : 0,
                      param2: requesterSlotID).encode(into: &out)
        out.appendFinishOpaqueData(opaqueData, version: version)
    }

    public func encode(into out: inout [UInt8]) {
        encodeWithoutSignature(into: &out)
        out += signature
        out += verifyData
    }
}

/// FINISH_RSP (DSP0274 §10.16).
///
///     +0 Version | +1 0x65 | +2 Reserved | +3 Reserved | [1.4+: OpaqueDataLength (u16) | OpaqueData]
///     | ResponderVerifyData (H, only when the handshake is in the clear)
public struct FinishResponse: Hashable, Sendable {
    public var version: SPDMVersion
    public var opaqueData: [UInt8]
    public var verifyData: [UInt8]

    public init(version: SPDMVersion, opaqueData: [UInt8] = [], verifyData: [UInt8] = []) {
        self.version = version
        self.opaqueData = opaqueData
        self.verifyData = verifyData
    }

    public func encodeWithoutVerifyData(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.finishRsp.rawValue).encode(into: &out)
        out.appendFinishOpaqueData(opaqueData, version: version)
    }

    public func encode(into out: inout [UInt8]) {
        encodeWithoutVerifyData(into: &out)
        out += verifyData
    }
}

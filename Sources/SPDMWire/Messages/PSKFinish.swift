/// PSK_FINISH / PSK_FINISH_RSP (DSP0274 §10.18). SPDM 1.4 adds opaque data to both, as it does to
/// FINISH / FINISH_RSP:
///
///     PSK_FINISH      ver | 0xE7 | Reserved | Reserved | 1.4: OpaqueDataLength (2) | OpaqueData |
///                     RequesterVerifyData (H)
///     PSK_FINISH_RSP  ver | 0x67 | Reserved | Reserved | 1.4: OpaqueDataLength (2) | OpaqueData
public struct PSKFinishRequest: Hashable, Sendable {
    public var version: SPDMVersion
    public var opaqueData: [UInt8]
    public var verifyData: [UInt8]

    public init(version: SPDMVersion, opaqueData: [UInt8] = [], verifyData: [UInt8] = []) {
        self.version = version
        self.opaqueData = opaqueData
        self.verifyData = verifyData
    }

    public init(decoding bytes: [UInt8], verifyDataSize: Int) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        opaqueData = try reader.readFinishOpaqueData(version: version)
        verifyData = try reader.readBytes(verifyDataSize, "RequesterVerifyData")
    }

    /// Header (and 1.4 opaque data): what RequesterVerifyData covers.
    public func encodeWithoutVerifyData(into out: inout [UInt8]) {
        MessageHeader(version: version, code: RequestCode.pskFinish.rawValue).encode(into: &out)
        out.appendFinishOpaqueData(opaqueData, version: version)
    }

    public func encode(into out: inout [UInt8]) {
        encodeWithoutVerifyData(into: &out)
        out += verifyData
    }

    public var encodedSizeWithoutVerifyData: Int { MessageHeader.size + finishOpaqueDataSize(opaqueData, version: version) }
}

public struct PSKFinishResponse: Hashable, Sendable {
    public var version: SPDMVersion
    public var opaqueData: [UInt8]

    public init(version: SPDMVersion, opaqueData: [UInt8] = []) {
        self.version = version
        self.opaqueData = opaqueData
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        opaqueData = try reader.readFinishOpaqueData(version: version)
    }

    public func encode(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.pskFinishRsp.rawValue).encode(into: &out)
        out.appendFinishOpaqueData(opaqueData, version: version)
    }

    public var encodedSize: Int { MessageHeader.size + finishOpaqueDataSize(opaqueData, version: version) }
}

/// GET_DIGESTS (DSP0274 §10.6): header only.
///
///     +0 Version | +1 0x81 | +2 Param1 reserved | +3 Param2 reserved
public struct GetDigestsRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public init(version: SPDMVersion) { self.version = version }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getDigests.rawValue).encode(into: &out)
    }
}

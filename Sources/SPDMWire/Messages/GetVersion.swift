/// GET_VERSION (DSP0274 §10.3, Table "GET_VERSION request message format"). Always sent as 1.0.
///
///     +0 0x10 | +1 0x84 | +2 Param1 reserved | +3 Param2 reserved
public struct GetVersionRequest: SPDMMessage, Hashable {
    public init() {}

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        _ = try MessageHeader(decoding: &reader)
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: .v10, code: RequestCode.getVersion.rawValue).encode(into: &out)
    }
}

/// RESPOND_IF_READY (DSP0274 §10.13): asks again for a response that came back as
/// ERROR(ResponseNotReady).
///
///     +0 Version | +1 0xFF | +2 Param1: the original RequestCode | +3 Param2: the Token from the ERROR
public struct RespondIfReadyRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var requestCode: RequestCode
    public var token: UInt8

    public init(version: SPDMVersion, requestCode: RequestCode, token: UInt8) {
        self.version = version
        self.requestCode = requestCode
        self.token = token
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        requestCode = RequestCode(rawValue: header.param1)
        token = header.param2
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.respondIfReady.rawValue, param1: requestCode.rawValue,
                      param2: token).encode(into: &out)
    }
}

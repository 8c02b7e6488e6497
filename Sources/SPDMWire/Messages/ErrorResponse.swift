/// ERROR (DSP0274 §10.12 / Table "ERROR response message format").
///
///     +0 Version | +1 0x7F | +2 Param1: ErrorCode | +3 Param2: ErrorData | +4 ExtendedErrorData (0-32 bytes)
///
/// ResponseNotReady carries {RDExponent, RequestCode, Token, RDTM} as extended data.
public struct ErrorResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var code: ErrorCode
    public var data: UInt8
    public var extendedData: [UInt8]

    public init(version: SPDMVersion, code: ErrorCode, data: UInt8 = 0, extendedData: [UInt8] = []) {
        self.version = version
        self.code = code
        self.data = data
        self.extendedData = extendedData
    }

    public static func responseNotReady(version: SPDMVersion, rdExponent: UInt8, requestCode: RequestCode,
                                        token: UInt8, rdtm: UInt8) -> ErrorResponse {
        ErrorResponse(version: version, code: .responseNotReady, extendedData: [rdExponent, requestCode.rawValue, token, rdtm])
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        code = ErrorCode(rawValue: header.param1)
        data = header.param2
        extendedData = reader.readRest()
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.error.rawValue, param1: code.rawValue, param2: data).encode(into: &out)
        out.append(contentsOf: extendedData)
    }
}

/// GET_SUPPORTED_EVENT_TYPES (DSP0274 1.3 §10.27.1, Table "GET_SUPPORTED_EVENT_TYPES request message
/// format"). Session only.
///
///     +0 Version | +1 0xE2 | +2 Param1 reserved | +3 Param2 reserved
public struct GetSupportedEventTypesRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion

    public init(version: SPDMVersion) { self.version = version }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        guard reader.remaining == 0 else { throw WireError.trailingBytes(reader.remaining) }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getSupportedEventTypes.rawValue).encode(into: &out)
    }
}

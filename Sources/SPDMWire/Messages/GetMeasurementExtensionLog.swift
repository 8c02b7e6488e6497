/// GET_MEASUREMENT_EXTENSION_LOG (DSP0274 1.3, Table "GET_MEASUREMENT_EXTENSION_LOG request message format").
///
///     +0 Version | +1 0xEF | +2 Param1 reserved | +3 Param2 reserved
///     +4 Offset (4): where in the log the portion starts | +8 Length (4): the most bytes wanted
public struct GetMeasurementExtensionLogRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var offset: UInt32
    public var length: UInt32

    public static let size = 12

    public init(version: SPDMVersion, offset: UInt32, length: UInt32) {
        self.version = version
        self.offset = offset
        self.length = length
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        offset = try reader.readU32("Offset")
        length = try reader.readU32("Length")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getMeasurementExtensionLog.rawValue).encode(into: &out)
        out.appendU32(offset)
        out.appendU32(length)
    }
}

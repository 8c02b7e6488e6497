/// MEASUREMENT_EXTENSION_LOG (DSP0274 1.3, Table "Successful MEASUREMENT_EXTENSION_LOG response message format").
///
///     +0 Version | +1 0x6F | +2 Param1 reserved | +3 Param2 reserved
///     +4 PortionLength (4) | +8 RemainderLength (4): log bytes after this portion
///     +12 MEL portion[PortionLength]
///
/// The whole log (`MeasurementExtensionLog`) is the concatenation of the portions.
public struct MeasurementExtensionLogResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var remainderLength: UInt32
    public var portion: [UInt8]

    public static let headerSize = 12

    public init(version: SPDMVersion, remainderLength: UInt32, portion: [UInt8]) {
        self.version = version
        self.remainderLength = remainderLength
        self.portion = portion
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        let portionLength = try reader.readU32("PortionLength")
        remainderLength = try reader.readU32("RemainderLength")
        guard portionLength <= UInt32(reader.remaining) else {
            throw WireError.truncated(field: "MEL", needed: Int(clamping: portionLength), available: reader.remaining)
        }
        portion = try reader.readBytes(Int(portionLength), "MEL")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.measurementExtensionLog.rawValue).encode(into: &out)
        out.appendU32(UInt32(truncatingIfNeeded: portion.count))
        out.appendU32(remainderLength)
        out.append(contentsOf: portion)
    }
}

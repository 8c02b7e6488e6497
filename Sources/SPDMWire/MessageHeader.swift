/// The four bytes every SPDM message starts with (DSP0274 §7 "SPDM message format"):
///
///     +0 SPDMVersion | +1 RequestResponseCode | +2 Param1 | +3 Param2
public struct MessageHeader: Hashable, Sendable {
    public var version: SPDMVersion
    public var code: UInt8
    public var param1: UInt8
    public var param2: UInt8

    public static let size = 4

    public init(version: SPDMVersion, code: UInt8, param1: UInt8 = 0, param2: UInt8 = 0) {
        self.version = version
        self.code = code
        self.param1 = param1
        self.param2 = param2
    }

    public init(decoding reader: inout WireReader) throws {
        version = SPDMVersion(rawValue: try reader.readU8("SPDMVersion"))
        code = try reader.readU8("RequestResponseCode")
        param1 = try reader.readU8("Param1")
        param2 = try reader.readU8("Param2")
    }

    /// Reads just the header of `bytes`, for dispatch.
    public init(peeking bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        try self.init(decoding: &reader)
    }

    public func encode(into out: inout [UInt8]) {
        out.append(version.rawValue)
        out.append(code)
        out.append(param1)
        out.append(param2)
    }
}

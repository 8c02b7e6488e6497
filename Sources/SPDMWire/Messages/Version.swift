/// VERSION (DSP0274 §10.3, Table "Successful VERSION response message format").
///
///     +0 0x10 | +1 0x04 | +2 Param1 | +3 Param2
///     +4 Reserved | +5 VersionNumberEntryCount (n)
///     +6 VersionNumberEntry[n], 2 bytes each, little-endian
public struct VersionResponse: SPDMMessage, Hashable {
    public var versions: [SPDMVersion]

    public init(versions: [SPDMVersion]) { self.versions = versions }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        _ = try MessageHeader(decoding: &reader)
        try reader.skip(1, "Reserved")
        let count = Int(try reader.readU8("VersionNumberEntryCount"))
        versions = try (0..<count).map { _ in SPDMVersion(versionNumberEntry: try reader.readU16("VersionNumberEntry")) }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: .v10, code: ResponseCode.version.rawValue).encode(into: &out)
        out.appendU8(0)
        out.appendU8(UInt8(versions.count))
        for version in versions { out.appendU16(version.versionNumberEntry) }
    }
}

/// CAPABILITIES (DSP0274 §10.4, Table "Successful CAPABILITIES response message format").
///
///     +0 Version | +1 0x61 | +2 Param1 | +3 Param2
///     +4 Reserved | +5 CTExponent | +6 Reserved(2) | +8 Flags (4)
///     1.2+:  +12 DataTransferSize (4) | +16 MaxSPDMmsgSize (4)
///     1.3+, Param1 bit 0 set:  +20 SupportedAlgorithms (see `SupportedAlgorithms`)
public struct CapabilitiesResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var ctExponent: UInt8
    public var flags: CapabilityFlags
    public var dataTransferSize: UInt32
    public var maxSPDMMessageSize: UInt32
    /// 1.3+: the responder's supported algorithms, when GET_CAPABILITIES asked for them.
    public var supportedAlgorithms: SupportedAlgorithms?

    /// Param1 bit 0 of GET_CAPABILITIES and CAPABILITIES: the Supported Algorithms block.
    public static let supportedAlgorithmsFlag: UInt8 = 0x01

    public init(version: SPDMVersion, ctExponent: UInt8, flags: CapabilityFlags,
                dataTransferSize: UInt32 = 0, maxSPDMMessageSize: UInt32 = 0, supportedAlgorithms: SupportedAlgorithms? = nil) {
        self.supportedAlgorithms = supportedAlgorithms
        self.version = version
        self.ctExponent = ctExponent
        self.flags = flags
        self.dataTransferSize = dataTransferSize
        self.maxSPDMMessageSize = maxSPDMMessageSize
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        try reader.skip(1, "Reserved")
        ctExponent = try reader.readU8("CTExponent")
        try reader.skip(2, "Reserved")
        flags = CapabilityFlags(rawValue: try reader.readU32("Flags"))
        dataTransferSize = 0
        maxSPDMMessageSize = 0
        if version >= .v12 {
            dataTransferSize = try reader.readU32("DataTransferSize")
            maxSPDMMessageSize = try reader.readU32("MaxSPDMmsgSize")
        }
        supportedAlgorithms = version >= .v13 && header.param1 & Self.supportedAlgorithmsFlag != 0
            ? try SupportedAlgorithms(decoding: &reader, version: version) : nil
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        let block = version >= .v13 ? supportedAlgorithms : nil
        MessageHeader(version: version, code: ResponseCode.capabilities.rawValue,
                      param1: block == nil ? 0 : Self.supportedAlgorithmsFlag).encode(into: &out)
        out.appendU8(0)
        out.appendU8(ctExponent)
        out.appendU16(0)
        out.appendU32(flags.rawValue)
        guard version >= .v12 else { return }
        out.appendU32(dataTransferSize)
        out.appendU32(maxSPDMMessageSize)
        block?.encode(into: &out, version: version)
    }
}

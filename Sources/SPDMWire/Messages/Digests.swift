/// DIGESTS (DSP0274 §10.6, Table "Successful DIGESTS response message format").
///
///     +0 Version | +1 0x01 | +2 Param1: SupportedSlotMask (1.3+, else reserved)
///     +3 Param2: ProvisionedSlotMask (bit n = slot n holds a chain)
///     +4 Digest[popcount(Param2)], H bytes each, in slot order: the hash of each slot's SPDM cert chain
public struct DigestsResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var supportedSlotMask: UInt8
    public var provisionedSlotMask: UInt8
    public var digests: [[UInt8]]

    public init(version: SPDMVersion, supportedSlotMask: UInt8, provisionedSlotMask: UInt8, digests: [[UInt8]]) {
        self.version = version
        self.supportedSlotMask = supportedSlotMask
        self.provisionedSlotMask = provisionedSlotMask
        self.digests = digests
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        supportedSlotMask = header.param1
        provisionedSlotMask = header.param2
        let count = provisionedSlotMask.nonzeroBitCount
        digests = try (0..<count).map { _ in try reader.readBytes(context.hashSize, "Digest") }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.digests.rawValue,
                      param1: version >= .v13 ? supportedSlotMask : 0, param2: provisionedSlotMask).encode(into: &out)
        for digest in digests { out.append(contentsOf: digest) }
    }
}

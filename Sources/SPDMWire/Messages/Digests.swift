/// DIGESTS (DSP0274 §10.6, Table "Successful DIGESTS response message format").
///
///     +0 Version | +1 0x01 | +2 Param1: SupportedSlotMask (1.3+, else reserved)
///     +3 Param2: ProvisionedSlotMask (bit n = slot n holds a chain)
///     +4 Digest[n], H bytes each, in slot order (n = popcount(Param2)): the hash of each slot's SPDM cert chain
///     1.3+, multi-key connection only (`WireContext.multiKeyConnection`), again in slot order:
///        KeyPairID[n] (1 each) | CertificateInfo[n] (1 each; bits 2:0 CertModel) | KeyUsageMask[n] (2 each)
public struct DigestsResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var supportedSlotMask: UInt8
    public var provisionedSlotMask: UInt8
    public var digests: [[UInt8]]
    /// Per provisioned slot, multi-key connections only (empty otherwise).
    public var keyPairIDs: [UInt8]
    public var certificateInfos: [UInt8]
    public var keyUsageMasks: [KeyUsageMask]

    public init(version: SPDMVersion, supportedSlotMask: UInt8, provisionedSlotMask: UInt8, digests: [[UInt8]],
                keyPairIDs: [UInt8] = [], certificateInfos: [UInt8] = [], keyUsageMasks: [KeyUsageMask] = []) {
        self.version = version
        self.supportedSlotMask = supportedSlotMask
        self.provisionedSlotMask = provisionedSlotMask
        self.digests = digests
        self.keyPairIDs = keyPairIDs
        self.certificateInfos = certificateInfos
        self.keyUsageMasks = keyUsageMasks
    }

    /// Whether the per-slot multi-key fields are on the wire for `context`.
    static func carriesKeyPairFields(_ version: SPDMVersion, _ context: WireContext) -> Bool {
        version >= .v13 && context.multiKeyConnection
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        supportedSlotMask = header.param1
        provisionedSlotMask = header.param2
        let count = provisionedSlotMask.nonzeroBitCount
        digests = try (0..<count).map { _ in try reader.readBytes(context.hashSize, "Digest") }
        if Self.carriesKeyPairFields(header.version, context) {
            keyPairIDs = try reader.readBytes(count, "KeyPairID")
            certificateInfos = try reader.readBytes(count, "CertificateInfo")
            keyUsageMasks = try (0..<count).map { _ in KeyUsageMask(rawValue: try reader.readU16("KeyUsageMask")) }
        } else {
            keyPairIDs = []
            certificateInfos = []
            keyUsageMasks = []
        }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.digests.rawValue,
                      param1: version >= .v13 ? supportedSlotMask : 0, param2: provisionedSlotMask).encode(into: &out)
        for digest in digests { out.append(contentsOf: digest) }
        if Self.carriesKeyPairFields(version, context) {
            // One entry per digest: missing entries are sent as zero, extra ones are dropped.
            let count = digests.count
            out.append(contentsOf: (0..<count).map { $0 < keyPairIDs.count ? keyPairIDs[$0] : 0 })
            out.append(contentsOf: (0..<count).map { $0 < certificateInfos.count ? certificateInfos[$0] : 0 })
            for index in 0..<count { out.appendU16(index < keyUsageMasks.count ? keyUsageMasks[index].rawValue : 0) }
        }
    }
}

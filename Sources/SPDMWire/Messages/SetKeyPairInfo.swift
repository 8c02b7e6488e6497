/// SET_KEY_PAIR_INFO (DSP0274 1.3 §10.26, Table "SET_KEY_PAIR_INFO request message format";
/// 1.4 adds the post-quantum field).
///
///     +0 Version | +1 0xFD | +2 Param1: Operation (0 Change, 1 Erase, 2 Generate) | +3 Param2 reserved
///     +4 KeyPairID
///     Change and Generate only:
///     +5 Reserved | +6 DesiredKeyUsage (2) | +8 DesiredAsymAlgo (4) | +12 DesiredAssocCertSlotMask
///     1.4+: +13 DesiredPqcAsymAlgoLen | DesiredPqcAsymAlgo[len] (this encoder writes 4 bytes)
public struct SetKeyPairInfoRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var operation: KeyPairOperation
    public var keyPairID: UInt8
    public var desiredKeyUsage: KeyUsageMask
    public var desiredAsymAlgorithm: KeyPairAsymAlgorithms
    public var desiredAssociatedSlotMask: UInt8
    public var desiredPqcAsymAlgorithm: UInt32

    /// The Erase form: header and KeyPairID.
    public static let eraseSize = 5
    /// Change and Generate before 1.4.
    public static let fullSize = 13

    public init(version: SPDMVersion, operation: KeyPairOperation, keyPairID: UInt8, desiredKeyUsage: KeyUsageMask = [],
                desiredAsymAlgorithm: KeyPairAsymAlgorithms = [], desiredAssociatedSlotMask: UInt8 = 0,
                desiredPqcAsymAlgorithm: UInt32 = 0) {
        self.version = version
        self.operation = operation
        self.keyPairID = keyPairID
        self.desiredKeyUsage = desiredKeyUsage
        self.desiredAsymAlgorithm = desiredAsymAlgorithm
        self.desiredAssociatedSlotMask = desiredAssociatedSlotMask
        self.desiredPqcAsymAlgorithm = desiredPqcAsymAlgorithm
    }

    /// Whether the Desired* fields follow KeyPairID (every operation but Erase).
    public var carriesDesiredFields: Bool { operation != .erase }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        operation = KeyPairOperation(rawValue: header.param1)
        keyPairID = try reader.readU8("KeyPairID")
        desiredKeyUsage = []
        desiredAsymAlgorithm = []
        desiredAssociatedSlotMask = 0
        desiredPqcAsymAlgorithm = 0
        guard operation != .erase else { return }
        try reader.skip(1, "Reserved")
        desiredKeyUsage = KeyUsageMask(rawValue: try reader.readU16("DesiredKeyUsage"))
        desiredAsymAlgorithm = KeyPairAsymAlgorithms(rawValue: try reader.readU32("DesiredAsymAlgo"))
        desiredAssociatedSlotMask = try reader.readU8("DesiredAssocCertSlotMask")
        if version >= .v14 {
            desiredPqcAsymAlgorithm = try KeyPairInfoResponse.readBitField(&reader, "DesiredPqcAsymAlgo")
        }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.setKeyPairInfo.rawValue, param1: operation.rawValue).encode(into: &out)
        out.appendU8(keyPairID)
        guard carriesDesiredFields else { return }
        out.appendU8(0)
        out.appendU16(desiredKeyUsage.rawValue)
        out.appendU32(desiredAsymAlgorithm.rawValue)
        out.appendU8(desiredAssociatedSlotMask)
        if version >= .v14 {
            out.appendU8(4)
            out.appendU32(desiredPqcAsymAlgorithm)
        }
    }
}

/// KEY_PAIR_INFO (DSP0274 1.3 §10.25, Table "Successful KEY_PAIR_INFO response message format";
/// 1.4 adds the post-quantum fields).
///
///     +0 Version | +1 0x7C | +2 Param1 reserved | +3 Param2 reserved
///     +4 TotalKeyPairs | +5 KeyPairID | +6 Capabilities (2) | +8 KeyUsageCapabilities (2)
///     +10 CurrentKeyUsage (2) | +12 AsymAlgoCapabilities (4) | +16 CurrentAsymAlgo (4)
///     +20 PublicKeyInfoLen (2) | +22 AssocCertSlotMask | +23 PublicKeyInfo[PublicKeyInfoLen]
///        (the DER AlgorithmIdentifier of the key's SubjectPublicKeyInfo)
///     1.4+: PqcAsymAlgoCapLen | PqcAsymAlgoCap[len] | CurrentPqcAsymAlgoLen | CurrentPqcAsymAlgo[len]
///        (little-endian bit fields; this encoder writes 4 bytes each, the decoder reads the first 4)
public struct KeyPairInfoResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var totalKeyPairs: UInt8
    public var keyPairID: UInt8
    public var capabilities: KeyPairCapabilities
    public var keyUsageCapabilities: KeyUsageMask
    public var currentKeyUsage: KeyUsageMask
    public var asymAlgorithmCapabilities: KeyPairAsymAlgorithms
    public var currentAsymAlgorithm: KeyPairAsymAlgorithms
    public var associatedSlotMask: UInt8
    public var publicKeyInfo: [UInt8]
    public var pqcAsymAlgorithmCapabilities: UInt32
    public var currentPqcAsymAlgorithm: UInt32

    public static let fixedSize = 23

    public init(version: SPDMVersion, totalKeyPairs: UInt8, keyPairID: UInt8, capabilities: KeyPairCapabilities,
                keyUsageCapabilities: KeyUsageMask, currentKeyUsage: KeyUsageMask,
                asymAlgorithmCapabilities: KeyPairAsymAlgorithms, currentAsymAlgorithm: KeyPairAsymAlgorithms,
                associatedSlotMask: UInt8, publicKeyInfo: [UInt8],
                pqcAsymAlgorithmCapabilities: UInt32 = 0, currentPqcAsymAlgorithm: UInt32 = 0) {
        self.version = version
        self.totalKeyPairs = totalKeyPairs
        self.keyPairID = keyPairID
        self.capabilities = capabilities
        self.keyUsageCapabilities = keyUsageCapabilities
        self.currentKeyUsage = currentKeyUsage
        self.asymAlgorithmCapabilities = asymAlgorithmCapabilities
        self.currentAsymAlgorithm = currentAsymAlgorithm
        self.associatedSlotMask = associatedSlotMask
        self.publicKeyInfo = publicKeyInfo
        self.pqcAsymAlgorithmCapabilities = pqcAsymAlgorithmCapabilities
        self.currentPqcAsymAlgorithm = currentPqcAsymAlgorithm
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        totalKeyPairs = try reader.readU8("TotalKeyPairs")
        keyPairID = try reader.readU8("KeyPairID")
        capabilities = KeyPairCapabilities(rawValue: try reader.readU16("Capabilities"))
        keyUsageCapabilities = KeyUsageMask(rawValue: try reader.readU16("KeyUsageCapabilities"))
        currentKeyUsage = KeyUsageMask(rawValue: try reader.readU16("CurrentKeyUsage"))
        asymAlgorithmCapabilities = KeyPairAsymAlgorithms(rawValue: try reader.readU32("AsymAlgoCapabilities"))
        currentAsymAlgorithm = KeyPairAsymAlgorithms(rawValue: try reader.readU32("CurrentAsymAlgo"))
        let publicKeyInfoLength = Int(try reader.readU16("PublicKeyInfoLen"))
        associatedSlotMask = try reader.readU8("AssocCertSlotMask")
        publicKeyInfo = try reader.readBytes(publicKeyInfoLength, "PublicKeyInfo")
        if version >= .v14 {
            pqcAsymAlgorithmCapabilities = try Self.readBitField(&reader, "PqcAsymAlgoCap")
            currentPqcAsymAlgorithm = try Self.readBitField(&reader, "CurrentPqcAsymAlgo")
        } else {
            pqcAsymAlgorithmCapabilities = 0
            currentPqcAsymAlgorithm = 0
        }
    }

    /// A 1.4 length-prefixed little-endian bit field: the first four bytes are the value.
    static func readBitField(_ reader: inout WireReader, _ field: String) throws -> UInt32 {
        let length = Int(try reader.readU8(field + "Len"))
        let bytes = try reader.readBytes(length, field)
        return bytes.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.keyPairInfo.rawValue).encode(into: &out)
        out.appendU8(totalKeyPairs)
        out.appendU8(keyPairID)
        out.appendU16(capabilities.rawValue)
        out.appendU16(keyUsageCapabilities.rawValue)
        out.appendU16(currentKeyUsage.rawValue)
        out.appendU32(asymAlgorithmCapabilities.rawValue)
        out.appendU32(currentAsymAlgorithm.rawValue)
        out.appendU16(UInt16(truncatingIfNeeded: publicKeyInfo.count))
        out.appendU8(associatedSlotMask)
        out.append(contentsOf: publicKeyInfo)
        if version >= .v14 {
            out.appendU8(4)
            out.appendU32(pqcAsymAlgorithmCapabilities)
            out.appendU8(4)
            out.appendU32(currentPqcAsymAlgorithm)
        }
    }
}

/// GET_KEY_PAIR_INFO (DSP0274 1.3 §10.25, Table "GET_KEY_PAIR_INFO request message format").
///
///     +0 Version | +1 0xFC | +2 Param1 reserved | +3 Param2 reserved | +4 KeyPairID (1)
public struct GetKeyPairInfoRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var keyPairID: UInt8

    public static let size = 5

    public init(version: SPDMVersion, keyPairID: UInt8) {
        self.version = version
        self.keyPairID = keyPairID
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        keyPairID = try reader.readU8("KeyPairID")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getKeyPairInfo.rawValue).encode(into: &out)
        out.appendU8(keyPairID)
    }
}

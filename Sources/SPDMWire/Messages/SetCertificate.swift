/// SET_CERTIFICATE (DSP0274 §10.23, Table "SET_CERTIFICATE request message format"; 1.2+).
///
///     +0 Version | +1 0xEE
///     +2 Param1: bits 3:0 SlotID | 1.3+: bits 6:4 SetCertModel, bit 7 Erase (1.2: reserved)
///     +3 Param2: KeyPairID (1.3+, multi-key connections; else reserved)
///     +4 CertChain: the SPDM certificate chain (Length, Reserved, RootHash, certificates) to the end
///        of the message; absent with Erase
public struct SetCertificateRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var certificateModel: CertificateModel
    public var erase: Bool
    public var keyPairID: UInt8
    public var certificateChain: [UInt8]

    public static let headerSize = 4

    public init(version: SPDMVersion, slotID: UInt8, certificateModel: CertificateModel = .none, erase: Bool = false,
                keyPairID: UInt8 = 0, certificateChain: [UInt8]) {
        self.version = version
        self.slotID = slotID
        self.certificateModel = certificateModel
        self.erase = erase
        self.keyPairID = keyPairID
        self.certificateChain = certificateChain
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
        let modern = header.version >= .v13
        certificateModel = CertificateModel(rawValue: modern ? (header.param1 >> 4) & CertificateModel.mask : 0)
        erase = modern && header.param1 & 0x80 != 0
        keyPairID = modern ? header.param2 : 0
        certificateChain = reader.readRest()
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        let modern = version >= .v13
        var param1 = slotID & 0x0F
        if modern {
            param1 |= (certificateModel.rawValue & CertificateModel.mask) << 4
            if erase { param1 |= 0x80 }
        }
        MessageHeader(version: version, code: RequestCode.setCertificate.rawValue, param1: param1,
                      param2: modern ? keyPairID : 0).encode(into: &out)
        out.append(contentsOf: certificateChain)
    }
}

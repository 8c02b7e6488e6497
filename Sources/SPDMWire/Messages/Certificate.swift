/// CERTIFICATE (DSP0274 §10.7, Table "Successful CERTIFICATE response message format").
///
///     +0 Version | +1 0x02 | +2 Param1: SlotID (bits 3..0) | +3 Param2: CertificateInfo (1.3+; bits 2..0 CertModel)
///     +4 PortionLength (2) | +6 RemainderLength (2) | +8 CertChain[PortionLength]
public struct CertificateResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var certificateInfo: UInt8
    public var remainderLength: UInt16
    public var portion: [UInt8]

    public init(version: SPDMVersion, slotID: UInt8, certificateInfo: UInt8 = 0, remainderLength: UInt16, portion: [UInt8]) {
        self.version = version
        self.slotID = slotID
        self.certificateInfo = certificateInfo
        self.remainderLength = remainderLength
        self.portion = portion
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
        certificateInfo = header.param2
        let portionLength = Int(try reader.readU16("PortionLength"))
        remainderLength = try reader.readU16("RemainderLength")
        portion = try reader.readBytes(portionLength, "CertChain")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.certificate.rawValue, param1: slotID,
                      param2: version >= .v13 ? certificateInfo : 0).encode(into: &out)
        out.appendU16(UInt16(portion.count))
        out.appendU16(remainderLength)
        out.append(contentsOf: portion)
    }
}

/// The SPDM certificate chain format stored in a slot (DSP0274 Table "Certificate chain format"):
///
///     +0 Length (2): total bytes including this header | +2 Reserved (2)
///     +4 RootHash (H bytes): hash of the root certificate's DER
///     +4+H Certificates: DER certificates back to back, root (or the first intermediate) first, leaf last
public enum CertificateChainFormat {
    public static func build(rootHash: [UInt8], certificatesDER: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let total = 4 + rootHash.count + certificatesDER.count
        out.appendU16(UInt16(truncatingIfNeeded: total))
        out.appendU16(0)
        out.append(contentsOf: rootHash)
        out.append(contentsOf: certificatesDER)
        return out
    }

    /// Splits an SPDM chain into its root hash and the DER certificates. Checks the Length field.
    public static func parse(_ chain: [UInt8], hashSize: Int) throws -> (rootHash: [UInt8], certificatesDER: [UInt8]) {
        var reader = WireReader(chain)
        let length = Int(try reader.readU16("Length"))
        try reader.skip(2, "Reserved")
        guard length == chain.count else {
            throw WireError.invalidField("cert chain Length \(length) but \(chain.count) bytes received")
        }
        let rootHash = try reader.readBytes(hashSize, "RootHash")
        return (rootHash, reader.readRest())
    }
}

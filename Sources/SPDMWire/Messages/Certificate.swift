/// CERTIFICATE (DSP0274 §10.7, Table "Successful CERTIFICATE response message format").
///
///     +0 Version | +1 0x02 | +2 Param1: SlotID (bits 3..0), 1.4: bit7 LargeCertChain | +3 Param2: CertificateInfo (1.3+; bits 2..0 CertModel)
///     +4 PortionLength (2) | +6 RemainderLength (2) | +8 CertChain[PortionLength]
///     1.4 LargeCertChain: PortionLength and RemainderLength are 0; +8 LargePortionLength (4) |
///     +12 LargeRemainderLength (4) | +16 CertChain[LargePortionLength]
public struct CertificateResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var certificateInfo: UInt8
    public var remainderLength: UInt16
    public var portion: [UInt8]
    /// LargeRemainderLength of the 1.4 LargeCertChain form (nil: the 16-bit form).
    public var largeRemainderLength: UInt32?

    public static let largeCertChain: UInt8 = 0x80

    public init(version: SPDMVersion, slotID: UInt8, certificateInfo: UInt8 = 0, remainderLength: UInt16, portion: [UInt8]) {
        self.version = version
        self.slotID = slotID
        self.certificateInfo = certificateInfo
        self.remainderLength = remainderLength
        self.portion = portion
    }

    /// The 1.4 LargeCertChain form.
    public init(version: SPDMVersion, slotID: UInt8, certificateInfo: UInt8 = 0, largeRemainderLength: UInt32, portion: [UInt8]) {
        self.init(version: version, slotID: slotID, certificateInfo: certificateInfo, remainderLength: 0, portion: portion)
        self.largeRemainderLength = largeRemainderLength
    }

    /// RemainderLength as a number, whichever form carries it.
    public var remainder: UInt32 { largeRemainderLength ?? UInt32(remainderLength) }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
        certificateInfo = header.param2
        var portionLength = Int(try reader.readU16("PortionLength"))
        remainderLength = try reader.readU16("RemainderLength")
        if header.version >= .v14 && header.param1 & Self.largeCertChain != 0 {
            let largePortion = try reader.readU32("LargePortionLength")
            largeRemainderLength = try reader.readU32("LargeRemainderLength")
            guard largePortion <= UInt32(reader.remaining) else {
                throw WireError.truncated(field: "CertChain", needed: Int(largePortion), available: reader.remaining)
            }
            portionLength = Int(largePortion)
        }
        portion = try reader.readBytes(portionLength, "CertChain")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.certificate.rawValue,
                      param1: slotID | (largeRemainderLength != nil ? Self.largeCertChain : 0),
                      param2: version >= .v13 ? certificateInfo : 0).encode(into: &out)
        if let largeRemainderLength {
            out.appendU16(0)
            out.appendU16(0)
            out.appendU32(UInt32(truncatingIfNeeded: portion.count))
            out.appendU32(largeRemainderLength)
        } else {
            out.appendU16(UInt16(truncatingIfNeeded: portion.count))
            out.appendU16(remainderLength)
        }
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

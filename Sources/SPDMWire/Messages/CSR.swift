/// CSR (DSP0274 §10.22, Table "Successful CSR response message format").
///
///     +0 Version | +1 0x6D | +2 Param1 reserved | +3 Param2 reserved
///     +4 CSRLength (2) | +6 Reserved (2) | +8 CSRdata[CSRLength]: a DER PKCS#10 CertificationRequest
public struct CSRResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var csr: [UInt8]

    public static let fixedSize = 8

    public init(version: SPDMVersion, csr: [UInt8]) {
        self.version = version
        self.csr = csr
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        let length = Int(try reader.readU16("CSRLength"))
        try reader.skip(2, "Reserved")
        csr = try reader.readBytes(length, "CSRdata")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.csr.rawValue).encode(into: &out)
        out.appendU16(UInt16(truncatingIfNeeded: csr.count))
        out.appendU16(0)
        out.append(contentsOf: csr)
    }
}

/// CHALLENGE_AUTH (DSP0274 §10.8, Table "Successful CHALLENGE_AUTH response message format").
///
///     +0 Version | +1 0x03 | +2 Param1: SlotID (bits 3..0), BasicMutAuthReq (bit 7, 1.1 only) | +3 Param2: SlotMask
///     +4 CertChainHash (H) | Nonce (32) | MeasurementSummaryHash (H, absent when none was requested)
///     | OpaqueDataLength (2) | OpaqueData | RequesterContext (8, 1.3+) | Signature (S)
///
/// The signature covers the transcript M1/M2 that ends with this message minus its Signature field,
/// which is what `encodeWithoutSignature` produces.
public struct ChallengeAuthResponse: SPDMEncodable, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var basicMutualAuthRequested: Bool
    public var slotMask: UInt8
    public var certChainHash: [UInt8]
    public var nonce: [UInt8]
    public var measurementSummaryHash: [UInt8]
    public var opaqueData: [UInt8]
    public var requesterContext: [UInt8]
    public var signature: [UInt8]

    public init(version: SPDMVersion, slotID: UInt8, basicMutualAuthRequested: Bool = false, slotMask: UInt8,
                certChainHash: [UInt8], nonce: [UInt8], measurementSummaryHash: [UInt8], opaqueData: [UInt8],
                requesterContext: [UInt8], signature: [UInt8] = []) {
        self.version = version
        self.slotID = slotID
        self.basicMutualAuthRequested = basicMutualAuthRequested
        self.slotMask = slotMask
        self.certChainHash = certChainHash
        self.nonce = nonce
        self.measurementSummaryHash = measurementSummaryHash
        self.opaqueData = opaqueData
        self.requesterContext = requesterContext
        self.signature = signature
    }

    public init(decoding bytes: [UInt8], context: WireContext, summaryHashPresent: Bool) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
        basicMutualAuthRequested = header.param1 & 0x80 != 0
        slotMask = header.param2
        certChainHash = try reader.readBytes(context.hashSize, "CertChainHash")
        nonce = try reader.readBytes(32, "Nonce")
        measurementSummaryHash = summaryHashPresent ? try reader.readBytes(context.hashSize, "MeasurementSummaryHash") : []
        let opaqueLength = Int(try reader.readU16("OpaqueDataLength"))
        opaqueData = try reader.readBytes(opaqueLength, "OpaqueData")
        requesterContext = version >= .v13 ? try reader.readBytes(8, "RequesterContext") : []
        signature = try reader.readBytes(context.signatureSize, "Signature")
    }

    public func encodeWithoutSignature(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.challengeAuth.rawValue,
                      param1: slotID | (basicMutualAuthRequested ? 0x80 : 0), param2: slotMask).encode(into: &out)
        out.append(contentsOf: certChainHash)
        out.append(contentsOf: nonce)
        out.append(contentsOf: measurementSummaryHash)
        out.appendU16(UInt16(opaqueData.count))
        out.append(contentsOf: opaqueData)
        out.append(contentsOf: requesterContext)
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        encodeWithoutSignature(into: &out)
        out.append(contentsOf: signature)
    }
}

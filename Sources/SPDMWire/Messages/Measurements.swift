/// MEASUREMENTS (DSP0274 §10.11, Table "Successful MEASUREMENTS response message format").
///
///     +0 Version | +1 0x60 | +2 Param1: total number of measurement indices (operation 0 only, else 0)
///     +3 Param2: SlotID (bits 3..0), ContentChanged (bits 5..4, 1.2+)
///     +4 NumberOfBlocks (1) | +5 MeasurementRecordLength (3) | +8 MeasurementRecord
///     | Nonce (32) | OpaqueDataLength (2) | OpaqueData | RequesterContext (8, 1.3+) | Signature (S, if requested)
public struct MeasurementsResponse: SPDMEncodable, Hashable {
    public var version: SPDMVersion
    public var totalMeasurementCount: UInt8
    public var slotID: UInt8
    public var contentChanged: UInt8
    public var blocks: [MeasurementBlock]
    public var nonce: [UInt8]
    public var opaqueData: [UInt8]
    public var requesterContext: [UInt8]
    public var signature: [UInt8]

    public init(version: SPDMVersion, totalMeasurementCount: UInt8 = 0, slotID: UInt8 = 0, contentChanged: UInt8 = 0,
                blocks: [MeasurementBlock], nonce: [UInt8], opaqueData: [UInt8] = [], requesterContext: [UInt8] = [],
                signature: [UInt8] = []) {
        self.version = version
        self.totalMeasurementCount = totalMeasurementCount
        self.slotID = slotID
        self.contentChanged = contentChanged
        self.blocks = blocks
        self.nonce = nonce
        self.opaqueData = opaqueData
        self.requesterContext = requesterContext
        self.signature = signature
    }

    public init(decoding bytes: [UInt8], context: WireContext, signed: Bool) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        totalMeasurementCount = header.param1
        slotID = header.param2 & 0x0F
        contentChanged = header.param2 & 0x30
        let blockCount = Int(try reader.readU8("NumberOfBlocks"))
        let recordLength = Int(try reader.readU24("MeasurementRecordLength"))
        var record = WireReader(try reader.readBytes(recordLength, "MeasurementRecord"))
        var blocks: [MeasurementBlock] = []
        for _ in 0..<blockCount { blocks.append(try MeasurementBlock(decoding: &record)) }
        guard record.isAtEnd else { throw WireError.invalidField("MeasurementRecordLength exceeds its \(blockCount) blocks") }
        self.blocks = blocks
        nonce = try reader.readBytes(32, "Nonce")
        let opaqueLength = Int(try reader.readU16("OpaqueDataLength"))
        opaqueData = try reader.readBytes(opaqueLength, "OpaqueData")
        requesterContext = version >= .v13 ? try reader.readBytes(8, "RequesterContext") : []
        signature = signed ? try reader.readBytes(context.signatureSize, "Signature") : []
    }

    public func encodeWithoutSignature(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.measurements.rawValue, param1: totalMeasurementCount,
                      param2: slotID | (version >= .v12 ? contentChanged : 0)).encode(into: &out)
        var record: [UInt8] = []
        for block in blocks { block.encode(into: &record) }
        out.appendU8(UInt8(blocks.count))
        out.appendU24(UInt32(record.count))
        out.append(contentsOf: record)
        out.append(contentsOf: nonce)
        out.appendU16(UInt16(opaqueData.count))
        out.append(contentsOf: opaqueData)
        out.append(contentsOf: requesterContext)
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        encodeWithoutSignature(into: &out)
        out.append(contentsOf: signature)
    }
}

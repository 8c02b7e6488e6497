/// ALGORITHMS (DSP0274 §10.5, Table "Successful ALGORITHMS response message format").
///
///     +0 Version | +1 0x63 | +2 Param1 = number of AlgStructures | +3 Param2
///     +4 Length (2) | +6 MeasurementSpecificationSel | +7 OtherParamsSelection (1.2+)
///     +8 MeasurementHashAlgo (4) | +12 BaseAsymSel (4) | +16 BaseHashSel (4)
///     +20 PqcAsymSel (4, 1.4+; reserved before) | +24 Reserved (7) | +31 MELSpecificationSel (1.3+)
///     +32 ExtAsymSelCount | +33 ExtHashSelCount | +34 Reserved (2)
///     +36 ExtAsymSel[] (4 each) | ExtHashSel[] (4 each) | AlgStructure[Param1]
public struct AlgorithmsResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var measurementSpecification: MeasurementSpecification
    public var otherParams: OtherParams
    public var measurementHash: MeasurementHashAlgorithms
    public var baseAsym: BaseAsymAlgorithms
    public var baseHash: BaseHashAlgorithms
    /// 1.4 PqcAsymSel; empty before 1.4.
    public var pqcAsym: PQCAsymAlgorithms
    public var melSpecification: UInt8
    public var extAsym: [UInt32]
    public var extHash: [UInt32]
    public var structures: [AlgorithmStructure]

    public static let fixedSize = 36

    public init(version: SPDMVersion, measurementSpecification: MeasurementSpecification,
                otherParams: OtherParams, measurementHash: MeasurementHashAlgorithms,
                baseAsym: BaseAsymAlgorithms, baseHash: BaseHashAlgorithms, pqcAsym: PQCAsymAlgorithms = [],
                melSpecification: UInt8 = 0,
                extAsym: [UInt32] = [], extHash: [UInt32] = [], structures: [AlgorithmStructure] = []) {
        self.version = version
        self.measurementSpecification = measurementSpecification
        self.otherParams = otherParams
        self.measurementHash = measurementHash
        self.baseAsym = baseAsym
        self.baseHash = baseHash
        self.pqcAsym = pqcAsym
        self.melSpecification = melSpecification
        self.extAsym = extAsym
        self.extHash = extHash
        self.structures = structures
    }

    var tail: AlgorithmListTail { AlgorithmListTail(extAsym: extAsym, extHash: extHash, structures: structures) }

    public func structure(_ type: AlgorithmStructure.AlgType) -> AlgorithmStructure? {
        structures.first { $0.type == type }
    }

    public var encodedLength: Int {
        // AlgStructures exist from 1.1 only; a 1.0 message neither carries nor counts them.
        Self.fixedSize + tail.encodedSize(version)
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        let length = Int(try reader.readU16("Length"))
        measurementSpecification = MeasurementSpecification(rawValue: try reader.readU8("MeasurementSpecificationSel"))
        otherParams = OtherParams(rawValue: try reader.readU8("OtherParamsSelection"))
        measurementHash = MeasurementHashAlgorithms(rawValue: try reader.readU32("MeasurementHashAlgo"))
        baseAsym = BaseAsymAlgorithms(rawValue: try reader.readU32("BaseAsymSel"))
        baseHash = BaseHashAlgorithms(rawValue: try reader.readU32("BaseHashSel"))
        let pqc = try reader.readU32("PqcAsymSel")
        pqcAsym = version >= .v14 ? PQCAsymAlgorithms(rawValue: pqc) : []
        try reader.skip(7, "Reserved")
        melSpecification = try reader.readU8("MELSpecificationSel")
        let extAsymCount = Int(try reader.readU8("ExtAsymSelCount"))
        let extHashCount = Int(try reader.readU8("ExtHashSelCount"))
        try reader.skip(2, "Reserved")
        let tail = try AlgorithmListTail(decoding: &reader, extAsymCount: extAsymCount, extHashCount: extHashCount,
                                         structureCount: version >= .v11 ? Int(header.param1) : 0, fieldSuffix: "Sel")
        (extAsym, extHash, structures) = (tail.extAsym, tail.extHash, tail.structures)
        guard length == reader.offset else {
            throw WireError.invalidField("Length \(length) does not match the \(reader.offset) bytes its fields occupy")
        }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.algorithms.rawValue,
                      param1: version >= .v11 ? UInt8(structures.count) : 0).encode(into: &out)
        out.appendU16(UInt16(encodedLength))
        out.appendU8(measurementSpecification.rawValue)
        out.appendU8(version >= .v12 ? otherParams.rawValue : 0)
        out.appendU32(measurementHash.rawValue)
        out.appendU32(baseAsym.rawValue)
        out.appendU32(baseHash.rawValue)
        out.appendU32(version >= .v14 ? pqcAsym.rawValue : 0)
        out.appendZeros(7)
        out.appendU8(version >= .v13 ? melSpecification : 0)
        out.appendU8(UInt8(extAsym.count))
        out.appendU8(UInt8(extHash.count))
        out.appendU16(0)
        tail.encode(into: &out, version: version)
    }
}

/// The Supported Algorithms block CAPABILITIES carries from 1.3 when GET_CAPABILITIES asked for it
/// (request and response Param1 bit 0; DSP0274 1.3 §10.4, Table "Supported Algorithms block"): every
/// algorithm the responder supports, laid out as NEGOTIATE_ALGORITHMS from its Param1 on, and Length
/// counting the block itself:
///
///     +0 Param1 = number of AlgStructures | +1 Param2 | +2 Length (2) | +4 MeasurementSpecification
///     +5 OtherParamsSupport | +6 BaseAsymAlgo (4) | +10 BaseHashAlgo (4)
///     +14 PqcAsymAlgo (4, 1.4; reserved before) | +18 Reserved (8)
///     +26 ExtAsymCount | +27 ExtHashCount | +28 Reserved | +29 MELSpecification
///     +30 ExtAsym[] (4 each) | ExtHash[] (4 each) | AlgStructure[Param1]
public struct SupportedAlgorithms: Hashable, Sendable {
    public var measurementSpecification: MeasurementSpecification
    public var otherParams: OtherParams
    public var baseAsym: BaseAsymAlgorithms
    public var baseHash: BaseHashAlgorithms
    public var pqcAsym: PQCAsymAlgorithms
    public var melSpecification: UInt8
    public var structures: [AlgorithmStructure]

    public static let fixedSize = 30

    public init(measurementSpecification: MeasurementSpecification, otherParams: OtherParams, baseAsym: BaseAsymAlgorithms,
                baseHash: BaseHashAlgorithms, pqcAsym: PQCAsymAlgorithms = [], melSpecification: UInt8 = 0,
                structures: [AlgorithmStructure] = []) {
        self.measurementSpecification = measurementSpecification
        self.otherParams = otherParams
        self.baseAsym = baseAsym
        self.baseHash = baseHash
        self.pqcAsym = pqcAsym
        self.melSpecification = melSpecification
        self.structures = structures
    }

    var tail: AlgorithmListTail { AlgorithmListTail(extAsym: [], extHash: [], structures: structures) }

    public var encodedSize: Int { Self.fixedSize + 4 * structures.count }

    init(decoding reader: inout WireReader, version: SPDMVersion) throws {
        let start = reader.offset
        let count = Int(try reader.readU8("SupportedAlgorithms Param1"))
        try reader.skip(1, "SupportedAlgorithms Param2")
        let length = Int(try reader.readU16("SupportedAlgorithms Length"))
        measurementSpecification = MeasurementSpecification(rawValue: try reader.readU8("MeasurementSpecification"))
        otherParams = OtherParams(rawValue: try reader.readU8("OtherParamsSupport"))
        baseAsym = BaseAsymAlgorithms(rawValue: try reader.readU32("BaseAsymAlgo"))
        baseHash = BaseHashAlgorithms(rawValue: try reader.readU32("BaseHashAlgo"))
        let pqc = try reader.readU32("PqcAsymAlgo")
        pqcAsym = version >= .v14 ? PQCAsymAlgorithms(rawValue: pqc) : []
        try reader.skip(8, "Reserved")
        let extAsymCount = Int(try reader.readU8("ExtAsymCount"))
        let extHashCount = Int(try reader.readU8("ExtHashCount"))
        try reader.skip(1, "Reserved")
        melSpecification = try reader.readU8("MELSpecification")
        let tail = try AlgorithmListTail(decoding: &reader, extAsymCount: extAsymCount, extHashCount: extHashCount,
                                         structureCount: count, fieldSuffix: "")
        structures = tail.structures
        guard length == reader.offset - start else {
            throw WireError.invalidField("SupportedAlgorithms Length \(length) does not match the \(reader.offset - start) bytes its fields occupy")
        }
    }

    func encode(into out: inout [UInt8], version: SPDMVersion) {
        out.appendU8(UInt8(structures.count))
        out.appendU8(0)
        out.appendU16(UInt16(encodedSize))
        out.appendU8(measurementSpecification.rawValue)
        out.appendU8(otherParams.rawValue)
        out.appendU32(baseAsym.rawValue)
        out.appendU32(baseHash.rawValue)
        out.appendU32(version >= .v14 ? pqcAsym.rawValue : 0)
        out.appendZeros(8)
        out.appendU8(0)
        out.appendU8(0)
        out.appendU8(0)
        out.appendU8(melSpecification)
        tail.encode(into: &out, version: version)
    }
}

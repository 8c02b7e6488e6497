/// NEGOTIATE_ALGORITHMS (DSP0274 §10.5, Table "NEGOTIATE_ALGORITHMS request message format").
///
///     +0 Version | +1 0xE3 | +2 Param1 = number of AlgStructures (1.1+) | +3 Param2
///     +4 Length (2) | +6 MeasurementSpecification | +7 OtherParamsSupport (1.2+)
///     +8 BaseAsymAlgo (4) | +12 BaseHashAlgo (4) | +16 PqcAsymAlgo (4, 1.4+; reserved before) | +20 Reserved (8)
///     +28 ExtAsymCount | +29 ExtHashCount | +30 Reserved | +31 MELSpecification (1.3+)
///     +32 ExtAsym[ExtAsymCount] (4 each) | ExtHash[ExtHashCount] (4 each) | AlgStructure[Param1]
public struct NegotiateAlgorithmsRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var measurementSpecification: MeasurementSpecification
    public var otherParams: OtherParams
    public var baseAsym: BaseAsymAlgorithms
    public var baseHash: BaseHashAlgorithms
    /// 1.4 PqcAsymAlgo; empty before 1.4.
    public var pqcAsym: PQCAsymAlgorithms
    public var melSpecification: UInt8
    public var extAsym: [UInt32]
    public var extHash: [UInt32]
    public var structures: [AlgorithmStructure]
    /// The Length field as received (decoding only); the encoder computes it.
    public private(set) var declaredLength: Int

    public static let fixedSize = 32

    public init(version: SPDMVersion, measurementSpecification: MeasurementSpecification = .dmtf,
                otherParams: OtherParams = [], baseAsym: BaseAsymAlgorithms, baseHash: BaseHashAlgorithms,
                pqcAsym: PQCAsymAlgorithms = [], melSpecification: UInt8 = 0, extAsym: [UInt32] = [], extHash: [UInt32] = [],
                structures: [AlgorithmStructure] = []) {
        self.version = version
        self.measurementSpecification = measurementSpecification
        self.otherParams = otherParams
        self.baseAsym = baseAsym
        self.baseHash = baseHash
        self.pqcAsym = pqcAsym
        self.melSpecification = melSpecification
        self.extAsym = extAsym
        self.extHash = extHash
        self.structures = structures
        self.declaredLength = 0
        self.declaredLength = encodedLength
    }

    public var encodedLength: Int {
        // AlgStructures exist from 1.1 only; a 1.0 message neither carries nor counts them.
        Self.fixedSize + tail.encodedSize(version)
    }

    var tail: AlgorithmListTail { AlgorithmListTail(extAsym: extAsym, extHash: extHash, structures: structures) }

    public func structure(_ type: AlgorithmStructure.AlgType) -> AlgorithmStructure? {
        structures.first { $0.type == type }
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        declaredLength = Int(try reader.readU16("Length"))
        measurementSpecification = MeasurementSpecification(rawValue: try reader.readU8("MeasurementSpecification"))
        let other = try reader.readU8("OtherParamsSupport")
        otherParams = header.version >= .v12 ? OtherParams(rawValue: other) : []
        baseAsym = BaseAsymAlgorithms(rawValue: try reader.readU32("BaseAsymAlgo"))
        baseHash = BaseHashAlgorithms(rawValue: try reader.readU32("BaseHashAlgo"))
        let pqc = try reader.readU32("PqcAsymAlgo")
        pqcAsym = header.version >= .v14 ? PQCAsymAlgorithms(rawValue: pqc) : []
        try reader.skip(8, "Reserved")
        let extAsymCount = Int(try reader.readU8("ExtAsymCount"))
        let extHashCount = Int(try reader.readU8("ExtHashCount"))
        try reader.skip(1, "Reserved")
        let mel = try reader.readU8("MELSpecification")
        melSpecification = header.version >= .v13 ? mel : 0
        let tail = try AlgorithmListTail(decoding: &reader, extAsymCount: extAsymCount, extHashCount: extHashCount,
                                         structureCount: header.version >= .v11 ? Int(header.param1) : 0, fieldSuffix: "")
        (extAsym, extHash, structures) = (tail.extAsym, tail.extHash, tail.structures)
        guard declaredLength == reader.offset else {
            throw WireError.invalidField("Length \(declaredLength) does not match the \(reader.offset) bytes its fields occupy")
        }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.negotiateAlgorithms.rawValue,
                      param1: version >= .v11 ? UInt8(structures.count) : 0).encode(into: &out)
        out.appendU16(UInt16(encodedLength))
        out.appendU8(measurementSpecification.rawValue)
        out.appendU8(version >= .v12 ? otherParams.rawValue : 0)
        out.appendU32(baseAsym.rawValue)
        out.appendU32(baseHash.rawValue)
        out.appendU32(version >= .v14 ? pqcAsym.rawValue : 0)
        out.appendZeros(8)
        out.appendU8(UInt8(extAsym.count))
        out.appendU8(UInt8(extHash.count))
        out.appendU8(0)
        out.appendU8(version >= .v13 ? melSpecification : 0)
        tail.encode(into: &out, version: version)
    }
}

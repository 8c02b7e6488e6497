/// One AlgStructure of NEGOTIATE_ALGORITHMS / ALGORITHMS (DSP0274 Table "Algorithm request structure"):
///
///     +0 AlgType | +1 AlgCount: bits 7..4 FixedAlgCount (bytes, 2 today), bits 3..0 ExtAlgCount
///     +2 AlgSupported (FixedAlgCount bytes) | AlgExternal[ExtAlgCount] (4 bytes each)
public struct AlgorithmStructure: Hashable, Sendable {
    public struct AlgType: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let dhe = AlgType(rawValue: 2)
        public static let aead = AlgType(rawValue: 3)
        public static let requesterBaseAsym = AlgType(rawValue: 4)
        public static let keySchedule = AlgType(rawValue: 5)
        /// 1.4: the requester's ML-DSA / SLH-DSA algorithms for mutual authentication (PQCAsymAlgorithms bits).
        public static let requesterPQCAsym = AlgType(rawValue: 6)
        /// 1.4: the key encapsulation mechanisms for KEY_EXCHANGE (KEMAlgorithms bits).
        public static let kem = AlgType(rawValue: 7)
    }

    public var type: AlgType
    /// AlgSupported as an integer (FixedAlgCount is 2 for every type DSP0274 1.0-1.3 defines).
    public var supported: UInt16
    public var externals: [UInt32]

    public init(type: AlgType, supported: UInt16, externals: [UInt32] = []) {
        self.type = type
        self.supported = supported
        self.externals = externals
    }

    init(decoding reader: inout WireReader) throws {
        type = AlgType(rawValue: try reader.readU8("AlgType"))
        let count = try reader.readU8("AlgCount")
        let fixedBytes = Int(count >> 4)
        let externalCount = Int(count & 0x0F)
        guard fixedBytes >= 2 else { throw WireError.invalidField("AlgCount FixedAlgCount \(fixedBytes) < 2") }
        let fixed = try reader.readBytes(fixedBytes, "AlgSupported")
        supported = UInt16(fixed[0]) | UInt16(fixed[1]) << 8
        externals = try (0..<externalCount).map { _ in try reader.readU32("AlgExternal") }
    }

    func encode(into out: inout [UInt8]) {
        out.appendU8(type.rawValue)
        out.appendU8(0x20 | UInt8(externals.count & 0x0F))
        out.appendU16(supported)
        for value in externals { out.appendU32(value) }
    }

    var encodedSize: Int { 4 + 4 * externals.count }
}

/// The variable tail NEGOTIATE_ALGORITHMS and ALGORITHMS share after their fixed fields:
///
///     ExtAsym[A] (4 bytes each) | ExtHash[E] (4 bytes each) | AlgStructure[N] (1.1+ only)
struct AlgorithmListTail: Hashable, Sendable {
    var extAsym: [UInt32]
    var extHash: [UInt32]
    var structures: [AlgorithmStructure]

    init(extAsym: [UInt32], extHash: [UInt32], structures: [AlgorithmStructure]) {
        self.extAsym = extAsym
        self.extHash = extHash
        self.structures = structures
    }

    init(decoding reader: inout WireReader, extAsymCount: Int, extHashCount: Int, structureCount: Int,
         fieldSuffix: String) throws {
        extAsym = try (0..<extAsymCount).map { _ in try reader.readU32("ExtAsym" + fieldSuffix) }
        extHash = try (0..<extHashCount).map { _ in try reader.readU32("ExtHash" + fieldSuffix) }
        var structures: [AlgorithmStructure] = []
        for _ in 0..<structureCount { structures.append(try AlgorithmStructure(decoding: &reader)) }
        self.structures = structures
    }

    func encodedSize(_ version: SPDMVersion) -> Int {
        4 * (extAsym.count + extHash.count) + (version >= .v11 ? structures.reduce(0) { $0 + $1.encodedSize } : 0)
    }

    func encode(into out: inout [UInt8], version: SPDMVersion) {
        for value in extAsym { out.appendU32(value) }
        for value in extHash { out.appendU32(value) }
        if version >= .v11 { for structure in structures { structure.encode(into: &out) } }
    }
}

/// Algorithm bit fields of NEGOTIATE_ALGORITHMS / ALGORITHMS (DSP0274 Tables "NEGOTIATE_ALGORITHMS
/// request message format", "Algorithm request structure"). Each is an OptionSet whose single-bit
/// members name one algorithm; a selection in ALGORITHMS has at most one bit set.

public struct BaseAsymAlgorithms: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let rsassa2048 = Self(rawValue: 1 << 0)
    public static let rsapss2048 = Self(rawValue: 1 << 1)
    public static let rsassa3072 = Self(rawValue: 1 << 2)
    public static let rsapss3072 = Self(rawValue: 1 << 3)
    public static let ecdsaP256 = Self(rawValue: 1 << 4)
    public static let rsassa4096 = Self(rawValue: 1 << 5)
    public static let rsapss4096 = Self(rawValue: 1 << 6)
    public static let ecdsaP384 = Self(rawValue: 1 << 7)
    public static let ecdsaP521 = Self(rawValue: 1 << 8)
    public static let sm2P256 = Self(rawValue: 1 << 9)
    public static let eddsaEd25519 = Self(rawValue: 1 << 10)
    public static let eddsaEd448 = Self(rawValue: 1 << 11)

    /// The bits each version defines (EdDSA and SM2 arrive with 1.2).
    public static func defined(in version: SPDMVersion) -> Self {
        Self(rawValue: version >= .v12 ? 0x0FFF : 0x01FF)
    }

    /// Names as spdm-emu spells them (`--asym`), used in configs too.
    public static let named: [(String, Self)] = [
        ("RSASSA_2048", .rsassa2048), ("RSAPSS_2048", .rsapss2048), ("RSASSA_3072", .rsassa3072),
        ("RSAPSS_3072", .rsapss3072), ("ECDSA_P256", .ecdsaP256), ("RSASSA_4096", .rsassa4096),
        ("RSAPSS_4096", .rsapss4096), ("ECDSA_P384", .ecdsaP384), ("ECDSA_P521", .ecdsaP521),
        ("SM2_P256", .sm2P256), ("EDDSA_25519", .eddsaEd25519), ("EDDSA_448", .eddsaEd448),
    ]
}

public struct BaseHashAlgorithms: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let sha256 = Self(rawValue: 1 << 0)
    public static let sha384 = Self(rawValue: 1 << 1)
    public static let sha512 = Self(rawValue: 1 << 2)
    public static let sha3_256 = Self(rawValue: 1 << 3)
    public static let sha3_384 = Self(rawValue: 1 << 4)
    public static let sha3_512 = Self(rawValue: 1 << 5)
    public static let sm3_256 = Self(rawValue: 1 << 6)

    /// The bits each version defines (SM3 arrives with 1.2).
    public static func defined(in version: SPDMVersion) -> Self {
        Self(rawValue: version >= .v12 ? 0x7F : 0x3F)
    }

    public static let named: [(String, Self)] = [
        ("SHA_256", .sha256), ("SHA_384", .sha384), ("SHA_512", .sha512), ("SHA3_256", .sha3_256),
        ("SHA3_384", .sha3_384), ("SHA3_512", .sha3_512), ("SM3_256", .sm3_256),
    ]
}

/// MeasurementHashAlgo of ALGORITHMS: bit 0 is "raw bit stream only", the rest mirror the base hashes
/// shifted up by one.
public struct MeasurementHashAlgorithms: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let rawBitStreamOnly = Self(rawValue: 1 << 0)
    public static let sha256 = Self(rawValue: 1 << 1)
    public static let sha384 = Self(rawValue: 1 << 2)
    public static let sha512 = Self(rawValue: 1 << 3)
    public static let sha3_256 = Self(rawValue: 1 << 4)
    public static let sha3_384 = Self(rawValue: 1 << 5)
    public static let sha3_512 = Self(rawValue: 1 << 6)
    public static let sm3_256 = Self(rawValue: 1 << 7)

    public init(baseHash: BaseHashAlgorithms) { self.rawValue = baseHash.rawValue << 1 }
    public var baseHash: BaseHashAlgorithms { BaseHashAlgorithms(rawValue: rawValue >> 1) }
}

/// PqcAsymAlgo of NEGOTIATE_ALGORITHMS and PqcAsymSel of ALGORITHMS (DSP0274 1.4, u32), also the bits of
/// the ReqPqcAsymAlg structure (AlgType 6, in 16 bits): ML-DSA (FIPS 204) in bits 0-2, SLH-DSA in 3-14.
public struct PQCAsymAlgorithms: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let mlDsa44 = Self(rawValue: 1 << 0)
    public static let mlDsa65 = Self(rawValue: 1 << 1)
    public static let mlDsa87 = Self(rawValue: 1 << 2)

    /// Names as spdm-emu spells them (`--pqc_asym`, `--req_pqc_asym`), used in configs too.
    public static let named: [(String, Self)] = [
        ("ML_DSA_44", .mlDsa44), ("ML_DSA_65", .mlDsa65), ("ML_DSA_87", .mlDsa87),
    ]

    /// The ReqPqcAsymAlg structure carries the same bits in 16 bits.
    public var requesterStructureBits: UInt16 { UInt16(truncatingIfNeeded: rawValue) }
}

/// KEMAlg structure (DSP0274 1.4, AlgType 7): ML-KEM (FIPS 203) parameter sets.
public struct KEMAlgorithms: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let mlKem512 = Self(rawValue: 1 << 0)
    public static let mlKem768 = Self(rawValue: 1 << 1)
    public static let mlKem1024 = Self(rawValue: 1 << 2)

    /// Names as spdm-emu spells them (`--kem`), used in configs too.
    public static let named: [(String, Self)] = [
        ("ML_KEM_512", .mlKem512), ("ML_KEM_768", .mlKem768), ("ML_KEM_1024", .mlKem1024),
    ]
}

/// DHE named groups (AlgType 2).
public struct DHEGroups: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let ffdhe2048 = Self(rawValue: 1 << 0)
    public static let ffdhe3072 = Self(rawValue: 1 << 1)
    public static let ffdhe4096 = Self(rawValue: 1 << 2)
    public static let secp256r1 = Self(rawValue: 1 << 3)
    public static let secp384r1 = Self(rawValue: 1 << 4)
    public static let secp521r1 = Self(rawValue: 1 << 5)
    public static let sm2P256 = Self(rawValue: 1 << 6)

    public static let named: [(String, Self)] = [
        ("FFDHE_2048", .ffdhe2048), ("FFDHE_3072", .ffdhe3072), ("FFDHE_4096", .ffdhe4096),
        ("SECP_256_R1", .secp256r1), ("SECP_384_R1", .secp384r1), ("SECP_521_R1", .secp521r1), ("SM2_P256", .sm2P256),
    ]
}

/// AEAD cipher suites (AlgType 3).
public struct AEADSuites: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let aes128GCM = Self(rawValue: 1 << 0)
    public static let aes256GCM = Self(rawValue: 1 << 1)
    public static let chacha20Poly1305 = Self(rawValue: 1 << 2)
    public static let sm4GCM = Self(rawValue: 1 << 3)

    public static let named: [(String, Self)] = [
        ("AES_128_GCM", .aes128GCM), ("AES_256_GCM", .aes256GCM), ("CHACHA20_POLY1305", .chacha20Poly1305), ("SM4_GCM", .sm4GCM),
    ]
}

/// Key schedules (AlgType 5): only the SPDM key schedule is defined.
public struct KeySchedules: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let spdm = Self(rawValue: 1 << 0)
}

/// OtherParamsSupport / OtherParamsSelection (1.2+): opaque data format in bits 0-3, MULTI_KEY_CONN bit 4.
public struct OtherParams: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let opaqueDataFormat0 = Self(rawValue: 1 << 0)
    public static let opaqueDataFormat1 = Self(rawValue: 1 << 1)
    public static let multiKeyConnection = Self(rawValue: 1 << 4)
}

/// MeasurementSpecification: only DMTF (bit 0) is defined.
public struct MeasurementSpecification: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let dmtf = Self(rawValue: 1 << 0)
}

extension OptionSet where RawValue: FixedWidthInteger, Element == Self {
    /// The members as single-bit values, lowest bit first.
    public var singleBits: [Self] {
        (0..<RawValue.bitWidth).compactMap { bit in
            let value = Self(rawValue: RawValue(1) << RawValue(bit))
            return self.contains(value) ? value : nil
        }
    }

    /// True when exactly one bit is set.
    public var isSingleBit: Bool { rawValue != 0 && rawValue & (rawValue - 1) == 0 }
}

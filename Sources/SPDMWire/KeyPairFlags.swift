/// The bit fields of the key pair messages (DSP0274 1.3 §10.24-10.26, Tables "KEY_PAIR_INFO response",
/// "Key pair capabilities", "KeyUsageMask", "Key pair asymmetric algorithms") and of the 1.3
/// CertificateInfo byte (DIGESTS, CERTIFICATE, GET_CSR, SET_CERTIFICATE).

/// KeyUsageMask: what a key pair (or the slot it backs) may sign.
public struct KeyUsageMask: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let keyExchange = Self(rawValue: 1 << 0)
    public static let challenge = Self(rawValue: 1 << 1)
    public static let measurement = Self(rawValue: 1 << 2)
    public static let endpointInfo = Self(rawValue: 1 << 3)
    public static let standardsKey = Self(rawValue: 1 << 14)
    public static let vendorKey = Self(rawValue: 1 << 15)

    /// Every bit DSP0274 defines.
    public static let defined: Self = [.keyExchange, .challenge, .measurement, .endpointInfo, .standardsKey, .vendorKey]
    /// The four SPDM uses, the default of a device's key pairs.
    public static let spdm: Self = [.keyExchange, .challenge, .measurement, .endpointInfo]

    /// Names as used in config files and `spdmctl` output.
    public static let named: [(String, Self)] = [
        ("KEY_EX", .keyExchange), ("CHALLENGE", .challenge), ("MEASUREMENT", .measurement),
        ("ENDPOINT_INFO", .endpointInfo), ("STANDARDS", .standardsKey), ("VENDOR", .vendorKey),
    ]
    public var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }
}

/// KEY_PAIR_INFO Capabilities: what SET_KEY_PAIR_INFO may do to a key pair.
public struct KeyPairCapabilities: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// GenKeyCap: the Generate operation.
    public static let generateKey = Self(rawValue: 1 << 0)
    /// ErasableCap: the Erase operation.
    public static let erasable = Self(rawValue: 1 << 1)
    /// CertAssocCap: DesiredAssocCertSlotMask may change the associated slots.
    public static let certificateAssociation = Self(rawValue: 1 << 2)
    /// KeyUsageCap: DesiredKeyUsage may change the key usage.
    public static let keyUsage = Self(rawValue: 1 << 3)
    /// AsymAlgoCap: DesiredAsymAlgo may change the algorithm.
    public static let asymAlgorithm = Self(rawValue: 1 << 4)
    /// ShareableCap: the key pair may back more than one slot.
    public static let shareable = Self(rawValue: 1 << 5)

    public static let defined: Self = [.generateKey, .erasable, .certificateAssociation, .keyUsage, .asymAlgorithm, .shareable]

    public static let named: [(String, Self)] = [
        ("GEN_KEY", .generateKey), ("ERASABLE", .erasable), ("CERT_ASSOC", .certificateAssociation),
        ("KEY_USAGE", .keyUsage), ("ASYM_ALGO", .asymAlgorithm), ("SHAREABLE", .shareable),
    ]
    public var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }
}

/// AsymAlgoCapabilities / CurrentAsymAlgo of KEY_PAIR_INFO, DesiredAsymAlgo of SET_KEY_PAIR_INFO:
/// a key type, not a signature scheme (RSASSA and RSAPSS of one size share a bit).
public struct KeyPairAsymAlgorithms: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let rsa2048 = Self(rawValue: 1 << 0)
    public static let rsa3072 = Self(rawValue: 1 << 1)
    public static let rsa4096 = Self(rawValue: 1 << 2)
    public static let ecc256 = Self(rawValue: 1 << 3)
    public static let ecc384 = Self(rawValue: 1 << 4)
    public static let ecc521 = Self(rawValue: 1 << 5)
    public static let sm2 = Self(rawValue: 1 << 6)
    public static let ed25519 = Self(rawValue: 1 << 7)
    public static let ed448 = Self(rawValue: 1 << 8)

    public static let defined = Self(rawValue: 0x01FF)

    /// The key pair bit of a BaseAsymAlgo selection (empty for none or several).
    public init(baseAsym: BaseAsymAlgorithms) {
        switch baseAsym {
        case .rsassa2048, .rsapss2048: self = .rsa2048
        case .rsassa3072, .rsapss3072: self = .rsa3072
        case .rsassa4096, .rsapss4096: self = .rsa4096
        case .ecdsaP256: self = .ecc256
        case .ecdsaP384: self = .ecc384
        case .ecdsaP521: self = .ecc521
        case .sm2P256: self = .sm2
        case .eddsaEd25519: self = .ed25519
        case .eddsaEd448: self = .ed448
        default: self = []
        }
    }

    public static let named: [(String, Self)] = [
        ("RSA2048", .rsa2048), ("RSA3072", .rsa3072), ("RSA4096", .rsa4096), ("ECC256", .ecc256),
        ("ECC384", .ecc384), ("ECC521", .ecc521), ("SM2", .sm2), ("ED25519", .ed25519), ("ED448", .ed448),
    ]
    public var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }
}

/// CertificateInfo bits 2:0, the certificate model of a slot (DSP0274 1.3 Table "CertificateInfo").
public struct CertificateModel: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The slot holds a key but no certificate chain.
    public static let none = Self(rawValue: 0)
    /// The leaf is the device certificate.
    public static let deviceCert = Self(rawValue: 1)
    /// The chain ends at the device certificate CA; the device adds its alias certificates.
    public static let aliasCert = Self(rawValue: 2)
    /// A chain of another kind (not allowed in slot 0).
    public static let genericCert = Self(rawValue: 3)

    public static let mask: UInt8 = 0x07

    public var isDefined: Bool { rawValue <= 3 }
    public var description: String {
        switch rawValue {
        case 0: return "none"
        case 1: return "device"
        case 2: return "alias"
        case 3: return "generic"
        default: return "model\(rawValue)"
        }
    }
}

/// SET_KEY_PAIR_INFO Operation (Param1).
public struct KeyPairOperation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let change = Self(rawValue: 0)
    public static let erase = Self(rawValue: 1)
    public static let generate = Self(rawValue: 2)
    public var description: String {
        switch rawValue {
        case 0: return "change"
        case 1: return "erase"
        case 2: return "generate"
        default: return "operation\(rawValue)"
        }
    }
}

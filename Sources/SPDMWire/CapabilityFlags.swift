/// The 32-bit Flags field of GET_CAPABILITIES / CAPABILITIES (DSP0274 Tables "Requester flag fields"
/// and "Responder flag fields"). Requester and Responder share bit positions.
public struct CapabilityFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let cache = CapabilityFlags(rawValue: 1 << 0)
    public static let cert = CapabilityFlags(rawValue: 1 << 1)
    public static let chal = CapabilityFlags(rawValue: 1 << 2)
    /// MEAS_CAP is a two-bit field (bits 3-4): 01b measurements without signature, 10b with signature.
    public static let measNoSignature = CapabilityFlags(rawValue: 1 << 3)
    public static let measWithSignature = CapabilityFlags(rawValue: 1 << 4)
    public static let measFresh = CapabilityFlags(rawValue: 1 << 5)
    public static let encrypt = CapabilityFlags(rawValue: 1 << 6)
    public static let mac = CapabilityFlags(rawValue: 1 << 7)
    public static let mutAuth = CapabilityFlags(rawValue: 1 << 8)
    public static let keyEx = CapabilityFlags(rawValue: 1 << 9)
    /// PSK_CAP is a two-bit field (bits 10-11). For a Requester only 01b is valid; for a
    /// Responder 01b means PSK without, 10b PSK with Responder context.
    public static let pskWithoutContext = CapabilityFlags(rawValue: 1 << 10)
    public static let pskWithContext = CapabilityFlags(rawValue: 1 << 11)
    public static let encap = CapabilityFlags(rawValue: 1 << 12)
    public static let heartbeat = CapabilityFlags(rawValue: 1 << 13)
    public static let keyUpdate = CapabilityFlags(rawValue: 1 << 14)
    public static let handshakeInTheClear = CapabilityFlags(rawValue: 1 << 15)
    public static let pubKeyID = CapabilityFlags(rawValue: 1 << 16)
    public static let chunk = CapabilityFlags(rawValue: 1 << 17)
    public static let aliasCert = CapabilityFlags(rawValue: 1 << 18)
    public static let setCert = CapabilityFlags(rawValue: 1 << 19)
    public static let csr = CapabilityFlags(rawValue: 1 << 20)
    public static let certInstallReset = CapabilityFlags(rawValue: 1 << 21)
    public static let endpointInfoNoSignature = CapabilityFlags(rawValue: 1 << 22)
    public static let endpointInfoWithSignature = CapabilityFlags(rawValue: 1 << 23)
    public static let mel = CapabilityFlags(rawValue: 1 << 24)
    public static let event = CapabilityFlags(rawValue: 1 << 25)
    public static let multiKeyOnly = CapabilityFlags(rawValue: 1 << 26)
    public static let multiKeyNegotiated = CapabilityFlags(rawValue: 1 << 27)
    public static let getKeyPairInfo = CapabilityFlags(rawValue: 1 << 28)
    public static let setKeyPairInfo = CapabilityFlags(rawValue: 1 << 29)
    public static let setKeyPairReset = CapabilityFlags(rawValue: 1 << 30)
    public static let largeResponse = CapabilityFlags(rawValue: 1 << 31)

    public static let measurementsAny: CapabilityFlags = [.measNoSignature, .measWithSignature]
    public static let pskAny: CapabilityFlags = [.pskWithoutContext, .pskWithContext]

    /// The bits a Responder may set at each version (later versions add bits).
    public static func responderMask(for version: SPDMVersion) -> CapabilityFlags {
        switch version {
        case ..<SPDMVersion.v11: return CapabilityFlags(rawValue: 0x0000_003F)
        case SPDMVersion.v11: return CapabilityFlags(rawValue: 0x0001_FFFF)
        case SPDMVersion.v12: return CapabilityFlags(rawValue: 0x003F_FFFF)
        case SPDMVersion.v13: return CapabilityFlags(rawValue: 0x3FFF_FFFF)
        default: return CapabilityFlags(rawValue: 0xFFFF_FFFF)
        }
    }

    /// Flag names as used in config files and `spdmctl` output.
    public static let namedFlags: [(String, CapabilityFlags)] = [
        ("CACHE", .cache), ("CERT", .cert), ("CHAL", .chal), ("MEAS_NO_SIG", .measNoSignature),
        ("MEAS_SIG", .measWithSignature), ("MEAS_FRESH", .measFresh), ("ENCRYPT", .encrypt), ("MAC", .mac),
        ("MUT_AUTH", .mutAuth), ("KEY_EX", .keyEx), ("PSK", .pskWithoutContext), ("PSK_WITH_CONTEXT", .pskWithContext),
        ("ENCAP", .encap), ("HBEAT", .heartbeat), ("KEY_UPD", .keyUpdate), ("HANDSHAKE_IN_THE_CLEAR", .handshakeInTheClear),
        ("PUB_KEY_ID", .pubKeyID), ("CHUNK", .chunk), ("ALIAS_CERT", .aliasCert), ("SET_CERT", .setCert),
        ("CSR", .csr), ("CERT_INSTALL_RESET", .certInstallReset), ("EP_INFO_NO_SIG", .endpointInfoNoSignature),
        ("EP_INFO_SIG", .endpointInfoWithSignature), ("MEL", .mel), ("EVENT", .event),
        ("MULTI_KEY_ONLY", .multiKeyOnly), ("MULTI_KEY_NEG", .multiKeyNegotiated),
        ("GET_KEY_PAIR_INFO", .getKeyPairInfo), ("SET_KEY_PAIR_INFO", .setKeyPairInfo),
        ("SET_KEY_PAIR_RESET", .setKeyPairReset), ("LARGE_RESP", .largeResponse),
    ]

    public init?(names: [String]) {
        var flags: CapabilityFlags = []
        for name in names {
            guard let match = Self.namedFlags.first(where: { $0.0 == name.uppercased() }) else { return nil }
            flags.insert(match.1)
        }
        self = flags
    }

    public var names: [String] { Self.namedFlags.filter { contains($0.1) }.map(\.0) }
}

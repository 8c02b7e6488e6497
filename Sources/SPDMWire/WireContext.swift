/// What a decoder must know beyond the bytes: the negotiated version and the sizes of the
/// variable-length fields that the negotiated algorithms fix (hash, signature, measurement hash).
public struct WireContext: Hashable, Sendable {
    public var version: SPDMVersion
    public var hashSize: Int
    public var signatureSize: Int
    public var measurementHashSize: Int
    /// A multi-key connection for the sender of the DIGESTS being coded (DSP0274 1.3 MULTI_KEY_CONN_RSP
    /// for the responder's, MULTI_KEY_CONN_REQ for an encapsulated DIGESTS of the requester): each slot
    /// then also carries KeyPairID, CertificateInfo and KeyUsageMask.
    public var multiKeyConnection: Bool

    public init(version: SPDMVersion, hashSize: Int = 0, signatureSize: Int = 0, measurementHashSize: Int = 0,
                multiKeyConnection: Bool = false) {
        self.version = version
        self.hashSize = hashSize
        self.signatureSize = signatureSize
        self.measurementHashSize = measurementHashSize
        self.multiKeyConnection = multiKeyConnection
    }

    /// The context before algorithms are negotiated (VERSION / CAPABILITIES / ALGORITHMS exchanges).
    public static func unnegotiated(_ version: SPDMVersion) -> WireContext { WireContext(version: version) }
}

/// A PDU that can be encoded by appending to a byte array.
public protocol SPDMEncodable: Sendable {
    func encode(into out: inout [UInt8], context: WireContext)
}

/// A PDU codec in the style of swift-asn1: decode from a complete message, encode by appending.
/// (Responses whose shape depends on the request, such as CHALLENGE_AUTH, have their own decoders.)
public protocol SPDMMessage: SPDMEncodable {
    init(decoding bytes: [UInt8], context: WireContext) throws
}

extension SPDMEncodable {
    public func encoded(context: WireContext) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        encode(into: &out, context: context)
        return out
    }
}

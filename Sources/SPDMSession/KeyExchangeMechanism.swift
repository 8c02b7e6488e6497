import SPDMCore
import SPDMCrypto

/// How KEY_EXCHANGE agrees on the session's shared secret (DSP0274 §10.15): an ephemeral DHE exchange,
/// or from SPDM 1.4 a key encapsulation mechanism (ALGORITHMS KEMAlg). The ExchangeData fields carry no
/// length; their sizes follow from the mechanism:
///
///     mechanism      KEY_EXCHANGE ExchangeData        KEY_EXCHANGE_RSP ExchangeData     secret
///     DHE            the requester's public value     the responder's public value      Z (group size)
///     ML-KEM-768     encapsulation key ek, 1184 B     ciphertext c, 1088 B              K, 32 B
///     ML-KEM-1024    encapsulation key ek, 1568 B     ciphertext c, 1568 B              K, 32 B
///
/// The secret takes the DHE secret's place in the key schedule; transcripts and the rest of the
/// handshake are unchanged.
public enum KeyExchangeMechanism: Hashable, Sendable, CustomStringConvertible {
    case dhe(DHEGroup)
    case kem(KEMAlgorithm)

    /// The negotiated mechanism; nil when ALGORITHMS selected neither.
    public init?(_ algorithms: NegotiatedAlgorithms) {
        if let kem = algorithms.kem {
            self = .kem(kem)
        } else if let group = DHEGroup(algorithms.dhe) {
            self = .dhe(group)
        } else {
            return nil
        }
    }

    /// Bytes of KEY_EXCHANGE's ExchangeData.
    public var requestExchangeDataSize: Int {
        switch self {
        case .dhe(let group): return group.exchangeDataSize
        case .kem(let kem): return kem.encapsulationKeySize
        }
    }

    /// Bytes of KEY_EXCHANGE_RSP's ExchangeData.
    public var responseExchangeDataSize: Int {
        switch self {
        case .dhe(let group): return group.exchangeDataSize
        case .kem(let kem): return kem.ciphertextSize
        }
    }

    public var description: String {
        switch self {
        case .dhe(let group): return group.rawValue
        case .kem(let kem): return kem.displayName
        }
    }

    /// The responder's side: from the requester's ExchangeData, the response's ExchangeData and the
    /// shared secret (secret: `secureZero` it once the key schedule has it). Throws on a peer's
    /// malformed or invalid exchange data.
    public func respond(toRequesterExchangeData requesterData: [UInt8]) throws -> (exchangeData: [UInt8], sharedSecret: [UInt8]) {
        switch self {
        case .dhe(let group):
            let keyPair = try DHEKeyPair(group: group)
            return (keyPair.exchangeData, try keyPair.sharedSecret(peerExchangeData: requesterData))
        case .kem(let kem):
            let encapsulation = try KEMEncapsulationKey(algorithm: kem, encapsulationKey: requesterData).encapsulate()
            return (encapsulation.ciphertext, encapsulation.sharedSecret)
        }
    }
}

/// The requester's side of one KEY_EXCHANGE: a fresh DHE or KEM key pair whose public half is the
/// request's ExchangeData.
public struct KeyExchangeInitiator: Sendable {
    enum Keys: Sendable {
        case dhe(DHEKeyPair)
        case kem(KEMKeyPair)
    }

    public let mechanism: KeyExchangeMechanism
    let keys: Keys

    public init(_ mechanism: KeyExchangeMechanism) throws {
        self.mechanism = mechanism
        switch mechanism {
        case .dhe(let group): keys = .dhe(try DHEKeyPair(group: group))
        case .kem(let kem): keys = .kem(try KEMKeyPair(algorithm: kem))
        }
    }

    /// KEY_EXCHANGE's ExchangeData: the DHE public value or the KEM encapsulation key.
    public var exchangeData: [UInt8] {
        switch keys {
        case .dhe(let keyPair): return keyPair.exchangeData
        case .kem(let keyPair): return keyPair.encapsulationKey
        }
    }

    /// The shared secret from KEY_EXCHANGE_RSP's ExchangeData (DHE agreement or KEM decapsulation).
    public func sharedSecret(responderExchangeData responderData: [UInt8]) throws -> [UInt8] {
        switch keys {
        case .dhe(let keyPair): return try keyPair.sharedSecret(peerExchangeData: responderData)
        case .kem(let keyPair): return try keyPair.decapsulate(responderData)
        }
    }
}

import SPDMCrypto
import SPDMWire

/// The SPDM key schedule (DSP0274 §"Key schedule"; labels and layout agree with libspdm):
///
///     BinConcat(Length, Label, Context) = Length (u16 LE) || "spdm1.X " || Label || Context
///       "spdm1.X " carries the negotiated SPDM version (1.1 -> "spdm1.1 ", 1.3 -> "spdm1.3 ")
///
///     HandshakeSecret  = HKDF-Extract(salt_0, DHE secret or PSK)
///                        salt_0 = 0^H; for a PSK session at 1.3+ salt_0 = 0xFF^H
///     {req,rsp} handshake secret = HKDF-Expand(HandshakeSecret, BinConcat(H, "req hs data"/"rsp hs data", TH1), H)
///     salt_1           = HKDF-Expand(HandshakeSecret, BinConcat(H, "derived"), H)
///     MasterSecret     = HKDF-Extract(salt_1, 0^H)
///     {req,rsp} data secret = HKDF-Expand(MasterSecret, BinConcat(H, "req app data"/"rsp app data", TH2), H)
///     ExportMasterSecret    = HKDF-Expand(MasterSecret, BinConcat(H, "exp master", TH2), H)
///     finished_key     = HKDF-Expand(handshake secret, BinConcat(H, "finished"), H)
///     EncryptionKey    = HKDF-Expand(secret, BinConcat(keyLen, "key"), keyLen)
///     IV (salt)        = HKDF-Expand(secret, BinConcat(ivLen, "iv"), ivLen)
///     KEY_UPDATE:  new secret = HKDF-Expand(old secret, BinConcat(H, "traffic upd"), H)
public struct KeySchedule: Sendable, Hashable {
    public var hash: HashAlgorithm
    public var aead: AEADAlgorithm
    public var version: SPDMVersion

    public init(hash: HashAlgorithm, aead: AEADAlgorithm, version: SPDMVersion) {
        self.hash = hash
        self.aead = aead
        self.version = version
    }

    public static let labelDerived = "derived"
    public static let labelRequestHandshake = "req hs data"
    public static let labelResponseHandshake = "rsp hs data"
    public static let labelRequestData = "req app data"
    public static let labelResponseData = "rsp app data"
    public static let labelKey = "key"
    public static let labelIV = "iv"
    public static let labelFinished = "finished"
    public static let labelExportMaster = "exp master"
    public static let labelTrafficUpdate = "traffic upd"

    public func binConcat(length: Int, label: String, context: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.appendU16(UInt16(length))
        out += Array("spdm\(version.major).\(version.minor) ".utf8)
        out += Array(label.utf8)
        out += context
        return out
    }

    private func expand(_ secret: [UInt8], _ label: String, context: [UInt8] = [], length: Int? = nil) -> [UInt8] {
        let count = length ?? hash.digestSize
        return HKDF.expand(hash, pseudoRandomKey: secret, info: binConcat(length: count, label: label, context: context),
                           outputCount: count)
    }

    /// HandshakeSecret from a DHE shared secret.
    public func handshakeSecret(dheSecret: [UInt8]) -> [UInt8] {
        HKDF.extract(hash, salt: [UInt8](repeating: 0, count: hash.digestSize), inputKeyMaterial: dheSecret)
    }

    /// HandshakeSecret from a pre-shared key (salt_0 is all 0xFF from SPDM 1.3 on).
    public func handshakeSecret(psk: [UInt8]) -> [UInt8] {
        let salt = [UInt8](repeating: version >= .v13 ? 0xFF : 0x00, count: hash.digestSize)
        return HKDF.extract(hash, salt: salt, inputKeyMaterial: psk)
    }

    public func requestHandshakeSecret(_ handshakeSecret: [UInt8], th1: [UInt8]) -> [UInt8] {
        expand(handshakeSecret, Self.labelRequestHandshake, context: th1)
    }

    public func responseHandshakeSecret(_ handshakeSecret: [UInt8], th1: [UInt8]) -> [UInt8] {
        expand(handshakeSecret, Self.labelResponseHandshake, context: th1)
    }

    public func finishedKey(_ directionSecret: [UInt8]) -> [UInt8] {
        expand(directionSecret, Self.labelFinished)
    }

    public func masterSecret(_ handshakeSecret: [UInt8]) -> [UInt8] {
        let salt1 = expand(handshakeSecret, Self.labelDerived)
        return HKDF.extract(hash, salt: salt1, inputKeyMaterial: [UInt8](repeating: 0, count: hash.digestSize))
    }

    public func requestDataSecret(_ masterSecret: [UInt8], th2: [UInt8]) -> [UInt8] {
        expand(masterSecret, Self.labelRequestData, context: th2)
    }

    public func responseDataSecret(_ masterSecret: [UInt8], th2: [UInt8]) -> [UInt8] {
        expand(masterSecret, Self.labelResponseData, context: th2)
    }

    public func exportMasterSecret(_ masterSecret: [UInt8], th2: [UInt8]) -> [UInt8] {
        expand(masterSecret, Self.labelExportMaster, context: th2)
    }

    /// The next major secret of one direction (KEY_UPDATE).
    public func updatedSecret(_ secret: [UInt8]) -> [UInt8] {
        expand(secret, Self.labelTrafficUpdate)
    }

    /// The AEAD key and IV of a major secret; the sequence number starts at 0.
    public func trafficKeys(_ secret: [UInt8]) -> TrafficKeys {
        TrafficKeys(secret: secret, key: expand(secret, Self.labelKey, length: aead.keySize),
                    iv: expand(secret, Self.labelIV, length: aead.ivSize))
    }

    /// HMAC(finished_key, transcript hash): the verify data of KEY_EXCHANGE_RSP, FINISH, FINISH_RSP,
    /// PSK_EXCHANGE_RSP and PSK_FINISH.
    public func verifyData(finishedKey: [UInt8], transcriptHash: [UInt8]) -> [UInt8] {
        HMAC.authenticate(hash, key: finishedKey, data: transcriptHash)
    }
}

/// One direction's record protection: the major secret, the AEAD key, the IV (salt) and the 64-bit
/// sequence number of the next record.
public struct TrafficKeys: Sendable {
    public var secret: [UInt8]
    public var key: [UInt8]
    public var iv: [UInt8]
    public var sequenceNumber: UInt64 = 0

    public init(secret: [UInt8], key: [UInt8], iv: [UInt8], sequenceNumber: UInt64 = 0) {
        self.secret = secret
        self.key = key
        self.iv = iv
        self.sequenceNumber = sequenceNumber
    }

    /// The per-record nonce: the IV with the sequence number XORed little-endian into its first
    /// 8 bytes (DSP0277 1.2; libspdm's default for 1.0/1.1 too).
    public func nonce(_ sequence: UInt64) -> [UInt8] {
        var nonce = iv
        for i in 0..<8 { nonce[i] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(i))) }
        return nonce
    }
}

import SPDMCrypto
import SPDMWire

/// How a transport binding frames DSP0277 secured messages.
public struct SecuredMessageFormat: Sendable, Hashable {
    /// Bytes of the sequence number in the record header (MCTP 2, PCI-DOE 0).
    public var sequenceNumberSize: Int
    /// Most random padding bytes after the application data (MCTP 32, PCI-DOE 0).
    public var maxRandomPadding: Int

    public init(sequenceNumberSize: Int, maxRandomPadding: Int) {
        self.sequenceNumberSize = sequenceNumberSize
        self.maxRandomPadding = maxRandomPadding
    }

    public static let mctp = SecuredMessageFormat(sequenceNumberSize: 2, maxRandomPadding: 32)
    public static let pciDOE = SecuredMessageFormat(sequenceNumberSize: 0, maxRandomPadding: 0)

    public var headerSize: Int { 4 + sequenceNumberSize + 2 }
}

/// Why a secured record was dropped.
public enum SecuredMessageError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case lengthMismatch
    case authenticationFailed
    case sequenceNumberMismatch
    case sequenceNumberExhausted
    case malformedPlaintext
    /// The record would not fit its u16 Length field (nor the u16 ApplicationDataLength).
    case recordTooLarge(bytes: Int)

    public var description: String {
        switch self {
        case .truncated: return "secured message shorter than its header"
        case .lengthMismatch: return "secured message Length does not match"
        case .authenticationFailed: return "secured message MAC did not verify"
        case .sequenceNumberMismatch: return "secured message sequence number out of order"
        case .sequenceNumberExhausted: return "sequence number space exhausted"
        case .malformedPlaintext: return "secured message application data length out of range"
        case .recordTooLarge(let bytes): return "secured message of \(bytes) bytes after its header, over the 65535 its Length field holds"
        }
    }
}

/// The DSP0277 secured message record:
///
///     +0 SessionID (u32 LE) | +4 SequenceNumber (format.sequenceNumberSize bytes, LE, low bits of the
///     64-bit counter) | Length (u16 LE: everything after it, MAC included)
///     encrypt+MAC:  AEAD( ApplicationDataLength u16 || ApplicationData || random padding ) || MAC(16)
///     MAC only:     ApplicationData || MAC(16)       (authenticated as AAD, sent in the clear)
///     AAD = the record header (SessionID .. Length), plus the application data when MAC only.
///     nonce = IV xor the 64-bit sequence number
public enum SecuredMessage {
    /// The session id of a record, without authenticating anything.
    public static func sessionID(of record: [UInt8]) -> UInt32? {
        guard record.count >= 4 else { return nil }
        return UInt32(record[0]) | UInt32(record[1]) << 8 | UInt32(record[2]) << 16 | UInt32(record[3]) << 24
    }

    public static func encode(sessionID: UInt32, applicationData: [UInt8], keys: inout TrafficKeys,
                              aead: AEADAlgorithm, encrypt: Bool, format: SecuredMessageFormat,
                              padding: [UInt8] = []) throws -> [UInt8] {
        guard keys.sequenceNumber != UInt64.max else { throw SecuredMessageError.sequenceNumberExhausted }
        // Length (u16) covers everything after it: {ApplicationDataLength, data, padding} + MAC when
        // encrypting, data + MAC when MAC-only. Refuse what it cannot describe before sealing anything.
        let usedPadding = encrypt ? min(padding.count, format.maxRandomPadding) : 0
        let length = (encrypt ? 2 + usedPadding : 0) + applicationData.count + aead.tagSize
        guard length <= Int(UInt16.max) else { throw SecuredMessageError.recordTooLarge(bytes: length) }
        let sequence = keys.sequenceNumber
        var header: [UInt8] = []
        header.appendU32(sessionID)
        for i in 0..<format.sequenceNumberSize { header.append(UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(i)))) }
        let nonce = keys.nonce(sequence)
        let record: [UInt8]
        if encrypt {
            var plaintext: [UInt8] = []
            plaintext.appendU16(UInt16(applicationData.count))
            plaintext += applicationData
            plaintext += padding.prefix(format.maxRandomPadding)
            header.appendU16(UInt16(plaintext.count + aead.tagSize))
            let sealed = try AEAD.seal(aead, key: keys.key, iv: nonce, aad: header, plaintext: plaintext)
            secureZero(&plaintext)
            record = header + sealed
        } else {
            header.appendU16(UInt16(applicationData.count + aead.tagSize))
            let tag = try AEAD.seal(aead, key: keys.key, iv: nonce, aad: header + applicationData, plaintext: [])
            record = header + applicationData + tag
        }
        keys.sequenceNumber += 1
        return record
    }

    /// Authenticates and opens a record; the sequence number advances only when it verifies.
    public static func decode(_ record: [UInt8], keys: inout TrafficKeys, aead: AEADAlgorithm, encrypt: Bool,
                              format: SecuredMessageFormat) throws -> [UInt8] {
        let headerSize = format.headerSize
        guard record.count >= headerSize + aead.tagSize else { throw SecuredMessageError.truncated }
        let sequence = keys.sequenceNumber
        guard sequence != UInt64.max else { throw SecuredMessageError.sequenceNumberExhausted }
        for i in 0..<format.sequenceNumberSize where record[4 + i] != UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(i))) {
            throw SecuredMessageError.sequenceNumberMismatch
        }
        let length = Int(record[headerSize - 2]) | Int(record[headerSize - 1]) << 8
        guard length >= aead.tagSize, headerSize + length <= record.count else { throw SecuredMessageError.lengthMismatch }
        let header = Array(record[0..<headerSize])
        let body = Array(record[headerSize..<(headerSize + length)])
        let nonce = keys.nonce(sequence)
        let applicationData: [UInt8]
        do {
            if encrypt {
                var plaintext = try AEAD.open(aead, key: keys.key, iv: nonce, aad: header, sealed: body)
                defer { secureZero(&plaintext) }
                guard plaintext.count >= 2 else { throw SecuredMessageError.malformedPlaintext }
                let appLength = Int(plaintext[0]) | Int(plaintext[1]) << 8
                guard appLength <= plaintext.count - 2 else { throw SecuredMessageError.malformedPlaintext }
                applicationData = Array(plaintext[2..<(2 + appLength)])
            } else {
                let data = Array(body.dropLast(aead.tagSize))
                _ = try AEAD.open(aead, key: keys.key, iv: nonce, aad: header + data, sealed: Array(body.suffix(aead.tagSize)))
                applicationData = data
            }
        } catch is AEADAuthenticationError {
            throw SecuredMessageError.authenticationFailed
        }
        keys.sequenceNumber += 1
        return applicationData
    }
}

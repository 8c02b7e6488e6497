import SPDMDevice
import SPDMWire

/// The byte-level rewrites of a response, pure functions of the response, the request and the
/// rule's seeded generator. Each returns nil when the action does not apply to this response
/// (the reason goes to the log instead).
enum ResponseFaults {
    /// The sizes corrupt:signature needs, from the connection's negotiated algorithms.
    struct SignatureGeometry: Sendable {
        /// Signature bytes of the negotiated BaseAsymAlgo.
        var signature: Int
        /// ResponderVerifyData bytes after KEY_EXCHANGE_RSP's signature (0 with HANDSHAKE_IN_THE_CLEAR).
        var keyExchangeVerifyData: Int
        /// Digest bytes of the negotiated BaseHashAlgo (CertChainHash, verify data).
        var hash: Int
    }

    enum Rewrite: Equatable {
        case bytes([UInt8])
        case notApplicable(String)
    }

    static func truncate(_ response: [UInt8], to length: Int) -> Rewrite {
        guard length < response.count else { return .notApplicable("the response is only \(response.count) bytes") }
        return .bytes(Array(response.prefix(length)))
    }

    static func invert(_ response: [UInt8], at offset: Int) -> Rewrite {
        guard offset >= 0, offset < response.count else {
            return .notApplicable("offset \(offset) is beyond the \(response.count)-byte response")
        }
        var out = response
        out[offset] ^= 0xFF
        return .bytes(out)
    }

    /// Another SPDMVersion: 1.1 for a 1.0 message, 1.0 for any other (DSP0274 §9.1 byte 0).
    static func wrongVersion(_ response: [UInt8]) -> Rewrite {
        guard !response.isEmpty else { return .notApplicable("empty response") }
        var out = response
        out[0] = out[0] == 0x10 ? 0x11 : 0x10
        return .bytes(out)
    }

    /// Another RequestResponseCode: the code with its lowest bit flipped (CHALLENGE_AUTH 0x03 becomes
    /// CERTIFICATE 0x02, MEASUREMENTS 0x60 becomes 0x61, ERROR 0x7F becomes 0x7E).
    static func wrongCode(_ response: [UInt8]) -> Rewrite {
        guard response.count >= 2 else { return .notApplicable("response shorter than its header") }
        var out = response
        out[1] ^= 0x01
        return .bytes(out)
    }

    /// Each byte replaced with probability `rate` by another byte from `random`.
    static func mutate(_ response: [UInt8], rate: Double, random: inout FaultRandom) -> Rewrite {
        var out = response
        for index in out.indices where random.unit() < rate {
            out[index] ^= random.nonZeroByte()
        }
        return .bytes(out)
    }

    /// Inverts the first byte of the Signature field: the last field of CHALLENGE_AUTH (DSP0274
    /// §10.8) and of signed MEASUREMENTS (§10.11); in KEY_EXCHANGE_RSP (§10.15) it is followed by
    /// ResponderVerifyData unless the handshake is in the clear.
    static func corruptSignature(_ response: [UInt8], request: [UInt8], geometry: SignatureGeometry?) -> Rewrite {
        guard response.count >= 2, let geometry else { return .notApplicable("no signature algorithm negotiated") }
        let end: Int
        switch ResponseCode(rawValue: response[1]) {
        case .challengeAuth:
            end = response.count
        case .measurements where request.count > 2 && request[2] & 0x01 != 0:
            end = response.count
        case .keyExchangeRsp:
            end = response.count - geometry.keyExchangeVerifyData
        default:
            return .notApplicable("\(ResponseCode(rawValue: response[1])) carries no signature")
        }
        return invert(response, at: end - geometry.signature)
    }

    /// Inverts the first byte of the Nonce: after CertChainHash in CHALLENGE_AUTH (DSP0274 §10.8),
    /// after the measurement record in MEASUREMENTS (§10.11); KEY_EXCHANGE_RSP's RandomData (§10.15).
    static func corruptNonce(_ response: [UInt8], geometry: SignatureGeometry?) -> Rewrite {
        guard response.count >= 8, let geometry else { return .notApplicable("no algorithms negotiated") }
        switch ResponseCode(rawValue: response[1]) {
        case .challengeAuth:
            return invert(response, at: 4 + geometry.hash)
        case .measurements:
            let recordLength = Int(response[5]) | Int(response[6]) << 8 | Int(response[7]) << 16
            return invert(response, at: 8 + recordLength)
        case .keyExchangeRsp:
            return invert(response, at: 8)
        default:
            return .notApplicable("\(ResponseCode(rawValue: response[1])) carries no nonce")
        }
    }

    /// Inverts the first byte of ResponderVerifyData, the last field of KEY_EXCHANGE_RSP (unless the
    /// handshake is in the clear), PSK_EXCHANGE_RSP and FINISH_RSP (DSP0274 §10.15-§10.18).
    static func corruptVerifyData(_ response: [UInt8], geometry: SignatureGeometry?) -> Rewrite {
        guard response.count >= 2, let geometry else { return .notApplicable("no algorithms negotiated") }
        switch ResponseCode(rawValue: response[1]) {
        case .keyExchangeRsp where geometry.keyExchangeVerifyData > 0, .pskExchangeRsp, .finishRsp:
            guard response.count >= 4 + geometry.hash else { return .notApplicable("FINISH_RSP without verify data") }
            return invert(response, at: response.count - geometry.hash)
        default:
            return .notApplicable("\(ResponseCode(rawValue: response[1])) carries no ResponderVerifyData here")
        }
    }

    /// Inverts a byte of the secured record's MAC: its last 16 bytes (DSP0277 AEAD tag).
    static func corruptMAC(_ record: [UInt8]) -> Rewrite {
        guard record.count >= 16 else { return .notApplicable("a record shorter than its MAC") }
        return invert(record, at: record.count - 1)
    }
}

import SPDMWire

/// What a fault rule does to a request or to its response. `description` is the action as written
/// in a rule ("delay:300"), and is what logs (SPDM_FAULT) and the metric's `action` label show.
public enum FaultAction: Sendable, Hashable, CustomStringConvertible {
    /// ERROR(ResponseNotReady) with RDExponent and RDTM; the real response (already built, and in
    /// the transcript) is delivered on the matching RESPOND_IF_READY (DSP0274 §10.13).
    case notReady(rdExponent: UInt8, rdtm: UInt8)
    /// ERROR(Busy) instead of handling the request; the requester's retry is handled normally.
    case busy
    /// ERROR(code) instead of handling the request.
    case error(ErrorCode)
    /// The response is withheld this many milliseconds; later requests wait behind it.
    case delay(milliseconds: Int)
    /// The response is never sent; the connection stays open.
    case drop
    /// The connection is closed instead of answering.
    case close
    /// Only the first n bytes of the response are sent.
    case truncate(Int)
    /// The byte at this offset of the response is inverted.
    case corruptByte(offset: Int)
    /// A byte of the signature of CHALLENGE_AUTH, signed MEASUREMENTS or KEY_EXCHANGE_RSP is inverted.
    case corruptSignature
    /// A byte of the secured record's MAC (its last 16 bytes, DSP0277) is inverted.
    case corruptMAC
    /// A byte of the Nonce of CHALLENGE_AUTH or MEASUREMENTS, or of KEY_EXCHANGE_RSP's RandomData, is inverted.
    case corruptNonce
    /// A byte of the ResponderVerifyData of KEY_EXCHANGE_RSP, PSK_EXCHANGE_RSP or FINISH_RSP (in the clear) is inverted.
    case corruptVerifyData
    /// The device answers from another value than configured for this index: MEASUREMENTS and the
    /// measurement summary hashes (CHALLENGE_AUTH, KEY_EXCHANGE_RSP) agree, signed correctly.
    case tamperMeasurement(index: UInt8)
    /// The device answers from certificate chains with a byte of each leaf's signature flipped:
    /// CERTIFICATE serves them, and DIGESTS and CertChainHash hash them on the requests the rule fires on.
    case tamperChain
    /// The response's SPDMVersion byte is another version.
    case wrongVersion
    /// The response's RequestResponseCode is another code.
    case wrongCode
    /// The response is sent twice.
    case duplicate
    /// The previous response to the same request code on this connection is sent again.
    case replay
    /// Each byte of the response is replaced, with this probability, by a seeded random other byte.
    case mutate(rate: Double)

    /// ResponseNotReady's defaults: RDExponent 1, and RDTM 2, the least DSP0274 allows (the
    /// multiplier is greater than 1; DMTF's requester refuses 1).
    public static let defaultRDExponent: UInt8 = 1
    public static let minimumRDTM: UInt8 = 2

    public var description: String {
        switch self {
        case let .notReady(exponent, rdtm):
            return exponent == Self.defaultRDExponent && rdtm == Self.minimumRDTM ? "not_ready" : "not_ready:\(exponent):\(rdtm)"
        case .busy: return "busy"
        case .error(let code): return "error:\(code)"
        case .delay(let milliseconds): return "delay:\(milliseconds)"
        case .drop: return "drop"
        case .close: return "close"
        case .truncate(let n): return "truncate:\(n)"
        case .corruptByte(let offset): return "corrupt:byte:\(offset)"
        case .corruptSignature: return "corrupt:signature"
        case .corruptMAC: return "corrupt:mac"
        case .corruptNonce: return "corrupt:nonce"
        case .corruptVerifyData: return "corrupt:verify_data"
        case .tamperMeasurement(let index): return "tamper:measurement:\(index)"
        case .tamperChain: return "tamper:chain"
        case .wrongVersion: return "wrong_version"
        case .wrongCode: return "wrong_code"
        case .duplicate: return "duplicate"
        case .replay: return "replay"
        case .mutate(let rate): return "mutate:\(rate)"
        }
    }

    /// Where an action can act. Actions that answer instead of the device or change what it answers
    /// from work on requests in the clear; the MAC exists only in a session; the rest work in both
    /// (in a session the message rewrites act on the plaintext before sealing, the others on the
    /// secured record as sent).
    public enum Scope: Sendable {
        case clear, session, both

        func allows(inSession: Bool) -> Bool {
            switch self {
            case .clear: return !inSession
            case .session: return inSession
            case .both: return true
            }
        }
    }

    public var scope: Scope {
        switch self {
        case .tamperMeasurement, .tamperChain: return .clear
        case .corruptMAC: return .session
        case .notReady, .busy, .error, .delay, .drop, .close, .duplicate, .replay, .truncate, .corruptByte, .corruptSignature,
             .corruptNonce, .corruptVerifyData, .wrongVersion, .wrongCode, .mutate:
            return .both
        }
    }

    /// Actions that change what the device answers from (for the requests the rule fires on).
    public var changesDevice: Bool {
        switch self {
        case .tamperMeasurement, .tamperChain: return true
        default: return false
        }
    }

    /// Rewrites of an SPDM message's bytes (in a session: of the plaintext, before it is sealed).
    public var rewritesMessage: Bool {
        switch self {
        case .truncate, .corruptByte, .corruptSignature, .corruptNonce, .corruptVerifyData, .wrongVersion, .wrongCode, .mutate: return true
        default: return false
        }
    }

    /// Busy and error answer instead of the device: the request never reaches the state machine.
    public var replacesHandling: Bool {
        switch self {
        case .busy, .error: return true
        default: return false
        }
    }
}

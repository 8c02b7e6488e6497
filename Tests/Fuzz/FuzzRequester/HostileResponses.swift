import SPDMFuzzSupport
import SPDMRequester

/// Turns the rest of a fuzz input into changes to the responses the requester receives. Each
/// directive is a mode byte and a length-prefixed operand (u16 LE); once the input is used up,
/// responses pass unchanged.
struct HostileResponses {
    enum Mode: UInt8, CaseIterable {
        /// The real response.
        case pass = 0
        /// The operand instead of the response.
        case replace
        /// The operand's first two bytes are an offset; the rest is XORed into the response there.
        case xor
        /// The response cut to (operand as u16) modulo its length plus one.
        case truncate
        /// The response with the operand appended.
        case extend
        /// A secured reply replaced by the operand sent in the clear (a plain reply: replaced).
        case plainInstead
    }

    var input: FuzzInput

    init(_ input: FuzzInput) { self.input = input }

    mutating func next(_ real: [UInt8]) -> [UInt8] {
        guard !input.isAtEnd else { return real }
        let mode = Mode(rawValue: input.u8() % UInt8(Mode.allCases.count)) ?? .pass
        let operand = input.lengthPrefixed()
        return apply(mode, operand, to: real)
    }

    mutating func next(_ real: SecuredReply) -> SecuredReply {
        guard !input.isAtEnd else { return real }
        let mode = Mode(rawValue: input.u8() % UInt8(Mode.allCases.count)) ?? .pass
        let operand = input.lengthPrefixed()
        switch real {
        case .plain(let bytes): return .plain(apply(mode, operand, to: bytes))
        case .secured(let record): return mode == .plainInstead ? .plain(operand) : .secured(apply(mode, operand, to: record))
        }
    }

    private func apply(_ mode: Mode, _ operand: [UInt8], to real: [UInt8]) -> [UInt8] {
        switch mode {
        case .pass: return real
        case .replace, .plainInstead: return operand
        case .xor:
            guard operand.count > 2, !real.isEmpty else { return real }
            var changed = real
            let offset = Int(operand[0]) | Int(operand[1]) << 8
            for (i, mask) in operand.dropFirst(2).enumerated() { changed[(offset + i) % changed.count] ^= mask }
            return changed
        case .truncate:
            let keep = (Int(operand.first ?? 0) | Int(operand.dropFirst().first ?? 0) << 8) % (real.count + 1)
            return Array(real.prefix(keep))
        case .extend: return real + operand
        }
    }
}

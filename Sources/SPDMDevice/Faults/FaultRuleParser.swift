import SPDMWire

/// A value of a fault rule's key, as TOML and JSON both give it.
public enum FaultValue: Sendable, Hashable, Decodable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }
}

/// A bad rule: the key at fault and why.
public struct FaultRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "key '\(key)': \(message)" }
}

extension FaultRule {
    /// The keys of a rule, the same in `[[device.fault]]` tables and in the control API's JSON.
    public static let keys: [String] = ["on", "in_session", "action", "when", "count", "seed"]

    /// The one rule parser, used by the config loader and the control API alike.
    public init(parsing fields: [String: FaultValue]) throws(FaultRuleError) {
        for key in fields.keys.sorted() where !Self.keys.contains(key) {
            throw FaultRuleError(key, "unknown key (expected one of: \(Self.keys.joined(separator: ", ")))")
        }
        let on = try Self.string("on", fields, required: true)!
        let request: RequestCode?
        if on == "*" {
            request = nil
        } else if let code = RequestCode.named(on) {
            request = code
        } else {
            throw FaultRuleError("on", "unknown request '\(on)' (use \"*\" or a name such as CHALLENGE, GET_MEASUREMENTS)")
        }
        var inSession: Bool?
        if let value = fields["in_session"] {
            guard case .bool(let bool) = value else { throw FaultRuleError("in_session", "must be true or false") }
            inSession = bool
        }
        let action = try FaultAction(parsing: Self.string("action", fields, required: true)!)
        switch (action.scope, inSession) {
        case (.clear, true?):
            throw FaultRuleError("action", "\(action) acts on messages in the clear, not inside a session")
        case (.session, false?):
            throw FaultRuleError("in_session", "\(action) acts on secured records only")
        default:
            break
        }
        let schedule = try FaultSchedule(parsing: Self.string("when", fields, required: false) ?? "always")
        let count = try Self.integer("count", fields, in: 1...Int64(Int32.max)).map(Int.init)
        let seed = try Self.integer("seed", fields, in: 0...Int64.max).map(UInt64.init)
        self.init(request: request, inSession: inSession, action: action, schedule: schedule, count: count, seed: seed)
    }

    private static func string(_ key: String, _ fields: [String: FaultValue], required: Bool) throws(FaultRuleError) -> String? {
        guard let value = fields[key] else {
            if required { throw FaultRuleError(key, "is required") }
            return nil
        }
        guard case .string(let string) = value else { throw FaultRuleError(key, "must be a string") }
        return string
    }

    private static func integer(_ key: String, _ fields: [String: FaultValue], in range: ClosedRange<Int64>) throws(FaultRuleError) -> Int64? {
        guard let value = fields[key] else { return nil }
        guard case .integer(let integer) = value else { throw FaultRuleError(key, "must be an integer") }
        guard range.contains(integer) else { throw FaultRuleError(key, "\(integer) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return integer
    }
}

extension FaultAction {
    static let vocabulary = "not_ready[:<rd_exponent>[:<rdtm>]], busy, error:<ErrorCode name>, delay:<ms>, drop, close, truncate:<n>, "
        + "corrupt:byte:<offset>, corrupt:signature, corrupt:mac, corrupt:nonce, corrupt:verify_data, tamper:measurement:<index>, tamper:chain, "
        + "wrong_version, wrong_code, duplicate, replay, mutate:<rate>"

    /// Parses an action as written in a rule ("delay:300", "error:InvalidRequest").
    public init(parsing text: String) throws(FaultRuleError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func bad(_ why: String) -> FaultRuleError { FaultRuleError("action", "'\(text)': \(why)") }
        func number(_ part: String, in range: ClosedRange<Int>, _ what: String) throws(FaultRuleError) -> Int {
            guard let value = Int(part), range.contains(value) else {
                throw bad("\(what) must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        switch (parts[0], parts.count) {
        case ("not_ready", 1...3):
            let exponent = parts.count > 1 ? try number(parts[1], in: 0...31, "rd_exponent") : Int(Self.defaultRDExponent)
            let rdtm = parts.count > 2 ? try number(parts[2], in: Int(Self.minimumRDTM)...255, "rdtm") : Int(Self.minimumRDTM)
            self = .notReady(rdExponent: UInt8(exponent), rdtm: UInt8(rdtm))
        case ("busy", 1): self = .busy
        case ("error", 2):
            guard let code = ErrorCode.named(parts[1]) else {
                throw bad("unknown error code (use a DSP0274 name such as InvalidRequest, UnexpectedRequest, Unspecified)")
            }
            self = .error(code)
        case ("delay", 2): self = .delay(milliseconds: try number(parts[1], in: 1...600_000, "the delay (ms)"))
        case ("drop", 1): self = .drop
        case ("close", 1): self = .close
        case ("truncate", 2): self = .truncate(try number(parts[1], in: 0...0x00FF_FFFF, "the length"))
        case ("corrupt", 3) where parts[1] == "byte": self = .corruptByte(offset: try number(parts[2], in: 0...0x00FF_FFFF, "the offset"))
        case ("corrupt", 2) where parts[1] == "signature": self = .corruptSignature
        case ("corrupt", 2) where parts[1] == "mac": self = .corruptMAC
        case ("corrupt", 2) where parts[1] == "nonce": self = .corruptNonce
        case ("corrupt", 2) where parts[1] == "verify_data": self = .corruptVerifyData
        case ("tamper", 2) where parts[1] == "chain": self = .tamperChain
        case ("tamper", 3) where parts[1] == "measurement":
            self = .tamperMeasurement(index: UInt8(try number(parts[2], in: 1...254, "the measurement index")))
        case ("wrong_version", 1): self = .wrongVersion
        case ("wrong_code", 1): self = .wrongCode
        case ("duplicate", 1): self = .duplicate
        case ("replay", 1): self = .replay
        case ("mutate", 2):
            guard let rate = Double(parts[1]), rate > 0, rate <= 1 else { throw bad("the rate must be a number in (0, 1]") }
            self = .mutate(rate: rate)
        default:
            throw FaultRuleError("action", "unknown action '\(text)' (expected one of: \(Self.vocabulary))")
        }
    }
}

extension FaultSchedule {
    /// Parses `when`: always, once, nth:N, every:N, probability:P.
    public init(parsing text: String) throws(FaultRuleError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts[0], parts.count) {
        case ("always", 1): self = .always
        case ("once", 1): self = .once
        case ("nth", 2), ("every", 2):
            guard let n = Int(parts[1]), n >= 1 else { throw FaultRuleError("when", "'\(text)': N must be an integer of at least 1") }
            self = parts[0] == "nth" ? .nth(n) : .every(n)
        case ("probability", 2):
            guard let p = Double(parts[1]), p >= 0, p <= 1 else { throw FaultRuleError("when", "'\(text)': P must be a number in [0, 1]") }
            self = .probability(p)
        default:
            throw FaultRuleError("when", "unknown schedule '\(text)' (expected always, once, nth:N, every:N or probability:P)")
        }
    }
}

extension RequestCode {
    /// The request code named `name` (DSP0274's names: GET_MEASUREMENTS, CHALLENGE, ...), any case.
    public static func named(_ name: String) -> RequestCode? {
        (0...255).lazy.map { RequestCode(rawValue: UInt8($0)) }.first { $0.description == name.uppercased() }
    }
}

extension ErrorCode {
    /// The error code named `name` (DSP0274's names: InvalidRequest, Busy, ...), any case.
    public static func named(_ name: String) -> ErrorCode? {
        (0...255).lazy.map { ErrorCode(rawValue: UInt8($0)) }.first { $0.description.lowercased() == name.lowercased() }
    }
}

/// A multi-byte field of a request template (little-endian, as all SPDM fields are).
struct TemplateField: Sendable {
    enum Kind: Sendable {
        /// An integer: 0, 1 and its maximum.
        case number
        /// A length or count: also values that point past the end of the message.
        case length
        /// Bytes no parser looks into (nonce, random data, DHE exchange data, verify data, hashes):
        /// all 0x00 and all 0xFF, and boundary values in its first and last byte only.
        case data
    }

    var name: String
    var offset: Int
    var width: Int
    var kind = Kind.number

    init(name: String, offset: Int, width: Int, _ kind: Kind = .number) {
        self.name = name
        self.offset = offset
        self.width = width
        self.kind = kind
    }

    static func length(_ name: String, offset: Int, width: Int) -> TemplateField { TemplateField(name: name, offset: offset, width: width, .length) }
    static func data(_ name: String, offset: Int, width: Int) -> TemplateField { TemplateField(name: name, offset: offset, width: width, .data) }
}

/// A valid request to start mutating from: its bytes, where its multi-byte fields are, and the
/// requests that must go before it on the connection (GET_CAPABILITIES needs a fresh GET_VERSION).
struct RequestTemplate: Sendable {
    var name: String
    var bytes: [UInt8]
    var fields: [TemplateField] = []
    /// Sent, unmutated, before each mutation (their replies are not checked).
    var setup: [[UInt8]] = []
    /// Seeded random mutations to add to the systematic ones.
    var randomCount = 8
    /// False for a code DSP0274 does not define: its bare header varies only in version and parameters
    /// (a changed code byte would give the same six requests for every such code).
    var definedCode = true

    var code: UInt8 { bytes[1] }
}

/// One request to send: what was done to the template, and the bytes.
struct Mutation: Sendable {
    var description: String
    var bytes: [UInt8]
}

/// SplitMix64: a small deterministic generator, so a failing mutation is reproduced by its seed.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every mutation of one template, in a fixed order:
/// - boundary values (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF) in each byte (of a data field: its first and last);
/// - 0, 1 and the maximum in each multi-byte field; length fields also one past the bytes that follow
///   them, and far past the end; data fields all 0x00 and all 0xFF;
/// - truncation to every shorter length (0 included; inside a data field only after its first byte and in its middle);
/// - extension by one byte, by many bytes, and by a large block;
/// - `randomCount` seeded random mutations (overwritten bytes, random tails, random bodies behind the header).
enum RequestMutations {
    static let boundaryBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]

    static func all(of template: RequestTemplate, seed: UInt64) -> [Mutation] {
        boundaryValues(template) + fieldValues(template) + truncations(template) + extensions(template)
            + random(template, seed: seed)
    }

    /// The bytes strictly inside data fields (their first and last byte excluded).
    static func dataInteriors(_ template: RequestTemplate) -> Set<Int> {
        Set(template.fields.filter { $0.kind == .data && $0.width > 2 }.flatMap { ($0.offset + 1)..<($0.offset + $0.width - 1) })
    }

    static func boundaryValues(_ template: RequestTemplate) -> [Mutation] {
        var skipped = dataInteriors(template)
        if !template.definedCode { skipped.insert(1) }
        var result: [Mutation] = []
        for index in template.bytes.indices where !skipped.contains(index) {
            for value in boundaryBytes where template.bytes[index] != value {
                var bytes = template.bytes
                bytes[index] = value
                result.append(Mutation(description: "byte \(index) = \(hex(value))", bytes: bytes))
            }
        }
        return result
    }

    static func fieldValues(_ template: RequestTemplate) -> [Mutation] {
        var result: [Mutation] = []
        for field in template.fields where field.offset + field.width <= template.bytes.count {
            if field.kind == .data {
                for fill: UInt8 in [0x00, 0xFF] {
                    var bytes = template.bytes
                    bytes.replaceSubrange(field.offset..<(field.offset + field.width), with: repeatElement(fill, count: field.width))
                    if bytes != template.bytes { result.append(Mutation(description: "\(field.name) all \(hex(fill))", bytes: bytes)) }
                }
                continue
            }
            let maximum = field.width >= 8 ? UInt64.max : (UInt64(1) << (8 * UInt64(field.width))) - 1
            var values: [UInt64] = [0, 1, maximum]
            if field.kind == .length {
                let remaining = UInt64(template.bytes.count - field.offset - field.width)
                values += [remaining + 1, remaining + 0x100, maximum - 1].filter { $0 <= maximum }
            }
            for value in values {
                var bytes = template.bytes
                for byte in 0..<field.width {
                    bytes[field.offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
                }
                guard bytes != template.bytes else { continue }
                result.append(Mutation(description: "\(field.name) = 0x\(String(value, radix: 16))", bytes: bytes))
            }
        }
        return result
    }

    /// Every shorter length, except inside a data field, which is cut only after its first byte and in its middle.
    static func truncations(_ template: RequestTemplate) -> [Mutation] {
        let interiors = dataInteriors(template)
        let middles = Set(template.fields.filter { $0.kind == .data && $0.width > 2 }.map { $0.offset + $0.width / 2 })
        return (0..<template.bytes.count).filter { !interiors.contains($0 - 1) || middles.contains($0) }
            .map { Mutation(description: "truncated to \($0)", bytes: Array(template.bytes.prefix($0))) }
    }

    static func extensions(_ template: RequestTemplate) -> [Mutation] {
        let all = [
            Mutation(description: "extended by 0x00", bytes: template.bytes + [0x00]),
            Mutation(description: "extended by 0xFF", bytes: template.bytes + [0xFF]),
            Mutation(description: "extended by 64 bytes", bytes: template.bytes + (0..<64).map { UInt8($0) }),
            Mutation(description: "extended by 4096 bytes", bytes: template.bytes + [UInt8](repeating: 0xA5, count: 4096)),
        ]
        return template.definedCode ? all : [all[1], all[2]]
    }

    static func random(_ template: RequestTemplate, seed: UInt64) -> [Mutation] {
        var generator = SeededGenerator(seed: seed)
        var result: [Mutation] = []
        for round in 0..<template.randomCount {
            var bytes = template.bytes
            let kind: String
            switch round % 3 {
            case 0:
                let count = Int.random(in: 1...4, using: &generator)
                for _ in 0..<count where !bytes.isEmpty {
                    bytes[Int.random(in: bytes.indices, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                kind = "\(count) random bytes overwritten"
            case 1:
                let keep = Int.random(in: 0...bytes.count, using: &generator)
                bytes = Array(bytes.prefix(keep)) + randomBytes(Int.random(in: 0...48, using: &generator), &generator)
                kind = "random tail after \(keep) bytes"
            default:
                bytes = Array(bytes.prefix(4)) + randomBytes(Int.random(in: 0...(bytes.count + 32), using: &generator), &generator)
                kind = "random body"
            }
            result.append(Mutation(description: "random #\(round) (seed 0x\(String(seed, radix: 16))): \(kind)", bytes: bytes))
        }
        return result
    }

    /// `mutated` (a mutation of `original`) carried over onto `fresh`, a valid message of the same shape
    /// with other values: the bytes the mutation left alone take their value from `fresh`.
    static func rebase(_ mutated: [UInt8], from original: [UInt8], onto fresh: [UInt8]) -> [UInt8] {
        var bytes = mutated
        for index in bytes.indices where index < original.count && index < fresh.count && bytes[index] == original[index] {
            bytes[index] = fresh[index]
        }
        return bytes
    }

    /// Corruptions of one DSP0277 record (session id, sequence number on MCTP, length, then the AEAD
    /// ciphertext and MAC): 0/1/max in each header field and a length past the end, truncation inside
    /// the header, the ciphertext and the MAC, a flipped ciphertext byte and MAC byte, extension, and
    /// four seeded random overwrites. The list's shape does not depend on the record's length.
    static func recordCorruptions(_ record: [UInt8], sequenceNumberSize: Int, seed: UInt64) -> [Mutation] {
        var fields = [TemplateField(name: "SessionID", offset: 0, width: 4)]
        if sequenceNumberSize > 0 { fields.append(TemplateField(name: "SequenceNumber", offset: 4, width: sequenceNumberSize)) }
        let lengthOffset = 4 + sequenceNumberSize
        fields.append(.length("Length", offset: lengthOffset, width: 2))
        let template = RequestTemplate(name: "secured record", bytes: record, fields: fields, randomCount: 4)
        let headerSize = lengthOffset + 2
        let cuts = [0, 1, headerSize - 1, headerSize, headerSize + 1, record.count - 16, record.count - 1]
        var result = fieldValues(template)
        result += cuts.map { Mutation(description: "truncated to \($0)", bytes: Array(record.prefix($0))) }
        for (name, index) in [("ciphertext", headerSize), ("MAC", record.count - 1)] {
            var bytes = record
            bytes[index] ^= 0x01
            result.append(Mutation(description: "\(name) byte \(index) flipped", bytes: bytes))
        }
        result += extensions(template).prefix(3)
        result += random(template, seed: seed).filter { $0.description.contains("overwritten") || $0.description.contains("tail") }
        return result
    }

    private static func randomBytes(_ count: Int, _ generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func hex(_ byte: UInt8) -> String { "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
}

extension Array where Element == UInt8 {
    /// Lower-case hex for failure messages (a reproducer can be pasted from it).
    var hexString: String { map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}

import COpenSSL

/// A small strict DER reader (ITU-T X.690 definite lengths, single-byte tags) for the structures
/// SPDMCrypto parses itself: X.509 extension values, SubjectPublicKeyInfo and PKCS#8 of ML-DSA /
/// ML-KEM keys (which OpenSSL 3.0 does not know), and the outer SEQUENCE of a certificate.
/// Every read checks the remaining length first, so hostile input fails with a `CryptoError`.
struct DERReader {
    /// Universal tags used here.
    enum Tag {
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let octetString: UInt8 = 0x04
        static let null: UInt8 = 0x05
        static let objectIdentifier: UInt8 = 0x06
        static let sequence: UInt8 = 0x30
    }

    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The tag of the next element, nil at the end.
    var nextTag: UInt8? { isAtEnd ? nil : bytes[offset] }

    /// Reads one element with `tag` and returns a reader over its contents.
    mutating func element(tag: UInt8) throws -> DERReader {
        DERReader(try contents(tag: tag))
    }

    /// Reads one element with `tag` and returns its contents.
    mutating func contents(tag: UInt8) throws -> [UInt8] {
        let (header, length) = try header(expecting: tag)
        let content = Array(bytes[(offset + header)..<(offset + header + length)])
        offset += header + length
        return content
    }

    /// Reads one element with `tag` and returns all of it, header included (e.g. the signed bytes
    /// of a TBSCertificate).
    mutating func encodedElement(tag: UInt8) throws -> [UInt8] {
        let (header, length) = try header(expecting: tag)
        let encoded = Array(bytes[offset..<(offset + header + length)])
        offset += header + length
        return encoded
    }

    /// Skips one element of any (single-byte) tag.
    mutating func skip() throws {
        guard let tag = nextTag else { throw CryptoError("DER: element expected, found the end") }
        _ = try contents(tag: tag)
    }

    /// A BIT STRING whose unused-bits count is 0 (keys and signatures), as its bytes.
    mutating func octetAlignedBitString() throws -> [UInt8] {
        let content = try contents(tag: Tag.bitString)
        guard content.first == 0 else { throw CryptoError("DER: BIT STRING with unused bits") }
        return Array(content.dropFirst())
    }

    /// A small non-negative INTEGER (version fields).
    mutating func smallInteger() throws -> Int {
        let content = try contents(tag: Tag.integer)
        guard (1...2).contains(content.count), content[0] & 0x80 == 0 else {
            throw CryptoError("DER: INTEGER out of range")
        }
        return content.reduce(0) { $0 << 8 | Int($1) }
    }

    /// The OBJECT IDENTIFIER's content octets (compared byte for byte with known encodings).
    mutating func objectIdentifierContent() throws -> [UInt8] {
        let content = try contents(tag: Tag.objectIdentifier)
        guard let last = content.last, last & 0x80 == 0 else { throw CryptoError("DER: malformed OBJECT IDENTIFIER") }
        return content
    }

    /// The OBJECT IDENTIFIER in dotted form, decoded by OpenSSL.
    mutating func objectIdentifier() throws -> String {
        let content = try objectIdentifierContent()
        let encoded = [Tag.objectIdentifier, UInt8(content.count)] + content
        guard content.count < 0x80 else { throw CryptoError("DER: OBJECT IDENTIFIER too long") }
        let object: OpaquePointer? = encoded.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ASN1_OBJECT(nil, &cursor, buffer.count)
        }
        guard let object else { throw CryptoError.openSSL("bad OID encoding") }
        defer { ASN1_OBJECT_free(object) }
        var text = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&text, Int32(text.count), object, 1)
        guard length > 0, Int(length) < text.count else { throw CryptoError.openSSL("OBJ_obj2txt failed") }
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Throws unless every byte was consumed.
    func requireEnd(_ what: String) throws {
        guard isAtEnd else { throw CryptoError("DER: \(bytes.count - offset) trailing bytes after \(what)") }
    }

    /// (header size, content length) of the element at `offset`, which must carry `tag`.
    private func header(expecting tag: UInt8) throws -> (Int, Int) {
        let remaining = bytes.count - offset
        guard remaining >= 2 else { throw CryptoError("DER: truncated element") }
        guard bytes[offset] == tag else {
            throw CryptoError("DER: expected tag 0x\(String(tag, radix: 16)), found 0x\(String(bytes[offset], radix: 16))")
        }
        let first = Int(bytes[offset + 1])
        var length = first
        var header = 2
        if first >= 0x80 {
            let count = first & 0x7F
            guard (1...3).contains(count), remaining >= 2 + count else { throw CryptoError("DER: bad length") }
            length = 0
            for index in 0..<count { length = length << 8 | Int(bytes[offset + 2 + index]) }
            // DER: the shortest length form only.
            guard length >= 0x80, bytes[offset + 2] != 0 else { throw CryptoError("DER: non-minimal length") }
            header += count
        }
        guard length <= remaining - header else { throw CryptoError("DER: element longer than its input") }
        return (header, length)
    }
}

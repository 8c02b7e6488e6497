/// Byte values in config files: "hex:00ff.." for binary, anything else is its UTF-8 text (TOML's
/// "\u0000" escape gives a NUL byte, as in the reference requester's PSK hint "TestPskHint\u0000").
enum ByteString {
    static func parse(_ text: String) -> [UInt8]? {
        guard text.hasPrefix("hex:") else { return Array(text.utf8) }
        let digits = text.dropFirst(4).filter { !$0.isWhitespace && $0 != ":" }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

extension ConfigTable {
    func bytes(_ key: String) throws -> [UInt8]? {
        guard let text = try string(key) else { return nil }
        guard let bytes = ByteString.parse(text) else { throw error(key, "is not valid hex after 'hex:'") }
        return bytes
    }
}

/// Byte values in config files:
///
///     "hex:00ff.."     binary (spaces and colons between digits are ignored)
///     "cstr:text"      the UTF-8 text followed by a NUL byte, as the reference requester's PSK hint
///                      "TestPskHint\0" (TOML strings cannot carry NUL through the parser)
///     anything else    its UTF-8 text
public enum ByteString {
    public static func parse(_ text: String) -> [UInt8]? {
        if text.hasPrefix("cstr:") { return Array(text.dropFirst(5).utf8) + [0] }
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

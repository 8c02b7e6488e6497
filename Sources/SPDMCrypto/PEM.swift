import Foundation

/// RFC 7468 textual encoding, for the key types SPDMCrypto encodes itself (ML-DSA, ML-KEM); OpenSSL
/// reads and writes PEM for everything else.
enum PEM {
    /// The DER of the first "-----BEGIN `label`-----" block, nil when there is none or its base64 is bad.
    static func decode(_ text: String, label: String) -> [UInt8]? {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let start = text.range(of: begin),
              let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else { return nil }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { return nil }
        return Array(data)
    }

    /// "-----BEGIN `label`-----", base64 in 64-character lines, "-----END `label`-----", newline-terminated.
    static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}

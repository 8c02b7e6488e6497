import COpenSSL
import Foundation

extension Certificate {
    /// Splits back-to-back DER certificates (the body of an SPDM certificate chain after its
    /// header and root hash, DSP0274 "Certificate chain format") into certificates, in order.
    /// `cache`: decoded certificates to reuse for byte-identical DER (CertificateCache.swift).
    public static func parseConcatenatedDER(_ bytes: [UInt8], cache: CertificateCache? = nil) throws -> [Certificate] {
        var certificates: [Certificate] = []
        var offset = 0
        while offset < bytes.count {
            let length = try derElementLength(bytes, at: offset)
            guard offset + length <= bytes.count else {
                throw CryptoError("certificate \(certificates.count) at offset \(offset) is truncated "
                                  + "(needs \(length) bytes, \(bytes.count - offset) left)")
            }
            do {
                let der = Array(bytes[offset..<offset + length])
                certificates.append(try cache?.certificate(der: der) ?? Certificate(der: der))
            } catch let error as CryptoError {
                throw CryptoError("certificate \(certificates.count) at offset \(offset): \(error.message)",
                                  openSSLErrors: error.openSSLErrors)
            }
            offset += length
        }
        return certificates
    }

    /// Parses every certificate in a PEM text, in order. Non-certificate blocks are an error.
    public static func parsePEMBundle(_ pem: String) throws -> [Certificate] {
        var certificates: [Certificate] = []
        var remaining = Substring(pem)
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        while let start = remaining.range(of: begin) {
            guard let stop = remaining.range(of: end, range: start.upperBound..<remaining.endIndex) else {
                throw CryptoError("PEM certificate \(certificates.count) has no END line")
            }
            certificates.append(try Certificate(pem: String(remaining[start.lowerBound..<stop.upperBound])))
            remaining = remaining[stop.upperBound...]
        }
        if certificates.isEmpty { throw CryptoError("no PEM certificate found") }
        return certificates
    }

    /// Total length (header + content) of the DER TLV starting at `offset`; must be a SEQUENCE.
    static func derElementLength(_ bytes: [UInt8], at offset: Int) throws -> Int {
        guard offset + 2 <= bytes.count else { throw CryptoError("truncated DER header at offset \(offset)") }
        guard bytes[offset] == 0x30 else {
            throw CryptoError(String(format: "expected a DER SEQUENCE at offset %d, found tag 0x%02x", offset, bytes[offset]))
        }
        let first = bytes[offset + 1]
        if first < 0x80 { return 2 + Int(first) }
        let lengthBytes = Int(first & 0x7F)
        guard lengthBytes >= 1, lengthBytes <= 4, offset + 2 + lengthBytes <= bytes.count else {
            throw CryptoError("bad DER length at offset \(offset)")
        }
        var length = 0
        for i in 0..<lengthBytes { length = length << 8 | Int(bytes[offset + 2 + i]) }
        return 2 + lengthBytes + length
    }
}

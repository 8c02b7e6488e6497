import SPDMCore

/// A config value in the byte-string syntax (ByteString in SPDMCore).
extension ConfigTable {
    func bytes(_ key: String) throws -> [UInt8]? {
        guard let text = try string(key) else { return nil }
        guard let bytes = ByteString.parse(text) else { throw error(key, "is not valid hex after 'hex:'") }
        return bytes
    }
}

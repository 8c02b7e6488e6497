/// SPDM 1.4 puts OpaqueDataLength (u16) + OpaqueData right after the header of FINISH, FINISH_RSP,
/// PSK_FINISH and PSK_FINISH_RSP; earlier versions have neither field.
extension Array where Element == UInt8 {
    mutating func appendFinishOpaqueData(_ opaque: [UInt8], version: SPDMVersion) {
        guard version >= .v14 else { return }
        appendU16(UInt16(opaque.count))
        self += opaque
    }
}

extension WireReader {
    mutating func readFinishOpaqueData(version: SPDMVersion) throws -> [UInt8] {
        guard version >= .v14 else { return [] }
        return try readBytes(Int(try readU16("OpaqueDataLength")), "OpaqueData")
    }
}

/// The size of that field for `opaque` at `version`.
func finishOpaqueDataSize(_ opaque: [UInt8], version: SPDMVersion) -> Int {
    version >= .v14 ? 2 + opaque.count : 0
}

import SPDMWire

extension ResponderConnection {
    /// Answers application messages of other MCTP types: PLDM GetTID (type 0x01, command 0x02) with
    /// the configured TID; other PLDM commands with ERROR_UNSUPPORTED_PLDM_CMD; nothing else.
    func applicationReply(type: UInt8, body: [UInt8]) -> [UInt8]? {
        guard type & 0x7F == 0x01, body.count >= 3, body[0] & 0x80 != 0 else { return nil }
        let header: [UInt8] = [body[0] & 0x1F, body[1], body[2]]
        if body[1] & 0x3F == 0x00 && body[2] == 0x02 {
            return [0x01] + header + [0x00, device.sessionSettings.pldmTID]
        }
        return [0x01] + header + [0x05]
    }
}

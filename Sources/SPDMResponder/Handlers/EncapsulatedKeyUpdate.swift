import SPDMWire

/// The responder's own KEY_UPDATE (DSP0274 §10.20 "responder-initiated key update"): a responder
/// cannot send requests, so it rides the encapsulated request flow (§10.14) of an established
/// session. The platform command OOB_ENCAP_KEY_UPDATE tells the device to start it; the requester
/// then drives it:
///
///     Requester                                   Responder (keys: response direction)
///     GET_ENCAPSULATED_REQUEST            ->
///                                         <-      ENCAPSULATED_REQUEST { KEY_UPDATE UpdateKey, tag }      (old key)
///     DELIVER_ENCAPSULATED_RESPONSE
///       { KEY_UPDATE_ACK UpdateKey, tag } ->      response direction moves to its next secret
///                                         <-      ENCAPSULATED_RESPONSE_ACK { KEY_UPDATE VerifyNewKey }   (new key)
///     DELIVER_ENCAPSULATED_RESPONSE
///       { KEY_UPDATE_ACK VerifyNewKey }   ->
///                                         <-      ENCAPSULATED_RESPONSE_ACK (no request: done)
///
/// The request direction never changes here. libspdm's responder and requester follow the same steps.
extension ResponderConnection {
    /// Starts the responder-initiated key update of session `sessionID` (the OOB_ENCAP_KEY_UPDATE
    /// platform command). False, and nothing changes, unless the session is established, both sides
    /// have ENCAP_CAP and KEY_UPD_CAP, and no other encapsulated flow is in progress.
    public mutating func startEncapsulatedKeyUpdate(sessionID: UInt32) -> Bool {
        guard let version, version >= .v11, let session = sessions[sessionID], session.established,
              device.capabilities.isSuperset(of: [.encap, .keyUpdate]), peer.flags.isSuperset(of: [.encap, .keyUpdate]) else {
            return false
        }
        if let flow = encapsulated, flow.current != nil || !flow.remaining.isEmpty { return false }
        encapsulated = EncapsulatedFlow(purpose: .keyUpdate(sessionID), remaining: [.keyUpdate, .keyUpdate])
        return true
    }

    /// KEY_UPDATE_ACK must echo the operation and tag of our KEY_UPDATE exactly (4 bytes).
    func checkEncapsulatedKeyUpdateAck(_ response: [UInt8], flow: EncapsulatedFlow,
                                       fail: (String) -> ResponderError) throws {
        guard let sent = flow.keyUpdate else { throw fail("no KEY_UPDATE outstanding") }
        let header = try MessageHeader(peeking: response)
        guard header.code == ResponseCode.keyUpdateAck.rawValue else {
            throw fail("got response code 0x\(String(header.code, radix: 16))")
        }
        guard response.count == MessageHeader.size else { throw fail("KEY_UPDATE_ACK of \(response.count) bytes") }
        guard header.param1 == sent.operation.rawValue, header.param2 == sent.tag else {
            throw fail("KEY_UPDATE_ACK echoes operation \(header.param1) tag \(header.param2), sent \(sent.operation.rawValue) tag \(sent.tag)")
        }
    }
}

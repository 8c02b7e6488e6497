import SPDMWire

/// RESPOND_IF_READY (DSP0274 §10.13) and the ResponseNotReady fault that makes it necessary.
extension ResponderConnection {
    /// If the device is configured to be slow for `code`, keeps the finished response and answers
    /// ERROR(ResponseNotReady) with a fresh token instead. The transcript already holds the request
    /// and the real response, as the requester's will once it receives it.
    mutating func deferIfConfigured(_ code: RequestCode, response: [UInt8]) -> [UInt8] {
        guard device.faults.notReady.contains(code), let version,
              let header = try? MessageHeader(peeking: response), header.code != ResponseCode.error.rawValue else {
            return response
        }
        let token = nextToken
        nextToken = nextToken == 0xFF ? 1 : nextToken + 1
        pending = PendingResponse(requestCode: code, token: token, response: response)
        return ErrorResponse.responseNotReady(version: version, rdExponent: device.faults.rdExponent, requestCode: code,
                                              token: token, rdtm: device.faults.rdtm).encoded(context: .unnegotiated(version))
    }

    mutating func handleRespondIfReady(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let context = WireContext.unnegotiated(version ?? .v10)
        let message = try RespondIfReadyRequest(decoding: request, context: context)
        guard let pending else { throw ResponderError.unexpectedRequest("RESPOND_IF_READY with nothing pending") }
        guard message.requestCode == pending.requestCode, message.token == pending.token else {
            throw ResponderError.invalidRequest("RESPOND_IF_READY for \(message.requestCode) token \(message.token) does not match the pending response")
        }
        // Update
        self.pending = nil
        return pending.response
    }
}

import SPDMWire

/// Runs a decoder, turning its failure into `malformedResponse` (a RequesterError passes through).
func decodeResponse<T>(_ code: RequestCode, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as RequesterError { throw error } catch {
        throw RequesterError.malformedResponse(request: code, reason: "\(error)")
    }
}

/// An ERROR becomes `errorResponse`; anything else must be `expected` at `version`.
func checkResponse(_ response: [UInt8], code: RequestCode, expected: ResponseCode, version: SPDMVersion) throws {
    guard let header = try? MessageHeader(peeking: response) else {
        throw RequesterError.malformedResponse(request: code, reason: "\(response.count) bytes, shorter than the SPDM header")
    }
    if header.code == ResponseCode.error.rawValue {
        let error = try decodeResponse(code) { try ErrorResponse(decoding: response, context: .unnegotiated(header.version)) }
        throw RequesterError.errorResponse(request: code, code: error.code, data: error.data)
    }
    guard header.code == expected.rawValue else { throw RequesterError.unexpectedResponse(request: code, code: header.code) }
    guard header.version == version else { throw RequesterError.versionMismatch(request: code, expected: version, got: header.version) }
}

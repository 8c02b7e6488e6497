import SPDMFuzzMain
import SPDMFuzzSupport

/// The requester state machine (RequesterConnection, RequesterSession) fed hostile responses:
/// spdmctl talks to devices its users do not control, so whatever a responder sends, the requester
/// must only ever throw.
///
/// Input: byte 0 picks a prepared state (as FuzzResponder's), byte 1 how many of the flows left
/// from there the requester runs (0: all) — VCA, DIGESTS, CERTIFICATE, CHALLENGE, MEASUREMENTS (signed and count), ENDPOINT_INFO, the MEL,
/// KEY_EXCHANGE/FINISH and PSK_EXCHANGE/PSK_FINISH with HEARTBEAT, KEY_UPDATE, in-session
/// MEASUREMENTS, ENDPOINT_INFO, the MEL and END_SESSION — against the real responder, and each response is first passed
/// through the next directive of the input (HostileResponses): left alone, replaced, changed,
/// truncated or extended. A failed flow is caught and the next one runs on the same connection.
@_cdecl("FuzzRequester_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzRequester)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequester(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let state = input.pick(PreparedStates.all)
    let limit = Int(input.u8())
    RequesterFlows.run(state, limit: limit, responses: HostileResponses(input))
    return 0
}

/// The prepared states, built on first use (the one global libFuzzer's C entry point forces).
enum PreparedStates {
    static let all = ConnectionStates.prepareAll()
}

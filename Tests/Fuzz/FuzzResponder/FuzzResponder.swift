import SPDMFuzzMain
import SPDMFuzzSupport

/// The responder connection (ResponderConnection) fed a sequence of requests from a state the
/// fuzzer picks: fresh, after VCA or after DIGESTS/CERTIFICATE at each version 1.0-1.4, or inside a
/// KEY_EXCHANGE or PSK session (handshake or established) at 1.1-1.4, or on a chunking connection
/// (CHUNK_CAP, 42-byte DataTransferSizes) where CHUNK_SEND / CHUNK_GET carry nearly every message —
/// states the real requester reached back to back once per process (ConnectionStates).
///
/// Input: byte 0 picks the state; then requests, each a route byte and a length-prefixed message
/// (u16 LE). Route 0 sends the message in the clear; 1 seals it as an SPDM message with the
/// requester's session keys (so the in-session handlers see it); 2 seals it verbatim as application
/// data (other MCTP message types); 3 hands it over as a raw secured record; 4 is the platform
/// command OOB_ENCAP_ENDPOINT_INFO (the message is ignored). Every request must get
/// a well-formed SPDM response or none, never a trap.
@_cdecl("FuzzResponder_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzResponder)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    var run = ResponderRun(input.pick(PreparedStates.all))
    while !input.isAtEnd {
        let route = ResponderRun.Route(rawValue: input.u8() % 5) ?? .plain
        run.send(input.lengthPrefixed(), route: route)
    }
    return 0
}

/// The prepared states, built on first use (the one global libFuzzer's C entry point forces).
enum PreparedStates {
    static let all = ConnectionStates.prepareAll()
}

import SPDMFuzzMain
import SPDMFuzzSupport
import SPDMTransport

/// Each transport binding's decoder (MCTP, PCI-DOE, TCP, NONE) on a hostile payload.
///
/// Input: byte 0 picks the binding; the rest is the payload of one platform frame. Properties:
/// what decodes re-encodes to a payload that decodes to the same message (the encoders are the
/// decoders' inverse on everything SPDM routes), and a PCI-DOE discovery answer always decodes.
@_cdecl("FuzzTransportBinding_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzTransportBinding)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTransportBinding(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let binding = TransportBindings.binding(for: input.pick(TransportType.allCases))
    let payload = input.rest()
    guard let message = try? binding.decode(payload) else { return 0 }

    if case .bindingControl(let request) = message {
        let answer = binding.controlResponse(to: request)
        fuzzCheck(answer != nil, "\(binding.type) routed a binding-control request it cannot answer")
        if let answer, case .bindingControl = try? binding.decode(answer) {} else {
            fuzzCheck(false, "\(binding.type) discovery answer does not decode as binding control")
        }
        return 0
    }
    if binding.type == .pciDOE, case .other = message {
        // Another vendor's (or an unknown type's) object: re-encoding stamps PCI-SIG on it.
        return 0
    }
    let again = try? binding.decode(binding.encode(message))
    fuzzCheck(again == message, "\(binding.type): \(message) re-encodes to \(String(describing: again))")
    return 0
}

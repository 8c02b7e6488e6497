import Foundation
import SPDMDevice
import SPDMFuzzMain
import SPDMFuzzSupport
import SPDMResponder

/// The state store's readers on hostile input. The first byte picks what is read:
///
///     0  provisioned.json (ProvisionedStateFile.decode): a damaged or hand-edited file
///     1  slot material (SlotMaterial), as PUT /v1/devices/{name}/slots/{id} and
///        slot<N>.override.pem give it: the chain, a 0x00 byte, then the key PEM
///
/// Properties: the readers only throw, never trap; a provisioned document that decodes encodes
/// and decodes back to the same state.
@_cdecl("FuzzStateFile_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzStateFile)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStateFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size).bytes
    guard let selector = input.first else { return 0 }
    let body = Array(input.dropFirst())
    switch selector % 2 {
    case 0:
        guard let state = try? ProvisionedStateFile.decode(body) else { return 0 }
        let again = (try? ProvisionedStateFile.encode(state, device: "fuzz")).flatMap { try? ProvisionedStateFile.decode($0) }
        fuzzCheck(again == state, "a provisioned document that decodes does not survive encode and decode")
    default:
        let split = body.firstIndex(of: 0) ?? body.endIndex
        let chain = Array(body[..<split])
        let key = String(decoding: body[min(split + 1, body.endIndex)...], as: UTF8.self)
        _ = try? SlotMaterial.slot(id: 0, chain: chain, keyPEM: key, root: nil, model: 1)
    }
    return 0
}

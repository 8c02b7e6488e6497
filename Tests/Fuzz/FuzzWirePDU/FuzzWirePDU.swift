import SPDMFuzzMain
import SPDMFuzzSupport
import SPDMWire

/// Every PDU decoder of SPDMWire (Sources/SPDMWire/Messages) on hostile bytes.
///
/// Input: byte 0 picks the decoder, bytes 1-4 the sizes the negotiated algorithms would fix (the
/// WireContext: hash, signature, DHE or ML-KEM exchange data in bits 0-3 of byte 4) and the request-dependent flags (measurement
/// summary hash present, signature requested; bit 6 of byte 4: a multi-key connection, whose
/// DIGESTS carry key pair fields); the rest is the message. Decoding must only throw.
/// When it succeeds, the PDU's own encoding must decode again, and encoding that must give the same
/// bytes (a fixed point); PDUs that carry every field they decode must also come back equal.
@_cdecl("FuzzWirePDU_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzWirePDU)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWirePDU(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let codec = input.pick(PDUCodecs.all)
    let hashSize = input.pick(PDUSizes.hashSizes)
    let base = WireContext(version: input.pick(SPDMVersion.all), hashSize: hashSize,
                              signatureSize: input.pick(PDUSizes.signatureSizes), measurementHashSize: hashSize)
    let extra = input.u8()
    var context = base
    context.multiKeyConnection = extra & 0x40 != 0
    let sizes = PDUSizes(context: context, exchangeDataSize: PDUSizes.exchangeDataSizes[Int(extra & 0x0F) % PDUSizes.exchangeDataSizes.count],
                         flag: extra & 0x80 != 0)
    codec.check(input.rest(), sizes)
    return 0
}

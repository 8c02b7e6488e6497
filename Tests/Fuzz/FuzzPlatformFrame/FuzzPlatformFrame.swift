import NIOCore
import SPDMFuzzMain
import SPDMFuzzSupport
import SPDMTransport

/// The platform-socket frame decoder (PlatformFrameDecoder.parse) on a hostile byte stream.
///
/// Input: byte 0 picks the maximum payload size, byte 1 the listener's transport (or none),
/// byte 2 how the stream is cut into reads; the rest is the stream. Properties: every frame parsed
/// respects the maximum; a frame of a known transport re-encodes (both encoders) to exactly the
/// bytes it was parsed from; feeding the stream in small reads yields the same frames and the same
/// error as feeding it at once.
@_cdecl("FuzzPlatformFrame_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzPlatformFrame)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlatformFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let maximum = input.pick([0, 1, 14, 64, 4096, 65536, Int(UInt32.max), Int.max])
    let expected = input.pick([nil] + TransportType.allCases.map(Optional.some))
    let readSize = Int(input.u8() % 16) + 1
    let stream = input.rest()

    let whole = PlatformFrameStream.parse([stream], maximum: maximum, expected: expected)
    let pieces = stride(from: 0, to: stream.count, by: readSize).map { Array(stream[$0..<min($0 + readSize, stream.count)]) }
    let dripped = PlatformFrameStream.parse(pieces, maximum: maximum, expected: expected)
    fuzzCheck(whole.frames == dripped.frames && whole.error == dripped.error,
              "reads of \(readSize) bytes gave \(dripped.frames.count) frames / \(String(describing: dripped.error)), one read gave \(whole.frames.count) / \(String(describing: whole.error))")

    var consumed = 0
    for frame in whole.frames {
        fuzzCheck(frame.payload.count <= maximum, "a \(frame.payload.count)-byte payload passed the \(maximum) maximum")
        if let expected { fuzzCheck(frame.transport == expected, "frame of \(frame.transport) passed a \(expected) listener") }
        let original = Array(stream[consumed..<(consumed + PlatformFrame.headerSize + frame.payload.count)])
        consumed += original.count
        // An unknown transport type decodes as NONE (only a listener without a type accepts it).
        guard TransportType(rawValue: UInt32(original[4]) << 24 | UInt32(original[5]) << 16 | UInt32(original[6]) << 8 | UInt32(original[7])) != nil else { continue }
        fuzzCheck(frame.bytes == original, "frame does not re-encode to the bytes it came from")
        var encoded = ByteBuffer()
        try? PlatformFrameEncoder().encode(data: frame, out: &encoded)
        fuzzCheck(encoded.readableBytesView.elementsEqual(original), "PlatformFrameEncoder differs from PlatformFrame.bytes")
    }
    return 0
}

/// Parses a stream that arrives in `reads`, the way ByteToMessageHandler accumulates it.
enum PlatformFrameStream {
    struct Result {
        var frames: [PlatformFrame] = []
        var error: FramingError?
    }

    static func parse(_ reads: [[UInt8]], maximum: Int, expected: TransportType?) -> Result {
        var result = Result()
        var buffer = ByteBuffer()
        for read in reads {
            buffer.writeBytes(read)
            do {
                while let frame = try PlatformFrameDecoder.parse(&buffer, maximumPayloadSize: maximum, expectedTransport: expected) {
                    result.frames.append(frame)
                }
            } catch let error as FramingError {
                result.error = error
                return result
            } catch {
                fuzzCheck(false, "parse threw \(error), not a FramingError")
            }
        }
        return result
    }
}

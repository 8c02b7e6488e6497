import NIOCore
import SPDMTransport
import Testing
@testable import SPDMDaemon

/// QuickAckHandler follows frame boundaries so that only a read ending inside a platform frame
/// (the reference requester's small writes with Nagle on) asks for an immediate ACK.
@Suite("Quick ACK")
struct QuickAckHandlerTests {
    static func frame(payload: Int) -> [UInt8] {
        PlatformFrame(command: .normal, transport: .mctp, payload: [UInt8](repeating: 0x05, count: payload)).bytes
    }

    static func buffer(_ bytes: some Sequence<UInt8>) -> ByteBuffer { ByteBuffer(bytes: Array(bytes)) }

    @Test("whole frames end on a boundary; pieces of one do not until the last")
    func boundaries() {
        let handler = QuickAckHandler()
        #expect(!handler.endsInsideFrame(after: Self.buffer(Self.frame(payload: 5))))
        #expect(!handler.endsInsideFrame(after: Self.buffer(Self.frame(payload: 3) + Self.frame(payload: 0))))
        let frame = Self.frame(payload: 40)
        // The reference requester's four writes: command, transport, size, payload.
        #expect(handler.endsInsideFrame(after: Self.buffer(frame[0..<4])))
        #expect(handler.endsInsideFrame(after: Self.buffer(frame[4..<8])))
        #expect(handler.endsInsideFrame(after: Self.buffer(frame[8..<12])))
        #expect(handler.endsInsideFrame(after: Self.buffer(frame[12..<30])))
        #expect(!handler.endsInsideFrame(after: Self.buffer(frame[30...])))
        #expect(handler.endsInsideFrame(after: Self.buffer(Self.frame(payload: 2) + Self.frame(payload: 9)[0..<5])))
        #expect(!handler.endsInsideFrame(after: Self.buffer(Self.frame(payload: 9)[5...])))
    }
}

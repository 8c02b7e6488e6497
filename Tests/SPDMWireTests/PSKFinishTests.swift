import Testing
@testable import SPDMWire

/// PSK_FINISH / PSK_FINISH_RSP: the 1.4 opaque data sits between the header and the verify data.
@Suite("PSK_FINISH codec")
struct PSKFinishTests {
    @Test("1.2: header then verify data; 1.4: header, OpaqueDataLength, OpaqueData, verify data")
    func layout() throws {
        let verify = [UInt8](repeating: 0xAB, count: 48)
        var v12: [UInt8] = []
        PSKFinishRequest(version: .v12, verifyData: verify).encode(into: &v12)
        #expect(v12 == [0x12, 0xE7, 0, 0] + verify)
        var v14: [UInt8] = []
        PSKFinishRequest(version: .v14, opaqueData: [1, 2, 3], verifyData: verify).encode(into: &v14)
        #expect(v14 == [0x14, 0xE7, 0, 0, 3, 0, 1, 2, 3] + verify)
        let decoded = try PSKFinishRequest(decoding: v14, verifyDataSize: 48)
        #expect(decoded == PSKFinishRequest(version: .v14, opaqueData: [1, 2, 3], verifyData: verify))
        #expect(decoded.encodedSizeWithoutVerifyData == 9)
        for length in 0..<v14.count {
            #expect(throws: WireError.self) { _ = try PSKFinishRequest(decoding: Array(v14.prefix(length)), verifyDataSize: 48) }
        }

        var response: [UInt8] = []
        PSKFinishResponse(version: .v14).encode(into: &response)
        #expect(response == [0x14, 0x67, 0, 0, 0, 0])
        #expect(try PSKFinishResponse(decoding: response).encodedSize == 6)
        var old: [UInt8] = []
        PSKFinishResponse(version: .v13).encode(into: &old)
        #expect(old == [0x13, 0x67, 0, 0])
        #expect(throws: WireError.self) { _ = try PSKFinishResponse(decoding: [0x14, 0x67, 0, 0, 2, 0, 9]) }
    }
}

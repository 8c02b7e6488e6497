import Testing
@testable import SPDMWire

@Suite("VENDOR_DEFINED layouts")
struct VendorDefinedLayoutTests {
    @Test("the small form: StandardID, Len, VendorID, a 2-byte length, the payload")
    func small() throws {
        let fields = VendorDefinedFields(standardID: 3, vendorID: [0x01, 0x00], payload: [0x00, 0x00, 0x00, 0x01])
        let bytes = VendorDefinedRequest(version: .v13, fields: fields).encoded(context: Samples.negotiated(.v13))
        #expect(bytes == [0x13, 0xFE, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01])
        let response = VendorDefinedResponse(version: .v13, fields: fields).encoded(context: Samples.negotiated(.v13))
        #expect(response[1] == 0x7E && Array(response[4...]) == Array(bytes[4...]))
    }

    @Test("the 1.4 large form: Param1 bit 7, two reserved bytes, a 4-byte length")
    func large() throws {
        let fields = VendorDefinedFields(standardID: 0, vendorID: [], payload: [0xAA, 0xBB], large: true)
        let bytes = VendorDefinedResponse(version: .v14, fields: fields).encoded(context: Samples.negotiated(.v14))
        #expect(bytes == [0x14, 0x7E, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xAA, 0xBB])
        #expect(try VendorDefinedResponse(decoding: bytes, context: Samples.negotiated(.v14)).fields == fields)
    }

    @Test("before 1.4 Param1 bit 7 is reserved: the small form is read")
    func largeBitBefore14() throws {
        let bytes: [UInt8] = [0x13, 0xFE, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x5A]
        let message = try VendorDefinedRequest(decoding: bytes, context: Samples.negotiated(.v13))
        #expect(message.fields.large == false && message.fields.payload == [0x5A])
    }

    @Test("a payload length past the message end is refused")
    func truncatedPayload() {
        let bytes: [UInt8] = [0x12, 0xFE, 0x00, 0x00, 0x03, 0x00, 0x00, 0x09, 0x00, 0x01]
        #expect(throws: WireError.self) { try VendorDefinedRequest(decoding: bytes, context: Samples.negotiated(.v12)) }
    }

    @Test("VendorID lengths per registry (DSP0274 Table 'Registry or standards body ID')")
    func vendorIDLengths() {
        #expect(VendorDefinedFields.vendorIDLengthIsValid(standardID: 0, length: 0))
        #expect(!VendorDefinedFields.vendorIDLengthIsValid(standardID: 0, length: 2))
        #expect(VendorDefinedFields.vendorIDLengthIsValid(standardID: 3, length: 2))
        #expect(!VendorDefinedFields.vendorIDLengthIsValid(standardID: 3, length: 4))
        #expect(VendorDefinedFields.vendorIDLengthIsValid(standardID: 4, length: 4))
        #expect(VendorDefinedFields.vendorIDLengthIsValid(standardID: 0xA, length: 9))
        #expect(!VendorDefinedFields.vendorIDLengthIsValid(standardID: 0xB, length: 0))
        #expect(!VendorDefinedFields.vendorIDLengthIsValid(standardID: 0xC, length: 0))
    }
}

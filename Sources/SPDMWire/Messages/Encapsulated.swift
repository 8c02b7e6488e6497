/// The encapsulated request flow (DSP0274 §10.14): the responder sends requests to the requester
/// inside responses, for mutual authentication (GET_DIGESTS, GET_CERTIFICATE, CHALLENGE) and
/// responder-initiated KEY_UPDATE.
///
///     GET_ENCAPSULATED_REQUEST       +0 Version | +1 0xEA | +2 Reserved | +3 Reserved
///     ENCAPSULATED_REQUEST           +0 Version | +1 0x6A | +2 RequestID | +3 Reserved | EncapsulatedRequest
///     DELIVER_ENCAPSULATED_RESPONSE  +0 Version | +1 0xEB | +2 RequestID | +3 Reserved | EncapsulatedResponse
///     ENCAPSULATED_RESPONSE_ACK      +0 Version | +1 0x6B | +2 RequestID | +3 PayloadType
///                                    [1.2+: +4 AckRequestID | +5 Reserved (3)] | EncapsulatedRequest or ReqSlotID
public struct EncapsulatedRequestResponse: Hashable, Sendable {
    public var version: SPDMVersion
    public var requestID: UInt8
    public var encapsulatedRequest: [UInt8]

    public init(version: SPDMVersion, requestID: UInt8, encapsulatedRequest: [UInt8]) {
        self.version = version
        self.requestID = requestID
        self.encapsulatedRequest = encapsulatedRequest
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        requestID = header.param1
        encapsulatedRequest = reader.readRest()
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: ResponseCode.encapsulatedRequest.rawValue, param1: requestID).encode(into: &out)
        return out + encapsulatedRequest
    }
}

public struct DeliverEncapsulatedResponse: Hashable, Sendable {
    public var version: SPDMVersion
    public var requestID: UInt8
    public var encapsulatedResponse: [UInt8]

    public init(version: SPDMVersion, requestID: UInt8, encapsulatedResponse: [UInt8]) {
        self.version = version
        self.requestID = requestID
        self.encapsulatedResponse = encapsulatedResponse
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        requestID = header.param1
        encapsulatedResponse = reader.readRest()
        guard encapsulatedResponse.count >= MessageHeader.size else {
            throw WireError.invalidField("EncapsulatedResponse shorter than an SPDM header")
        }
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: RequestCode.deliverEncapsulatedResponse.rawValue, param1: requestID).encode(into: &out)
        return out + encapsulatedResponse
    }
}

public struct EncapsulatedResponseAck: Hashable, Sendable {
    /// Param2 of ENCAPSULATED_RESPONSE_ACK.
    public enum PayloadType: UInt8, Sendable {
        /// The flow is over; nothing follows.
        case absent = 0
        /// Another encapsulated request follows.
        case present = 1
        /// The flow is over; one byte follows: the requester slot to use for FINISH.
        case requesterSlotNumber = 2
    }

    public var version: SPDMVersion
    public var requestID: UInt8
    public var payloadType: PayloadType
    /// 1.2+: the RequestID of the DELIVER_ENCAPSULATED_RESPONSE this acknowledges.
    public var ackRequestID: UInt8
    public var payload: [UInt8]

    public init(version: SPDMVersion, requestID: UInt8, payloadType: PayloadType, ackRequestID: UInt8, payload: [UInt8]) {
        self.version = version
        self.requestID = requestID
        self.payloadType = payloadType
        self.ackRequestID = ackRequestID
        self.payload = payload
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        requestID = header.param1
        guard let type = PayloadType(rawValue: header.param2) else { throw WireError.invalidField("PayloadType \(header.param2)") }
        payloadType = type
        if version >= .v12 {
            ackRequestID = try reader.readU8("AckRequestID")
            try reader.skip(3, "Reserved")
        } else {
            ackRequestID = 0
        }
        payload = reader.readRest()
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: ResponseCode.encapsulatedResponseAck.rawValue, param1: requestID,
                      param2: payloadType.rawValue).encode(into: &out)
        if version >= .v12 {
            out.append(ackRequestID)
            out.appendZeros(3)
        }
        return out + payload
    }
}

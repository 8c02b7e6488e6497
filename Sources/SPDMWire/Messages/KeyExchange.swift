/// KEY_EXCHANGE (DSP0274 §10.15, Table "KEY_EXCHANGE request message format").
///
///     +0 Version | +1 0xE4 | +2 Param1: MeasurementSummaryHashType | +3 Param2: SlotID
///     +4 ReqSessionID (u16) | +6 SessionPolicy (1.2+, else reserved) | +7 Reserved
///     +8 RandomData (32) | +40 ExchangeData (D) | OpaqueDataLength (u16) | OpaqueData
public struct KeyExchangeRequest: Hashable, Sendable {
    public var version: SPDMVersion
    public var summaryHashType: MeasurementSummaryHashType
    public var slotID: UInt8
    public var requesterSessionID: UInt16
    public var sessionPolicy: UInt8
    public var randomData: [UInt8]
    public var exchangeData: [UInt8]
    public var opaqueData: [UInt8]

    public init(version: SPDMVersion, summaryHashType: MeasurementSummaryHashType, slotID: UInt8, requesterSessionID: UInt16,
                sessionPolicy: UInt8 = 0, randomData: [UInt8], exchangeData: [UInt8], opaqueData: [UInt8]) {
        self.version = version
        self.summaryHashType = summaryHashType
        self.slotID = slotID
        self.requesterSessionID = requesterSessionID
        self.sessionPolicy = sessionPolicy
        self.randomData = randomData
        self.exchangeData = exchangeData
        self.opaqueData = opaqueData
    }

    /// `exchangeDataSize` is fixed by the negotiated DHE group.
    public init(decoding bytes: [UInt8], exchangeDataSize: Int) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        summaryHashType = MeasurementSummaryHashType(rawValue: header.param1)
        slotID = header.param2
        requesterSessionID = try reader.readU16("ReqSessionID")
        let policy = try reader.readU8("SessionPolicy")
        sessionPolicy = version >= .v12 ? policy : 0
        try reader.skip(1, "Reserved")
        randomData = try reader.readBytes(32, "RandomData")
        exchangeData = try reader.readBytes(exchangeDataSize, "ExchangeData")
        let opaqueLength = try reader.readU16("OpaqueDataLength")
        guard opaqueLength <= 1024 else { throw WireError.invalidField("OpaqueDataLength \(opaqueLength) over 1024") }
        opaqueData = try reader.readBytes(Int(opaqueLength), "OpaqueData")
    }

    /// The size of the request as the requester sent it (trailing bytes excluded).
    public var encodedSize: Int { 40 + exchangeData.count + 2 + opaqueData.count }

    public func encode(into out: inout [UInt8]) {
        MessageHeader(version: version, code: RequestCode.keyExchange.rawValue, param1: summaryHashType.rawValue, param2: slotID).encode(into: &out)
        out.appendU16(requesterSessionID)
        out.append(version >= .v12 ? sessionPolicy : 0)
        out.append(0)
        out += randomData
        out += exchangeData
        out.appendU16(UInt16(opaqueData.count))
        out += opaqueData
    }
}

/// KEY_EXCHANGE_RSP (DSP0274 §10.15, Table "Successful KEY_EXCHANGE_RSP response message format").
///
///     +0 Version | +1 0x64 | +2 Param1: HeartbeatPeriod | +3 Param2: Reserved
///     +4 RspSessionID (u16) | +6 MutAuthRequested | +7 SlotIDParam | +8 RandomData (32)
///     +40 ExchangeData (D) | MeasurementSummaryHash (0 or H) | OpaqueDataLength (u16) | OpaqueData
///     | Signature (S) | ResponderVerifyData (H; absent when the handshake is in the clear)
public struct KeyExchangeResponse: Hashable, Sendable {
    public var version: SPDMVersion
    public var heartbeatPeriod: UInt8
    public var responderSessionID: UInt16
    public var mutAuthRequested: UInt8
    public var slotIDParam: UInt8
    public var randomData: [UInt8]
    public var exchangeData: [UInt8]
    public var measurementSummaryHash: [UInt8]
    public var opaqueData: [UInt8]
    public var signature: [UInt8] = []
    public var verifyData: [UInt8] = []

    public init(version: SPDMVersion, heartbeatPeriod: UInt8, responderSessionID: UInt16, mutAuthRequested: UInt8 = 0,
                slotIDParam: UInt8 = 0, randomData: [UInt8], exchangeData: [UInt8], measurementSummaryHash: [UInt8],
                opaqueData: [UInt8]) {
        self.version = version
        self.heartbeatPeriod = heartbeatPeriod
        self.responderSessionID = responderSessionID
        self.mutAuthRequested = mutAuthRequested
        self.slotIDParam = slotIDParam
        self.randomData = randomData
        self.exchangeData = exchangeData
        self.measurementSummaryHash = measurementSummaryHash
        self.opaqueData = opaqueData
    }

    /// Everything up to the signature: what the signature and TH cover first.
    public func encodeWithoutSignature(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.keyExchangeRsp.rawValue, param1: heartbeatPeriod).encode(into: &out)
        out.appendU16(responderSessionID)
        out.append(mutAuthRequested)
        out.append(slotIDParam)
        out += randomData
        out += exchangeData
        out += measurementSummaryHash
        out.appendU16(UInt16(opaqueData.count))
        out += opaqueData
    }

    public func encode(into out: inout [UInt8]) {
        encodeWithoutSignature(into: &out)
        out += signature
        out += verifyData
    }

    public init(decoding bytes: [UInt8], exchangeDataSize: Int, summaryHashSize: Int, signatureSize: Int,
                verifyDataSize: Int) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        heartbeatPeriod = header.param1
        responderSessionID = try reader.readU16("RspSessionID")
        mutAuthRequested = try reader.readU8("MutAuthRequested")
        slotIDParam = try reader.readU8("SlotIDParam")
        randomData = try reader.readBytes(32, "RandomData")
        exchangeData = try reader.readBytes(exchangeDataSize, "ExchangeData")
        measurementSummaryHash = try reader.readBytes(summaryHashSize, "MeasurementSummaryHash")
        opaqueData = try reader.readBytes(Int(try reader.readU16("OpaqueDataLength")), "OpaqueData")
        signature = try reader.readBytes(signatureSize, "Signature")
        verifyData = try reader.readBytes(verifyDataSize, "ResponderVerifyData")
    }
}

/// PSK_EXCHANGE (DSP0274 §10.17, Table "PSK_EXCHANGE request message format").
///
///     +0 Version | +1 0xE6 | +2 Param1: MeasurementSummaryHashType | +3 Param2: SessionPolicy (1.2+)
///     +4 ReqSessionID (u16) | +6 PSKHintLength (u16) | +8 RequesterContextLength (u16)
///     +10 OpaqueDataLength (u16) | +12 PSKHint | RequesterContext | OpaqueData
public struct PSKExchangeRequest: Hashable, Sendable {
    public var version: SPDMVersion
    public var summaryHashType: MeasurementSummaryHashType
    public var sessionPolicy: UInt8
    public var requesterSessionID: UInt16
    public var pskHint: [UInt8]
    public var requesterContext: [UInt8]
    public var opaqueData: [UInt8]

    public init(version: SPDMVersion, summaryHashType: MeasurementSummaryHashType, sessionPolicy: UInt8 = 0,
                requesterSessionID: UInt16, pskHint: [UInt8], requesterContext: [UInt8], opaqueData: [UInt8]) {
        self.version = version
        self.summaryHashType = summaryHashType
        self.sessionPolicy = sessionPolicy
        self.requesterSessionID = requesterSessionID
        self.pskHint = pskHint
        self.requesterContext = requesterContext
        self.opaqueData = opaqueData
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        summaryHashType = MeasurementSummaryHashType(rawValue: header.param1)
        sessionPolicy = version >= .v12 ? header.param2 : 0
        requesterSessionID = try reader.readU16("ReqSessionID")
        let hintLength = try reader.readU16("PSKHintLength")
        let contextLength = try reader.readU16("RequesterContextLength")
        let opaqueLength = try reader.readU16("OpaqueDataLength")
        guard hintLength <= 16 else { throw WireError.invalidField("PSKHintLength \(hintLength) over 16") }
        guard opaqueLength <= 1024 else { throw WireError.invalidField("OpaqueDataLength \(opaqueLength) over 1024") }
        pskHint = try reader.readBytes(Int(hintLength), "PSKHint")
        requesterContext = try reader.readBytes(Int(contextLength), "RequesterContext")
        opaqueData = try reader.readBytes(Int(opaqueLength), "OpaqueData")
    }

    public var encodedSize: Int { 12 + pskHint.count + requesterContext.count + opaqueData.count }

    public func encode(into out: inout [UInt8]) {
        MessageHeader(version: version, code: RequestCode.pskExchange.rawValue, param1: summaryHashType.rawValue,
                      param2: version >= .v12 ? sessionPolicy : 0).encode(into: &out)
        out.appendU16(requesterSessionID)
        out.appendU16(UInt16(pskHint.count))
        out.appendU16(UInt16(requesterContext.count))
        out.appendU16(UInt16(opaqueData.count))
        out += pskHint
        out += requesterContext
        out += opaqueData
    }
}

/// PSK_EXCHANGE_RSP (DSP0274 §10.17).
///
///     +0 Version | +1 0x66 | +2 Param1: HeartbeatPeriod | +3 Reserved | +4 RspSessionID (u16)
///     +6 Reserved (u16) | +8 ResponderContextLength (u16) | +10 OpaqueDataLength (u16)
///     +12 MeasurementSummaryHash (0 or H) | ResponderContext | OpaqueData | ResponderVerifyData (H)
public struct PSKExchangeResponse: Hashable, Sendable {
    public var version: SPDMVersion
    public var heartbeatPeriod: UInt8
    public var responderSessionID: UInt16
    public var measurementSummaryHash: [UInt8]
    public var responderContext: [UInt8]
    public var opaqueData: [UInt8]
    public var verifyData: [UInt8] = []

    public init(version: SPDMVersion, heartbeatPeriod: UInt8, responderSessionID: UInt16, measurementSummaryHash: [UInt8],
                responderContext: [UInt8], opaqueData: [UInt8]) {
        self.version = version
        self.heartbeatPeriod = heartbeatPeriod
        self.responderSessionID = responderSessionID
        self.measurementSummaryHash = measurementSummaryHash
        self.responderContext = responderContext
        self.opaqueData = opaqueData
    }

    public func encodeWithoutVerifyData(into out: inout [UInt8]) {
        MessageHeader(version: version, code: ResponseCode.pskExchangeRsp.rawValue, param1: heartbeatPeriod).encode(into: &out)
        out.appendU16(responderSessionID)
        out.appendU16(0)
        out.appendU16(UInt16(responderContext.count))
        out.appendU16(UInt16(opaqueData.count))
        out += measurementSummaryHash
        out += responderContext
        out += opaqueData
    }

    public func encode(into out: inout [UInt8]) {
        encodeWithoutVerifyData(into: &out)
        out += verifyData
    }
}

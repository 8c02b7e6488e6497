import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_MEASUREMENT_EXTENSION_LOG -> MEASUREMENT_EXTENSION_LOG in portions (DSP0274 1.3, MEL_CAP),
/// the way DMTF's reference requester asks: Offset 0 with the most one response can carry,
/// then the rest; done once the bytes hold the log's header and MELEntriesLength. The log must
/// parse in the DMTF format; `MeasurementExtension.extendedValue` checks it against a hash-extend
/// measurement (`spdmctl attest` does).
extension RequesterConnection {
    func startGetMeasurementExtensionLog(pending: inout Pending) throws -> [UInt8] {
        let algorithms = try algorithms(for: .getMeasurementExtensionLog)
        guard algorithms.version >= .v13 else {
            throw RequesterError.invalidState("GET_MEASUREMENT_EXTENSION_LOG needs SPDM 1.3, negotiated \(algorithms.version)")
        }
        try requireResponder(.mel, "MEL_CAP for GET_MEASUREMENT_EXTENSION_LOG")
        guard algorithms.melSpecification == MeasurementExtensionLog.specificationDMTF else {
            throw RequesterError.negotiationFailed("the responder selected no DMTF measurement extension log format")
        }
        return logRequest(offset: 0, remainder: nil, version: algorithms.version)
    }

    /// The next portion's request: as much as one response carries (one message, or with chunking
    /// one large message), no more than is left.
    func logRequest(offset: Int, remainder: Int?, version: SPDMVersion) -> [UInt8] {
        let carried = largeMessageTransfer.chunking ? configuration.maxSPDMMessageSize : configuration.dataTransferSize
        var length = max(1, Int(carried) - MeasurementExtensionLogResponse.headerSize)
        if let remainder { length = min(length, remainder) }
        return GetMeasurementExtensionLogRequest(version: version, offset: UInt32(clamping: offset), length: UInt32(clamping: length))
            .encoded(context: .unnegotiated(version))
    }

    mutating func receiveMeasurementExtensionLog(_ response: [UInt8], pending current: Pending) throws -> RequesterAction {
        var current = current
        let algorithms = try algorithms(for: current.code)
        try checkVersion(response, code: current.code, expected: algorithms.version)
        let message = try decode(current.code) { try MeasurementExtensionLogResponse(decoding: response, context: algorithms.wireContext) }
        let asked = try GetMeasurementExtensionLogRequest(decoding: current.request, context: algorithms.wireContext)
        guard !message.portion.isEmpty, message.portion.count <= Int(asked.length) else {
            throw RequesterError.malformedResponse(request: current.code,
                                                   reason: "PortionLength \(message.portion.count), asked for 1 to \(asked.length)")
        }
        current.log += message.portion
        let total = current.log.count + Int(message.remainderLength)
        guard total <= 0xFFFF_FFFF else {
            throw RequesterError.malformedResponse(request: current.code, reason: "a log of \(total) bytes")
        }
        if message.remainderLength != 0 {
            current.request = logRequest(offset: current.log.count, remainder: Int(message.remainderLength), version: algorithms.version)
            transcript.willHandle(request: .getMeasurementExtensionLog, authenticated: authenticated)
            current.notReadyAttempts = 0
            pending = current
            return .send(current.request)
        }
        do {
            return .completed(.measurementExtensionLog(try MeasurementExtensionLog(decoding: current.log)))
        } catch {
            throw RequesterError.measurementMismatch("the measurement extension log is not in the DMTF format: \(error)")
        }
    }
}

extension RequesterConnection {
    /// The measurement extension log, retrieved inside an established session.
    public mutating func getMeasurementExtensionLog(session: inout RequesterSession, via send: SecuredExchange) throws -> MeasurementExtensionLog {
        try requireEstablished(session, .getMeasurementExtensionLog)
        let event = try perform(.getMeasurementExtensionLog) { message in
            try session.exchange(message, code: .getMeasurementExtensionLog, via: send)
        }
        guard case .measurementExtensionLog(let log) = event else {
            throw RequesterError.invalidState("unexpected event for GET_MEASUREMENT_EXTENSION_LOG")
        }
        return log
    }
}

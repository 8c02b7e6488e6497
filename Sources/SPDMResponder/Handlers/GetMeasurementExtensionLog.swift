import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_MEASUREMENT_EXTENSION_LOG -> MEASUREMENT_EXTENSION_LOG (DSP0274 1.3, MEL_CAP), in the clear
/// or in a session: one portion of the device's log in the DMTF format
/// (`MeasurementTable.extensionLog`), the log its hash-extend measurement reports extended.
///
/// The portion is what was asked and what is left; without chunking also what fits the
/// requester's DataTransferSize in one message; with chunking (both sides CHUNK_CAP) what fits
/// its MaxSPDMmsgSize, a response over DataTransferSize then travelling as a large response
/// (CHUNK_GET). Nothing joins a transcript.
extension ResponderConnection {
    mutating func handleGetMeasurementExtensionLog(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard request.count >= GetMeasurementExtensionLogRequest.size else {
            throw ResponderError.invalidRequest("GET_MEASUREMENT_EXTENSION_LOG needs 12 bytes, got \(request.count)")
        }
        let message = try GetMeasurementExtensionLogRequest(decoding: request, context: algorithms.wireContext)
        guard algorithms.melSpecification == MeasurementExtensionLog.specificationDMTF, let hash = algorithms.measurementHash else {
            throw ResponderError.unexpectedRequest("no measurement extension log format (MELspecification) or measurement hash negotiated")
        }
        let log = device.measurements.extensionLog(hash: hash).encoded
        guard message.offset < UInt32(log.count) else {
            throw ResponderError.invalidRequest("Offset \(message.offset) beyond the \(log.count)-byte log")
        }

        // Process: never more than asked, than is left, than fits.
        let offset = Int(message.offset)
        let headerSize = MeasurementExtensionLogResponse.headerSize
        var limit = Int.max
        if chunkingNegotiated {
            limit = Int(peer.maxSPDMMessageSize) - headerSize
        } else if let transmitLimit {
            limit = transmitLimit - headerSize
        }
        let length = max(0, min(Int(clamping: message.length), log.count - offset, limit))

        // Build
        return MeasurementExtensionLogResponse(version: algorithms.version, remainderLength: UInt32(log.count - offset - length),
                                               portion: Array(log[offset..<offset + length])).encoded(context: algorithms.wireContext)
    }
}

import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_MEASUREMENTS -> MEASUREMENTS (DSP0274 §10.11): the count, one block or all blocks, signed
/// over L1/L2 when asked.
extension ResponderConnection {
    mutating func handleGetMeasurements(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        let header = try MessageHeader(peeking: request)
        let attributes = GetMeasurementsRequest.Attributes(rawValue: header.param1)
        let signed = attributes.contains(.signatureRequested)
        let size = GetMeasurementsRequest.expectedSize(algorithms.version, signed: signed)
        guard request.count >= size else {
            throw ResponderError.invalidRequest("GET_MEASUREMENTS needs \(size) bytes, got \(request.count)")
        }
        let message = try GetMeasurementsRequest(decoding: request, context: algorithms.wireContext)
        var slot: ServedSlot? = nil
        if signed {
            guard device.capabilities.contains(.measWithSignature) else {
                throw ResponderError.invalidRequest("signed measurements asked of a device without MEAS_CAP=2")
            }
            // SlotIDParam is 4 bits: 0xF names the raw public key (SlotID 0xFF).
            guard let chosen = device.signingSlot(message.slotID == 0x0F ? ResponderDevice.rawPublicKeySlotID : message.slotID,
                                                  for: algorithms.signing) else {
                throw ResponderError.invalidRequest("slot \(message.slotID) holds no certificate chain")
            }
            try requireKeyUsage(.measurement, of: chosen, algorithms: algorithms)
            slot = chosen
        }
        let table = device.measurements
        let selected: [MeasurementTable.Entry]
        switch message.operation {
        case GetMeasurementsRequest.operationTotalCount: selected = []
        case GetMeasurementsRequest.operationAll: selected = table.entries
        default:
            guard let entry = table.entry(message.operation) else {
                throw ResponderError.invalidRequest("no measurement at index \(message.operation)")
            }
            selected = [entry]
        }

        // Process
        let rawRequested = algorithms.version >= .v12 && attributes.contains(.rawBitStreamRequested)
        let blocks = table.blocks(selected, hash: algorithms.measurementHash, rawRequested: rawRequested)
        var response = MeasurementsResponse(
            version: algorithms.version,
            totalMeasurementCount: message.operation == GetMeasurementsRequest.operationTotalCount ? UInt8(table.count) : 0,
            slotID: signed ? message.slotID & 0x0F : 0, blocks: blocks, nonce: randomBytes(32), opaqueData: [],
            requesterContext: message.requesterContext)

        // Build
        let requestBytes = Array(request.prefix(size))
        var unsigned: [UInt8] = []
        response.encodeWithoutSignature(into: &unsigned)
        if let slot {
            let transcriptBytes = transcript.measurementTranscript(version: algorithms.version, request: requestBytes,
                                                                   responseWithoutSignature: unsigned)
            response.signature = try sign(transcriptBytes, with: slot, context: SigningContext.measurements)
        }
        let bytes = unsigned + response.signature

        // Update: a signed response closes the L1/L2 run; an unsigned one extends it.
        if signed { transcript.resetM() } else { transcript.appendM(requestBytes + bytes) }
        return bytes
    }
}

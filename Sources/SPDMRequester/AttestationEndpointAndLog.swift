import SPDMCore
import SPDMCrypto
import SPDMWire

/// The SPDM 1.3 steps of an attestation run, after the measurements:
///   - GET_ENDPOINT_INFO when the responder has EP_INFO_CAP, signed by the attested slot's key when
///     it signs (EP_INFO_CAP 10b) and that chain was verified;
///   - GET_MEASUREMENT_EXTENSION_LOG when it has MEL_CAP and the DMTF format was negotiated; with
///     the measurements retrieved, every hash-extend block must equal the extension of the log's
///     entries for its index (`MeasurementExtension`).
extension RequesterConnection {
    mutating func attestEndpointInfoAndLog(_ report: inout AttestationReport, plan: AttestationPlan, verified: inout [String],
                                           exchange: ([UInt8]) throws -> [UInt8]) throws {
        let algorithms = report.algorithms
        guard algorithms.version >= .v13 else { return }
        let flags = report.capabilities.flags
        if !flags.intersection([.endpointInfoNoSignature, .endpointInfoWithSignature]).isEmpty {
            let signed = flags.contains(.endpointInfoWithSignature) && report.chain != nil
            guard case .endpointInfo(let result) = try perform(.getEndpointInfo(EndpointInfoRequest(signed: signed, slot: plan.slot)),
                                                               exchange: exchange) else {
                throw RequesterError.invalidState("unexpected event for GET_ENDPOINT_INFO")
            }
            report.endpointInfo = result
            if result.signatureVerified { verified.append("ENDPOINT_INFO: signature over IL with the slot \(plan.slot) leaf key") }
        }
        if flags.contains(.mel) && algorithms.melSpecification == MeasurementExtensionLog.specificationDMTF {
            guard case .measurementExtensionLog(let log) = try perform(.getMeasurementExtensionLog, exchange: exchange) else {
                throw RequesterError.invalidState("unexpected event for GET_MEASUREMENT_EXTENSION_LOG")
            }
            report.measurementExtensionLog = log
            guard let hash = algorithms.measurementHash else { return }
            let extended = report.measurements.filter { $0.valueType == .hashExtendMeasurement && !$0.isRawBitStream }
            for block in extended where MeasurementExtension.extendedValue(of: log, index: block.index, hash: hash) != block.value {
                throw RequesterError.measurementMismatch("hash-extend measurement \(block.index) is not the extension of the log's \(log.entries.count) entries")
            }
            if !extended.isEmpty {
                verified.append("measurement extension log (\(log.entries.count) entries) extends to hash-extend measurement \(extended.map(\.index).map(String.init).joined(separator: ", "))")
            }
        }
    }
}

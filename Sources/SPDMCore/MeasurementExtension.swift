import SPDMCrypto
import SPDMWire

/// The hash-extend measurement (DMTFSpecMeasurementValueType 8) of a measurement extension log
/// (DSP0274 1.3 "Measurement extension log"): starting from H zero bytes, each entry of the log
/// that names the measurement's index is extended in log order,
///
///     H_0 = 0^H,   H_i = Hash(H_(i-1) || MELEntry_i)      (the entry's 11-byte header and its value)
///
/// so the value a MEASUREMENTS block reports is the last H_i. Both roles use it: the responder to
/// report the measurement, the requester to check a retrieved log against it.
public enum MeasurementExtension {
    public static func extendedValue(of log: MeasurementExtensionLog, index: UInt8, hash: HashAlgorithm) -> [UInt8] {
        var value = [UInt8](repeating: 0, count: hash.digestSize)
        for entry in log.entries where entry.measurementIndex == index {
            value = Digest.hash(hash, value + entry.encoded)
        }
        return value
    }
}

import SPDMCrypto
import SPDMWire

/// The MeasurementSummaryHash of CHALLENGE_AUTH and KEY_EXCHANGE_RSP (DSP0274 §10.8):
/// the hash of the concatenated measurement blocks, all of them (type 0xFF) or those that are part of
/// the TCB (type 1). From 1.2 on each whole measurement block is hashed; 1.0 and 1.1 hash only the
/// DMTF "Measurement" part of each block.
public enum MeasurementSummary {
    public static func hash(blocks: [MeasurementBlock], tcbIndices: Set<UInt8>, type: MeasurementSummaryHashType,
                            version: SPDMVersion, hash: HashAlgorithm) -> [UInt8] {
        guard type != .none else { return [] }
        var concatenated: [UInt8] = []
        for block in blocks where type == .all || tcbIndices.contains(block.index) {
            if version >= .v12 { block.encode(into: &concatenated) } else { concatenated += block.dmtfMeasurement }
        }
        return Digest.hash(hash, concatenated)
    }
}

import SPDMCore
import SPDMCrypto
import SPDMWire

/// What NEGOTIATE_ALGORITHMS offers in AlgStructures and the checks of ALGORITHMS that SPDM 1.4's
/// post-quantum fields add (DSP0274 1.4 §10.5; the requester's checks of libspdm, the reference):
///
///     request  AlgStructures in increasing AlgType: DHE (2), AEAD (3), ReqBaseAsymAlg (4), KeySchedule (5),
///              and at 1.4 ReqPqcAsymAlg (6, PqcAsymAlgo bits in 16) and KEMAlg (7); +16 PqcAsymAlgo (1.4)
///     response one echo per structure sent, AlgType increasing; +20 PqcAsymSel (1.4)
///              at most one of BaseAsymSel / PqcAsymSel, DHE / KEMAlg, ReqBaseAsymAlg / ReqPqcAsymAlg
extension RequesterConnection {
    /// The AlgStructures NEGOTIATE_ALGORITHMS carries at `version`, in increasing AlgType order: from 1.1
    /// DHE (2), AEAD (3), ReqBaseAsymAlg (4), KeySchedule (5); at 1.4 ReqPqcAsymAlg (6) and KEMAlg (7).
    /// An empty offer is not sent.
    func offeredStructures(version: SPDMVersion) -> [AlgorithmStructure] {
        var offers: [(AlgorithmStructure.AlgType, UInt16)] = []
        if version >= .v11 {
            offers += [(.dhe, configuration.dhe.rawValue), (.aead, configuration.aead.rawValue),
                       (.requesterBaseAsym, configuration.offeredRequesterAsym.requesterStructureBits),
                       (.keySchedule, configuration.keySchedule.rawValue)]
        }
        if version >= .v14 {
            offers += [(.requesterPQCAsym, configuration.offeredRequesterPQCAsym.requesterStructureBits), (.kem, configuration.kem.rawValue)]
        }
        return offers.filter { $0.1 != 0 }.map { AlgorithmStructure(type: $0.0, supported: $0.1) }
    }

    /// The response's AlgStructures: in increasing AlgType order, each of a type that was sent.
    func checkEchoedStructures(_ structures: [AlgorithmStructure], version: SPDMVersion) throws {
        let sent = offeredStructures(version: version).map(\.type.rawValue)
        let echoed = structures.map(\.type.rawValue)
        guard echoed == echoed.sorted(), Set(echoed).count == echoed.count else {
            throw RequesterError.negotiationFailed("ALGORITHMS AlgStructures are not in increasing AlgType order")
        }
        if let extra = echoed.first(where: { !sent.contains($0) }) {
            throw RequesterError.negotiationFailed("ALGORITHMS carries AlgType \(extra), which was not sent")
        }
    }

    /// DSP0274 1.4: a classic selection and its post-quantum counterpart are never both set.
    func atMostOne(_ classic: (name: String, bits: UInt32), _ postQuantum: (name: String, bits: UInt32)) throws {
        guard classic.bits != 0 && postQuantum.bits != 0 else { return }
        throw RequesterError.negotiationFailed("ALGORITHMS selects both \(classic.name) 0x\(String(classic.bits, radix: 16)) "
                                               + "and \(postQuantum.name) 0x\(String(postQuantum.bits, radix: 16)); at most one may be set")
    }

    /// The algorithm of a one-hot selection (nil for none); a bit this requester cannot use is a failure.
    func known<Bits: OptionSet, Algorithm>(_ bits: Bits, _ name: String, _ algorithm: KeyPath<Bits, Algorithm?>) throws -> Algorithm?
        where Bits.RawValue: FixedWidthInteger {
        guard !bits.isEmpty else { return nil }
        guard let value = bits[keyPath: algorithm] else {
            throw RequesterError.negotiationFailed("\(name) 0x\(String(bits.rawValue, radix: 16)) unknown")
        }
        return value
    }
}

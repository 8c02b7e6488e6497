import Foundation
import SPDMResponder

/// provisioned.json: a device's `ProvisionedState` as the state store writes it. A versioned
/// document of its own (not the Swift type's synthesized coding), so the file stays readable and
/// stable as the type grows; binary fields are base64, maps are keyed by decimal ids:
///
///     {
///       "format": "spdm-fleetd provisioned state",
///       "version": 1,
///       "device": "gpu0",
///       "revision": 7,
///       "installed_chains": {"2": {"certificates": "<base64 DER, root first>", "root": "<base64 DER>",
///                                  "key_pair_id": 0, "certificate_model": 1}},
///       "erased_slots": [3],
///       "key_pairs": {"1": {"key_usage": 3, "asym_algorithm": 128, "pqc_asym_algorithm": 0,
///                           "associated_slot_mask": 1, "erased": false}},
///       "pending_reset": {"installed_chains": {}, "erased_slots": [], "key_pairs": {},
///                         "csr_requests": {"5": {"key_pair_id": 0, "request_attributes": 0,
///                                                "requester_info": "<base64>", "opaque_data": "<base64>", "ready": false}}}
///     }
///
/// A document of another format or version, or one that does not decode, is refused as a whole
/// (`decode` throws): the store never serves half of a state.
public enum ProvisionedStateFile {
    public static let format = "spdm-fleetd provisioned state"
    public static let version = 1

    public static func encode(_ state: ProvisionedState, device: String) throws -> [UInt8] {
        let document = Document(format: format, version: version, device: device, revision: state.revision,
                                installedChains: Chain.map(state.installedChains), erasedSlots: state.erasedSlots.sorted(),
                                keyPairs: KeyPair.map(state.keyPairs), pendingReset: Pending(state.pendingReset))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(document)) + [0x0A]
    }

    /// The state in `bytes`; throws `Invalid` saying what is wrong.
    public static func decode(_ bytes: [UInt8]) throws(Invalid) -> ProvisionedState {
        let data = Data(bytes)
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw Invalid(reason: "not a JSON document with \"format\" and \"version\": \(error)")
        }
        guard header.format == format else { throw Invalid(reason: "format is '\(header.format)', expected '\(format)'") }
        guard header.version == version else {
            throw Invalid(reason: "version \(header.version) is not the version \(version) this spdm-fleetd reads")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw Invalid(reason: "does not decode: \(error)")
        }
        return try document.state()
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var reason: String
        public var description: String { reason }
    }

    private struct Header: Decodable {
        var format: String
        var version: Int
    }

    private struct Document: Codable {
        var format: String
        var version: Int
        var device: String
        var revision: UInt64
        var installedChains: [String: Chain]
        var erasedSlots: [UInt8]
        var keyPairs: [String: KeyPair]
        var pendingReset: Pending

        enum CodingKeys: String, CodingKey {
            case format, version, device, revision
            case installedChains = "installed_chains", erasedSlots = "erased_slots", keyPairs = "key_pairs"
            case pendingReset = "pending_reset"
        }

        func state() throws(Invalid) -> ProvisionedState {
            ProvisionedState(installedChains: try Chain.unmap(installedChains, "installed_chains"),
                             erasedSlots: try slots(erasedSlots, "erased_slots"),
                             keyPairs: try KeyPair.unmap(keyPairs, "key_pairs"),
                             pendingReset: try pendingReset.state(), revision: revision)
        }
    }

    private struct Chain: Codable {
        var certificates: String
        var root: String
        var keyPairID: UInt8
        var certificateModel: UInt8

        enum CodingKeys: String, CodingKey {
            case certificates, root, keyPairID = "key_pair_id", certificateModel = "certificate_model"
        }

        static func map(_ chains: [UInt8: InstalledChain]) -> [String: Chain] {
            Dictionary(uniqueKeysWithValues: chains.map { slot, chain in
                (String(slot), Chain(certificates: Data(chain.certificatesDER).base64EncodedString(),
                                     root: Data(chain.rootCertificateDER).base64EncodedString(),
                                     keyPairID: chain.keyPairID, certificateModel: chain.certificateModel))
            })
        }

        static func unmap(_ chains: [String: Chain], _ field: String) throws(Invalid) -> [UInt8: InstalledChain] {
            var result: [UInt8: InstalledChain] = [:]
            for (key, chain) in chains {
                let slot = try slotID(key, field)
                guard let certificates = Data(base64Encoded: chain.certificates), !certificates.isEmpty,
                      let root = Data(base64Encoded: chain.root) else {
                    throw Invalid(reason: "\(field).\(key): certificates and root must be base64 DER")
                }
                result[slot] = InstalledChain(certificatesDER: [UInt8](certificates), rootCertificateDER: [UInt8](root),
                                              keyPairID: chain.keyPairID, certificateModel: chain.certificateModel)
            }
            return result
        }
    }

    private struct KeyPair: Codable {
        var keyUsage: UInt16
        var asymAlgorithm: UInt32
        var pqcAsymAlgorithm: UInt32
        var associatedSlotMask: UInt8
        var erased: Bool

        enum CodingKeys: String, CodingKey {
            case keyUsage = "key_usage", asymAlgorithm = "asym_algorithm", pqcAsymAlgorithm = "pqc_asym_algorithm"
            case associatedSlotMask = "associated_slot_mask", erased
        }

        static func map(_ pairs: [UInt8: KeyPairSettings]) -> [String: KeyPair] {
            Dictionary(uniqueKeysWithValues: pairs.map { id, settings in
                (String(id), KeyPair(keyUsage: settings.keyUsage, asymAlgorithm: settings.asymAlgorithm,
                                     pqcAsymAlgorithm: settings.pqcAsymAlgorithm, associatedSlotMask: settings.associatedSlotMask,
                                     erased: settings.erased))
            })
        }

        static func unmap(_ pairs: [String: KeyPair], _ field: String) throws(Invalid) -> [UInt8: KeyPairSettings] {
            var result: [UInt8: KeyPairSettings] = [:]
            for (key, pair) in pairs {
                guard let id = UInt8(key) else { throw Invalid(reason: "\(field): '\(key)' is not a key pair id (0-255)") }
                result[id] = KeyPairSettings(keyUsage: pair.keyUsage, asymAlgorithm: pair.asymAlgorithm,
                                             pqcAsymAlgorithm: pair.pqcAsymAlgorithm, associatedSlotMask: pair.associatedSlotMask,
                                             erased: pair.erased)
            }
            return result
        }
    }

    private struct CSR: Codable {
        var keyPairID: UInt8
        var requestAttributes: UInt8
        var requesterInfo: String
        var opaqueData: String
        var ready: Bool

        enum CodingKeys: String, CodingKey {
            case keyPairID = "key_pair_id", requestAttributes = "request_attributes", requesterInfo = "requester_info"
            case opaqueData = "opaque_data", ready
        }
    }

    private struct Pending: Codable {
        var installedChains: [String: Chain]
        var erasedSlots: [UInt8]
        var keyPairs: [String: KeyPair]
        var csrRequests: [String: CSR]

        enum CodingKeys: String, CodingKey {
            case installedChains = "installed_chains", erasedSlots = "erased_slots", keyPairs = "key_pairs"
            case csrRequests = "csr_requests"
        }

        init(_ pending: PendingReset) {
            installedChains = Chain.map(pending.installedChains)
            erasedSlots = pending.erasedSlots.sorted()
            keyPairs = KeyPair.map(pending.keyPairs)
            csrRequests = Dictionary(uniqueKeysWithValues: pending.csrRequests.map { tag, csr in
                (String(tag), CSR(keyPairID: csr.keyPairID, requestAttributes: csr.requestAttributes,
                                  requesterInfo: Data(csr.requesterInfo).base64EncodedString(),
                                  opaqueData: Data(csr.opaqueData).base64EncodedString(), ready: csr.ready))
            })
        }

        func state() throws(Invalid) -> PendingReset {
            var requests: [UInt8: PendingCSR] = [:]
            for (key, csr) in csrRequests {
                guard let tag = UInt8(key) else { throw Invalid(reason: "pending_reset.csr_requests: '\(key)' is not a CSRTrackingTag") }
                guard let info = Data(base64Encoded: csr.requesterInfo), let opaque = Data(base64Encoded: csr.opaqueData) else {
                    throw Invalid(reason: "pending_reset.csr_requests.\(key): requester_info and opaque_data must be base64")
                }
                requests[tag] = PendingCSR(keyPairID: csr.keyPairID, requestAttributes: csr.requestAttributes,
                                           requesterInfo: [UInt8](info), opaqueData: [UInt8](opaque), ready: csr.ready)
            }
            return PendingReset(installedChains: try Chain.unmap(installedChains, "pending_reset.installed_chains"),
                                erasedSlots: try slots(erasedSlots, "pending_reset.erased_slots"),
                                keyPairs: try KeyPair.unmap(keyPairs, "pending_reset.key_pairs"), csrRequests: requests)
        }
    }

    private static func slotID(_ key: String, _ field: String) throws(Invalid) -> UInt8 {
        guard let slot = UInt8(key), slot < 8 else { throw Invalid(reason: "\(field): '\(key)' is not a slot id (0-7)") }
        return slot
    }

    private static func slots(_ ids: [UInt8], _ field: String) throws(Invalid) -> Set<UInt8> {
        guard let bad = ids.first(where: { $0 >= 8 }) else { return Set(ids) }
        throw Invalid(reason: "\(field): \(bad) is not a slot id (0-7)")
    }
}

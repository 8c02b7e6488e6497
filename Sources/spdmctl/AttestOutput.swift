import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMWire

/// Human and JSON renderings of an attestation.
struct AttestOutput {
    var endpoint: String
    var transport: String
    var json: Bool

    // MARK: JSON document

    struct Document: Encodable {
        var ok: Bool
        var error: String?
        /// The kind of the failed check (FailedCheck), which is also the exit status's meaning.
        var failedCheck: FailedCheck?
        var endpoint: String
        var transport: String
        var version: String?
        var responderVersions: [String]?
        var capabilities: Capabilities?
        var algorithms: Algorithms?
        var digests: [String: String]?
        var certificateChain: Chain?
        var challenge: Challenge?
        var measurementCount: Int?
        var measurements: [Measurement]?
        var measurementsSigned: Bool?
        var summaryCheck: String?
        var verified: [String]?
        var endpointInfo: EndpointInfo?
        var measurementExtensionLog: [LogEntry]?
    }

    /// ENDPOINT_INFO: the EPInfo and, when it is in that format, its device class identifiers.
    struct EndpointInfo: Encodable {
        var signed: Bool
        var slot: UInt8
        var endpointInfo: String
        var identifiers: [Identifier]?
    }

    struct Identifier: Encodable {
        var registry: UInt8
        var vendorID: String
        var subIdentifiers: [String]
    }

    struct LogEntry: Encodable {
        var melIndex: UInt32
        var measurementIndex: UInt8
        var type: String
        var representation: String
        var value: String
    }

    struct Capabilities: Encodable {
        var flags: [String]
        var ctExponent: UInt8
        var dataTransferSize: UInt32?
        var maxSPDMMessageSize: UInt32?
    }

    struct Algorithms: Encodable {
        var hash: String?
        /// BaseAsymSel; at 1.4 the responder may sign with `pqcAsym` (PqcAsymSel) instead.
        var asym: String?
        var pqcAsym: String?
        var measurementHash: String?
        var measurementSpecification: String?

        /// "hash SHA_384, asym ECDSA_P384, measurement hash SHA_384"; a PQC signature shows as "pqc asym ML_DSA_65".
        var text: String {
            let signature = pqcAsym.map { "pqc asym \($0)" } ?? "asym \(asym ?? "-")"
            return "hash \(hash ?? "-"), \(signature), measurement hash \(measurementHash ?? "-")"
        }
    }

    struct Chain: Encodable {
        var slot: UInt8
        var anchored: Bool
        var rootHash: String
        var certificates: [CertificateSummary]
    }

    struct CertificateSummary: Encodable {
        var subject: String
        var issuer: String
        var sha256: String
    }

    struct Challenge: Encodable {
        var slot: UInt8
        var slotMask: UInt8
        var summaryType: String
        var measurementSummaryHash: String?
        var certChainHash: String
    }

    struct Measurement: Encodable {
        var index: UInt8
        var type: String
        var typeCode: UInt8
        var representation: String
        var value: String
    }

    // MARK: Names

    static func name(_ hash: HashAlgorithm?) -> String? {
        hash.flatMap { algorithm in BaseHashAlgorithms.named.first { $0.1 == BaseHashAlgorithms(algorithm) }?.0 }
    }

    static func name(_ asym: SignatureAlgorithm?) -> String? {
        asym.flatMap { algorithm in BaseAsymAlgorithms.named.first { $0.1 == BaseAsymAlgorithms(algorithm) }?.0 }
    }

    static func summaryName(_ type: MeasurementSummaryHashType) -> String {
        switch type {
        case .none: return "none"
        case .tcb: return "tcb"
        case .all: return "all"
        default: return "0x" + String(type.rawValue, radix: 16)
        }
    }

    static func algorithms(_ negotiated: NegotiatedAlgorithms) -> Algorithms {
        Algorithms(hash: name(negotiated.hash), asym: name(negotiated.asym), pqcAsym: negotiated.pqcAsym.map { SigningAlgorithm.pqc($0).name },
                   measurementHash: negotiated.measurementRawBitStreamOnly ? "RAW_BIT_STREAM_ONLY" : name(negotiated.measurementHash),
                   measurementSpecification: negotiated.measurementSpecification.contains(.dmtf) ? "DMTF" : nil)
    }

    static func capabilities(_ response: CapabilitiesResponse) -> Capabilities {
        Capabilities(flags: response.flags.names, ctExponent: response.ctExponent,
                     dataTransferSize: response.version >= .v12 ? response.dataTransferSize : nil,
                     maxSPDMMessageSize: response.version >= .v12 ? response.maxSPDMMessageSize : nil)
    }

    func document(_ report: AttestationReport, failure: String?) -> Document {
        let chain = report.chain.map { chain in
            Chain(slot: chain.slot, anchored: chain.anchored, rootHash: chain.rootHash.spdmHex,
                  certificates: chain.certificates.map {
                      CertificateSummary(subject: $0.subject, issuer: $0.issuer, sha256: Digest.hash(.sha256, $0.der).spdmHex)
                  })
        }
        let challenge = report.challenge.map { result in
            Challenge(slot: result.slot, slotMask: result.slotMask, summaryType: Self.summaryName(result.summaryType),
                      measurementSummaryHash: result.measurementSummaryHash.isEmpty ? nil : result.measurementSummaryHash.spdmHex,
                      certChainHash: result.certChainHash.spdmHex)
        }
        let summaryCheck: String
        switch report.summaryCheck {
        case .notRequested: summaryCheck = "not-requested"
        case .verified: summaryCheck = "verified"
        case .unchecked(let reason): summaryCheck = "unchecked: \(reason)"
        }
        return Document(
            ok: failure == nil, error: failure, endpoint: endpoint, transport: transport,
            version: report.version.description, responderVersions: report.responderVersions.map(\.description),
            capabilities: Self.capabilities(report.capabilities), algorithms: Self.algorithms(report.algorithms),
            digests: Dictionary(uniqueKeysWithValues: report.digests.map { (String($0.key), $0.value.spdmHex) }),
            certificateChain: chain, challenge: challenge, measurementCount: report.measurementCount,
            measurements: report.measurements.map {
                Measurement(index: $0.index, type: $0.valueType.name, typeCode: $0.valueType.rawValue,
                            representation: $0.isRawBitStream ? "raw" : "digest", value: $0.value.spdmHex)
            },
            measurementsSigned: report.measurementsSigned, summaryCheck: summaryCheck, verified: report.verified,
            endpointInfo: report.endpointInfo.map { result in
                EndpointInfo(signed: result.signatureVerified, slot: result.slot, endpointInfo: result.endpointInfo.spdmHex,
                             identifiers: result.identifiers?.elements.map {
                                 Identifier(registry: $0.registry, vendorID: $0.vendorID.spdmHex, subIdentifiers: $0.subIdentifiers.map(\.spdmHex))
                             })
            },
            measurementExtensionLog: report.measurementExtensionLog?.entries.map {
                LogEntry(melIndex: $0.melIndex, measurementIndex: $0.measurementIndex, type: $0.valueType.name,
                         representation: $0.isRawBitStream ? "raw" : "digest", value: $0.value.spdmHex)
            })
    }

    // MARK: Printing

    func success(_ report: AttestationReport, failure: String?, kind: FailedCheck? = nil) {
        if json {
            var document = document(report, failure: failure)
            document.failedCheck = failure == nil ? nil : kind
            emit(document)
            return
        }
        var lines: [String] = []
        lines.append("responder       \(endpoint) (\(transport))")
        lines.append("SPDM version    \(report.version) (responder offers \(report.responderVersions.map(\.description).joined(separator: " ")))")
        let caps = Self.capabilities(report.capabilities)
        var capabilityLine = "capabilities    \(caps.flags.joined(separator: " ")), CTExponent \(caps.ctExponent)"
        if let size = caps.dataTransferSize, let maximum = caps.maxSPDMMessageSize {
            capabilityLine += ", DataTransferSize \(size), MaxSPDMmsgSize \(maximum)"
        }
        lines.append(capabilityLine)
        let algorithms = Self.algorithms(report.algorithms)
        lines.append("algorithms      \(algorithms.text)")
        for (slot, digest) in report.digests.sorted(by: { $0.key < $1.key }) {
            lines.append("digest slot \(slot)   \(digest.spdmHex)")
        }
        if let chain = report.chain, chain.rawPublicKey != nil {
            lines.append("public key      slot 0xFF, raw public key (\(chain.spdmChain.count)-byte SubjectPublicKeyInfo, provisioned)")
        } else if let chain = report.chain {
            lines.append("chain slot \(chain.slot)    \(chain.certificates.count) certificates\(chain.anchored ? "" : " (NOT anchored to a trusted root)")")
            for (index, certificate) in chain.certificates.enumerated() {
                let role = index == 0 ? (certificate.isSelfSigned ? " [root]" : " [first CA]") : index == chain.certificates.count - 1 ? " [leaf]" : ""
                lines.append("  [\(index)] \(certificate.subject)\(role)")
            }
        }
        if let challenge = report.challenge {
            var line = "challenge       slot \(challenge.slot), summary \(Self.summaryName(challenge.summaryType))"
            if !challenge.measurementSummaryHash.isEmpty { line += " \(challenge.measurementSummaryHash.spdmHex)" }
            lines.append(line)
        }
        if let count = report.measurementCount {
            lines.append("measurements    \(count) block\(count == 1 ? "" : "s")\(report.measurementsSigned ? ", signed" : "")")
            for block in report.measurements {
                let kind = block.isRawBitStream ? "raw   " : "digest"
                lines.append("  #\(block.index) \(block.valueType.name) (type \(block.valueType.rawValue)) \(kind) \(block.value.spdmHex)")
            }
        }
        if let info = report.endpointInfo {
            lines.append("endpoint info   \(info.signatureVerified ? "signed (slot \(info.slot))" : "unsigned") \(info.endpointInfo.spdmHex)")
            for element in info.identifiers?.elements ?? [] {
                let registry = DeviceClassIdentifier.registries.first { $0.1 == element.registry }?.0 ?? "registry \(element.registry)"
                lines.append("  \(registry)\(element.vendorID.isEmpty ? "" : " vendor \(element.vendorID.spdmHex)") sub ids \(element.subIdentifiers.map(\.spdmHex).joined(separator: " "))")
            }
        }
        if let log = report.measurementExtensionLog {
            lines.append("extension log   \(log.entries.count) entr\(log.entries.count == 1 ? "y" : "ies")")
            for entry in log.entries {
                lines.append("  [\(entry.melIndex)] -> #\(entry.measurementIndex) \(entry.valueType.name) \(entry.isRawBitStream ? "raw   " : "digest") \(entry.value.spdmHex)")
            }
        }
        switch report.summaryCheck {
        case .notRequested: break
        case .verified: break
        case .unchecked(let reason): lines.append("summary hash    not checked: \(reason)")
        }
        for check in report.verified { lines.append("verified        \(check)") }
        print(lines.joined(separator: "\n"))
        if let failure {
            FileHandle.standardError.write(Data("FAILED (\(kind?.rawValue ?? "check")): \(failure)\n".utf8))
        } else {
            print("OK: every check passed")
        }
    }

    func fail(_ message: String, kind: FailedCheck, requester: RequesterConnection?) {
        if json {
            var document = Document(ok: false, error: message, failedCheck: kind, endpoint: endpoint, transport: transport)
            if let requester {
                document.version = requester.version?.description
                if !requester.responderVersions.isEmpty { document.responderVersions = requester.responderVersions.map(\.description) }
                document.capabilities = requester.responderCapabilities.map(Self.capabilities)
                document.algorithms = requester.negotiated.map(Self.algorithms)
            }
            emit(document)
            return
        }
        if let requester {
            if let version = requester.version { print("SPDM version    \(version)") }
            if let negotiated = requester.negotiated {
                let algorithms = Self.algorithms(negotiated)
                print("algorithms      \(algorithms.text)")
            }
        }
        FileHandle.standardError.write(Data("FAILED (\(kind.rawValue)): \(message)\n".utf8))
    }

    private func emit(_ document: Document) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{\"ok\":false,\"error\":\"cannot encode output\"}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }
}

import Foundation
import SPDMCore
import SPDMResponder
import SPDMWire

/// One established secure session as the control API lists it (GET /v1/sessions): recorded by the
/// connection's handler when the state machine establishes it, dropped when it ends (END_SESSION, a
/// fatal error in it, its heartbeat timing out, GET_VERSION, or its connection closing).
struct OpenSession: Sendable {
    var id: UInt32
    var kind: SessionSummary.Kind
    var version: SPDMVersion
    /// The connection's negotiated algorithms by role: hash, asym, dhe, aead.
    var algorithms: [String: String]
    var heartbeatPeriod: UInt8
    var mutualAuthentication: Bool
    let started = Date()
    /// When the last HEARTBEAT of this session was answered.
    var lastHeartbeat: Date?

    init(_ summary: SessionSummary, algorithms negotiated: NegotiatedAlgorithms?) {
        id = summary.id
        kind = summary.kind
        version = summary.version
        heartbeatPeriod = summary.heartbeatPeriod
        mutualAuthentication = summary.mutualAuthentication
        algorithms = negotiated.map(Self.names) ?? [:]
    }

    /// The algorithm names spdm-emu and the config use (SHA_384, ECDSA_P384, SECP_384_R1, AES_256_GCM).
    static func names(_ negotiated: NegotiatedAlgorithms) -> [String: String] {
        var names: [String: String] = [:]
        if let hash = negotiated.hash { names["hash"] = algorithmName(BaseHashAlgorithms(hash), in: BaseHashAlgorithms.named) }
        if let asym = negotiated.asym { names["asym"] = algorithmName(BaseAsymAlgorithms(asym), in: BaseAsymAlgorithms.named) }
        if let pqcAsym = negotiated.pqcAsym { names["asym"] = algorithmName(PQCAsymAlgorithms(pqcAsym), in: PQCAsymAlgorithms.named) }
        if !negotiated.dhe.isEmpty { names["dhe"] = algorithmName(negotiated.dhe, in: DHEGroups.named) }
        if let kem = negotiated.kem { names["kem"] = algorithmName(KEMAlgorithms(kem), in: KEMAlgorithms.named) }
        if !negotiated.aead.isEmpty { names["aead"] = algorithmName(negotiated.aead, in: AEADSuites.named) }
        return names
    }
}

/// The name a table gives `value`, else its description.
func algorithmName<T: Equatable>(_ value: T, in table: [(String, T)]) -> String {
    table.first { $0.1 == value }?.0 ?? "\(value)"
}

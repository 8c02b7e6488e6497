import Dispatch
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMSession

/// The fastest a machine could run load flows if only their public-key operations cost anything,
/// spread over every core. Per attestation flow the responder signs twice (CHALLENGE_AUTH,
/// MEASUREMENTS) and the requester verifies those two signatures and the chain's two certificate
/// signatures (the intermediate's and the leaf's: the root is the trusted anchor itself, compared
/// byte for byte, so its self-signature is not checked; ChainVerifier). Per session flow the
/// responder signs KEY_EXCHANGE_RSP, the requester verifies it and the two certificate signatures,
/// and the two sides make one key exchange: with DHE each side
/// generates a key pair and derives the shared secret; with an SPDM 1.4 KEM (ML-KEM) the requester
/// generates a key pair, the responder encapsulates and the requester decapsulates. The signing
/// algorithm is the negotiated one, classic or ML-DSA (whose certificates are ML-DSA-signed too).
struct CryptoBound {
    var signSeconds: Double
    var verifySeconds: Double
    /// Both sides' work for one KEY_EXCHANGE (0 when the flow has none).
    var exchangeSeconds: Double
    /// What the key exchange was: a DHE group or a KEM (session flows).
    var exchange: KeyExchangeMechanism?
    var cores: Int
    var flow: LoadFlow

    var flowSeconds: Double {
        switch flow {
        case .attest: return 2 * signSeconds + 4 * verifySeconds
        case .session: return signSeconds + 3 * verifySeconds + exchangeSeconds
        }
    }
    var flowsPerSecond: Double { Double(cores) / flowSeconds }

    static func measure(_ algorithms: NegotiatedAlgorithms, flow: LoadFlow, iterations: Int = 200) -> CryptoBound? {
        guard let hash = algorithms.hash, let signing = algorithms.signing,
              let key = try? PrivateKey.generate(keyType: signing.keyType) else { return nil }
        let message = [UInt8](repeating: 0x5A, count: 100 + hash.digestSize)
        let context = Array(SigningContext.challengeAuth.utf8)
        let publicKey = key.publicKey
        var signature: [UInt8] = []
        let signNanos = elapsed(iterations) { signature = (try? key.sign(signing, hash: hash, message: message, context: context)) ?? [] }
        let verifyNanos = elapsed(iterations) {
            _ = publicKey.verify(signing, hash: hash, message: message, signature: signature, context: context)
        }
        var exchangeNanos: UInt64 = 0
        var mechanism: KeyExchangeMechanism?
        if flow == .session {
            guard let negotiated = KeyExchangeMechanism(algorithms) else { return nil }
            mechanism = negotiated
            exchangeNanos = elapsed(iterations) {
                guard let initiator = try? KeyExchangeInitiator(negotiated),
                      let response = try? negotiated.respond(toRequesterExchangeData: initiator.exchangeData) else { return }
                _ = try? initiator.sharedSecret(responderExchangeData: response.exchangeData)
            }
        }
        return CryptoBound(signSeconds: Double(signNanos) / 1e9 / Double(iterations),
                           verifySeconds: Double(verifyNanos) / 1e9 / Double(iterations),
                           exchangeSeconds: Double(exchangeNanos) / 1e9 / Double(iterations), exchange: mechanism,
                           cores: ProcessInfo.processInfo.activeProcessorCount, flow: flow)
    }

    /// The bound measured before and after a run: the faster counts, the spread says how noisy it was.
    struct Measurements {
        var before: CryptoBound?
        var after: CryptoBound?

        /// The faster of the two (the machine can do at least that).
        var best: CryptoBound? {
            [before, after].compactMap { $0 }.max { $0.flowsPerSecond < $1.flowsPerSecond }
        }

        /// (fastest - slowest) / fastest of the two measurements; 0 with one.
        var spread: Double {
            let values = [before, after].compactMap { $0?.flowsPerSecond }
            guard let high = values.max(), let low = values.min(), high > 0 else { return 0 }
            return (high - low) / high
        }
    }

    /// Nanoseconds for `iterations` runs of `body`, after one warm-up run, from the fastest of four
    /// equal batches: a bound should not count the moments another process had the core.
    private static func elapsed(_ iterations: Int, _ body: () -> Void) -> UInt64 {
        body()
        let batch = max(1, iterations / 4)
        var fastest = UInt64.max
        for _ in 0..<4 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batch { body() }
            fastest = min(fastest, DispatchTime.now().uptimeNanoseconds - start)
        }
        return fastest * UInt64(iterations) / UInt64(batch)
    }
}

/// The load run's result, human or JSON.
struct LoadReport {
    var flow: LoadFlow
    var summary: LoadResults.Summary
    var bound: CryptoBound.Measurements
    var connections: Int
    var devices: Int
    /// "once" (every device once) or "duration".
    var mode: String
    var ramp: Double
    var identitiesChecked: Bool

    func print(json: Bool) {
        let bound = self.bound.best
        let ratio = bound.map { summary.flowsPerSecond / $0.flowsPerSecond }
        if json {
            var object: [String: Any] = [
                "flow": flow.rawValue, "mode": mode, "flows": summary.flows, "errors": summary.errors,
                "flows_per_second": summary.flowsPerSecond, "connections": connections, "devices": devices,
                "devices_attested": summary.devicesAttested, "ramp_seconds": ramp,
                "latency_ms": Dictionary(uniqueKeysWithValues: summary.percentiles.map { ($0.0, $0.1) }),
                "errors_by_kind": summary.errorsByKind, "errors_by_device": summary.errorsByDevice,
            ]
            if identitiesChecked {
                object["identities"] = ["checked": summary.identitiesChecked, "unique": summary.sharedIdentities.isEmpty,
                                        "shared": summary.sharedIdentities] as [String: Any]
            }
            if let bound, let ratio {
                object["crypto_bound_flows_per_second"] = bound.flowsPerSecond
                object["crypto_bound_spread"] = self.bound.spread
                if let before = self.bound.before { object["crypto_bound_before"] = before.flowsPerSecond }
                if let after = self.bound.after { object["crypto_bound_after"] = after.flowsPerSecond }
                object["bound_ratio"] = ratio
                object["sign_ms"] = bound.signSeconds * 1000
                object["verify_ms"] = bound.verifySeconds * 1000
                if bound.flow == .session, let exchange = bound.exchange {
                    object["key_exchange"] = exchange.description
                    object["key_exchange_ms"] = bound.exchangeSeconds * 1000
                    // One side's DHE key pair and shared secret, as before the KEMs.
                    if case .dhe = exchange { object["dhe_ms"] = bound.exchangeSeconds / 2 * 1000 }
                }
            }
            if let error = summary.firstError { object["first_error"] = error }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Swift.print(String(decoding: data, as: UTF8.self))
            return
        }
        let scope = mode == "once" ? "each of \(devices) device(s) once, \(summary.devicesAttested) verified"
            : "over \(connections) connections to \(devices) device(s)"
        Swift.print("flows          \(summary.flows) \(flow.rawValue) flows \(scope), \(summary.errors) errors")
        Swift.print(String(format: "throughput     %.1f flows/s", summary.flowsPerSecond))
        Swift.print("latency        " + summary.percentiles.map { String(format: "%@ %.2f ms", $0.0, $0.1) }.joined(separator: ", "))
        if let bound, let ratio {
            let dhe = bound.exchange.map { String(format: ", %@ %.3f ms", $0.description, bound.exchangeSeconds * 1000) } ?? ""
            Swift.print(String(format: "crypto bound   %.1f flows/s (sign %.3f ms, verify %.3f ms%@, %d cores; spread %.1f%% before/after)",
                               bound.flowsPerSecond, bound.signSeconds * 1000, bound.verifySeconds * 1000, dhe, bound.cores,
                               self.bound.spread * 100))
            Swift.print(String(format: "bound ratio    %.2f", ratio))
        }
        if !summary.errorsByKind.isEmpty {
            Swift.print("errors by kind " + summary.errorsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            let worst = summary.errorsByDevice.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
            Swift.print("by device      " + worst.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                        + (summary.errorsByDevice.count > 10 ? " (+\(summary.errorsByDevice.count - 10) more)" : ""))
        }
        if identitiesChecked {
            if summary.sharedIdentities.isEmpty {
                Swift.print("identities     \(summary.identitiesChecked) devices, every leaf certificate unique")
            } else {
                let groups = summary.sharedIdentities.prefix(5).map { $0.prefix(6).joined(separator: " ") + ($0.count > 6 ? " ..." : "") }
                Swift.print("identities     \(summary.identitiesChecked) devices; \(summary.sharedIdentities.count) leaf certificate(s) "
                            + "shared: " + groups.joined(separator: " | "))
            }
        }
        if let error = summary.firstError { Swift.print("first error    \(error)") }
    }
}

import Dispatch
import Foundation
import SPDMCore
import SPDMCrypto

/// The fastest a machine could run attestation flows if only their public-key operations cost
/// anything: per flow the responder signs twice (CHALLENGE_AUTH, MEASUREMENTS) and the requester
/// verifies those two signatures and three certificate signatures, spread over every core.
struct CryptoBound {
    var signSeconds: Double
    var verifySeconds: Double
    var cores: Int

    var flowSeconds: Double { 2 * signSeconds + 5 * verifySeconds }
    var flowsPerSecond: Double { Double(cores) / flowSeconds }

    static func measure(hash: HashAlgorithm?, asym: SignatureAlgorithm?, iterations: Int = 200) -> CryptoBound? {
        guard let hash, let asym, let key = try? PrivateKey.generate(asym) else { return nil }
        let message = [UInt8](repeating: 0x5A, count: 100 + hash.digestSize)
        let publicKey = key.publicKey
        var signature: [UInt8] = []
        let signStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { signature = (try? key.sign(asym, hash: hash, message: message)) ?? [] }
        let signNanos = DispatchTime.now().uptimeNanoseconds - signStart
        let verifyStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { _ = publicKey.verify(asym, hash: hash, message: message, signature: signature) }
        let verifyNanos = DispatchTime.now().uptimeNanoseconds - verifyStart
        return CryptoBound(signSeconds: Double(signNanos) / 1e9 / Double(iterations),
                           verifySeconds: Double(verifyNanos) / 1e9 / Double(iterations),
                           cores: ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// The load run's result, human or JSON.
struct LoadReport {
    var summary: LoadResults.Summary
    var bound: CryptoBound??
    var connections: Int
    var devices: Int

    func print(json: Bool) {
        let bound = self.bound ?? nil
        let ratio = bound.map { summary.flowsPerSecond / $0.flowsPerSecond }
        if json {
            var object: [String: Any] = [
                "flows": summary.flows, "errors": summary.errors, "flows_per_second": summary.flowsPerSecond,
                "connections": connections, "devices": devices,
                "latency_ms": Dictionary(uniqueKeysWithValues: summary.percentiles.map { ($0.0, $0.1) }),
            ]
            if let bound, let ratio {
                object["crypto_bound_flows_per_second"] = bound.flowsPerSecond
                object["bound_ratio"] = ratio
                object["sign_ms"] = bound.signSeconds * 1000
                object["verify_ms"] = bound.verifySeconds * 1000
            }
            if let error = summary.firstError { object["first_error"] = error }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Swift.print(String(decoding: data, as: UTF8.self))
            return
        }
        Swift.print("flows          \(summary.flows) over \(connections) connections to \(devices) device(s), \(summary.errors) errors")
        Swift.print(String(format: "throughput     %.1f flows/s", summary.flowsPerSecond))
        Swift.print("latency        " + summary.percentiles.map { String(format: "%@ %.2f ms", $0.0, $0.1) }.joined(separator: ", "))
        if let bound, let ratio {
            Swift.print(String(format: "crypto bound   %.1f flows/s (sign %.3f ms, verify %.3f ms, %d cores)",
                               bound.flowsPerSecond, bound.signSeconds * 1000, bound.verifySeconds * 1000, bound.cores))
            Swift.print(String(format: "bound ratio    %.2f", ratio))
        }
        if let error = summary.firstError { Swift.print("first error    \(error)") }
    }
}

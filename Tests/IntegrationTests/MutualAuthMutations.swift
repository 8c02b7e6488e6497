import Foundation
import SPDMCrypto
import SPDMRequester
import SPDMTestSupport
import SPDMWire

/// Session mutual authentication as the device drives it: after KEY_EXCHANGE_RSP asks for it
/// (MutAuthRequested 0x02), the device fetches our DIGESTS and CERTIFICATE through the encapsulated
/// flow. With the handshake in the clear those DELIVER_ENCAPSULATED_RESPONSEs travel as plain messages,
/// so each can be swapped for a mutation of itself at the very point the device waits for it.
extension MutationTarget {
    /// The builtin CA's ECDSA P-256 requester identity, from the daemon's state directory.
    static func builtinRequesterIdentity(_ daemon: TestDaemon) throws -> RequesterCredentials {
        let ca = daemon.directory + "/state/ca/ecp256/"
        guard let chain = FileManager.default.contents(atPath: ca + "bundle_requester.certchain.der"),
              let key = FileManager.default.contents(atPath: ca + "end_requester.key") else {
            throw TestSupportError("no builtin requester identity under \(ca)")
        }
        let privateKey = try String(data: key, encoding: .utf8).map { try PrivateKey(pem: $0) } ?? PrivateKey(der: [UInt8](key))
        return try RequesterCredentials(certificates: try Certificate.parseConcatenatedDER([UInt8](chain)), privateKey: privateKey,
                                        algorithm: .classic(.ecdsaP256))
    }

    /// The DELIVER_ENCAPSULATED_RESPONSEs of one complete session mutual authentication (DIGESTS, then
    /// the CERTIFICATE portions), on a new connection.
    func recordMutualAuthDeliveries() throws -> [[UInt8]] {
        try reconnect()
        var deliveries: [[UInt8]] = []
        try openSession(.keyExchange) { request, send in
            if request[1] == RequestCode.deliverEncapsulatedResponse.rawValue { deliveries.append(request) }
            return try send(request)
        }
        return deliveries
    }

    /// Each delivery of the flow mutated in turn: a new connection and KEY_EXCHANGE per mutation, our
    /// requester's own deliveries up to the one under test, then the mutation in its place.
    func mutateMutualAuthDeliveries(seed: UInt64) throws {
        let deliveries = try recordMutualAuthDeliveries()
        guard deliveries.count >= 2 else {
            throw TestSupportError("\(name): mutual authentication sent \(deliveries.count) DELIVER_ENCAPSULATED_RESPONSE, expected DIGESTS and CERTIFICATE")
        }
        for (stage, delivery) in deliveries.enumerated() {
            let template = RequestTemplates.encapsulatedDelivery(delivery)
            for mutation in RequestMutations.all(of: template, seed: seed ^ UInt64(stage)) {
                try reconnect()
                var sent = 0
                var reply: MutationReply?
                do {
                    try openSession(.keyExchange) { request, send in
                        guard request[1] == RequestCode.deliverEncapsulatedResponse.rawValue else { return try send(request) }
                        sent += 1
                        guard sent - 1 == stage else { return try send(request) }
                        reply = self.send(.spdm(mutation.bytes))
                        throw TestSupportError("the mutated delivery was sent")
                    }
                } catch {
                    // Our requester may not like the answer to a mutation: only the answer itself counts here.
                    guard reply != nil else { throw error }
                }
                let what = "mutual authentication, \(template.name) \(mutation.description): \(mutation.bytes.hexString)"
                switch reply {
                case .timedOut?: try recordHang(what)
                case .closed?: try reconnect(after: what)
                default: break
                }
            }
        }
    }
}

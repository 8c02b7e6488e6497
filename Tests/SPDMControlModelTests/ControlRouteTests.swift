import Foundation
import SPDMControlModel
import Testing

@Suite("control API: one route table")
struct ControlRouteTests {
    static let routes: [ControlRoute] = [
        .metrics, .devices, .device("gpu0"), .connections, .sessions, .setMeasurement(device: "gpu0", index: "3"),
        .setSlot(device: "gpu0", slot: "1"), .faults("gpu0"), .setFaults("gpu0"), .clearFaults("gpu0"), .resetDevice("gpu0"),
        .deviceState("gpu0"), .forgetDeviceState("gpu0"), .reload,
    ]

    /// What the daemon does with a request path: split and percent-decode its segments.
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
    }

    @Test("every route's method and path match back to the same route", arguments: routes)
    func roundTrip(_ route: ControlRoute) throws {
        #expect(try ControlRoute.match(method: route.method.rawValue, segments: Self.segments(route.path)) == route)
    }

    @Test("a device name with any characters survives the path")
    func percentEncoding() throws {
        let route = ControlRoute.setMeasurement(device: "rack 1/gpu#0 ü", index: "2")
        #expect(!route.path.contains(" ") && !route.path.contains("#") && route.path.hasPrefix("/v1/devices/rack%201%2Fgpu%230%20%C3%BC/"))
        #expect(try ControlRoute.match(method: "PUT", segments: Self.segments(route.path)) == route)
    }

    @Test("an unknown path is notFound; a known path with another method names the allowed ones")
    func refusals() {
        #expect(throws: ControlRoute.MatchError.notFound) { try ControlRoute.match(method: "GET", segments: ["v2", "devices"]) }
        #expect(throws: ControlRoute.MatchError.notFound) { try ControlRoute.match(method: "GET", segments: []) }
        #expect(throws: ControlRoute.MatchError.methodNotAllowed(allowed: [.GET])) {
            try ControlRoute.match(method: "DELETE", segments: ["v1", "devices", "gpu0"])
        }
        #expect(throws: ControlRoute.MatchError.methodNotAllowed(allowed: [.POST])) {
            try ControlRoute.match(method: "GET", segments: ["v1", "reload"])
        }
    }
}

@Suite("control API: shared documents")
struct ControlDocumentTests {
    @Test("a device detail keeps the summary's fields at the top level, in snake_case, and decodes back")
    func deviceDetail() throws {
        let detail = DeviceDetail(
            summary: DeviceSummary(name: "gpu0", transport: "mctp", listeners: ["tcp:127.0.0.1:2323"], openConnections: 1,
                                   totalConnections: 5, sessions: 2, requests: 40, errors: 1),
            versions: ["1.3"], capabilities: ["CERT"],
            algorithms: .init(hash: ["SHA_384"], asym: ["ECDSA_P384"], measurementHash: ["SHA_384"], dhe: [], aead: []),
            slots: [.init(id: 0, certificateModel: "device", keyType: "EC P-384",
                          certificates: [.init(subject: "CN=leaf", issuer: "CN=int")], modified: false)],
            measurements: [.init(index: 1, type: "firmware", representation: "digest", tcb: true, value: "hex:00", modified: true)],
            fingerprint: "abc")
        let bytes = try ControlJSON.encode(detail)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["name"] as? String == "gpu0" && object["open_connections"] as? Int == 1 && object["sessions"] as? Int == 2)
        #expect((object["algorithms"] as? [String: Any])?["measurement_hash"] as? [String] == ["SHA_384"])
        #expect(try ControlJSON.decode(DeviceDetail.self, from: bytes) == detail)
    }

    @Test("the device state and device reset documents go in snake_case and decode back")
    func stateDocuments() throws {
        let chain = DeviceStateDocument.Chain(slot: 2, keyPairId: 1, certificateModel: "alias", bytes: 1432,
                                              certificates: [.init(subject: "CN=leaf", issuer: "CN=int")])
        let pair = DeviceStateDocument.KeyPair(id: 1, keyUsage: 3, asymAlgorithm: 0x80, pqcAsymAlgorithm: 0, associatedSlotMask: 4, erased: false)
        let state = DeviceStateDocument(
            device: "gpu0", directory: "/var/lib/spdm-fleetd/devices/gpu0", measurements: [.init(index: 1, value: "0102")],
            slots: [.init(id: 0, certificates: [])],
            provisioned: .init(revision: 7, installedChains: [chain], erasedSlots: [3], keyPairs: [pair],
                               pendingReset: .init(installedChains: [], erasedSlots: [4], keyPairs: [],
                                                   csrRequests: [.init(tag: 1, keyPairId: 1, ready: true)])),
            problems: [])
        let reset = DeviceResetDocument(device: "gpu0", applied: ["slot 4: erased"], closedConnections: 2, state: state)
        let bytes = try ControlJSON.encode(reset)
        let text = String(decoding: bytes, as: UTF8.self)
        for key in ["\"closed_connections\" : 2", "\"key_pair_id\" : 1", "\"pending_reset\"", "\"csr_requests\"", "\"associated_slot_mask\" : 4"] {
            #expect(text.contains(key), "\(key) missing in \(text)")
        }
        #expect(try ControlJSON.decode(DeviceResetDocument.self, from: bytes) == reset)
        #expect(!state.provisioned.isEmpty && DeviceStateDocument.Provisioned(revision: 0, installedChains: [], erasedSlots: [], keyPairs: [],
            pendingReset: .init(installedChains: [], erasedSlots: [], keyPairs: [], csrRequests: [])).isEmpty)
    }

    @Test("a session document's dates are ISO 8601 and its id is session_id")
    func session() throws {
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        let document = SessionDocument(device: "gpu0", connection: 7, sessionId: "0xfffffffe", kind: "PSK", version: "1.3",
                                       algorithms: ["hash": "SHA_384"], mutualAuthentication: false, heartbeatPeriod: 60,
                                       started: started, lastHeartbeat: nil)
        let text = String(decoding: try ControlJSON.encode(document), as: UTF8.self)
        #expect(text.contains("\"session_id\" : \"0xfffffffe\"") && text.contains("\"started\" : \"2027-01-15T08:00:00Z\""), "\(text)")
        #expect(try ControlJSON.decode(SessionDocument.self, from: Array(text.utf8)) == document)
    }
}

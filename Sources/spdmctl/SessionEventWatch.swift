import Foundation
import SPDMRequester
import SPDMWire

/// `spdmctl session --subscribe-events`: every session subscribes to all the events the responder
/// offers (GET_SUPPORTED_EVENT_TYPES, SUBSCRIBE_EVENT_TYPES), then the sessions are polled with
/// GET_ENCAPSULATED_REQUEST: the responder delivers its SEND_EVENT there (DSP0274 1.3 §10.27.3, an
/// encapsulated request), answered with EVENT_ACK. Each event is handed to `report` as it arrives.
/// The watch ends after `seconds` (0: no limit) or once `count` events arrived; HEARTBEAT keeps the
/// sessions alive as in `--hold`.
struct SessionEventWatch {
    var seconds: Double
    var count: Int?
    var heartbeats: Bool
    /// Time between two polls of every session.
    var pollInterval: Double = 0.25

    /// Returns the number of events received.
    func run(_ sessions: inout [RequesterSession], requester: inout RequesterConnection, via secured: SecuredExchange,
             report: (_ session: RequesterSession, _ event: EventRecord) -> Void) throws -> Int {
        let end = seconds > 0 ? Date().addingTimeInterval(seconds) : Date.distantFuture
        let periods = sessions.map(\.heartbeatPeriod).filter { $0 > 0 }
        let heartbeatInterval = heartbeats && !periods.isEmpty ? max(0.5, Double(periods.min()!) / 2) : Double.infinity
        var nextHeartbeat = Date().addingTimeInterval(heartbeatInterval)
        var received = 0
        while Date() < end {
            for index in sessions.indices {
                let outcome = try requester.processEncapsulatedRequests(session: &sessions[index], via: secured)
                for event in outcome.events {
                    report(sessions[index], event)
                    received += 1
                }
            }
            if let count, received >= count { return received }
            if Date() >= nextHeartbeat {
                for index in sessions.indices where sessions[index].heartbeatPeriod > 0 {
                    try requester.heartbeat(session: &sessions[index], via: secured)
                }
                nextHeartbeat = Date().addingTimeInterval(heartbeatInterval)
            }
            Thread.sleep(forTimeInterval: min(pollInterval, max(0, end.timeIntervalSinceNow)))
        }
        return received
    }

    /// One line per event: the session, EventInstanceID and what it says.
    static func line(_ session: RequesterSession, _ event: EventRecord) -> String {
        "event: session 0x\(String(session.sessionID, radix: 16)) #\(event.instanceID) \(event.summary)"
    }
}

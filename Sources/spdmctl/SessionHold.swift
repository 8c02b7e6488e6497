import Foundation
import SPDMRequester

/// `spdmctl session --hold`: keeps established sessions open for a while before END_SESSION. When
/// HEARTBEAT was negotiated, each session sends one every half of its HeartbeatPeriod (DSP0274
/// §10.19: the responder ends a session that stays silent for twice the period).
struct SessionHold {
    var seconds: Double
    var heartbeats: Bool

    func run(_ sessions: inout [RequesterSession], requester: RequesterConnection, via secured: SecuredExchange) throws {
        let end = Date().addingTimeInterval(seconds)
        let periods = sessions.map(\.heartbeatPeriod).filter { $0 > 0 }
        let interval = heartbeats && !periods.isEmpty ? max(0.5, Double(periods.min()!) / 2) : seconds
        while Date() < end {
            Thread.sleep(forTimeInterval: min(interval, max(0, end.timeIntervalSinceNow)))
            guard heartbeats, !periods.isEmpty, Date() < end else { continue }
            for index in sessions.indices where sessions[index].heartbeatPeriod > 0 {
                try requester.heartbeat(session: &sessions[index], via: secured)
            }
        }
    }
}

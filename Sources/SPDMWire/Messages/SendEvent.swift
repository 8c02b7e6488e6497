/// SEND_EVENT (DSP0274 1.3 §10.27.3, Table "SEND_EVENT request message format"): the event notifier
/// tells a subscribed recipient what happened. A responder notifier cannot send requests on its
/// own: it sends SEND_EVENT as an encapsulated request inside the session (§10.14), as libspdm does.
///
///     +0 Version | +1 0xF1 | +2 Param1 reserved | +3 Param2 reserved
///     +4 EventCount (4) | +8 EventList (EventCount x event data)
public struct SendEventRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var events: [EventRecord]

    public init(version: SPDMVersion, events: [EventRecord]) {
        self.version = version
        self.events = events
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        let count = try reader.readU32("EventCount")
        guard count > 0 else { throw WireError.invalidField("EventCount 0") }
        // Every event takes at least 12 bytes: a count beyond what the message holds is refused
        // before anything is read.
        guard Int(exactly: count).map({ $0 <= reader.remaining / 12 }) ?? false else {
            throw WireError.truncated(field: "EventList", needed: Int(clamping: count) * 12, available: reader.remaining)
        }
        var events: [EventRecord] = []
        for _ in 0..<count { events.append(try EventRecord(decoding: &reader)) }
        guard reader.remaining == 0 else { throw WireError.trailingBytes(reader.remaining) }
        self.events = events
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.sendEvent.rawValue).encode(into: &out)
        out.appendU32(UInt32(truncatingIfNeeded: events.count))
        for event in events { event.encode(into: &out) }
    }
}

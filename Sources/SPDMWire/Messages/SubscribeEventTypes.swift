/// SUBSCRIBE_EVENT_TYPES (DSP0274 1.3 §10.27.2, Table "SUBSCRIBE_EVENT_TYPES request message format").
/// Session only. SubscribeEventGroupCount 0 unsubscribes from everything; the message is then the
/// bare 4-byte header.
///
///     +0 Version | +1 0xF0 | +2 Param1 SubscribeEventGroupCount | +3 Param2 reserved
///     +4 SubscribeListLen (4) | +8 SubscribeList (SubscribeEventGroupCount x event group)   (count > 0 only)
public struct SubscribeEventTypesRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    /// Empty: unsubscribe from every event.
    public var groups: [EventGroup]

    public init(version: SPDMVersion, groups: [EventGroup]) {
        self.version = version
        self.groups = groups
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        if header.param1 == 0 {
            guard reader.remaining == 0 else { throw WireError.trailingBytes(reader.remaining) }
            groups = []
            return
        }
        let length = try reader.readU32("SubscribeListLen")
        guard length > 0 else { throw WireError.invalidField("SubscribeListLen 0 with \(header.param1) groups") }
        guard Int(exactly: length) == reader.remaining else {
            throw WireError.invalidField("SubscribeListLen \(length) with \(reader.remaining) bytes following")
        }
        groups = try EventGroup.decodeList(reader.readRest(), count: Int(header.param1))
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.subscribeEventTypes.rawValue,
                      param1: UInt8(truncatingIfNeeded: groups.count)).encode(into: &out)
        guard !groups.isEmpty else { return }
        let list = EventGroup.encodeList(groups)
        out.appendU32(UInt32(truncatingIfNeeded: list.count))
        out.append(contentsOf: list)
    }
}

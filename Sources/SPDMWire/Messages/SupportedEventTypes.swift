/// SUPPORTED_EVENT_TYPES (DSP0274 1.3 §10.27.1, Table "SUPPORTED_EVENT_TYPES response message format").
///
///     +0 Version | +1 0x62 | +2 Param1 EventGroupCount | +3 Param2 reserved
///     +4 SupportedEventGroupsLen (4) | +8 SupportedEventGroupsList (EventGroupCount x event group)
public struct SupportedEventTypesResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var groups: [EventGroup]

    public init(version: SPDMVersion, groups: [EventGroup]) {
        self.version = version
        self.groups = groups
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        let length = try reader.readU32("SupportedEventGroupsLen")
        guard length > 0, header.param1 > 0 else { throw WireError.invalidField("an empty SupportedEventGroupsList") }
        guard Int(exactly: length).map({ $0 <= reader.remaining }) ?? false else {
            throw WireError.truncated(field: "SupportedEventGroupsList", needed: Int(clamping: length), available: reader.remaining)
        }
        groups = try EventGroup.decodeList(try reader.readBytes(Int(length), "SupportedEventGroupsList"), count: Int(header.param1))
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        let list = EventGroup.encodeList(groups)
        MessageHeader(version: version, code: ResponseCode.supportedEventTypes.rawValue,
                      param1: UInt8(truncatingIfNeeded: groups.count)).encode(into: &out)
        out.appendU32(UInt32(truncatingIfNeeded: list.count))
        out.append(contentsOf: list)
    }
}

/// The event vocabulary of DSP0274 1.3 §10.27 "Events": event groups, event types and the events a
/// notifier sends, shared by SUPPORTED_EVENT_TYPES, SUBSCRIBE_EVENT_TYPES and SEND_EVENT.

/// An event group id: a standards-body / vendor header (SVH, DSP0274 Table "Standards body or vendor
/// header"): the registry id, then the vendor id of `VendorIDLen` bytes (none for DMTF).
///
///     +0 ID (1) | +1 VendorIDLen (1) | +2 VendorID (VendorIDLen)
public struct EventGroupID: Hashable, Sendable {
    public var registryID: UInt8
    public var vendorID: [UInt8]

    /// The DMTF event group (registry id 0 = DMTF, no vendor id).
    public static let dmtf = EventGroupID(registryID: 0, vendorID: [])

    public init(registryID: UInt8, vendorID: [UInt8]) {
        self.registryID = registryID
        self.vendorID = vendorID
    }

    public init(decoding reader: inout WireReader) throws {
        registryID = try reader.readU8("EventGroupID.ID")
        let length = try reader.readU8("EventGroupID.VendorIDLen")
        vendorID = try reader.readBytes(Int(length), "EventGroupID.VendorID")
    }

    public func encode(into out: inout [UInt8]) {
        out.appendU8(registryID)
        out.appendU8(UInt8(truncatingIfNeeded: vendorID.count))
        out.append(contentsOf: vendorID)
    }
}

/// The DMTF event types (DSP0274 1.3 Table "DMTF event types") and the size of each one's detail.
public enum DMTFEventType: UInt16, CaseIterable, Sendable {
    /// Detail: LastAckedEventInstID (4), LastLostEventInstID (4).
    case eventLost = 1
    /// Detail: a 32-byte bit mask, bit N set when measurement index N changed.
    case measurementChanged = 2
    /// Detail: a 32-byte bit mask of the measurement indices about to change.
    case measurementPreUpdate = 3
    /// Detail: one byte, the slot whose certificate changed (bits 3:0).
    case certificateChanged = 4

    public var detailSize: Int {
        switch self {
        case .eventLost: return 8
        case .measurementChanged, .measurementPreUpdate: return 32
        case .certificateChanged: return 1
        }
    }

    public var name: String {
        switch self {
        case .eventLost: return "EventLost"
        case .measurementChanged: return "MeasurementChanged"
        case .measurementPreUpdate: return "MeasurementPreUpdate"
        case .certificateChanged: return "CertificateChanged"
        }
    }
}

/// One event group of a SupportedEventGroupsList or a SubscribeList (DSP0274 1.3 Table "Event group
/// format"): the group, its version, attributes (in SUBSCRIBE_EVENT_TYPES bit 0 = all types of the
/// group) and its event types, each {EventTypeID (2), Reserved (2)}.
///
///     +0 EventGroupID (SVH, 2+VendorIDLen) | EventTypeCount (2) | EventGroupVer (2) | Attributes (4)
///     | EventTypeList (EventTypeCount x {EventTypeID (2), Reserved (2)})
public struct EventGroup: Hashable, Sendable {
    public var id: EventGroupID
    public var version: UInt16
    public var attributes: UInt32
    public var eventTypes: [UInt16]

    /// SUBSCRIBE_EVENT_TYPES Attributes bit 0: every event type of the group.
    public static let subscribeAll: UInt32 = 1 << 0

    public init(id: EventGroupID = .dmtf, version: UInt16 = 1, attributes: UInt32 = 0, eventTypes: [UInt16]) {
        self.id = id
        self.version = version
        self.attributes = attributes
        self.eventTypes = eventTypes
    }

    public init(decoding reader: inout WireReader) throws {
        id = try EventGroupID(decoding: &reader)
        let count = try reader.readU16("EventTypeCount")
        version = try reader.readU16("EventGroupVer")
        attributes = try reader.readU32("Attributes")
        var types: [UInt16] = []
        for _ in 0..<count {
            types.append(try reader.readU16("EventTypeID"))
            try reader.skip(2, "EventType reserved")
        }
        eventTypes = types
    }

    public func encode(into out: inout [UInt8]) {
        id.encode(into: &out)
        out.appendU16(UInt16(truncatingIfNeeded: eventTypes.count))
        out.appendU16(version)
        out.appendU32(attributes)
        for type in eventTypes {
            out.appendU16(type)
            out.appendU16(0)
        }
    }

    /// Decodes `count` groups that fill `bytes` exactly.
    public static func decodeList(_ bytes: [UInt8], count: Int) throws -> [EventGroup] {
        var reader = WireReader(bytes)
        var groups: [EventGroup] = []
        for _ in 0..<count { groups.append(try EventGroup(decoding: &reader)) }
        guard reader.remaining == 0 else { throw WireError.trailingBytes(reader.remaining) }
        return groups
    }

    public static func encodeList(_ groups: [EventGroup]) -> [UInt8] {
        var out: [UInt8] = []
        for group in groups { group.encode(into: &out) }
        return out
    }
}

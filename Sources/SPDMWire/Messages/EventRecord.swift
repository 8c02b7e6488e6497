/// One event of a SEND_EVENT EventList (DSP0274 1.3 Table "Event data format").
///
///     +0 EventInstanceID (4) | +4 Reserved (4) | +8 EventGroupID (SVH) | EventTypeID (2)
///     | EventDetailLen (2) | EventDetail (EventDetailLen)
public struct EventRecord: Hashable, Sendable {
    public var instanceID: UInt32
    public var group: EventGroupID
    public var typeID: UInt16
    public var detail: [UInt8]

    public init(instanceID: UInt32, group: EventGroupID = .dmtf, typeID: UInt16, detail: [UInt8]) {
        self.instanceID = instanceID
        self.group = group
        self.typeID = typeID
        self.detail = detail
    }

    public init(decoding reader: inout WireReader) throws {
        instanceID = try reader.readU32("EventInstanceID")
        try reader.skip(4, "Event reserved")
        group = try EventGroupID(decoding: &reader)
        typeID = try reader.readU16("EventTypeID")
        let length = try reader.readU16("EventDetailLen")
        detail = try reader.readBytes(Int(length), "EventDetail")
        if group == .dmtf, let known = DMTFEventType(rawValue: typeID), known.detailSize != detail.count {
            throw WireError.invalidField("EventDetailLen \(detail.count) for DMTF \(known.name) (expected \(known.detailSize))")
        }
    }

    public func encode(into out: inout [UInt8]) {
        out.appendU32(instanceID)
        out.appendZeros(4)
        group.encode(into: &out)
        out.appendU16(typeID)
        out.appendU16(UInt16(truncatingIfNeeded: detail.count))
        out.append(contentsOf: detail)
    }

    /// The DMTF event type, when the event is one.
    public var dmtfType: DMTFEventType? { group == .dmtf ? DMTFEventType(rawValue: typeID) : nil }
}

extension EventRecord {
    /// MeasurementChanged: bit N of the 32-byte mask (byte N / 8, bit N % 8) for each index N.
    public static func measurementChanged(instanceID: UInt32, indices: [UInt8]) -> EventRecord {
        EventRecord(instanceID: instanceID, typeID: DMTFEventType.measurementChanged.rawValue, detail: mask(indices))
    }

    /// CertificateChanged for `slot` (bits 3:0 of the one detail byte).
    public static func certificateChanged(instanceID: UInt32, slot: UInt8) -> EventRecord {
        EventRecord(instanceID: instanceID, typeID: DMTFEventType.certificateChanged.rawValue, detail: [slot & 0x0F])
    }

    /// EventLost: the last event the recipient acknowledged and the last one the notifier dropped.
    public static func eventLost(instanceID: UInt32, lastAcknowledged: UInt32, lastLost: UInt32) -> EventRecord {
        var detail: [UInt8] = []
        detail.appendU32(lastAcknowledged)
        detail.appendU32(lastLost)
        return EventRecord(instanceID: instanceID, typeID: DMTFEventType.eventLost.rawValue, detail: detail)
    }

    /// The measurement indices a MeasurementChanged / MeasurementPreUpdate mask names.
    public var maskedIndices: [UInt8] {
        var indices: [UInt8] = []
        for (byteIndex, byte) in detail.prefix(32).enumerated() {
            for bit in 0..<8 where byte & (1 << bit) != 0 {
                indices.append(UInt8(truncatingIfNeeded: byteIndex * 8 + bit))
            }
        }
        return indices
    }

    static func mask(_ indices: [UInt8]) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: 32)
        for index in indices { mask[Int(index) / 8] |= 1 << (index % 8) }
        return mask
    }

    /// One line for people: the type and what it says.
    public var summary: String {
        switch dmtfType {
        case .measurementChanged?: return "MeasurementChanged indices \(maskedIndices.map(String.init).joined(separator: ","))"
        case .measurementPreUpdate?: return "MeasurementPreUpdate indices \(maskedIndices.map(String.init).joined(separator: ","))"
        case .certificateChanged?: return "CertificateChanged slot \(detail.first.map { $0 & 0x0F } ?? 0)"
        case .eventLost?:
            var reader = WireReader(detail)
            let acked = (try? reader.readU32("LastAckedEventInstID")) ?? 0
            let lost = (try? reader.readU32("LastLostEventInstID")) ?? 0
            return "EventLost last acknowledged \(acked), last lost \(lost)"
        case nil:
            return "event group \(group.registryID) type \(typeID), \(detail.count) detail bytes"
        }
    }
}

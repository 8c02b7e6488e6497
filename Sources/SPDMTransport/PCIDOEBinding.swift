/// The PCI-DOE binding (PCIe DOE ECN, DSP0276-like for DOE): an 8-byte DOE header, then the data
/// padded to a whole number of dwords.
///
///     +0 VendorID (u16 LE, 0x0001 PCI-SIG) | +2 DataObjectType (0 discovery, 1 SPDM, 2 secured SPDM)
///     +3 Reserved | +4 Length (u32 LE, bits 17..0: dwords including this header; 0 means 2^18)
///     +8 data, zero-padded to 4 bytes
public struct PCIDOEBinding: TransportBinding {
    public static let vendorPCISIG: UInt16 = 0x0001
    public static let discoveryType: UInt8 = 0x00
    public static let spdmType: UInt8 = 0x01
    public static let securedSPDMType: UInt8 = 0x02
    static let supportedTypes: [UInt8] = [discoveryType, spdmType, securedSPDMType]

    public init() {}
    public var type: TransportType { .pciDOE }

    public func decode(_ payload: [UInt8]) throws -> TransportMessage {
        guard payload.count >= 8 else { throw BindingError.malformed("DOE header needs 8 bytes, got \(payload.count)") }
        let vendor = UInt16(payload[0]) | UInt16(payload[1]) << 8
        let objectType = payload[2]
        var dwords = Int(UInt32(payload[4]) | UInt32(payload[5]) << 8 | UInt32(payload[6]) << 16 | UInt32(payload[7]) << 24) & 0x3FFFF
        if dwords == 0 { dwords = 1 << 18 }
        guard dwords * 4 <= payload.count, dwords >= 2 else {
            throw BindingError.malformed("DOE Length \(dwords) dwords but \(payload.count) bytes")
        }
        let data = Array(payload[8..<(dwords * 4)])
        guard vendor == Self.vendorPCISIG else { return .other(type: objectType, body: data) }
        switch objectType {
        case Self.spdmType: return .spdm(data)
        case Self.securedSPDMType: return .securedSPDM(data)
        case Self.discoveryType: return .bindingControl(request: data)
        default: return .other(type: objectType, body: data)
        }
    }

    public func encode(_ message: TransportMessage) -> [UInt8] {
        switch message {
        case .spdm(let body): return wrap(body, type: Self.spdmType)
        case .securedSPDM(let body): return wrap(body, type: Self.securedSPDMType)
        case .bindingControl(let body): return wrap(body, type: Self.discoveryType)
        case .other(let type, let body): return wrap(body, type: type)
        }
    }

    /// DOE discovery: request {Index, reserved x3}; response {VendorID u16, DataObjectType, NextIndex}.
    public func controlResponse(to request: [UInt8]) -> [UInt8]? {
        let index = Int(request.first ?? 0)
        let entry = index < Self.supportedTypes.count ? index : 0
        let next = entry + 1 < Self.supportedTypes.count ? UInt8(entry + 1) : 0
        return encode(.bindingControl(request: [0x01, 0x00, Self.supportedTypes[entry], next]))
    }

    private func wrap(_ body: [UInt8], type: UInt8) -> [UInt8] {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        // The 18-bit Length counts dwords with the header; the largest object, 2^18 dwords, is written as 0.
        let dwords = UInt32(truncatingIfNeeded: 2 + padded.count / 4) & 0x3FFFF
        var out: [UInt8] = [UInt8(Self.vendorPCISIG & 0xFF), UInt8(Self.vendorPCISIG >> 8), type, 0]
        out.append(UInt8(truncatingIfNeeded: dwords))
        out.append(UInt8(truncatingIfNeeded: dwords >> 8))
        out.append(UInt8(truncatingIfNeeded: dwords >> 16))
        out.append(UInt8(truncatingIfNeeded: dwords >> 24))
        return out + padded
    }
}

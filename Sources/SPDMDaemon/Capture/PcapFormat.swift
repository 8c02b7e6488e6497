import SPDMTransport

/// The classic libpcap file format, written the way DMTF's `spdm_requester_emu --pcap` writes it,
/// so one dissector (Wireshark with DMTF's SPDM plugin, spdm-dump) reads both sides' captures.
///
/// Global header (24 bytes, host byte order; readers detect it from the magic):
///
///     0        4      6      8         12        16        20
///     +--------+------+------+---------+---------+---------+---------+
///     | magic  | 2    | 4    | zone 0  | sigfigs | snaplen | network |
///     |a1b2c3d4| major| minor|         | 0       | 0x10000 | 291/292 |
///     +--------+------+------+---------+---------+---------+---------+
///
/// Record: ts_sec u32, ts_usec u32, incl_len u32, orig_len u32, then the packet. The packet is the
/// NORMAL frame's transport message: on MCTP behind a 4-byte MCTP transport header
/// (version 0, destination 0, source 0, tag byte 0xC0: SOM|EOM, as spdm-emu writes it) under
/// LINKTYPE_MCTP (291); on PCI-DOE the DOE header and data as they are under LINKTYPE_PCI_DOE (292).
/// DSP0287 TCP and the NONE binding have no link type in spdm-emu, so they cannot be captured.
enum PcapFormat {
    static let snapLength = 0x1_0000
    static let mctpTransportHeader: [UInt8] = [0x00, 0x00, 0x00, 0xC0]

    /// The link type of a binding, or nil when it has none.
    static func linkType(_ transport: TransportType) -> UInt32? {
        switch transport {
        case .mctp: return 291
        case .pciDOE: return 292
        case .none, .tcp: return nil
        }
    }

    static func globalHeader(linkType: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(&bytes, UInt32(0xA1B2_C3D4))
        append(&bytes, UInt16(2))
        append(&bytes, UInt16(4))
        append(&bytes, UInt32(0))
        append(&bytes, UInt32(0))
        append(&bytes, UInt32(snapLength))
        append(&bytes, linkType)
        return bytes
    }

    /// One record holding `message` (a NORMAL frame's payload) captured at `seconds`.`microseconds`.
    static func record(_ message: [UInt8], transport: TransportType, seconds: UInt32, microseconds: UInt32) -> [UInt8] {
        let prefix = transport == .mctp ? mctpTransportHeader : []
        let original = prefix.count + message.count
        let included = min(original, snapLength)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + included)
        append(&bytes, seconds)
        append(&bytes, microseconds)
        append(&bytes, UInt32(included))
        append(&bytes, UInt32(original))
        bytes += prefix
        bytes += message.prefix(included - prefix.count)
        return bytes
    }

    private static func append<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}

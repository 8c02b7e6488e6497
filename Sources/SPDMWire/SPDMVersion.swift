/// An SPDM message version as carried in byte 0 of every message: major in the high nibble,
/// minor in the low nibble (DSP0274 §7, "SPDMVersion").
public struct SPDMVersion: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let v10 = SPDMVersion(rawValue: 0x10)
    public static let v11 = SPDMVersion(rawValue: 0x11)
    public static let v12 = SPDMVersion(rawValue: 0x12)
    public static let v13 = SPDMVersion(rawValue: 0x13)
    public static let v14 = SPDMVersion(rawValue: 0x14)
    public static let all: [SPDMVersion] = [.v10, .v11, .v12, .v13, .v14]

    public var major: UInt8 { rawValue >> 4 }
    public var minor: UInt8 { rawValue & 0x0F }

    /// The 16-bit VersionNumberEntry of a VERSION response (DSP0274 Table "VersionNumberEntry"):
    ///
    ///     bit 15..12 MajorVersion | 11..8 MinorVersion | 7..4 UpdateVersionNumber | 3..0 Alpha
    public var versionNumberEntry: UInt16 { UInt16(rawValue) << 8 }
    public init(versionNumberEntry: UInt16) { self.rawValue = UInt8(truncatingIfNeeded: versionNumberEntry >> 8) }

    /// Parses "1.2" or "12".
    public init?(string: String) {
        let digits = string.filter { $0 != "." }
        guard digits.count == 2, let major = UInt8(String(digits.first!)), let minor = UInt8(String(digits.last!)),
              major == 1, minor <= 4 else { return nil }
        self.rawValue = major << 4 | minor
    }

    public var description: String { "\(major).\(minor)" }
    public static func < (lhs: SPDMVersion, rhs: SPDMVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

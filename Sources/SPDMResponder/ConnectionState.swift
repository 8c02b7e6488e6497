/// Where a connection is in the DSP0274 §9 flow. Ordered: later states allow everything earlier
/// states allow, except the exact-state steps of VCA.
public enum ConnectionState: Int, Comparable, Sendable, CustomStringConvertible {
    case notStarted
    case afterVersion
    case afterCapabilities
    case negotiated
    case authenticated

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .notStarted: return "not-started"
        case .afterVersion: return "after-version"
        case .afterCapabilities: return "after-capabilities"
        case .negotiated: return "negotiated"
        case .authenticated: return "authenticated"
        }
    }
}

/// ERROR response codes (DSP0274 Table "ERROR response code and error data").
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let invalidRequest = ErrorCode(rawValue: 0x01)
    public static let busy = ErrorCode(rawValue: 0x03)
    public static let unexpectedRequest = ErrorCode(rawValue: 0x04)
    public static let unspecified = ErrorCode(rawValue: 0x05)
    public static let decryptError = ErrorCode(rawValue: 0x06)
    public static let unsupportedRequest = ErrorCode(rawValue: 0x07)
    public static let requestInFlight = ErrorCode(rawValue: 0x08)
    public static let invalidResponseCode = ErrorCode(rawValue: 0x09)
    public static let sessionLimitExceeded = ErrorCode(rawValue: 0x0A)
    public static let sessionRequired = ErrorCode(rawValue: 0x0B)
    public static let resetRequired = ErrorCode(rawValue: 0x0C)
    public static let responseTooLarge = ErrorCode(rawValue: 0x0D)
    public static let requestTooLarge = ErrorCode(rawValue: 0x0E)
    public static let largeResponse = ErrorCode(rawValue: 0x0F)
    public static let messageLost = ErrorCode(rawValue: 0x10)
    public static let invalidPolicy = ErrorCode(rawValue: 0x11)
    public static let dataTooLarge = ErrorCode(rawValue: 0x12)
    public static let versionMismatch = ErrorCode(rawValue: 0x41)
    public static let responseNotReady = ErrorCode(rawValue: 0x42)
    public static let requestResynch = ErrorCode(rawValue: 0x43)
    public static let operationFailed = ErrorCode(rawValue: 0x44)
    public static let noPendingRequests = ErrorCode(rawValue: 0x45)
    /// 1.4: the session the request was sent in has been terminated.
    public static let requestSessionTerminated = ErrorCode(rawValue: 0x46)
    /// 1.4: the Responder's state does not allow the request.
    public static let invalidState = ErrorCode(rawValue: 0x47)
    public static let vendorDefined = ErrorCode(rawValue: 0xFF)

    private static let names: [UInt8: String] = [
        0x01: "InvalidRequest", 0x03: "Busy", 0x04: "UnexpectedRequest", 0x05: "Unspecified",
        0x06: "DecryptError", 0x07: "UnsupportedRequest", 0x08: "RequestInFlight", 0x09: "InvalidResponseCode",
        0x0A: "SessionLimitExceeded", 0x0B: "SessionRequired", 0x0C: "ResetRequired", 0x0D: "ResponseTooLarge",
        0x0E: "RequestTooLarge", 0x0F: "LargeResponse", 0x10: "MessageLost", 0x11: "InvalidPolicy", 0x12: "DataTooLarge",
        0x41: "VersionMismatch", 0x42: "ResponseNotReady", 0x43: "RequestResynch", 0x44: "OperationFailed",
        0x45: "NoPendingRequests", 0x46: "RequestSessionTerminated", 0x47: "InvalidState", 0xFF: "VendorDefined",
    ]
    public var description: String { Self.names[rawValue] ?? "Error0x" + String(rawValue, radix: 16, uppercase: true) }
}

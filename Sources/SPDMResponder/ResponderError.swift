import SPDMWire

/// Why a request failed. Every handler throws these; `ResponderConnection.errorResponse` turns them
/// into the one ERROR message the specification names (DSP0274 §10.12) — nowhere else builds ERRORs.
public struct ResponderError: Error, Equatable, Sendable {
    public var code: ErrorCode
    public var data: UInt8
    /// ExtendedErrorData (ResponseTooLarge: the response size, u32 little-endian).
    public var extendedData: [UInt8] = []
    public var reason: String
    /// The state changes the handler made before this error stand (a failed FINISH ends its session,
    /// a bad encapsulated response ends the flow, a ResetRequired records what waits for the reset):
    /// the commit point keeps them instead of restoring the connection as it was.
    public var keepsStateChanges = false

    public init(_ code: ErrorCode, data: UInt8 = 0, extendedData: [UInt8] = [], _ reason: String) {
        self.code = code
        self.data = data
        self.extendedData = extendedData
        self.reason = reason
    }

    /// This error, with the state changes made before it kept.
    public var keepingStateChanges: ResponderError {
        var error = self
        error.keepsStateChanges = true
        return error
    }

    public static func invalidRequest(_ reason: String) -> ResponderError { ResponderError(.invalidRequest, reason) }
    public static func unexpectedRequest(_ reason: String) -> ResponderError { ResponderError(.unexpectedRequest, reason) }
    public static func unsupportedRequest(_ code: RequestCode) -> ResponderError {
        ResponderError(.unsupportedRequest, data: code.rawValue, "\(code) is not supported by this device")
    }
    public static func versionMismatch(_ reason: String) -> ResponderError { ResponderError(.versionMismatch, reason) }
    public static func unspecified(_ reason: String) -> ResponderError { ResponderError(.unspecified, reason) }

    /// ResponseTooLarge (1.2+): the response of `size` bytes cannot reach the requester, neither in one
    /// piece nor in chunks. ExtendedErrorData is the response size (DSP0274 1.2+ Table "ResponseTooLarge
    /// extended error data", as libspdm sends it).
    public static func responseTooLarge(size: Int, _ reason: String) -> ResponderError {
        var sizeField: [UInt8] = []
        sizeField.appendU32(UInt32(clamping: size))
        return ResponderError(.responseTooLarge, extendedData: sizeField, reason)
    }

    /// A decode failure is always InvalidRequest: the message is malformed.
    public init(decoding error: Error) {
        self.init(.invalidRequest, "malformed request: \(error)")
    }
}

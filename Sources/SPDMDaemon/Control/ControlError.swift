/// A control API failure with its HTTP status.
enum ControlError: Error, CustomStringConvertible {
    case badRequest(String)
    case notFound(String)
    case conflict(String)
    case internalError(String)

    var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .conflict: return 409
        case .internalError: return 500
        }
    }

    var description: String {
        switch self {
        case .badRequest(let message), .notFound(let message), .conflict(let message), .internalError(let message): return message
        }
    }
}

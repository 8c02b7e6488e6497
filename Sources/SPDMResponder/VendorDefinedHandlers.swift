import SPDMWire

/// One way a device answers VENDOR_DEFINED_REQUEST (DSP0274 §10.20), from config
/// (`[[device.vendor_defined]]`): requests of `standardID` / `vendorID` whose payload equals
/// `request` (or starts with it, `prefix`) are answered with the payload `response` builds.
public struct VendorDefinedHandler: Sendable, Hashable {
    /// One piece of a response payload: fixed bytes, or bytes of the request's payload (a declared
    /// rule: `echo` is the whole payload; "a fixed header + the request" is bytes then the payload).
    public enum Part: Sendable, Hashable {
        case bytes([UInt8])
        /// Request payload bytes `from ..< to` (`to` nil: to the end).
        case request(from: Int, to: Int?)
    }

    public var standardID: UInt16
    public var vendorID: [UInt8]
    public var request: [UInt8]
    /// `request` is a prefix of the payloads it answers (otherwise the whole payload).
    public var prefix: Bool
    public var response: [Part]

    public init(standardID: UInt16, vendorID: [UInt8], request: [UInt8], prefix: Bool, response: [Part]) {
        self.standardID = standardID
        self.vendorID = vendorID
        self.request = request
        self.prefix = prefix
        self.response = response
    }

    func matches(_ fields: VendorDefinedFields) -> Bool {
        guard fields.standardID == standardID, fields.vendorID == vendorID else { return false }
        return prefix ? fields.payload.starts(with: request) : fields.payload == request
    }

    /// The response payload for `payload`; nil when a request part reaches past its end.
    func responsePayload(for payload: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        for part in response {
            switch part {
            case .bytes(let bytes):
                out += bytes
            case .request(let from, let to):
                let end = to ?? payload.count
                guard from >= 0, from <= end, end <= payload.count else { return nil }
                out += payload[from..<end]
            }
        }
        return out
    }
}

/// A device's vendor-defined handlers: the one that answers a request is the exact match, else
/// the longest matching prefix; none answers: ERROR(UnsupportedRequest).
public struct VendorDefinedHandlers: Sendable, Hashable {
    public var handlers: [VendorDefinedHandler]

    public init(_ handlers: [VendorDefinedHandler] = []) {
        self.handlers = handlers
    }

    public var isEmpty: Bool { handlers.isEmpty }

    func handler(for fields: VendorDefinedFields) -> VendorDefinedHandler? {
        handlers.filter { $0.matches(fields) }.max { lhs, rhs in
            (lhs.prefix ? 0 : 1, lhs.request.count) < (rhs.prefix ? 0 : 1, rhs.request.count)
        }
    }
}

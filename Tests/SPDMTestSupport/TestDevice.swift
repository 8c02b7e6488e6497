/// One `[[device]]` of a test's config file: a generated ECDSA P-256 slot and one measurement
/// (index 1, mutable firmware, `measurementValue`) unless told otherwise.
public struct TestDevice: Sendable {
    public var name: String
    public var transport: String
    /// `tcp = "..."` or `unix = "..."` (with `unix_mode` if wanted).
    public var listener: String
    public var capabilities: [String]?
    /// Further `key = value` lines of the device.
    public var keys: [String]
    /// Further sub-tables (`[device.algorithms]`, `[[device.psk]]`, ...), after the slot and measurement.
    public var tables: [String]
    public var measurementValue: String

    public init(_ name: String, transport: String = "mctp", listener: String = #"tcp = "127.0.0.1:0""#,
                capabilities: [String]? = nil, keys: [String] = [], tables: [String] = [], measurementValue: String = "fw") {
        self.name = name
        self.transport = transport
        self.listener = listener
        self.capabilities = capabilities
        self.keys = keys
        self.tables = tables
        self.measurementValue = measurementValue
    }

    /// Attestation plus KEY_EXCHANGE and PSK sessions with HEARTBEAT and KEY_UPDATE.
    public static let sessionCapabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "PSK", "HBEAT", "KEY_UPD"]

    /// The reference requester's PSK ("TestPskHint" -> "TestPskData", NUL included).
    public static let referencePSK = """
    [[device.psk]]
    hint = "cstr:TestPskHint"
    key = "cstr:TestPskData"
    """

    public var toml: String {
        var lines = ["[[device]]", "name = \"\(name)\"", "transport = \"\(transport)\"", listener]
        if let capabilities { lines.append("capabilities = [" + capabilities.map { "\"\($0)\"" }.joined(separator: ", ") + "]") }
        lines += keys
        lines += ["[[device.slot]]", "generate = { algorithm = \"ECDSA_P256\" }",
                  "[[device.measurement]]", "index = 1", "type = \"mutable_firmware\"", "value = \"\(measurementValue)\""]
        lines += tables
        return lines.joined(separator: "\n") + "\n\n"
    }
}

/// A bad config: one message naming the file, the device and the key.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var device: String?
    public var key: String?
    public var message: String

    public init(file: String, device: String? = nil, key: String? = nil, _ message: String) {
        self.file = file
        self.device = device
        self.key = key
        self.message = message
    }

    public var description: String {
        var parts = [file]
        if let device { parts.append("device '\(device)'") }
        if let key { parts.append("key '\(key)'") }
        return parts.joined(separator: ": ") + ": " + message
    }
}

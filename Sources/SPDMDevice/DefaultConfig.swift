/// The configuration `spdm-fleetd` runs when given no --config: config/default.toml, compiled in.
public enum DefaultConfig {
    public static var text: String { String(decoding: PackageResources.default_toml, as: UTF8.self) }
    public static let sourceName = "<embedded default config>"
}

import Foundation
import TOMLKit

/// A TOML table read with its location: every accessor checks the value's type and reports a bad
/// value as a `ConfigError` naming the file, the device and the dotted key.
struct ConfigTable {
    let table: TOMLTable
    let file: String
    let device: String?
    /// Dotted path of this table inside the device (or the file), "" at the top.
    let path: String

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, device: device, key: key.map(keyPath), message)
    }

    /// Rejects keys this table does not define, so a typo is an error and not a silent default.
    func allowOnly(_ allowed: Set<String>) throws {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw error(key, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func has(_ key: String) -> Bool { table[key] != nil }

    func string(_ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw error(key, "must be a string") }
        return string
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key) else { throw error(key, "is required") }
        return value
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard let int = value.int else { throw error(key, "must be an integer") }
        guard range.contains(int) else { throw error(key, "\(int) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return int
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else { throw error(key, "must be true or false") }
        return bool
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw error(key, "must be an array of strings") }
        return try array.map { element in
            guard let string = element.string else { throw error(key, "must be an array of strings") }
            return string
        }
    }

    func subtable(_ key: String) throws -> ConfigTable? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw error(key, "must be a table") }
        return ConfigTable(table: sub, file: file, device: device, path: keyPath(key))
    }

    /// An array of tables (`[[device.slot]]`); element paths read "slot[0]".
    func tableArray(_ key: String) throws -> [ConfigTable] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw error(key, "must be an array of tables ([[\(keyPath(key))]])") }
        return try array.enumerated().map { index, element in
            guard let sub = element.table else { throw error(key, "must be an array of tables ([[\(keyPath(key))]])") }
            return ConfigTable(table: sub, file: file, device: device, path: "\(keyPath(key))[\(index)]")
        }
    }

    func withDevice(_ name: String) -> ConfigTable {
        ConfigTable(table: table, file: file, device: name, path: "")
    }

    /// Parses a name from a fixed vocabulary.
    func named<T>(_ key: String, _ value: String, in vocabulary: [(String, T)]) throws -> T {
        guard let match = vocabulary.first(where: { $0.0.caseInsensitiveCompare(value) == .orderedSame }) else {
            throw error(key, "unknown value '\(value)' (expected one of: \(vocabulary.map(\.0).joined(separator: ", ")))")
        }
        return match.1
    }
}

import Foundation

/// `values = "fleet-values.csv"` in a fleet template: a table file giving chosen devices their own
/// measurement values and pre-shared keys. Comma-separated, one header line, then one line per
/// device; `#` starts a comment line; a field may be double-quoted ("" for a quote inside):
///
///     device,measurement.2,measurement.3,psk.0.hint
///     gpu0007,fw 1.9.4,hex:01,cstr:gpu7
///     12,fw 2.0.0-rc1,,
///
/// `device` is a device's name or its index in the template. `measurement.N` replaces the value of
/// the template's measurement N; `psk.K.hint` and `psk.K.key` those of its K-th `[[device.psk]]`
/// (from 0). An empty field keeps the template's value. Values use the config's byte syntax and may
/// hold `{i}` expressions.
struct ValueTableFile {
    enum Column: Hashable {
        case measurement(UInt8)
        case pskHint(Int)
        case pskKey(Int)
    }

    /// Device index to its columns' texts (empty fields left out), and the line each came from.
    private(set) var rows: [Int: (values: [Column: String], line: Int)] = [:]
    let path: String

    /// Reads `path` for a template whose devices are `names`; `measurementIndices` and `pskCount` are
    /// what the template defines, so a column naming anything else is an error.
    init(path: String, names: [String], measurementIndices: Set<UInt8>, pskCount: Int, table: ConfigTable) throws {
        self.path = path
        func failure(_ line: Int?, _ message: String) -> ConfigError {
            table.error("values", "\(path)\(line.map { ":\($0)" } ?? ""): \(message)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw failure(nil, "cannot read the value table (a UTF-8 CSV file)")
        }
        let indexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var columns: [Column?]?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            guard let fields = Self.fields(of: line) else { throw failure(lineNumber, "a quoted field without its closing quote") }
            guard let header = columns else {
                guard fields.first == "device" else { throw failure(lineNumber, "the header's first column must be 'device'") }
                let parsed: [Column?] = try fields.dropFirst().map { name in
                    guard let column = Self.column(named: name) else {
                        throw failure(lineNumber, "unknown column '\(name)' (expected measurement.N, psk.K.hint or psk.K.key)")
                    }
                    switch column {
                    case .measurement(let index) where !measurementIndices.contains(index):
                        throw failure(lineNumber, "column '\(name)': the template defines no measurement \(index)")
                    case .pskHint(let k), .pskKey(let k):
                        guard k < pskCount else { throw failure(lineNumber, "column '\(name)': the template has \(pskCount) [[device.psk]] entries") }
                    default: break
                    }
                    return column
                }
                guard Set(parsed.compactMap { $0 }).count == parsed.count else { throw failure(lineNumber, "a column is named twice") }
                columns = parsed
                continue
            }
            guard fields.count == header.count + 1 else {
                throw failure(lineNumber, "\(fields.count) fields where the header has \(header.count + 1)")
            }
            let device = fields[0].trimmingCharacters(in: .whitespaces)
            guard let index = indexByName[device] ?? Int(device).flatMap({ names.indices.contains($0) ? $0 : nil }) else {
                throw failure(lineNumber, "no device '\(device)' in this template (a name, or an index 0-\(names.count - 1))")
            }
            if let earlier = rows[index] { throw failure(lineNumber, "device '\(names[index])' already has a row (line \(earlier.line))") }
            var values: [Column: String] = [:]
            for (column, field) in zip(header, fields.dropFirst()) where !field.isEmpty {
                if let column { values[column] = field }
            }
            rows[index] = (values, lineNumber)
        }
        guard columns != nil else { throw failure(nil, "the value table has no header line") }
    }

    private static func column(named name: String) -> Column? {
        let parts = name.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        switch (parts.count, parts.first) {
        case (2, "measurement"):
            guard let index = UInt8(parts[1]), (1...254).contains(index) else { return nil }
            return .measurement(index)
        case (3, "psk"):
            guard let k = Int(parts[1]), k >= 0 else { return nil }
            if parts[2] == "hint" { return .pskHint(k) }
            if parts[2] == "key" { return .pskKey(k) }
            return nil
        default: return nil
        }
    }

    /// The fields of one CSV line; nil when a quote is not closed.
    static func fields(of line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            index = line.index(after: index)
            if quoted {
                if character == "\"" {
                    if index < line.endIndex && line[index] == "\"" {
                        field.append("\"")
                        index = line.index(after: index)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}
